// Package plan answers the root fields of GraphQL read operations without the resolvers:
// from the validated operation (gqlgen's CollectFields over the parsed document, so that
// fragments, aliases, @include/@skip and field merging are exactly the executor's), it builds
// a tree of lists (store.PlanMany) the store compiles into ONE SQL statement, and a writer
// program that turns the statement's flat rows into the field's JSON, byte for byte what
// gqlgen's generated marshallers write for the resolvers' results.
//
// Anything the planner does not know falls back to the resolvers, per root field: fields with
// arguments other than the connection arguments and lang (name(lang:)), reports, analyses,
// datasets, mutations, introspection. The resolvers stay the reference; a planned root field
// that meets anything unexpected at run time (a NULL where the schema promises a value, an
// error) is answered by the resolvers too, which then report it their way.
package plan

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/cohesio/cohesio/internal/catalog"
	"github.com/cohesio/cohesio/internal/cohesion"
	"github.com/cohesio/cohesio/internal/store"
)

// Planner plans root fields against one schema and catalog.
type Planner struct {
	schema *ast.Schema
	cat    *catalog.Catalog
}

// New returns a planner for the executable schema's AST.
func New(schema *ast.Schema) (*Planner, error) {
	cat, err := catalog.Default()
	if err != nil {
		return nil, err
	}
	return &Planner{schema: schema, cat: cat}, nil
}

// lookup is a root field that reads one row by a natural key.
type lookup struct {
	entity, field, arg string
	normalize          func(string) (string, error)
}

// lookups are the root look-ups whose resolvers call graph.lookup (see graph/*.resolvers.go).
var lookups = map[string]lookup{
	"commune":      {"Territory", "nisCode", "nisCode", nil},
	"territory":    {"Territory", "code", "code", nil},
	"programme":    {"Programme", "code", "code", nil},
	"indicator":    {"Indicator", "code", "code", nil},
	"coordination": {"Coordination", "code", "code", nil},
	"operator":     {"Operator", "enterpriseNumber", "enterpriseNumber", cohesion.NormalizeEnterpriseNumber},
}

// Root is the plan of one root field.
type Root struct {
	Many *store.PlanMany
	conn *connW // root connection
	obj  *objW  // root look-up (nullable)
}

type planning struct {
	p  *Planner
	oc *graphql.OperationContext
}

// errNo marks what the planner leaves to the resolvers.
type errNo string

func (e errNo) Error() string { return "not planned: " + string(e) }

func no(format string, args ...any) error { return errNo(fmt.Sprintf(format, args...)) }

// Plan returns the plan of root field f, or an error saying why the resolvers must answer it.
func (p *Planner) Plan(oc *graphql.OperationContext, f graphql.CollectedField) (*Root, error) {
	if oc == nil || oc.Operation == nil || oc.Operation.Operation != ast.Query {
		return nil, no("not a query")
	}
	if f.Definition == nil || len(f.Directives.ForNames("defer")) > 0 {
		return nil, no("field %s", f.Name)
	}
	pl := &planning{p: p, oc: oc}
	args := f.ArgumentMap(oc.Variables)
	typ := f.Definition.Type
	if f.Name == "node" {
		gid, _ := args["id"].(string)
		name, id, err := catalog.ParseGlobalID(gid)
		e := p.cat.Entity(name)
		if err != nil || e == nil || !implements(p.schema, name, "Node") {
			return nil, no("node id %q", gid)
		}
		return pl.single(f, e, &store.PlanLookup{Field: "id", Value: id})
	}
	if l, ok := lookups[f.Name]; ok && len(f.Definition.Arguments) == 1 && typ.Name() == l.entity && !typ.NonNull {
		v, ok := args[l.arg].(string)
		if !ok {
			return nil, no("argument %s", l.arg)
		}
		if l.normalize != nil {
			var err error
			if v, err = l.normalize(v); err != nil {
				return nil, no("argument %s", l.arg)
			}
		}
		return pl.single(f, p.cat.Entity(l.entity), &store.PlanLookup{Field: l.field, Value: v})
	}
	name, ok := strings.CutSuffix(typ.Name(), "Connection")
	e := p.cat.Entity(name)
	if !ok || e == nil || !typ.NonNull || typ.Elem != nil {
		return nil, no("root field %s", f.Name)
	}
	m, c, err := pl.connection(f, e, args)
	if err != nil {
		return nil, err
	}
	return &Root{Many: m, conn: c}, nil
}

func (pl *planning) single(f graphql.CollectedField, e *catalog.Entity, l *store.PlanLookup) (*Root, error) {
	m := &store.PlanMany{Lookup: l, Object: &store.PlanObject{Entity: e.Name}}
	o, err := pl.object(f.Selections, e, m.Object)
	if err != nil {
		return nil, err
	}
	return &Root{Many: m, obj: o}, nil
}

func implements(s *ast.Schema, typ, iface string) bool {
	d := s.Types[typ]
	if d == nil {
		return false
	}
	for _, i := range d.Interfaces {
		if i == iface {
			return true
		}
	}
	return false
}

// implementors lists what an object type satisfies, as gqlgen's generated xxxImplementors.
func (pl *planning) implementors(typ string) []string {
	out := []string{typ}
	if d := pl.p.schema.Types[typ]; d != nil {
		out = append(out, d.Interfaces...)
	}
	return out
}

func key(alias string) string { return `"` + alias + `":` }

// Writer programs: what to write for each field, in the executor's order.

type fieldKind uint8

const (
	fTypename fieldKind = iota
	fID
	fScalar
	fToOne
	fConn
	fTotal
	fNodes
	fEdges
	fPageInfo
	fCursor
	fNode
	fHasNext
	fHasPrev
	fStart
	fEnd
	fByLang // name(lang:) and the like: the NL column when asked and not empty, else the FR one
	fAggregate
	fAggInt     // count, countDistinct: i indexes the connection's Aggs
	fAggDecimal // sum, avg, min, max
)

type objW struct {
	po     *store.PlanObject
	e      *catalog.Entity
	fields []field
}

type field struct {
	key      string
	kind     fieldKind
	typename string
	i        int // index in po.Fields
	nl       int // fByLang: index of the NL field in po.Fields; -1 when FR is asked
	f        *catalog.Field
	nonNull  bool
	obj      *objW // to-one object, node
	conn     *connW
	sub      []field // edges, pageInfo
}

type connW struct {
	m      *store.PlanMany
	fields []field
}

// connection plans a connection field of entity e with its arguments.
func (pl *planning) connection(f graphql.CollectedField, e *catalog.Entity, args map[string]any) (*store.PlanMany, *connW, error) {
	la, err := pl.listArgs(f, e, args)
	if err != nil {
		return nil, nil, err
	}
	m := &store.PlanMany{Args: la, Object: &store.PlanObject{Entity: e.Name}}
	c := &connW{m: m}
	var node *objW
	nodeObj := func(sel ast.SelectionSet) (*objW, error) {
		o, err := pl.object(sel, e, m.Object)
		if err != nil {
			return nil, err
		}
		node = o
		return o, nil
	}
	for _, cf := range graphql.CollectFields(pl.oc, f.Selections, []string{e.Name + "Connection"}) {
		fd := field{key: key(cf.Alias)}
		switch cf.Name {
		case "__typename":
			fd.kind, fd.typename = fTypename, e.Name+"Connection"
		case "totalCount":
			fd.kind = fTotal
			m.Args.Total = true
		case "nodes":
			fd.kind = fNodes
			if fd.obj, err = nodeObj(cf.Selections); err != nil {
				return nil, nil, err
			}
		case "edges":
			fd.kind = fEdges
			for _, ef := range graphql.CollectFields(pl.oc, cf.Selections, []string{e.Name + "Edge"}) {
				sub := field{key: key(ef.Alias)}
				switch ef.Name {
				case "__typename":
					sub.kind, sub.typename = fTypename, e.Name+"Edge"
				case "cursor":
					sub.kind = fCursor
					m.Cursors = true
				case "node":
					sub.kind = fNode
					if sub.obj, err = nodeObj(ef.Selections); err != nil {
						return nil, nil, err
					}
				default:
					return nil, nil, no("%sEdge.%s", e.Name, ef.Name)
				}
				fd.sub = append(fd.sub, sub)
			}
		case "aggregate":
			fd.kind = fAggregate
			typ := e.Name + "Aggregate"
			for _, af := range graphql.CollectFields(pl.oc, cf.Selections, []string{typ}) {
				sub := field{key: key(af.Alias)}
				sp := store.AggSpec{Fn: af.Name}
				switch af.Name {
				case "__typename":
					sub.kind, sub.typename = fTypename, typ
					fd.sub = append(fd.sub, sub)
					continue
				case "count":
					sub.kind = fAggInt
				case "countDistinct":
					sub.kind = fAggInt
					sp.Field = catalog.EnumToField(fmt.Sprint(af.ArgumentMap(pl.oc.Variables)["field"]))
				case "sum", "avg", "min", "max":
					sub.kind = fAggDecimal
					sp.Field = catalog.EnumToField(fmt.Sprint(af.ArgumentMap(pl.oc.Variables)["field"]))
				default:
					return nil, nil, no("%s.%s", typ, af.Name)
				}
				sub.i = slices.Index(m.Aggs, sp)
				if sub.i < 0 {
					sub.i = len(m.Aggs)
					m.Aggs = append(m.Aggs, sp)
				}
				fd.sub = append(fd.sub, sub)
			}
		case "pageInfo":
			fd.kind = fPageInfo
			for _, pf := range graphql.CollectFields(pl.oc, cf.Selections, []string{"PageInfo"}) {
				sub := field{key: key(pf.Alias)}
				switch pf.Name {
				case "__typename":
					sub.kind, sub.typename = fTypename, "PageInfo"
				case "hasNextPage":
					sub.kind = fHasNext
					m.More = true
				case "hasPreviousPage":
					sub.kind = fHasPrev
					m.More = true
				case "startCursor":
					sub.kind = fStart
					m.Cursors = true
				case "endCursor":
					sub.kind = fEnd
					m.Cursors = true
				default:
					return nil, nil, no("PageInfo.%s", pf.Name)
				}
				fd.sub = append(fd.sub, sub)
			}
		default:
			return nil, nil, no("%sConnection.%s", e.Name, cf.Name)
		}
		c.fields = append(c.fields, fd)
	}
	_ = node
	return m, c, nil
}

// object plans the selection of an object of entity e, reading into po.
func (pl *planning) object(sel ast.SelectionSet, e *catalog.Entity, po *store.PlanObject) (*objW, error) {
	o := &objW{po: po, e: e}
	po.AddField("id")
	for _, cf := range graphql.CollectFields(pl.oc, sel, pl.implementors(e.Name)) {
		fd := field{key: key(cf.Alias)}
		if cf.Definition == nil {
			return nil, no("%s.%s", e.Name, cf.Name)
		}
		fd.nonNull = cf.Definition.Type.NonNull
		switch {
		case cf.Name == "__typename":
			fd.kind, fd.typename = fTypename, e.Name
		case cf.Name == "id":
			fd.kind, fd.typename = fID, e.Name
			fd.i = po.AddField("id")
		case e.Field(cf.Name) == nil && e.Field(cf.Name+"Fr") != nil && e.Field(cf.Name+"Nl") != nil &&
			len(cf.Definition.Arguments) == 1 && cf.Definition.Arguments[0].Name == "lang":
			// cohesion's Name(lang), Label(lang)...: pick(lang, fr, nl).
			fd.kind, fd.f = fByLang, e.Field(cf.Name+"Fr")
			fd.i, fd.nl = po.AddField(cf.Name+"Fr"), -1
			if cf.ArgumentMap(pl.oc.Variables)["lang"] == "NL" {
				fd.nl = po.AddField(cf.Name + "Nl")
			}
		case e.Field(cf.Name) != nil:
			f := e.Field(cf.Name)
			if len(cf.Definition.Arguments) > 0 || len(cf.Arguments) > 0 || f.Kind == catalog.KindID {
				return nil, no("%s.%s", e.Name, cf.Name)
			}
			fd.kind, fd.f, fd.i = fScalar, f, po.AddField(f.Name)
		case e.Relation(cf.Name) != nil && !e.Relation(cf.Name).Many:
			r := e.Relation(cf.Name)
			if len(cf.Arguments) > 0 {
				return nil, no("%s.%s", e.Name, cf.Name)
			}
			var sub *store.PlanObject
			for _, t := range po.ToOne {
				if t.Relation == r.Name {
					sub = t.Object
				}
			}
			if sub == nil {
				sub = &store.PlanObject{Entity: r.Target.Name}
				po.ToOne = append(po.ToOne, &store.PlanToOne{Relation: r.Name, Object: sub})
			}
			fd.kind = fToOne
			var err error
			if fd.obj, err = pl.object(cf.Selections, r.Target, sub); err != nil {
				return nil, err
			}
		case e.Relation(cf.Name) != nil:
			r := e.Relation(cf.Name)
			m, c, err := pl.connection(cf, r.Target, cf.ArgumentMap(pl.oc.Variables))
			if err != nil {
				return nil, err
			}
			m.Relation = r.Name
			po.Many = append(po.Many, m)
			fd.kind, fd.conn = fConn, c
		default:
			return nil, no("%s.%s", e.Name, cf.Name)
		}
		o.fields = append(o.fields, fd)
	}
	return o, nil
}

// listArgs reads the connection arguments as graph.listArgs does.
func (pl *planning) listArgs(f graphql.CollectedField, e *catalog.Entity, args map[string]any) (store.ListArgs, error) {
	var out store.ListArgs
	for name, v := range args {
		if v == nil {
			continue
		}
		switch name {
		case "first", "last":
			n, ok := toInt32(v)
			if !ok {
				return out, no("argument %s", name)
			}
			x := int(n)
			if name == "first" {
				out.First = &x
			} else {
				out.Last = &x
			}
		case "after", "before":
			s, ok := v.(string)
			if !ok {
				return out, no("argument %s", name)
			}
			if name == "after" {
				out.After = &s
			} else {
				out.Before = &s
			}
		case "orderBy":
			list, ok := v.([]any)
			if !ok {
				if m, isMap := v.(map[string]any); isMap {
					list = []any{m}
				} else {
					return out, no("orderBy")
				}
			}
			for _, item := range list {
				o, ok := item.(map[string]any)
				if !ok {
					return out, no("orderBy")
				}
				out.Order = append(out.Order, store.Order{Field: catalog.EnumToField(fmt.Sprint(o["field"])), Desc: fmt.Sprint(o["direction"]) == "DESC"})
			}
		case "filter":
			m, ok := v.(map[string]any)
			if !ok {
				return out, no("filter")
			}
			var err error
			if out.Filter, err = catalog.ParseFilter(e, m, "filter"); err != nil {
				return out, err
			}
		default:
			return out, no("argument %s of %s", name, f.Name)
		}
	}
	return out, nil
}

func toInt32(v any) (int32, bool) {
	var n int64
	switch v := v.(type) {
	case int64:
		n = v
	case int:
		n = int64(v)
	case int32:
		n = int64(v)
	case json.Number:
		var err error
		if n, err = v.Int64(); err != nil {
			return 0, false
		}
	case float64:
		if v != math.Trunc(v) {
			return 0, false
		}
		n = int64(v)
	default:
		return 0, false
	}
	if n < math.MinInt32 || n > math.MaxInt32 {
		return 0, false
	}
	return int32(n), true
}
