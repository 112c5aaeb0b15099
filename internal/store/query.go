package store

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/cohesio/cohesio/internal/catalog"
	"github.com/cohesio/cohesio/internal/cohesion"
)

// Filter, Cond and RelFilter are the catalog's selection language; the store compiles them.
type (
	Filter    = catalog.Filter
	Cond      = catalog.Cond
	RelFilter = catalog.RelFilter
)

// Order is a sort key.
type Order struct {
	Field string
	Desc  bool
}

// ListArgs selects a page of a list.
type ListArgs struct {
	Filter Filter
	Order  []Order
	First  *int
	Last   *int
	After  *string
	Before *string
	// Total asks for the number of matching rows over all pages.
	Total bool
}

// Page is one page of a list.
type Page[T any] struct {
	Nodes   []*T
	Cursors []string
	HasNext bool
	HasPrev bool
	Total   int
}

// Page sizes: the default when a client gives neither first nor last, and the most a client
// may ask for.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

// invalid reports a request the client must fix, naming the argument at fault.
func invalid(field, format string, args ...any) error {
	return cohesion.Invalid(field, fmt.Sprintf(format, args...))
}

// builder writes one SQL statement and collects its parameters; values never enter the text.
type builder struct {
	sb     strings.Builder
	args   []any
	aliasN int
}

func (b *builder) write(parts ...string) {
	for _, p := range parts {
		b.sb.WriteString(p)
	}
}

// param adds a parameter cast to sqlType and returns its placeholder.
func (b *builder) param(v any, sqlType string) string {
	b.args = append(b.args, v)
	return "$" + strconv.Itoa(len(b.args)) + "::" + sqlType
}

func (b *builder) alias() string {
	b.aliasN++
	return "t" + strconv.Itoa(b.aliasN)
}

// ident quotes an identifier from the catalog; it is the only way names enter SQL.
func ident(name string) string { return pgx.Identifier{name}.Sanitize() }

func col(alias, column string) string { return alias + "." + ident(column) }

// where writes f as a boolean expression over the row alias of entity e.
func (b *builder) where(e *catalog.Entity, alias string, f Filter) error {
	var parts []func() error
	for _, c := range f.Conds {
		c := c
		parts = append(parts, func() error { return b.cond(e, alias, c) })
	}
	for _, r := range f.Rels {
		r := r
		parts = append(parts, func() error { return b.rel(e, alias, r) })
	}
	for _, sub := range f.And {
		sub := sub
		parts = append(parts, func() error { return b.where(e, alias, sub) })
	}
	if len(f.Or) > 0 {
		parts = append(parts, func() error {
			b.write("(")
			for i, sub := range f.Or {
				if i > 0 {
					b.write(" OR ")
				}
				if err := b.where(e, alias, sub); err != nil {
					return err
				}
			}
			b.write(")")
			return nil
		})
	}
	if f.Not != nil {
		parts = append(parts, func() error {
			b.write("NOT ")
			return b.where(e, alias, *f.Not)
		})
	}
	if len(parts) == 0 {
		b.write("TRUE")
		return nil
	}
	b.write("(")
	for i, p := range parts {
		if i > 0 {
			b.write(" AND ")
		}
		if err := p(); err != nil {
			return err
		}
	}
	b.write(")")
	return nil
}

func (b *builder) cond(e *catalog.Entity, alias string, c Cond) error {
	f := e.Field(c.Field)
	if f == nil {
		return invalid("filter", "%s has no field %q to filter on", e.Name, c.Field)
	}
	column := col(alias, f.Column)
	typ := f.Kind.SQLType()
	switch c.Op {
	case "isNull":
		if c.Value == true {
			b.write(column, " IS NULL")
		} else {
			b.write(column, " IS NOT NULL")
		}
	case "eq":
		b.write(column, " = ", b.param(c.Value, typ))
	case "neq":
		b.write(column, " IS DISTINCT FROM ", b.param(c.Value, typ))
	case "gt", "gte", "lt", "lte":
		op := map[string]string{"gt": " > ", "gte": " >= ", "lt": " < ", "lte": " <= "}[c.Op]
		b.write(column, op, b.param(c.Value, typ))
	case "in":
		b.write(column, " = ANY(", b.param(c.Value, typ+"[]"), ")")
	case "notIn":
		b.write("NOT (", column, " = ANY(", b.param(c.Value, typ+"[]"), "))")
	case "contains", "startsWith":
		s, _ := c.Value.(string)
		pattern := escapeLike(s) + "%"
		if c.Op == "contains" {
			pattern = "%" + pattern
		}
		b.write("fold(", column, ") LIKE fold(", b.param(pattern, "text"), ")")
	case "containsAll":
		b.write(column, " @> ", b.param(c.Value, "text[]"))
	case "containsAny":
		b.write(column, " && ", b.param(c.Value, "text[]"))
	default:
		return invalid("filter", "unknown comparison %q on %s.%s", c.Op, e.Name, c.Field)
	}
	return nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// rel writes an EXISTS over the related rows, so that a filter through a to-many relation
// never multiplies the parent rows.
func (b *builder) rel(e *catalog.Entity, alias string, rf RelFilter) error {
	r := e.Relation(rf.Relation)
	if r == nil {
		return invalid("filter", "%s has no relation %q to filter on", e.Name, rf.Relation)
	}
	sub := b.alias()
	b.write("EXISTS (SELECT 1 FROM ")
	switch {
	case !r.Many:
		b.write(ident(r.Target.Table), " AS ", sub, " WHERE ", col(sub, "id"), " = ", col(alias, r.FK))
	case r.Link == "":
		b.write(ident(r.Target.Table), " AS ", sub, " WHERE ", col(sub, r.Ref), " = ", col(alias, "id"))
	default:
		link := b.alias()
		b.write(ident(r.Link), " AS ", link, " JOIN ", ident(r.Target.Table), " AS ", sub,
			" ON ", col(sub, "id"), " = ", col(link, r.FK), " WHERE ", col(link, r.Ref), " = ", col(alias, "id"))
	}
	b.write(" AND ")
	if err := b.where(r.Target, sub, rf.Filter); err != nil {
		return err
	}
	b.write(")")
	return nil
}

// window is the resolved pagination of a request.
type window struct {
	limit    int
	backward bool // last/before: read in reverse order, then flip
	cursor   []json.RawMessage
	after    bool // cursor is an after (true) or before (false) cursor
	order    []Order
	fields   []*catalog.Field
}

func resolveWindow(e *catalog.Entity, a ListArgs) (*window, error) {
	w := &window{limit: DefaultPageSize}
	switch {
	case a.First != nil && a.Last != nil:
		return nil, invalid("first", "give first or last, not both")
	case a.First != nil:
		w.limit = *a.First
	case a.Last != nil:
		w.limit, w.backward = *a.Last, true
	}
	if w.limit < 0 || w.limit > MaxPageSize {
		return nil, invalid("first", "first and last must be between 0 and %d, got %d", MaxPageSize, w.limit)
	}
	if a.After != nil && a.Before != nil {
		return nil, invalid("after", "give after or before, not both")
	}
	if a.Before != nil && a.Last == nil && a.First != nil {
		return nil, invalid("before", "use before with last, and after with first")
	}
	if a.Before != nil {
		w.backward = true
	}
	for _, o := range a.Order {
		f := e.Field(o.Field)
		if f == nil || !f.Sortable {
			return nil, invalid("orderBy", "%s cannot be sorted by %q", e.Name, o.Field)
		}
		w.order = append(w.order, o)
		w.fields = append(w.fields, f)
	}
	// The id breaks ties so that every row has one place and cursors are stable.
	w.order = append(w.order, Order{Field: "id"})
	w.fields = append(w.fields, e.Field("id"))
	raw := a.After
	w.after = true
	if a.Before != nil {
		raw, w.after = a.Before, false
	}
	if raw != nil {
		b, err := base64.RawURLEncoding.DecodeString(*raw)
		if err == nil {
			err = json.Unmarshal(b, &w.cursor)
		}
		if err != nil || len(w.cursor) != len(w.order) {
			return nil, invalid("after", "the cursor %q does not belong to this list and order", *raw)
		}
	}
	return w, nil
}

// orderBy writes the ORDER BY list over alias, reversed when reading backward.
func (w *window) orderBy(b *builder, alias string) {
	for i, o := range w.order {
		if i > 0 {
			b.write(", ")
		}
		desc := o.Desc != w.backward
		b.write(sortKey(alias, w.fields[i]))
		if desc {
			b.write(" DESC")
		}
	}
}

// seek writes the keyset condition that starts the page right after (or before) the cursor.
func (w *window) seek(b *builder, alias string) error {
	if w.cursor == nil {
		b.write("TRUE")
		return nil
	}
	vals := make([]string, len(w.fields))
	for i, f := range w.fields {
		v, err := cursorValue(f, w.cursor[i])
		if err != nil {
			return invalid("after", "malformed cursor")
		}
		vals[i] = b.param(v, f.Kind.SQLType())
	}
	b.write("(")
	for i := range w.fields {
		if i > 0 {
			b.write(" OR ")
		}
		b.write("(")
		for j := 0; j < i; j++ {
			b.write(sortKey(alias, w.fields[j]), " = ", vals[j], " AND ")
		}
		// Rows after the cursor have larger ascending keys; rows before it smaller ones.
		larger := !w.order[i].Desc == w.after
		op := " < "
		if larger {
			op = " > "
		}
		b.write(sortKey(alias, w.fields[i]), op, vals[i], ")")
	}
	b.write(")")
	return nil
}

// sortKey is the expression rows are sorted and sought by. Text sorts by the Unicode
// collation, so that "École" sorts among the E's in French and Dutch alike, whatever the
// database's default collation.
func sortKey(alias string, f *catalog.Field) string {
	if f.Kind == catalog.KindString {
		return col(alias, f.Column) + ` COLLATE "und-x-icu"`
	}
	return col(alias, f.Column)
}

func cursorValue(f *catalog.Field, raw json.RawMessage) (any, error) {
	switch f.Kind {
	case catalog.KindID, catalog.KindInt:
		var n int64
		err := json.Unmarshal(raw, &n)
		return n, err
	case catalog.KindBool:
		var v bool
		err := json.Unmarshal(raw, &v)
		return v, err
	}
	var s string
	err := json.Unmarshal(raw, &s)
	return s, err
}

// encodeCursor writes the sort-key values of one row as an opaque cursor.
func encodeCursor(vals []any) string {
	out := make([]any, len(vals))
	for i, v := range vals {
		switch v := v.(type) {
		case time.Time:
			out[i] = v.Format("2006-01-02")
		case decimal.Decimal:
			out[i] = v.String()
		case fmt.Stringer:
			out[i] = v.String()
		default:
			out[i] = v
		}
	}
	b, _ := json.Marshal(out)
	return base64.RawURLEncoding.EncodeToString(b)
}
