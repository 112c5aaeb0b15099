package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/shopspring/decimal"

	"github.com/cohesio/cohesio/graph/model"
	"github.com/cohesio/cohesio/internal/catalog"
	"github.com/cohesio/cohesio/internal/cohesion"
	"github.com/cohesio/cohesio/internal/store"
)

// The resolvers of every entity are the same few lines; these helpers hold the logic. They
// find the entity and relation from the field being resolved, so that a resolver cannot name
// the wrong one.

// pageArgs are the pagination arguments every connection field takes.
type pageArgs struct {
	first, last   *int32
	after, before *string
	filter        map[string]any
	orderBy       []map[string]any
}

func page(first *int32, after *string, last *int32, before *string, filter map[string]any, orderBy []map[string]any) pageArgs {
	return pageArgs{first: first, after: after, last: last, before: before, filter: filter, orderBy: orderBy}
}

// listArgs converts GraphQL arguments for a list of entity e.
func listArgs(ctx context.Context, e *catalog.Entity, a pageArgs) (store.ListArgs, error) {
	out := store.ListArgs{After: a.after, Before: a.before, Total: selects(ctx, "totalCount")}
	if a.first != nil {
		n := int(*a.first)
		out.First = &n
	}
	if a.last != nil {
		n := int(*a.last)
		out.Last = &n
	}
	var err error
	if out.Filter, err = toFilter(e, a.filter); err != nil {
		return out, err
	}
	for _, o := range a.orderBy {
		field := catalog.EnumToField(fmt.Sprint(o["field"]))
		out.Order = append(out.Order, store.Order{Field: field, Desc: fmt.Sprint(o["direction"]) == "DESC"})
	}
	return out, nil
}

// selects reports whether the current field's selection asks for a sub-field.
func selects(ctx context.Context, name string) bool {
	for _, f := range graphql.CollectFieldsCtx(ctx, nil) {
		if f.Name == name {
			return true
		}
	}
	return false
}

// current returns the entity of the object being resolved and the field's name.
func current(ctx context.Context, r *Resolver) (*catalog.Entity, string) {
	fc := graphql.GetFieldContext(ctx)
	return r.Catalog.Entity(fc.Object), fc.Field.Name
}

// list resolves a root connection field: the entity is the connection's node type.
func list[T any](ctx context.Context, r *Resolver, a pageArgs) (*model.Connection[T], error) {
	fc := graphql.GetFieldContext(ctx)
	e := r.Catalog.Entity(strings.TrimSuffix(fc.Field.Definition.Type.Name(), "Connection"))
	args, err := listArgs(ctx, e, a)
	if err != nil {
		return nil, err
	}
	p, err := store.List[T](ctx, r.Store, e.Name, args)
	if err != nil {
		return nil, err
	}
	register(ctx, p.Nodes)
	c := connection(p)
	c.Origin = &model.Origin{Entity: e.Name, Filter: args.Filter}
	return c, nil
}

// many resolves a to-many relation of parent, for all of parent's siblings at once.
func many[T, P any](ctx context.Context, r *Resolver, parent *P, a pageArgs) (*model.Connection[T], error) {
	e, field := current(ctx, r)
	rel := e.Relation(field)
	args, err := listArgs(ctx, rel.Target, a)
	if err != nil {
		return nil, err
	}
	// Siblings asking with the same arguments share the load; the key must say so.
	key, _ := json.Marshal([]any{field, a.first, a.after, a.last, a.before, args.Filter, args.Order, args.Total})
	g := groupOf(ctx, parent)
	v, err := g.do(string(key), func() (any, error) {
		ids := make([]int64, len(g.members))
		for i, m := range g.members {
			ids[i] = idOf(m)
		}
		pages, err := store.ListRelated[T](ctx, r.Store, e.Name, field, ids, args)
		if err != nil {
			return nil, err
		}
		var all []*T
		for _, p := range pages {
			all = append(all, p.Nodes...)
		}
		register(ctx, all)
		return pages, nil
	})
	if err != nil {
		return nil, err
	}
	c := connection(v.(map[int64]*store.Page[T])[idOf(parent)])
	c.Origin = &model.Origin{Entity: rel.Target.Name, Filter: args.Filter, Parent: parent, ParentEntity: e.Name, Relation: field}
	return c, nil
}

// one resolves a to-one relation of parent, for all of parent's siblings at once.
func one[T, P any](ctx context.Context, r *Resolver, parent *P) (*T, error) {
	e, field := current(ctx, r)
	rel := e.Relation(field)
	g := groupOf(ctx, parent)
	v, err := g.do(field, func() (any, error) {
		var ids []int64
		for _, m := range g.members {
			if id, ok := columnID(m, rel.FK); ok {
				ids = append(ids, id)
			}
		}
		slices.Sort(ids)
		byID, err := store.ByIDs[T](ctx, r.Store, rel.Target.Name, slices.Compact(ids))
		if err != nil {
			return nil, err
		}
		all := make([]*T, 0, len(byID))
		for _, id := range slices.Compact(ids) {
			if n := byID[id]; n != nil {
				all = append(all, n)
			}
		}
		register(ctx, all)
		return byID, nil
	})
	if err != nil {
		return nil, err
	}
	id, ok := columnID(parent, rel.FK)
	if !ok {
		return nil, nil
	}
	return v.(map[int64]*T)[id], nil
}

// lookup resolves a root look-up by natural key: null when nothing matches.
func lookup[T any](ctx context.Context, r *Resolver, entity, field string, value any) (*T, error) {
	n, err := store.ByField[T](ctx, r.Store, entity, field, value)
	if err != nil {
		if isNotFound(err) {
			return nil, nil
		}
		return nil, err
	}
	register(ctx, []*T{n})
	return n, nil
}

func connection[T any](p *store.Page[T]) *model.Connection[T] {
	c := &model.Connection[T]{
		Edges:      make([]*model.Edge[T], len(p.Nodes)),
		Nodes:      p.Nodes,
		PageInfo:   &model.PageInfo{HasNextPage: p.HasNext, HasPreviousPage: p.HasPrev},
		TotalCount: int32(p.Total),
	}
	for i, n := range p.Nodes {
		c.Edges[i] = &model.Edge[T]{Cursor: p.Cursors[i], Node: n}
	}
	if len(p.Cursors) > 0 {
		c.PageInfo.StartCursor = &p.Cursors[0]
		c.PageInfo.EndCursor = &p.Cursors[len(p.Cursors)-1]
	}
	return c
}

// id resolves the global id of the object being resolved.
func id(ctx context.Context, localID int64) (string, error) {
	return catalog.GlobalID(graphql.GetFieldContext(ctx).Object, localID), nil
}

// idOf reads the ID field every domain type has.
func idOf(node any) int64 {
	id, _ := columnID(node, "id")
	return id
}

type fieldKey struct {
	t      reflect.Type
	column string
}

// fieldIndexes caches, per domain type and column, the index of the field holding it: this
// runs for every sibling of every batched field.
var fieldIndexes sync.Map // fieldKey -> []int (nil: no such field)

// columnID reads the id stored in column (parent_id -> ParentID) of node.
func columnID(node any, column string) (int64, bool) {
	v := reflect.ValueOf(node).Elem()
	key := fieldKey{v.Type(), column}
	idx, ok := fieldIndexes.Load(key)
	if !ok {
		var index []int
		name := strings.ReplaceAll(column, "_", "")
		if f, found := v.Type().FieldByNameFunc(func(n string) bool { return strings.EqualFold(n, name) }); found {
			index = f.Index
		}
		idx, _ = fieldIndexes.LoadOrStore(key, index)
	}
	index := idx.([]int)
	if index == nil {
		return 0, false
	}
	f := v.FieldByIndex(index)
	if f.Kind() == reflect.Pointer {
		if f.IsNil() {
			return 0, false
		}
		return f.Elem().Int(), true
	}
	return f.Int(), true
}

// toFilter turns a GraphQL filter input into the store's filter, checking it against e and
// against the limits of a filter, before it recurses on it.
func toFilter(e *catalog.Entity, m map[string]any) (store.Filter, error) {
	if err := catalog.CheckFilterValues(e, m, "filter"); err != nil {
		return store.Filter{}, err
	}
	return filterOf(e, m)
}

func filterOf(e *catalog.Entity, m map[string]any) (store.Filter, error) {
	var f store.Filter
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys) // stable SQL text for the same filter
	for _, k := range keys {
		v := m[k]
		switch {
		case v == nil:
		case k == "and" || k == "or":
			for _, sub := range v.([]map[string]any) {
				sf, err := filterOf(e, sub)
				if err != nil {
					return f, err
				}
				if k == "and" {
					f.And = append(f.And, sf)
				} else {
					f.Or = append(f.Or, sf)
				}
			}
		case k == "not":
			sf, err := filterOf(e, v.(map[string]any))
			if err != nil {
				return f, err
			}
			f.Not = &sf
		case e.Relation(k) != nil:
			sf, err := filterOf(e.Relation(k).Target, v.(map[string]any))
			if err != nil {
				return f, err
			}
			f.Rels = append(f.Rels, store.RelFilter{Relation: k, Filter: sf})
		case e.Field(k) != nil:
			conds, err := toConds(e, k, v)
			if err != nil {
				return f, err
			}
			f.Conds = append(f.Conds, conds...)
		default:
			return f, cohesion.Invalid("filter."+k, fmt.Sprintf("%s has no field or relation %q", e.Name, k))
		}
	}
	return f, nil
}

// toConds reads a comparison input (StringFilter, DateFilter, an enum filter...): each set
// field is an operator named by its JSON tag.
func toConds(e *catalog.Entity, field string, in any) ([]store.Cond, error) {
	v := reflect.ValueOf(in)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	var out []store.Cond
	for i := 0; i < v.NumField(); i++ {
		fv := v.Field(i)
		if (fv.Kind() == reflect.Pointer || fv.Kind() == reflect.Slice) && fv.IsNil() {
			continue
		}
		op, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ",")
		val, err := plain(e, field, fv)
		if err != nil {
			return nil, err
		}
		out = append(out, store.Cond{Field: field, Op: op, Value: val})
	}
	return out, nil
}

// plain converts a comparison value into what the store binds as a parameter: enums become
// their lower-case database value, decimals their exact text, global ids numbers.
func plain(e *catalog.Entity, field string, v reflect.Value) (any, error) {
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() == reflect.Slice {
		// A typed slice, so that the driver can encode it as a PostgreSQL array.
		var out reflect.Value
		for i := 0; i < v.Len(); i++ {
			x, err := plain(e, field, v.Index(i))
			if err != nil {
				return nil, err
			}
			if i == 0 {
				out = reflect.MakeSlice(reflect.SliceOf(reflect.TypeOf(x)), 0, v.Len())
			}
			out = reflect.Append(out, reflect.ValueOf(x))
		}
		if !out.IsValid() {
			return []string{}, nil
		}
		return out.Interface(), nil
	}
	switch x := v.Interface().(type) {
	case decimal.Decimal:
		return x.String(), nil
	case bool:
		return x, nil
	case int32:
		return int64(x), nil
	}
	if v.Kind() != reflect.String {
		return v.Interface(), nil
	}
	if field == "id" {
		typ, n, err := catalog.ParseGlobalID(v.String())
		if err != nil || typ != e.Name {
			return nil, cohesion.Invalid("filter.id", fmt.Sprintf("%q is not the id of a %s", v.String(), e.Name))
		}
		return n, nil
	}
	if e.Field(field).Kind == catalog.KindEnum {
		return strings.ToLower(v.String()), nil
	}
	return v.String(), nil
}
