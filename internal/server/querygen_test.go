package server_test

// A generator of random, valid read queries over the schema, for the differential tests
// (differential_test.go): the same document must get byte-identical answers from the read
// planner and from the gqlgen resolvers.
//
// The generator walks the schema (graph/generated), so that it follows the schema as it grows,
// and takes argument values from the data (a valuePool read from the database through the
// resolvers), so that filters, look-ups and cursors hit real rows as well as missing ones. It
// covers: root connections, look-ups by natural key, node and nodes, and, rarely, the root
// fields with logic of their own (report, analyses, datasets); nesting through to-one objects,
// lists and connections (edges/cursor/node, nodes, pageInfo, totalCount, aggregate) up to
// genMaxDepth (4) objects deep; scalar fields with their arguments (lang); aliases, including the same
// field twice with other arguments; named fragments (on the type and on Node) and inline
// fragments, with and without a type condition; @include and @skip with literals and
// variables; __typename; first/last (sometimes omitted, 0, or out of range), after/before
// (real cursors of the same order, cursors of another order, garbage); orderBy on every sort
// field and direction; filters on every kind of field (eq, neq, in, notIn, contains,
// startsWith, isNull, comparisons, list containment, ids), through relations, with and/or/not;
// arguments given as literals, as variables and as variable defaults; several operations in a
// document with operationName.
//
// Every document is validated with gqlparser against the schema, and its variables are
// coerced, before it is used; an invalid one is generated again.

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator"
)

const (
	genMaxDepth   = 4    // objects nested in objects, the root field's objects being depth 1
	genMaxFanout  = 1500 // bound on the product of the page sizes along a path
	genMaxAliases = 24   // the server refuses more than 30 (DefaultLimits.MaxAliases)
)

// genQuery is one generated request.
type genQuery struct {
	Query         string
	Variables     map[string]any
	OperationName string
}

// valuePool holds values read from the database: per object type and field, the distinct
// values of the field; per type, global ids; per connection type and sort key, cursors.
type valuePool struct {
	values  map[string]map[string][]any
	ids     map[string][]string
	allIDs  []string
	cursors map[string]map[string][]string // connection type -> order key ("" for default)
	anyCurs map[string][]string            // connection type -> cursors of every order
}

func newValuePool() *valuePool {
	return &valuePool{values: map[string]map[string][]any{}, ids: map[string][]string{},
		cursors: map[string]map[string][]string{}, anyCurs: map[string][]string{}}
}

func (p *valuePool) addValue(typ, field string, v any) {
	if v == nil {
		return
	}
	m := p.values[typ]
	if m == nil {
		m = map[string][]any{}
		p.values[typ] = m
	}
	key, _ := json.Marshal(v)
	for _, old := range m[field] {
		if k, _ := json.Marshal(old); string(k) == string(key) {
			return
		}
	}
	if len(m[field]) < 200 {
		m[field] = append(m[field], v)
	}
}

func (p *valuePool) addCursor(conn, orderKey, cursor string) {
	m := p.cursors[conn]
	if m == nil {
		m = map[string][]string{}
		p.cursors[conn] = m
	}
	if len(m[orderKey]) < 100 {
		m[orderKey] = append(m[orderKey], cursor)
	}
	if len(p.anyCurs[conn]) < 300 {
		p.anyCurs[conn] = append(p.anyCurs[conn], cursor)
	}
}

// orderedObject is an input object whose fields keep their order (Go maps do not), so that
// a seed always gives the same text.
type orderedObject []objectField

type objectField struct {
	name  string
	value any
}

// enumValue is an enum value: bare in a literal, a string in JSON.
type enumValue string

// literal writes v as GraphQL input.
func literal(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case enumValue:
		return string(v)
	case string:
		b, _ := json.Marshal(v)
		return string(b)
	case json.Number:
		return v.String()
	case int:
		return strconv.Itoa(v)
	case bool:
		return strconv.FormatBool(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = literal(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case orderedObject:
		parts := make([]string, len(v))
		for i, f := range v {
			parts[i] = f.name + ": " + literal(f.value)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	panic(fmt.Sprintf("literal of %T", v))
}

// jsonValue turns v into what encoding/json writes as the same input.
func jsonValue(v any) any {
	switch v := v.(type) {
	case enumValue:
		return string(v)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = jsonValue(e)
		}
		return out
	case orderedObject:
		out := make(map[string]any, len(v))
		for _, f := range v {
			out[f.name] = jsonValue(f.value)
		}
		return out
	}
	return v
}

// queryGen generates documents; one per call of generate, from the rand it is given.
type queryGen struct {
	schema *ast.Schema
	pool   *valuePool

	connRoots, lookupRoots, otherRoots []*ast.FieldDefinition

	// the document being generated
	r         *rand.Rand
	varDefs   []string
	vars      map[string]any
	fragments []string            // definitions, in order
	reusable  map[string][]string // type condition -> names of finished fragments
	// errScale scales the chances of arguments the API refuses: an error in a nested field
	// repeats for each parent object and nulls it, so they are rarer below the root.
	errScale float64
	nVar     int
	nAlias   int
	nFrag    int
}

func newQueryGen(schema *ast.Schema, pool *valuePool) *queryGen {
	g := &queryGen{schema: schema, pool: pool}
	for _, f := range schema.Query.Fields {
		switch {
		case strings.HasPrefix(f.Name, "__"), f.Name == "node", f.Name == "nodes":
		case g.isConnection(f.Type) && !hasRequiredArgs(f):
			g.connRoots = append(g.connRoots, f)
		case g.isLookup(f):
			g.lookupRoots = append(g.lookupRoots, f)
		default:
			g.otherRoots = append(g.otherRoots, f)
		}
	}
	return g
}

// describe lists the root fields by kind, for the test's log.
func (g *queryGen) describe() string {
	names := func(fs []*ast.FieldDefinition) string {
		var out []string
		for _, f := range fs {
			out = append(out, f.Name)
		}
		return strings.Join(out, " ")
	}
	return fmt.Sprintf("%d root connections; look-ups: %s; node, nodes; others, rarely: %s",
		len(g.connRoots), names(g.lookupRoots), names(g.otherRoots))
}

func hasRequiredArgs(f *ast.FieldDefinition) bool {
	for _, a := range f.Arguments {
		if a.Type.NonNull && a.DefaultValue == nil {
			return true
		}
	}
	return false
}

func (g *queryGen) def(t *ast.Type) *ast.Definition { return g.schema.Types[t.Name()] }

func (g *queryGen) isConnection(t *ast.Type) bool {
	d := g.def(t)
	return t.Elem == nil && d != nil && d.Kind == ast.Object && strings.HasSuffix(d.Name, "Connection") &&
		d.Fields.ForName("edges") != nil && d.Fields.ForName("nodes") != nil
}

// isLookup: a root field that returns one object found by required scalar arguments.
func (g *queryGen) isLookup(f *ast.FieldDefinition) bool {
	d := g.def(f.Type)
	if f.Type.Elem != nil || d == nil || d.Kind != ast.Object || len(f.Arguments) == 0 {
		return false
	}
	for _, a := range f.Arguments {
		if !a.Type.NonNull || a.Type.Elem != nil || g.def(a.Type).Kind != ast.Scalar {
			return false
		}
	}
	return true
}

func (g *queryGen) isLeaf(t *ast.Type) bool {
	d := g.def(t)
	return d != nil && (d.Kind == ast.Scalar || d.Kind == ast.Enum)
}

// chance reports true with probability p.
func (g *queryGen) chance(p float64) bool { return g.r.Float64() < p }

// errChance is chance for a choice that makes the request fail.
func (g *queryGen) errChance(p float64) bool { return g.r.Float64() < p*g.errScale }

func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

// generate returns a valid document, and how many invalid ones it threw away first.
func (g *queryGen) generate(r *rand.Rand) (genQuery, int, error) {
	rejects := 0
	var lastErr error
	for range 50 {
		q := g.generateOnce(r)
		doc, errs := gqlparser.LoadQuery(g.schema, q.Query)
		if len(errs) == 0 {
			op := doc.Operations.ForName(q.OperationName)
			if op == nil && q.OperationName == "" && len(doc.Operations) == 1 {
				op = doc.Operations[0]
			}
			if op == nil {
				lastErr = fmt.Errorf("no operation %q", q.OperationName)
			} else if _, err := validator.VariableValues(g.schema, op, q.Variables); err != nil {
				lastErr = fmt.Errorf("variables: %w", err)
			} else {
				return q, rejects, nil
			}
		} else {
			lastErr = errs
		}
		rejects++
	}
	return genQuery{}, rejects, fmt.Errorf("50 invalid documents in a row; the last: %w", lastErr)
}

func (g *queryGen) generateOnce(r *rand.Rand) genQuery {
	g.r = r
	g.varDefs, g.vars, g.fragments = nil, map[string]any{}, nil
	g.reusable = map[string][]string{}
	g.nVar, g.nAlias, g.nFrag = 0, 0, 0
	g.errScale = 1

	sc := newScope()
	var roots []string
	for range 1 + g.r.IntN(3) {
		if s := g.rootField(sc); s != "" {
			roots = append(roots, s)
		}
	}
	if len(roots) == 0 {
		roots = append(roots, "__typename")
	}
	body := "{\n" + indent(strings.Join(roots, "\n")) + "\n}"

	var b strings.Builder
	opName := ""
	switch {
	case len(g.varDefs) > 0 || g.chance(0.5):
		opName = fmt.Sprintf("Q%d", g.r.IntN(1000))
		b.WriteString("query " + opName)
		if len(g.varDefs) > 0 {
			b.WriteString("(" + strings.Join(g.varDefs, ", ") + ")")
		}
		b.WriteString(" " + body + "\n")
	default:
		b.WriteString(body + "\n")
	}
	sent := ""
	if opName != "" && g.chance(0.1) {
		// Another operation in the document: the request must name the one to run.
		b.WriteString("\nquery Other { __typename }\n")
		sent = opName
	} else if opName != "" && g.chance(0.3) {
		sent = opName
	}
	for _, f := range g.fragments {
		b.WriteString("\n" + f + "\n")
	}
	return genQuery{Query: b.String(), Variables: g.vars, OperationName: sent}
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}

// scope is a selection set being generated, with what its response names stand for: fields
// with the same response name must be the same field with the same arguments.
type scope struct {
	names map[string]string
}

func newScope() *scope { return &scope{names: map[string]string{}} }

// responseName returns the alias prefix ("" or "alias: ") under which a field can go into the
// scope, and false when it cannot (no alias left).
func (g *queryGen) responseName(sc *scope, name, signature string, composite bool) (string, bool) {
	old, taken := sc.names[name]
	wantAlias := g.chance(0.12)
	if !taken && !wantAlias {
		sc.names[name] = signature
		return "", true
	}
	if taken && !composite && old == signature && !wantAlias {
		return "", true // the same field twice: merged
	}
	if g.nAlias >= genMaxAliases {
		if !taken {
			sc.names[name] = signature
			return "", true
		}
		return "", false
	}
	g.nAlias++
	alias := fmt.Sprintf("%s%d", aliasStem(name), g.nAlias)
	sc.names[alias] = signature
	return alias + ": ", true
}

func aliasStem(name string) string {
	name = strings.TrimPrefix(name, "__")
	if len(name) > 6 {
		name = name[:6]
	}
	return "_" + name
}

// directives returns " @include(if: …)" or " @skip(if: …)" now and then.
func (g *queryGen) directives() string {
	if !g.chance(0.08) {
		return ""
	}
	name := "include"
	if g.chance(0.5) {
		name = "skip"
	}
	var cond string
	if g.chance(0.5) {
		cond = strconv.FormatBool(g.chance(0.5))
	} else {
		cond = g.variable("Boolean!", g.chance(0.5))
	}
	return fmt.Sprintf(" @%s(if: %s)", name, cond)
}

// variable declares a variable of type typ with value v and returns its reference.
func (g *queryGen) variable(typ string, v any) string {
	g.nVar++
	name := fmt.Sprintf("v%d", g.nVar)
	if !strings.HasSuffix(typ, "!") && g.chance(0.15) {
		// A default value instead of a value sent.
		g.varDefs = append(g.varDefs, fmt.Sprintf("$%s: %s = %s", name, typ, literal(v)))
		return "$" + name
	}
	g.varDefs = append(g.varDefs, fmt.Sprintf("$%s: %s", name, typ))
	g.vars[name] = jsonValue(v)
	return "$" + name
}

// argument writes "name: value", the value as a literal or, sometimes, a variable.
func (g *queryGen) argument(a *ast.ArgumentDefinition, v any, varChance float64) string {
	if g.chance(varChance) {
		return a.Name + ": " + g.variable(a.Type.String(), v)
	}
	return a.Name + ": " + literal(v)
}

func args(parts []string) string {
	if len(parts) == 0 {
		return ""
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// rootField writes one field of Query.
func (g *queryGen) rootField(sc *scope) string {
	x := g.r.Float64()
	switch {
	case x < 0.62 && len(g.connRoots) > 0:
		f := pick(g.r, g.connRoots)
		if g.chance(0.1) { // twice, the second time under an alias, with other arguments
			return strings.Trim(g.connectionField(sc, f, 0, 1)+"\n"+g.connectionField(sc, f, 0, 1), "\n")
		}
		return g.connectionField(sc, f, 0, 1)
	case x < 0.77 && len(g.lookupRoots) > 0:
		return g.lookupField(sc, pick(g.r, g.lookupRoots))
	case x < 0.87:
		return g.nodeField(sc)
	case x < 0.92 && len(g.otherRoots) > 0:
		f := pick(g.r, g.otherRoots)
		return g.plainField(sc, f, 0, 1)
	default:
		prefix, _ := g.responseName(sc, "__typename", "__typename", false)
		return prefix + "__typename"
	}
}

func (g *queryGen) lookupField(sc *scope, f *ast.FieldDefinition) string {
	var parts []string
	for _, a := range f.Arguments {
		var v any
		vals := g.pool.values[f.Type.Name()][a.Name]
		switch {
		case len(vals) > 0 && !g.chance(0.15):
			v = pick(g.r, vals)
			if s, ok := v.(string); ok && a.Name == "enterpriseNumber" && len(s) == 10 && g.chance(0.3) {
				v = "BE " + s[:4] + "." + s[4:7] + "." + s[7:] // another usual spelling
			}
		default:
			v = pick(g.r, []string{"nope", "", "21999", "0000000000"})
		}
		if _, ok := v.(string); !ok {
			v = fmt.Sprint(v)
		}
		parts = append(parts, g.argument(a, v, 0.25))
	}
	argText := args(parts)
	prefix, ok := g.responseName(sc, f.Name, f.Name+argText, true)
	if !ok {
		return ""
	}
	sel := g.selectionSet(g.def(f.Type), 1, 1)
	return prefix + f.Name + argText + g.directives() + " " + sel
}

// bogusID returns an id that names no object, or is no id at all.
func (g *queryGen) bogusID() string {
	switch g.r.IntN(3) {
	case 0:
		return base64.RawURLEncoding.EncodeToString([]byte("Operator:999999"))
	case 1:
		return base64.RawURLEncoding.EncodeToString([]byte("Nothing:1"))
	default:
		return "not an id"
	}
}

func (g *queryGen) someID() string {
	if len(g.pool.allIDs) == 0 || g.errChance(0.1) {
		return g.bogusID()
	}
	return pick(g.r, g.pool.allIDs)
}

// idType returns the type a global id names ("Type:123" in base64), or nil.
func (g *queryGen) idType(id string) *ast.Definition {
	b, err := base64.RawURLEncoding.DecodeString(id)
	if err != nil {
		return nil
	}
	typ, _, _ := strings.Cut(string(b), ":")
	if d := g.schema.Types[typ]; d != nil && d.Kind == ast.Object {
		return d
	}
	return nil
}

func (g *queryGen) nodeField(sc *scope) string {
	node := g.schema.Types["Node"]
	f := g.schema.Query.Fields.ForName("node")
	var argText string
	var types []*ast.Definition // of the ids asked for
	if g.chance(0.6) {
		id := g.someID()
		types = append(types, g.idType(id))
		argText = "(" + g.argument(f.Arguments.ForName("id"), id, 0.3) + ")"
	} else {
		f = g.schema.Query.Fields.ForName("nodes")
		ids := []any{}
		for range g.r.IntN(5) {
			id := g.someID()
			types = append(types, g.idType(id))
			ids = append(ids, id)
		}
		argText = "(" + g.argument(f.Arguments.ForName("ids"), ids, 0.3) + ")"
	}
	prefix, ok := g.responseName(sc, f.Name, f.Name+argText, true)
	if !ok {
		return ""
	}
	inner := newScope()
	items := g.abstractSelections(inner, node, 1, 1, types)
	if len(items) == 0 {
		items = []string{"__typename"}
	}
	return prefix + f.Name + argText + g.directives() + " {\n" + indent(strings.Join(items, "\n")) + "\n}"
}

// selectionSet writes "{ … }" for an object or interface type, whose objects are at depth.
func (g *queryGen) selectionSet(d *ast.Definition, depth, fanout int) string {
	sc := newScope()
	items := g.selections(sc, d, depth, fanout)
	if len(items) == 0 {
		items = []string{"__typename"}
	}
	return "{\n" + indent(strings.Join(items, "\n")) + "\n}"
}

func (g *queryGen) selections(sc *scope, d *ast.Definition, depth, fanout int) []string {
	if d.Kind == ast.Interface || d.Kind == ast.Union {
		return g.abstractSelections(sc, d, depth, fanout, nil)
	}
	var items []string
	n := 1 + g.r.IntN(max(1, 5-depth))
	for range n {
		if s := g.selection(sc, d, depth, fanout); s != "" {
			items = append(items, s)
		}
	}
	return items
}

// abstractSelections selects on an interface: its fields, __typename and fragments on the
// types that implement it, likely the given ones (of the objects asked for).
func (g *queryGen) abstractSelections(sc *scope, d *ast.Definition, depth, fanout int, likely []*ast.Definition) []string {
	var items []string
	if g.chance(0.6) {
		prefix, _ := g.responseName(sc, "__typename", "__typename", false)
		items = append(items, prefix+"__typename")
	}
	if g.chance(0.5) && len(d.Fields) > 0 {
		f := pick(g.r, d.Fields)
		if g.isLeaf(f.Type) {
			items = append(items, g.leafField(sc, f))
		}
	}
	possible := g.schema.GetPossibleTypes(d)
	for range 1 + g.r.IntN(3) {
		if len(possible) == 0 {
			break
		}
		t := pick(g.r, possible)
		if len(likely) > 0 && g.chance(0.75) {
			if l := pick(g.r, likely); l != nil && slices.Contains(possible, l) {
				t = l
			}
		}
		if g.chance(0.3) {
			items = append(items, g.fragmentSpread(sc, t, depth, fanout))
			continue
		}
		inner := g.selections(sc, t, depth, fanout)
		if len(inner) == 0 {
			continue
		}
		items = append(items, "... on "+t.Name+g.directives()+" {\n"+indent(strings.Join(inner, "\n"))+"\n}")
	}
	return items
}

// selection writes one item of a selection set on object type d.
func (g *queryGen) selection(sc *scope, d *ast.Definition, depth, fanout int) string {
	x := g.r.Float64()
	switch {
	case x < 0.05:
		prefix, _ := g.responseName(sc, "__typename", "__typename", false)
		return prefix + "__typename"
	case x < 0.11:
		// An inline fragment, on the type itself, on an interface it implements, or on none.
		cond := ""
		switch g.r.IntN(3) {
		case 0:
			cond = " on " + d.Name
		case 1:
			if len(d.Interfaces) > 0 {
				cond = " on " + pick(g.r, d.Interfaces)
			}
		}
		var inner []string
		if cond == " on Node" {
			prefix, _ := g.responseName(sc, "id", "id:ID!", false)
			inner = []string{prefix + "id"}
		} else {
			inner = g.selections(sc, d, depth, fanout)
		}
		if len(inner) == 0 {
			return ""
		}
		return "..." + cond + g.directives() + " {\n" + indent(strings.Join(inner, "\n")) + "\n}"
	case x < 0.16:
		return g.fragmentSpread(sc, d, depth, fanout)
	}
	f := pick(g.r, d.Fields)
	if strings.HasPrefix(f.Name, "__") {
		return ""
	}
	if g.chance(0.08) {
		// The same field twice: the second time under an alias, with other arguments.
		first, second := g.field(sc, d, f, depth, fanout), g.field(sc, d, f, depth, fanout)
		return strings.Trim(first+"\n"+second, "\n")
	}
	return g.field(sc, d, f, depth, fanout)
}

// field writes field f of object type d.
func (g *queryGen) field(sc *scope, d *ast.Definition, f *ast.FieldDefinition, depth, fanout int) string {
	switch {
	case g.isLeaf(f.Type):
		return g.leafField(sc, f)
	case depth >= genMaxDepth:
		// Too deep for an object: a scalar field instead.
		var leaves []*ast.FieldDefinition
		for _, l := range d.Fields {
			if g.isLeaf(l.Type) {
				leaves = append(leaves, l)
			}
		}
		if len(leaves) == 0 {
			return ""
		}
		return g.leafField(sc, pick(g.r, leaves))
	case g.isConnection(f.Type):
		return g.connectionField(sc, f, depth, fanout)
	default:
		return g.plainField(sc, f, depth, fanout)
	}
}

// fragmentSpread writes "...Name", defining a fragment on d (or on Node), or reusing one.
func (g *queryGen) fragmentSpread(sc *scope, d *ast.Definition, depth, fanout int) string {
	cond := d
	if len(d.Interfaces) > 0 && g.chance(0.25) {
		cond = g.schema.Types[pick(g.r, d.Interfaces)]
	}
	if names := g.reusable[cond.Name]; len(names) > 0 && g.chance(0.3) {
		return "..." + pick(g.r, names) + g.directives()
	}
	var inner []string
	if cond != d {
		prefix, _ := g.responseName(sc, "id", "id:ID!", false)
		inner = append(inner, prefix+"id")
		if g.chance(0.5) {
			in := g.selections(sc, d, depth, fanout)
			if len(in) > 0 {
				inner = append(inner, "... on "+d.Name+" {\n"+indent(strings.Join(in, "\n"))+"\n}")
			}
		}
	} else {
		inner = g.selections(sc, d, depth, fanout)
	}
	if len(inner) == 0 {
		return ""
	}
	g.nFrag++
	name := fmt.Sprintf("F%d%s", g.nFrag, cond.Name)
	g.fragments = append(g.fragments, "fragment "+name+" on "+cond.Name+" {\n"+indent(strings.Join(inner, "\n"))+"\n}")
	g.reusable[cond.Name] = append(g.reusable[cond.Name], name)
	spread := "..." + name + g.directives()
	if g.chance(0.1) {
		spread += "\n..." + name // the same fragment twice
	}
	return spread
}

// leafField writes a scalar or enum field with some of its arguments.
func (g *queryGen) leafField(sc *scope, f *ast.FieldDefinition) string {
	var parts []string
	for _, a := range f.Arguments {
		if a.Type.NonNull && a.DefaultValue == nil || g.chance(0.5) {
			parts = append(parts, g.argument(a, g.inputValue(a.Type, "", a.Name, 0), 0.1))
		}
	}
	argText := args(parts)
	prefix, ok := g.responseName(sc, f.Name, f.Name+argText+":"+f.Type.String(), false)
	if !ok {
		return ""
	}
	return prefix + f.Name + argText + g.directives()
}

// plainField writes a field whose type is an object, an interface or a list of them.
func (g *queryGen) plainField(sc *scope, f *ast.FieldDefinition, depth, fanout int) string {
	var parts []string
	for _, a := range f.Arguments {
		if a.Type.NonNull && a.DefaultValue == nil || g.chance(0.3) {
			parts = append(parts, g.argument(a, g.inputValue(a.Type, "", a.Name, 0), 0.15))
		}
	}
	argText := args(parts)
	prefix, ok := g.responseName(sc, f.Name, f.Name+argText, true)
	if !ok {
		return ""
	}
	next := fanout
	if f.Type.Elem != nil {
		next = fanout * 10
		if next > genMaxFanout {
			return ""
		}
	}
	return prefix + f.Name + argText + g.directives() + " " + g.selectionSet(g.def(f.Type), depth+1, next)
}

// connectionField writes a connection with pagination, order and filter arguments, and a
// selection of edges, nodes, pageInfo, totalCount and aggregate. The connection's objects are
// at depth+1.
func (g *queryGen) connectionField(sc *scope, f *ast.FieldDefinition, depth, fanout int) string {
	conn := g.def(f.Type)
	nodeType := g.def(conn.Fields.ForName("nodes").Type)
	var parts []string
	defer func(s float64) { g.errScale = s }(g.errScale)
	if depth > 0 {
		g.errScale = 0.2
	}

	// Page size.
	size := 50
	maxSize := 60
	if depth >= 1 {
		maxSize = 10
	}
	pageArg := ""
	switch x := g.r.Float64(); {
	case x < 0.7:
		pageArg = "first"
	case x < 0.88:
		pageArg = "last"
	case depth >= 1 && x < 0.97:
		pageArg = "first"
	}
	if pageArg != "" && f.Arguments.ForName(pageArg) != nil {
		size = g.r.IntN(maxSize + 1)
		if fanout*max(size, 1) > genMaxFanout {
			size = min(size, genMaxFanout/fanout)
		}
		v := size
		if g.errChance(0.02) {
			v = pick(g.r, []int{-1, 501}) // out of range: an error
		}
		parts = append(parts, g.argument(f.Arguments.ForName(pageArg), v, 0.15))
		if g.errChance(0.02) { // first and last together: an error
			other := map[string]string{"first": "last", "last": "first"}[pageArg]
			parts = append(parts, other+": "+strconv.Itoa(g.r.IntN(5)))
		}
	} else if fanout*size > genMaxFanout {
		size = 0
		parts = append(parts, "first: 0")
	}

	// Order.
	orderKey := ""
	if a := f.Arguments.ForName("orderBy"); a != nil && g.chance(0.35) {
		v, key := g.orderBy(a.Type)
		orderKey = key
		parts = append(parts, g.argument(a, v, 0.15))
	}
	// Cursor.
	if g.chance(0.18) {
		// after goes with first, before with last; the other way round is an error.
		cursorArg := "after"
		if pageArg == "last" != g.errChance(0.1) {
			cursorArg = "before"
		}
		if len(g.pool.cursors[conn.Name][orderKey]) == 0 && !g.errChance(0.3) {
			cursorArg = "" // no cursor of this order
		}
		if a := f.Arguments.ForName(cursorArg); a != nil {
			var c string
			switch cursors := g.pool.cursors[conn.Name][orderKey]; {
			case len(cursors) > 0 && !g.errChance(0.2):
				c = pick(g.r, cursors)
			case len(g.pool.anyCurs[conn.Name]) > 0 && g.chance(0.6):
				c = pick(g.r, g.pool.anyCurs[conn.Name]) // perhaps of another order: an error
			default:
				c = pick(g.r, []string{"garbage", "", base64.RawURLEncoding.EncodeToString([]byte(`[1]`))})
			}
			parts = append(parts, g.argument(a, c, 0.3))
		}
	}
	// Filter.
	if a := f.Arguments.ForName("filter"); a != nil && g.chance(0.35) {
		v := g.filter(g.def(a.Type), nodeType.Name, 0)
		parts = append(parts, g.argument(a, v, 0.2))
	}
	g.r.Shuffle(len(parts), func(i, j int) { parts[i], parts[j] = parts[j], parts[i] })
	argText := args(parts)
	prefix, ok := g.responseName(sc, f.Name, f.Name+argText, true)
	if !ok {
		return ""
	}

	inner := newScope()
	var items []string
	next := fanout * max(size, 1)
	for range 1 + g.r.IntN(3) {
		var item string
		switch x := g.r.Float64(); {
		case x < 0.3:
			var edge []string
			esc := newScope()
			if g.chance(0.6) {
				p, _ := g.responseName(esc, "cursor", "cursor", false)
				edge = append(edge, p+"cursor")
			}
			if g.chance(0.85) || len(edge) == 0 {
				p, _ := g.responseName(esc, "node", "node", true)
				edge = append(edge, p+"node"+g.directives()+" "+g.selectionSet(nodeType, depth+1, next))
			}
			if g.chance(0.05) {
				edge = append(edge, "__typename")
			}
			p, ok := g.responseName(inner, "edges", "edges", true)
			if ok {
				item = p + "edges" + g.directives() + " {\n" + indent(strings.Join(edge, "\n")) + "\n}"
			}
		case x < 0.6:
			p, ok := g.responseName(inner, "nodes", "nodes", true)
			if ok {
				item = p + "nodes" + g.directives() + " " + g.selectionSet(nodeType, depth+1, next)
			}
		case x < 0.75:
			fields := []string{"hasNextPage", "hasPreviousPage", "startCursor", "endCursor"}
			g.r.Shuffle(len(fields), func(i, j int) { fields[i], fields[j] = fields[j], fields[i] })
			p, ok := g.responseName(inner, "pageInfo", "pageInfo", true)
			if ok {
				item = p + "pageInfo { " + strings.Join(fields[:1+g.r.IntN(4)], " ") + " }"
			}
		case x < 0.93:
			p, _ := g.responseName(inner, "totalCount", "totalCount", false)
			item = p + "totalCount" + g.directives()
		default:
			if agg := conn.Fields.ForName("aggregate"); agg != nil {
				item = g.plainField(inner, agg, depth, fanout)
			}
		}
		if item != "" {
			items = append(items, item)
		}
	}
	if len(items) == 0 {
		items = []string{"totalCount"}
	}
	return prefix + f.Name + argText + g.directives() + " {\n" + indent(strings.Join(items, "\n")) + "\n}"
}

// orderBy returns a list of sort keys and the key of the cursors that go with it (the sort
// fields; the direction is not in a cursor).
func (g *queryGen) orderBy(t *ast.Type) (any, string) {
	order := g.def(t)
	fieldEnum := g.def(order.Fields.ForName("field").Type)
	var keys []any
	var names []string
	for range 1 + g.r.IntN(2) {
		field := pick(g.r, fieldEnum.EnumValues).Name
		o := orderedObject{{"field", enumValue(field)}}
		if g.chance(0.6) {
			o = append(o, objectField{"direction", enumValue(pick(g.r, []string{"ASC", "DESC"}))})
		}
		keys = append(keys, o)
		names = append(names, field)
	}
	return keys, strings.Join(names, ",")
}

// poolValues returns the values of field on objects of type typ.
func (g *queryGen) poolValues(typ, field string) []any {
	if vals := g.pool.values[typ][field]; len(vals) > 0 {
		return vals
	}
	// An input field named after a type (indicator, coordination...) takes its code.
	if typ := strings.ToUpper(field[:1]) + field[1:]; g.pool.values[typ] != nil {
		return g.pool.values[typ]["code"]
	}
	return nil
}

// filter writes a filter of input type d on objects of type typ.
func (g *queryGen) filter(d *ast.Definition, typ string, level int) orderedObject {
	if g.chance(0.04) {
		return orderedObject{} // matches everything
	}
	var out orderedObject
	used := map[string]bool{}
	for range 1 + g.r.IntN(2) {
		f := pick(g.r, d.Fields)
		if used[f.Name] {
			continue
		}
		var v any
		fd := g.def(f.Type)
		switch {
		case f.Name == "and" || f.Name == "or":
			if level >= 2 {
				continue
			}
			var list []any
			for range 1 + g.r.IntN(2) {
				list = append(list, g.filter(d, typ, level+1))
			}
			v = list
		case f.Name == "not":
			if level >= 2 {
				continue
			}
			v = g.filter(d, typ, level+1)
		case fd.Kind != ast.InputObject || f.Type.Elem != nil:
			v = g.inputValue(f.Type, typ, f.Name, level)
		case fd.Fields.ForName("and") != nil: // a relation
			if level >= 2 {
				continue
			}
			v = g.filter(fd, strings.TrimSuffix(fd.Name, "Filter"), level+1)
		default:
			v = g.condition(fd, typ, f.Name)
		}
		if v == nil {
			continue
		}
		used[f.Name] = true
		out = append(out, objectField{f.Name, v})
	}
	return out
}

// condition writes the conditions on one field (StringFilter, IntFilter, an enum's filter...).
func (g *queryGen) condition(d *ast.Definition, typ, field string) any {
	var out orderedObject
	for range 1 + g.r.IntN(2) {
		op := pick(g.r, d.Fields)
		if slices.ContainsFunc(out, func(f objectField) bool { return f.name == op.Name }) {
			continue
		}
		var v any
		switch {
		case op.Name == "isNull":
			v = g.chance(0.5)
		case op.Name == "contains" || op.Name == "startsWith":
			s := g.stringValue(typ, field)
			if r := []rune(s); len(r) > 3 && op.Name == "contains" {
				i := g.r.IntN(len(r) - 2)
				s = strings.ToUpper(string(r[i : i+1+g.r.IntN(len(r)-i-1)]))
			} else if len(r) > 3 {
				s = string(r[:1+g.r.IntN(len(r)-1)])
			}
			v = s
		case op.Type.Elem != nil: // in, notIn, containsAll, containsAny
			list := []any{}
			if !g.chance(0.05) {
				for range 1 + g.r.IntN(3) {
					if e := g.scalar(op.Type.Elem, typ, field); e != nil {
						list = append(list, e)
					}
				}
			}
			v = list
		default:
			v = g.scalar(op.Type, typ, field)
		}
		if v == nil {
			continue
		}
		out = append(out, objectField{op.Name, v})
	}
	return out
}

func (g *queryGen) stringValue(typ, field string) string {
	vals := g.poolValues(typ, field)
	if len(vals) == 0 {
		return pick(g.r, []string{"a", "Bruxelles", "zzz"})
	}
	switch v := pick(g.r, vals).(type) {
	case string:
		return v
	case []any:
		if len(v) > 0 {
			if s, ok := v[0].(string); ok {
				return s
			}
		}
	}
	return "x"
}

// scalar returns a value of a scalar or enum type t for field of objects of type typ, from the
// data when it can.
func (g *queryGen) scalar(t *ast.Type, typ, field string) any {
	d := g.def(t)
	if d.Kind == ast.Enum {
		return enumValue(pick(g.r, d.EnumValues).Name)
	}
	if d.Name == "ID" {
		ids := g.pool.ids[typ]
		switch {
		case len(ids) > 0 && !g.errChance(0.1):
			return pick(g.r, ids)
		case typ != "" && len(ids) == 0 && !g.errChance(0.1):
			return nil // no id of that type known: leave the condition out
		}
		return g.someID()
	}
	var candidates []any
	for _, v := range g.poolValues(typ, field) {
		if list, ok := v.([]any); ok {
			candidates = append(candidates, list...)
		} else {
			candidates = append(candidates, v)
		}
	}
	if len(candidates) > 0 && g.chance(0.85) {
		if v, ok := coerce(d.Name, pick(g.r, candidates)); ok {
			return v
		}
	}
	switch d.Name {
	case "Int":
		return pick(g.r, []int{0, 1, 2, 5, 10, 100, 2020, 2023, 2024, 50000})
	case "Float":
		return pick(g.r, []int{0, 1, 100})
	case "Boolean":
		return g.chance(0.5)
	case "Date":
		return pick(g.r, []string{"2020-01-01", "2023-06-30", "2024-01-01", "2025-12-31"})
	case "Decimal":
		return pick(g.r, []string{"0", "1000", "15000.50", "1000000"})
	default:
		return pick(g.r, []string{"fr", "nl", "21015", "housing", "Schaerbeek", "x"})
	}
}

// coerce converts a value read from JSON to an input of the scalar type, when it is one.
func coerce(scalar string, v any) (any, bool) {
	switch scalar {
	case "Int":
		if n, ok := v.(json.Number); ok {
			if _, err := n.Int64(); err == nil {
				return n, true
			}
		}
	case "Float":
		if n, ok := v.(json.Number); ok {
			return n, true
		}
	case "Boolean":
		if b, ok := v.(bool); ok {
			return b, true
		}
	case "String", "Date", "Decimal", "ID":
		if s, ok := v.(string); ok {
			return s, true
		}
	}
	return nil, false
}

// inputValue returns a value of input type t for an argument or input field named name, on
// objects of type typ when known.
func (g *queryGen) inputValue(t *ast.Type, typ, name string, level int) any {
	if t.Elem != nil {
		list := []any{}
		for range 1 + g.r.IntN(2) {
			if e := g.inputValue(t.Elem, typ, name, level+1); e != nil {
				list = append(list, e)
			}
		}
		return list
	}
	d := g.def(t)
	switch d.Kind {
	case ast.Scalar, ast.Enum:
		return g.scalar(t, typ, name)
	}
	if d.Fields.ForName("and") != nil {
		return g.filter(d, strings.TrimSuffix(d.Name, "Filter"), 1)
	}
	var out orderedObject
	for _, f := range d.Fields {
		required := f.Type.NonNull && f.DefaultValue == nil
		if required || level < 2 && g.chance(0.3) {
			out = append(out, objectField{f.Name, g.inputValue(f.Type, typ, f.Name, level+1)})
		}
	}
	return out
}
