package store

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/catalog"
	"github.com/cohesio/cohesio/internal/cohesion"
)

// The read path of the GraphQL API. Every function here issues exactly one statement, whatever
// the number of rows or parents, so that a nested request costs a fixed number of statements.
// It uses pgx directly with real parameters: these are the hottest statements of the platform.

// rowPlan maps an entity's columns to the fields of a Go type.
type rowPlan struct {
	entity  *catalog.Entity
	columns []string
	fields  [][]int // field index path per column
	sortIdx [][]int // by field name, for cursors
	byField map[string][]int
	idIndex []int
}

var plans sync.Map // planKey -> *rowPlan

type planKey struct {
	t     reflect.Type
	table string
}

// planFor matches each column with the field of T whose name, lower-cased, equals the column
// without underscores (enterprise_number -> EnterpriseNumber).
func planFor[T any](e *catalog.Entity) (*rowPlan, error) {
	t := reflect.TypeFor[T]()
	key := planKey{t, e.Table}
	if p, ok := plans.Load(key); ok {
		return p.(*rowPlan), nil
	}
	byName := map[string][]int{}
	for _, f := range reflect.VisibleFields(t) {
		if f.IsExported() && !f.Anonymous {
			byName[strings.ToLower(f.Name)] = f.Index
		}
	}
	p := &rowPlan{entity: e, columns: e.Columns(), byField: map[string][]int{}}
	for _, c := range p.columns {
		idx, ok := byName[strings.ReplaceAll(c, "_", "")]
		if !ok {
			return nil, fmt.Errorf("%s has no field for column %s.%s", t, e.Table, c)
		}
		p.fields = append(p.fields, idx)
	}
	for _, f := range e.Fields {
		p.byField[f.Name] = byName[strings.ReplaceAll(f.Column, "_", "")]
	}
	p.idIndex = p.byField["id"]
	plans.Store(key, p)
	return p, nil
}

// selectList writes the entity's columns over alias.
func (p *rowPlan) selectList(b *builder, alias string) {
	for i, c := range p.columns {
		if i > 0 {
			b.write(", ")
		}
		b.write(col(alias, c))
	}
}

// scanTargets returns pointers into v for the columns, after the extra leading targets.
func (p *rowPlan) scanTargets(v reflect.Value, extra ...any) []any {
	out := append(make([]any, 0, len(extra)+len(p.columns)), extra...)
	for _, idx := range p.fields {
		out = append(out, v.FieldByIndex(idx).Addr().Interface())
	}
	return out
}

func (p *rowPlan) id(v reflect.Value) int64 { return v.FieldByIndex(p.idIndex).Int() }

func (p *rowPlan) cursor(v reflect.Value, w *window) string {
	vals := make([]any, len(w.fields))
	for i, f := range w.fields {
		vals[i] = v.FieldByIndex(p.byField[f.Name]).Interface()
	}
	return encodeCursor(vals)
}

// modelEntity returns the model of an entity, reading the tables themselves: exports, reports
// and analyses apply their own publication rules.
func (s *Store) modelEntity(name string) (*catalog.Entity, error) {
	e := s.catalog.Entity(name)
	if e == nil {
		return nil, fmt.Errorf("unknown entity %q", name)
	}
	return e, nil
}

// entity returns the model of an entity as the caller may read it: roles below analyst read
// observations through the published view.
func (s *Store) entity(ctx context.Context, name string) (*catalog.Entity, error) {
	cat := s.catalog
	if !access.RoleFrom(ctx).SeesSmallCounts() {
		cat = s.published
	}
	e := cat.Entity(name)
	if e == nil {
		return nil, fmt.Errorf("unknown entity %q", name)
	}
	return e, nil
}

// List returns a page of the rows of entity that match args.
func List[T any](ctx context.Context, s *Store, entity string, args ListArgs) (*Page[T], error) {
	pages, err := listPages[T](ctx, s, entity, nil, nil, args)
	if err != nil {
		return nil, err
	}
	return pages[0], nil
}

// ListRelated returns, for each parent id, a page of the rows reached through relation of
// entity: one statement for every parent (a LATERAL join), one more for the totals if asked.
func ListRelated[T any](ctx context.Context, s *Store, entity, relation string, parents []int64, args ListArgs) (map[int64]*Page[T], error) {
	e, err := s.entity(ctx, entity)
	if err != nil {
		return nil, err
	}
	r := e.Relation(relation)
	if r == nil || !r.Many {
		return nil, fmt.Errorf("%s has no to-many relation %q", entity, relation)
	}
	// The same object can hang from several parents' pages: one page per id, not one per
	// appearance (which would list its rows twice).
	parents = slices.Compact(slices.Sorted(slices.Values(parents)))
	pages, err := listPages[T](ctx, s, r.Target.Name, r, parents, args)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]*Page[T], len(parents))
	for i, id := range parents {
		out[id] = pages[i]
	}
	return out, nil
}

func listPages[T any](ctx context.Context, s *Store, entity string, r *catalog.Relation, parents []int64, args ListArgs) ([]*Page[T], error) {
	e, err := s.entity(ctx, entity)
	if err != nil {
		return nil, err
	}
	p, err := planFor[T](e)
	if err != nil {
		return nil, err
	}
	w, err := resolveWindow(e, args)
	if err != nil {
		return nil, err
	}
	b := &builder{}
	const row = "t0"
	if r == nil {
		b.write("SELECT ")
		p.selectList(b, row)
		b.write(" FROM ", ident(e.Table), " AS ", row, " WHERE ")
	} else {
		// Each parent gets its own ordered, limited page.
		b.write("SELECT p.parent, ")
		p.selectList(b, "x")
		b.write(" FROM unnest(", b.param(parents, "bigint[]"), ") WITH ORDINALITY AS p(parent, ord) CROSS JOIN LATERAL (SELECT ")
		p.selectList(b, row)
		b.write(" FROM ", ident(e.Table), " AS ", row)
		if r.Link != "" {
			b.write(" JOIN ", ident(r.Link), " AS l ON ", col("l", r.FK), " = ", col(row, "id"), " WHERE ", col("l", r.Ref), " = p.parent AND ")
		} else {
			b.write(" WHERE ", col(row, r.Ref), " = p.parent AND ")
		}
	}
	if err := b.where(e, row, args.Filter); err != nil {
		return nil, err
	}
	b.write(" AND ")
	if err := w.seek(b, row); err != nil {
		return nil, err
	}
	b.write(" ORDER BY ")
	w.orderBy(b, row)
	b.write(fmt.Sprintf(" LIMIT %d", w.limit+1))
	if r != nil {
		b.write(") AS x ORDER BY p.ord, ")
		w.orderBy(b, "x")
	}

	n := 1
	if r != nil {
		n = len(parents)
	}
	pages := make([]*Page[T], n)
	for i := range pages {
		pages[i] = &Page[T]{}
	}
	index := map[int64]int{}
	for i, id := range parents {
		index[id] = i
	}
	rows, err := s.readPool().Query(ctx, b.sb.String(), b.args...)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", e.Name, err)
	}
	defer rows.Close()
	var parent int64
	for rows.Next() {
		node := new(T)
		v := reflect.ValueOf(node).Elem()
		var targets []any
		if r != nil {
			targets = p.scanTargets(v, &parent)
		} else {
			targets = p.scanTargets(v)
		}
		if err := rows.Scan(targets...); err != nil {
			return nil, fmt.Errorf("list %s: %w", e.Name, err)
		}
		pg := pages[0]
		if r != nil {
			pg = pages[index[parent]]
		}
		pg.Nodes = append(pg.Nodes, node)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list %s: %w", e.Name, err)
	}
	for _, pg := range pages {
		more := len(pg.Nodes) > w.limit
		if more {
			pg.Nodes = pg.Nodes[:w.limit]
		}
		if w.backward {
			slices.Reverse(pg.Nodes)
			pg.HasPrev, pg.HasNext = more, args.Before != nil
		} else {
			pg.HasNext, pg.HasPrev = more, args.After != nil
		}
		pg.Cursors = make([]string, len(pg.Nodes))
		for i, node := range pg.Nodes {
			pg.Cursors[i] = p.cursor(reflect.ValueOf(node).Elem(), w)
		}
	}
	if args.Total {
		if err := countPages(ctx, s, e, r, parents, args.Filter, pages); err != nil {
			return nil, err
		}
	}
	return pages, nil
}

func countPages[T any](ctx context.Context, s *Store, e *catalog.Entity, r *catalog.Relation, parents []int64, f Filter, pages []*Page[T]) error {
	b := &builder{}
	const row = "t0"
	if r == nil {
		b.write("SELECT 0::bigint, count(*) FROM ", ident(e.Table), " AS ", row, " WHERE ")
	} else {
		key := col(row, r.Ref)
		b.write("SELECT ")
		if r.Link != "" {
			key = col("l", r.Ref)
			b.write(key, ", count(*) FROM ", ident(e.Table), " AS ", row, " JOIN ", ident(r.Link), " AS l ON ", col("l", r.FK), " = ", col(row, "id"))
		} else {
			b.write(key, ", count(*) FROM ", ident(e.Table), " AS ", row)
		}
		b.write(" WHERE ", key, " = ANY(", b.param(parents, "bigint[]"), ") AND ")
	}
	if err := b.where(e, row, f); err != nil {
		return err
	}
	if r != nil {
		b.write(" GROUP BY 1")
	}
	index := map[int64]int{}
	for i, id := range parents {
		index[id] = i
	}
	rows, err := s.readPool().Query(ctx, b.sb.String(), b.args...)
	if err != nil {
		return fmt.Errorf("count %s: %w", e.Name, err)
	}
	var key, n int64
	_, err = pgx.ForEachRow(rows, []any{&key, &n}, func() error {
		i := 0
		if r != nil {
			i = index[key]
		}
		pages[i].Total = int(n)
		return nil
	})
	if err != nil {
		return fmt.Errorf("count %s: %w", e.Name, err)
	}
	return nil
}

// ByIDs returns the rows of entity with these ids, by id; missing ids are absent.
func ByIDs[T any](ctx context.Context, s *Store, entity string, ids []int64) (map[int64]*T, error) {
	e, err := s.entity(ctx, entity)
	if err != nil {
		return nil, err
	}
	b := &builder{}
	b.write("id = ANY(", b.param(ids, "bigint[]"), ")")
	nodes, err := selectWhere[T](ctx, s, e, b)
	if err != nil {
		return nil, err
	}
	p, _ := planFor[T](e)
	out := make(map[int64]*T, len(nodes))
	for _, n := range nodes {
		out[p.id(reflect.ValueOf(n).Elem())] = n
	}
	return out, nil
}

// ByField returns the row of entity whose field equals value (a natural key such as a NIS
// code), or ErrNotFound.
func ByField[T any](ctx context.Context, s *Store, entity, field string, value any) (*T, error) {
	e, err := s.entity(ctx, entity)
	if err != nil {
		return nil, err
	}
	f := e.Field(field)
	if f == nil {
		return nil, fmt.Errorf("%s has no field %q", entity, field)
	}
	b := &builder{}
	b.write(ident(f.Column), " = ", b.param(value, f.Kind.SQLType()))
	nodes, err := selectWhere[T](ctx, s, e, b)
	if err != nil {
		return nil, err
	}
	if len(nodes) == 0 {
		return nil, fmt.Errorf("%s with %s %v: %w", entity, field, value, cohesion.ErrNotFound)
	}
	return nodes[0], nil
}

// selectWhere runs SELECT <columns> FROM <table> WHERE <cond>, cond being in b.
func selectWhere[T any](ctx context.Context, s *Store, e *catalog.Entity, cond *builder) ([]*T, error) {
	p, err := planFor[T](e)
	if err != nil {
		return nil, err
	}
	b := &builder{args: cond.args}
	b.write("SELECT ")
	for i, c := range p.columns {
		if i > 0 {
			b.write(", ")
		}
		b.write(ident(c))
	}
	b.write(" FROM ", ident(e.Table), " WHERE ", cond.sb.String())
	rows, err := s.readPool().Query(ctx, b.sb.String(), b.args...)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", e.Name, err)
	}
	defer rows.Close()
	var out []*T
	for rows.Next() {
		node := new(T)
		if err := rows.Scan(p.scanTargets(reflect.ValueOf(node).Elem())...); err != nil {
			return nil, fmt.Errorf("read %s: %w", e.Name, err)
		}
		out = append(out, node)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", e.Name, err)
	}
	return out, nil
}
