package store

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/cohesio/cohesio/internal/catalog"
)

// Planned reads (internal/plan): a tree of lists the planner derived from a GraphQL
// selection, compiled here into ONE statement whose flat rows carry every level of the tree,
// and read back into compact records the planner's JSON writer walks.
//
// The statement selects the rows the resolvers' statements select (List, ListRelated, ByIDs,
// ByField, countPages): the same WHERE (builder.where, window.seek), the same ORDER BY
// (window.orderBy) and LIMIT n per page (n+1 when pageInfo's hasNextPage or hasPreviousPage
// is read, as the resolvers always do); one LEFT JOIN LATERAL per to-one relation (ByIDs
// reads the target by id under the same row-level security), a LEFT JOIN LATERAL per to-many
// page (connections under to-one objects included), and a LEFT JOIN LATERAL aggregate for the
// totalCount and the aggregates of a connection (aggExpr, as Aggregate computes them).
// Sibling to-many connections of one object are branches of one UNION ALL (tagged, padded
// with NULLs), so that they never multiply each other. JSON is built in Go from the text
// values: PostgreSQL does no more than the hand-written SQL would (cohesio bench measures it).
//
// Each page row carries its sort keys, and rows are sorted by them, level by level, in the
// direction each page was read (a backward page arrives in reverse and RunPlan turns it
// around). RunPlan tells records apart by their id. No count(*) OVER () nor row_number(): the
// n+1-th row, when there is one, tells hasNextPage (hasPreviousPage backward) by its presence,
// and RunPlan drops it and the rows of its pages; PostgreSQL reads what the resolvers would,
// plus, when asked, that row and its pages. (Ordinals from row_number() cost a window per
// page, about 8% of the view workload's statement.)

// PlanObject is what the planner reads of each row of an entity.
type PlanObject struct {
	Entity string
	// Fields are catalog field names read as columns; the store maps the i-th to its column.
	Fields []string
	ToOne  []*PlanToOne
	Many   []*PlanMany

	cols  []int // local column of each field, in the record of the enclosing set
	idCol int
}

// Col returns the record column of the i-th field of o.
func (o *PlanObject) Col(i int) int { return o.cols[i] }

// IDCol returns the record column of the object's id (NULL: no object, for a to-one).
func (o *PlanObject) IDCol() int { return o.idCol }

// AddField returns the index of field name in o.Fields, adding it if needed.
func (o *PlanObject) AddField(name string) int {
	for i, f := range o.Fields {
		if f == name {
			return i
		}
	}
	o.Fields = append(o.Fields, name)
	return len(o.Fields) - 1
}

// PlanToOne is a to-one relation of an object, read through a LEFT JOIN.
type PlanToOne struct {
	Relation string
	Object   *PlanObject
}

// PlanMany is a list of rows: a root connection (Relation "" and no Lookup), a root look-up
// (Lookup set: one row or none), or a to-many connection of the enclosing object.
type PlanMany struct {
	Relation string
	Lookup   *PlanLookup
	Args     ListArgs // Args.Total: the connection's totalCount is read
	Cursors  bool     // edges' cursors or pageInfo cursors are read
	// More: hasNextPage or hasPreviousPage is read, which the row past the page tells; without
	// it, the page is read alone.
	More   bool
	Object *PlanObject
	// Aggs are aggregates over every row the connection's filter selects, as Aggregate and
	// AggregateRelated compute them.
	Aggs []AggSpec

	idx      int // index of the set in the statement, in depth-first order
	parent   int // index of the enclosing set; -1 for the root
	slot     int // index among the to-many children of the enclosing set
	nkid     int // number of to-many children of this set
	totalAgg int // the count in Aggs that gives totalCount; -1 for none
	aggCol   int // first column of the aggregates, in the enclosing set's record
	ncol     int
	win      *window
	entity   *catalog.Entity
	curCols  []int
	curKinds []catalog.Kind
	kids     []*PlanMany
}

// PlanLookup selects the one row whose field equals value (a natural key or the id).
type PlanLookup struct {
	Field string
	Value any
}

type span struct{ off, n int32 } // n < 0: NULL

type setRows struct {
	m    *PlanMany
	n    int32   // records
	vals []span  // ncol per record
	kids []int32 // per record: start, end of each to-many child's records
	// more[p]: the page under record p of the enclosing set (0 for the root) had an n+1-th row.
	more []bool
}

// PlanRows holds the rows of a run plan.
type PlanRows struct {
	arena []byte
	sets  []*setRows
	aggs  []span // the root connection's
}

// CompiledPlan is the statement of a plan and the layout of its rows. Compiling lays out the
// plan's tree too; neither changes afterwards, so that requests may run it concurrently.
type CompiledPlan struct {
	sql    string
	args   []any // the result format, then the statement's parameters
	sets   []*PlanMany
	ncols  int
	valCol []int
	aggCol int // the root connection's first aggregate; -1 for none
	naggs  int
	// arena is the size of the values of the last run: the next run of the same request
	// reserves it at once rather than growing to it in doubling steps.
	arena atomic.Int64
}

// CompilePlan compiles root into one statement over the catalog of ctx's role (published
// views below analyst, as on the resolvers' path).
func (s *Store) CompilePlan(ctx context.Context, root *PlanMany) (*CompiledPlan, error) {
	c := &planCompiler{s: s, ctx: ctx, b: &builder{}}
	root.countTotal()
	if err := c.prepare(root, -1, 0); err != nil {
		return nil, err
	}
	sql, err := c.statement(root)
	if err != nil {
		return nil, err
	}
	cp := &CompiledPlan{
		sql: sql, args: append([]any{pgx.QueryResultFormats{pgx.TextFormatCode}}, c.b.args...),
		sets: c.sets, ncols: len(c.cols), valCol: c.valCol, aggCol: c.aggCol,
	}
	if c.aggCol >= 0 {
		cp.naggs = len(root.Aggs)
	}
	return cp, nil
}

// RunPlan runs a compiled plan with the request's context (row-level security applies as on
// the resolvers' path) and reads its rows.
func (s *Store) RunPlan(ctx context.Context, c *CompiledPlan) (*PlanRows, error) {
	rows, err := s.readPool().Query(ctx, c.sql, c.args...)
	if err != nil {
		return nil, fmt.Errorf("planned read: %w", err)
	}
	defer rows.Close()
	out := &PlanRows{arena: make([]byte, 0, max(4096, c.arena.Load())), sets: make([]*setRows, len(c.sets))}
	for i, m := range c.sets {
		out.sets[i] = &setRows{m: m}
	}
	// Per set: whether the row holds one of its records, the parent record and id of its
	// current record, how many records its current page has, and whether the current record
	// is the n+1-th (read, not kept).
	has := make([]bool, len(c.sets))
	parentOf := make([]int32, len(c.sets))
	ids := make([][]byte, len(c.sets))
	count := make([]int, len(c.sets))
	extra := make([]bool, len(c.sets))
	for i := range parentOf {
		parentOf[i] = -1
	}
	gotAggs := false
	for rows.Next() {
		raw := rows.RawValues()
		if len(raw) != c.ncols {
			return nil, fmt.Errorf("planned read: %d columns, want %d", len(raw), c.ncols)
		}
		if !gotAggs {
			for i := range c.naggs {
				out.aggs = append(out.aggs, out.add(raw[c.aggCol+i]))
			}
			gotAggs = true
		}
		for i, m := range c.sets {
			has[i] = false
			base := c.valCol[i]
			id := raw[base+m.Object.idCol]
			if id == nil || (m.parent >= 0 && !has[m.parent]) {
				continue
			}
			parentRec := int32(0) // the record of the enclosing set this row's record is under
			if m.parent >= 0 {
				parentRec = out.sets[m.parent].n - 1
			}
			sr := out.sets[i]
			if parentRec == parentOf[i] && bytes.Equal(id, ids[i]) {
				has[i] = !extra[i] // another row of the current record, for its pages
				continue
			}
			if parentRec != parentOf[i] {
				parentOf[i], count[i] = parentRec, 0
			}
			ids[i] = append(ids[i][:0], id...)
			if extra[i] = count[i] == m.win.limit; extra[i] {
				// The n+1-th row: there is more past the page; it is no record of it.
				for len(sr.more) <= int(parentRec) {
					sr.more = append(sr.more, false)
				}
				sr.more[parentRec] = true
				continue
			}
			has[i] = true
			count[i]++
			sr.n++
			for j := 0; j < m.ncol; j++ {
				sr.vals = append(sr.vals, out.add(raw[base+j]))
			}
			for _, k := range m.kids {
				n := out.sets[k.idx].n
				sr.kids = append(sr.kids, n, n)
			}
			if m.parent >= 0 {
				pr := out.sets[m.parent]
				pr.kids[int(parentRec)*pr.m.nkid*2+m.slot*2+1] = sr.n
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("planned read: %w", err)
	}
	for _, m := range c.sets {
		if m.win.backward {
			out.turnAround(m)
		}
	}
	c.arena.Store(int64(len(out.arena)))
	return out, nil
}

// turnAround puts the records of each of m's pages, read backward, in the order of the list.
func (r *PlanRows) turnAround(m *PlanMany) {
	sr := r.sets[m.idx]
	reverse := func(start, end int) {
		for a, b := start, end-1; a < b; a, b = a+1, b-1 {
			va, vb := sr.vals[a*m.ncol:(a+1)*m.ncol], sr.vals[b*m.ncol:(b+1)*m.ncol]
			for j := range va {
				va[j], vb[j] = vb[j], va[j]
			}
			k := m.nkid * 2
			ka, kb := sr.kids[a*k:(a+1)*k], sr.kids[b*k:(b+1)*k]
			for j := range ka {
				ka[j], kb[j] = kb[j], ka[j]
			}
			for _, kid := range m.kids { // whose more is indexed by the record it is under
				more := r.sets[kid.idx].more
				for len(more) <= b {
					more = append(more, false)
				}
				more[a], more[b] = more[b], more[a]
				r.sets[kid.idx].more = more
			}
		}
	}
	if m.parent < 0 {
		reverse(0, int(sr.n))
		return
	}
	for p := range r.sets[m.parent].n {
		reverse(r.Page(m, int(p)))
	}
}

func (r *PlanRows) add(v []byte) span {
	if v == nil {
		return span{0, -1}
	}
	off := len(r.arena)
	r.arena = append(r.arena, v...)
	return span{int32(off), int32(len(v))}
}

func (r *PlanRows) get(s span) []byte {
	if s.n < 0 {
		return nil
	}
	return r.arena[s.off : s.off+s.n : s.off+s.n]
}

// Page returns the records [start, end) of m's page under record parent of the enclosing
// set (ignored for the root).
func (r *PlanRows) Page(m *PlanMany, parent int) (start, end int) {
	if m.parent < 0 {
		return 0, int(r.sets[m.idx].n)
	}
	pr := r.sets[m.parent]
	p := parent*pr.m.nkid*2 + m.slot*2
	return int(pr.kids[p]), int(pr.kids[p+1])
}

// Value returns the text of column col of record rec of m; nil for NULL.
func (r *PlanRows) Value(m *PlanMany, rec, col int) []byte {
	return r.get(r.sets[m.idx].vals[rec*m.ncol+col])
}

// Total returns m's totalCount under record parent of the enclosing set.
func (r *PlanRows) Total(m *PlanMany, parent int) []byte {
	if m.totalAgg < 0 {
		return nil
	}
	return r.Aggregate(m, parent, m.totalAgg)
}

// Aggregate returns the i-th of m.Aggs under record parent of the enclosing set (ignored for
// the root), as text; nil for NULL.
func (r *PlanRows) Aggregate(m *PlanMany, parent, i int) []byte {
	if m.parent < 0 {
		return r.get(r.aggs[i])
	}
	return r.Value(r.sets[m.parent].m, parent, m.aggCol+i)
}

// PageInfo returns hasNextPage and hasPreviousPage of m's page under record parent of the
// enclosing set (ignored for the root), as listPages computes them.
func (r *PlanRows) PageInfo(m *PlanMany, parent int) (hasNext, hasPrev bool) {
	if m.parent < 0 {
		parent = 0
	}
	sr := r.sets[m.idx]
	more := parent < len(sr.more) && sr.more[parent]
	if m.win.backward {
		return m.Args.Before != nil, more
	}
	return more, m.Args.After != nil
}

// Cursor returns the cursor of record rec of m, as encodeCursor writes it.
func (r *PlanRows) Cursor(m *PlanMany, rec int) (string, error) {
	vals := make([]any, len(m.curCols))
	for i, col := range m.curCols {
		v := r.Value(m, rec, col)
		switch m.curKinds[i] {
		case catalog.KindID, catalog.KindInt:
			n, err := strconv.ParseInt(string(v), 10, 64)
			if err != nil {
				return "", err
			}
			vals[i] = n
		case catalog.KindBool:
			vals[i] = len(v) > 0 && v[0] == 't'
		case catalog.KindDecimal:
			d, err := decimal.NewFromString(string(v))
			if err != nil {
				return "", err
			}
			vals[i] = d.String()
		default:
			vals[i] = string(v)
		}
	}
	return encodeCursor(vals), nil
}

type planCompiler struct {
	s    *Store
	ctx  context.Context
	b    *builder
	sets []*PlanMany
	cols []string // global column names, in row order
	// types of the columns in UNION ALL arms: NULL pads must be typed, and since a nested
	// union resolves an untyped NULL to text, values are read as text there (ord and branch
	// columns stay numbers: rows are sorted by them).
	types  []string
	valCol []int // per set: global index of its first value column
	aggCol int   // the root connection's first aggregate; -1 for none
	order  []string
}

// countTotal makes sure a count is among m's aggregates when its totalCount is read.
func (m *PlanMany) countTotal() {
	m.totalAgg = -1
	if !m.Args.Total || m.Lookup != nil {
		return
	}
	count := AggSpec{Fn: "count"}
	if m.totalAgg = slices.Index(m.Aggs, count); m.totalAgg < 0 {
		m.totalAgg = len(m.Aggs)
		m.Aggs = append(m.Aggs, count)
	}
}

// prepare numbers the sets depth-first, resolves entities and windows, and lays out records.
func (c *planCompiler) prepare(m *PlanMany, parent, slot int) error {
	e, err := c.s.entity(c.ctx, m.Object.Entity)
	if err != nil {
		return err
	}
	m.entity, m.parent, m.slot, m.idx = e, parent, slot, len(c.sets)
	c.sets = append(c.sets, m)
	if m.Lookup == nil {
		if m.win, err = resolveWindow(e, m.Args); err != nil {
			return err
		}
	} else {
		m.win = &window{limit: 1}
	}
	m.ncol = 0
	if err := c.layout(m, e, m.Object, true); err != nil {
		return err
	}
	m.curCols, m.curKinds = nil, nil
	if m.Cursors && m.Lookup == nil {
		for _, f := range m.win.fields {
			m.curCols = append(m.curCols, m.Object.cols[m.Object.AddField(f.Name)])
			m.curKinds = append(m.curKinds, f.Kind)
		}
	}
	m.kids = connections(m.Object, nil)
	m.nkid = len(m.kids)
	for i, k := range m.kids {
		if err := c.prepare(k, m.idx, i); err != nil {
			return err
		}
	}
	return nil
}

// layout assigns record columns to o's fields and the totals of its connections, then to its
// to-one objects; it numbers o's to-many children.
func (c *planCompiler) layout(m *PlanMany, e *catalog.Entity, o *PlanObject, top bool) error {
	if o.Entity != e.Name {
		return fmt.Errorf("plan: object of %s read as %s", o.Entity, e.Name)
	}
	o.AddField("id")
	if top && m.Cursors && m.Lookup == nil {
		for _, f := range m.win.fields {
			o.AddField(f.Name)
		}
	}
	o.cols = o.cols[:0]
	for _, name := range o.Fields {
		if e.Field(name) == nil {
			return fmt.Errorf("plan: %s has no field %q", e.Name, name)
		}
		o.cols = append(o.cols, m.ncol)
		m.ncol++
	}
	o.idCol = o.cols[0]
	for i, name := range o.Fields {
		if name == "id" {
			o.idCol = o.cols[i]
		}
	}
	for _, n := range o.Many {
		r := e.Relation(n.Relation)
		if r == nil || !r.Many {
			return fmt.Errorf("plan: %s has no to-many relation %q", e.Name, n.Relation)
		}
		n.countTotal()
		n.aggCol = m.ncol
		m.ncol += len(n.Aggs)
	}
	for _, t := range o.ToOne {
		r := e.Relation(t.Relation)
		if r == nil || r.Many {
			return fmt.Errorf("plan: %s has no to-one relation %q", e.Name, t.Relation)
		}
		if err := c.layout(m, r.Target, t.Object, false); err != nil {
			return err
		}
	}
	// Children are numbered after the whole record is laid out (depth-first, record first).
	return nil
}

func (c *planCompiler) col() string {
	name := "c" + strconv.Itoa(len(c.cols))
	c.cols = append(c.cols, name)
	c.types = append(c.types, "text")
	return name
}

// key allocates a column that orders rows (ord, branch): it stays a number.
func (c *planCompiler) key() string {
	name := c.col()
	c.types[len(c.types)-1] = "bigint"
	return name
}

// statement writes the whole statement.
func (c *planCompiler) statement(root *PlanMany) (string, error) {
	c.valCol = make([]int, len(c.sets))
	c.aggCol = -1
	var rootCols []string
	var aggSQL string
	if root.Lookup == nil && len(root.Aggs) > 0 {
		c.aggCol = len(c.cols)
		names := make([]string, len(root.Aggs))
		for i := range names {
			names[i] = c.col()
			rootCols = append(rootCols, "g."+names[i])
		}
		var err error
		if aggSQL, err = c.text(func() error { return c.aggregates(root, "", names) }); err != nil {
			return "", err
		}
	}
	first := len(c.cols)
	setSQL, err := c.text(func() error { return c.set(root, "") })
	if err != nil {
		return "", err
	}
	for _, name := range c.cols[first:] {
		rootCols = append(rootCols, "u."+name)
	}
	head := &strings.Builder{}
	head.WriteString("SELECT " + strings.Join(rootCols, ", ") + " FROM (SELECT 1 AS one) AS r")
	if aggSQL != "" {
		head.WriteString(" CROSS JOIN LATERAL (" + aggSQL + ") AS g")
	}
	head.WriteString(" LEFT JOIN LATERAL (" + setSQL + ") AS u ON true")
	for i, o := range c.order {
		if i == 0 {
			head.WriteString(" ORDER BY ")
		} else {
			head.WriteString(", ")
		}
		head.WriteString("u." + o)
	}
	return head.String(), nil
}

// set writes the subquery of m's rows and of all its descendants; parent is the SQL
// expression of the enclosing object's id ("" for the root).
func (c *planCompiler) set(m *PlanMany, parent string) error {
	b := c.b
	e := m.entity
	cols := objectColumns(m.Object, e)
	s := b.alias()
	var sel []string
	valExprs := make([]string, m.ncol)
	var joins strings.Builder
	parentID := map[*PlanMany]string{} // of each child: the id of the object it hangs from
	// Values of the object and of its to-one objects; totals and aggregates of its connections.
	var fill func(o *PlanObject, e *catalog.Entity, alias string) error
	fill = func(o *PlanObject, e *catalog.Entity, alias string) error {
		for _, n := range o.Many {
			parentID[n] = col(alias, "id")
		}
		for i, name := range o.Fields {
			valExprs[o.cols[i]] = col(alias, e.Field(name).Column)
		}
		for _, n := range o.Many {
			if len(n.Aggs) == 0 {
				continue
			}
			g := b.alias()
			names := make([]string, len(n.Aggs))
			for i := range names {
				names[i] = fmt.Sprintf("a%d", i)
				valExprs[n.aggCol+i] = g + "." + names[i]
			}
			text, err := c.text(func() error { return c.aggregates(n, col(alias, "id"), names) })
			if err != nil {
				return err
			}
			joins.WriteString(" LEFT JOIN LATERAL (" + text + ") AS " + g + " ON true")
		}
		for _, t := range o.ToOne {
			r := e.Relation(t.Relation)
			target, err := c.s.entity(c.ctx, r.Target.Name)
			if err != nil {
				return err
			}
			// A lateral subquery with LIMIT 1 rather than a LEFT JOIN: it is not flattened,
			// so PostgreSQL reads the target by id per row (memoized on the key) instead of
			// hashing the page once per enclosing row. The id is the key: LIMIT 1 drops nothing.
			j := b.alias()
			joins.WriteString(" LEFT JOIN LATERAL (SELECT ")
			for i, cn := range objectColumns(t.Object, target) {
				if i > 0 {
					joins.WriteString(", ")
				}
				joins.WriteString(col(j, cn))
			}
			joins.WriteString(" FROM " + ident(target.Table) + " AS " + j + " WHERE " + col(j, "id") + " = " + col(alias, r.FK) + " LIMIT 1) AS " + j + " ON true")
			if err := fill(t.Object, target, j); err != nil {
				return err
			}
		}
		return nil
	}
	if err := fill(m.Object, e, s); err != nil {
		return err
	}
	c.valCol[m.idx] = len(c.cols)
	names := make([]string, len(valExprs))
	for i, v := range valExprs {
		names[i] = c.col()
		sel = append(sel, v+" AS "+names[i])
	}
	if m.Lookup == nil {
		// The page's sort keys sort the rows as the page's ORDER BY does: the value columns
		// when the fields are read, typed for that; a column of their own otherwise.
		for i, f := range m.win.fields {
			var name string
			if k := slices.Index(m.Object.Fields, f.Name); k >= 0 {
				name = names[m.Object.cols[k]]
				c.types[c.valCol[m.idx]+m.Object.cols[k]] = f.Kind.SQLType()
			} else {
				name = c.col()
				c.types[len(c.types)-1] = f.Kind.SQLType()
				sel = append(sel, col(s, f.Column)+" AS "+name)
				if !slices.Contains(cols, f.Column) {
					cols = append(cols, f.Column)
				}
			}
			key := name // as sortKey writes it
			if f.Kind == catalog.KindString {
				key += ` COLLATE "und-x-icu"`
			}
			if m.win.order[i].Desc != m.win.backward {
				key += " DESC"
			}
			c.order = append(c.order, key)
		}
	}
	kidSQL, kidSel, err := c.children(m, parentID)
	if err != nil {
		return err
	}
	sel = append(sel, kidSel...)

	// The page itself.
	b.write("SELECT ", strings.Join(sel, ", "), " FROM (")
	if err := c.page(m, cols, parent); err != nil {
		return err
	}
	b.write(") AS ", s, joins.String())
	if kidSQL != "" {
		b.write(" LEFT JOIN LATERAL (", kidSQL, ") AS u ON true")
	}
	return nil
}

// children writes the subqueries of m's child connections: one LATERAL, a UNION ALL of tagged
// branches when there are several. It returns that SQL and the columns m's row selects of it;
// parentID gives each child the id of the object it hangs from.
func (c *planCompiler) children(m *PlanMany, parentID map[*PlanMany]string) (string, []string, error) {
	kids := m.kids
	if len(kids) == 0 {
		return "", nil, nil
	}
	b := c.b
	var sel []string
	saved := b.sb
	b.sb = strings.Builder{}
	var br string
	if len(kids) > 1 {
		br = c.key()
		c.order = append(c.order, br)
		sel = append(sel, "u."+br)
	}
	type arm struct {
		sql   string
		first int
		last  int
	}
	arms := make([]arm, len(kids))
	for i, k := range kids {
		b.sb = strings.Builder{}
		first := len(c.cols)
		if err := c.set(k, parentID[k]); err != nil {
			return "", nil, err
		}
		arms[i] = arm{b.sb.String(), first, len(c.cols)}
	}
	b.sb = strings.Builder{}
	if len(kids) == 1 {
		b.write(arms[0].sql)
	} else {
		for i, a := range arms {
			if i > 0 {
				b.write(" UNION ALL ")
			}
			b.write("SELECT ", strconv.Itoa(i+1), " AS ", br)
			for j, other := range arms {
				for x := other.first; x < other.last; x++ {
					if j == i {
						b.write(", x.", c.cols[x], "::", c.types[x], " AS ", c.cols[x])
					} else {
						b.write(", NULL::", c.types[x], " AS ", c.cols[x])
					}
				}
			}
			b.write(" FROM (", a.sql, ") AS x")
		}
	}
	kidSQL := b.sb.String()
	b.sb = saved
	for _, a := range arms {
		for x := a.first; x < a.last; x++ {
			sel = append(sel, "u."+c.cols[x])
		}
	}
	return kidSQL, sel, nil
}

// page writes the rows of m itself: the one a look-up finds, or a page of the connection
// under parent (the SQL of the enclosing object's id), filtered, ordered and limited.
func (c *planCompiler) page(m *PlanMany, cols []string, parent string) error {
	b, e := c.b, m.entity
	t := b.alias()
	var lookup *catalog.Field
	if m.Lookup != nil {
		if lookup = e.Field(m.Lookup.Field); lookup == nil {
			return fmt.Errorf("plan: %s has no field %q", e.Name, m.Lookup.Field)
		}
	}
	b.write("SELECT ")
	for i, cn := range cols {
		if i > 0 {
			b.write(", ")
		}
		b.write(col(t, cn))
	}
	b.write(" FROM ", ident(e.Table), " AS ", t)
	if lookup != nil {
		b.write(" WHERE ", col(t, lookup.Column), " = ", b.param(m.Lookup.Value, lookup.Kind.SQLType()), " LIMIT 1")
	} else {
		// Conditions: the relation to the parent, the filter and the cursor;
		// trivially true parts are left out.
		var conds []string
		if m.parent >= 0 {
			r := c.relationOf(m)
			if r.Link != "" {
				l := b.alias()
				b.write(" JOIN ", ident(r.Link), " AS ", l, " ON ", col(l, r.FK), " = ", col(t, "id"))
				conds = append(conds, col(l, r.Ref)+" = "+parent)
			} else {
				conds = append(conds, col(t, r.Ref)+" = "+parent)
			}
		}
		for _, part := range []func() error{
			func() error { return b.where(e, t, m.Args.Filter) },
			func() error { return m.win.seek(b, t) },
		} {
			text, err := c.text(part)
			if err != nil {
				return err
			}
			if text != "TRUE" {
				conds = append(conds, text)
			}
		}
		if len(conds) > 0 {
			b.write(" WHERE ", strings.Join(conds, " AND "))
		}
		b.write(" ORDER BY ")
		m.win.orderBy(b, t)
		limit := m.win.limit
		if m.More {
			limit++
		}
		b.write(" LIMIT ", strconv.Itoa(limit))
	}
	return nil
}

// aggregates writes the statement of m's aggregates, named names, over every row its filter
// selects; parent is the SQL expression of the enclosing object's id ("" for the root). One
// row always: an aggregate without GROUP BY.
func (c *planCompiler) aggregates(m *PlanMany, parent string, names []string) error {
	b := c.b
	e := m.entity
	t := b.alias()
	b.write("SELECT ")
	for i, sp := range m.Aggs {
		expr, err := aggExpr(e, t, sp)
		if err != nil {
			return err
		}
		if i > 0 {
			b.write(", ")
		}
		b.write(expr, " AS ", names[i])
	}
	b.write(" FROM ", ident(e.Table), " AS ", t)
	if parent != "" {
		r := c.relationOf(m)
		if r.Link != "" {
			l := b.alias()
			b.write(" JOIN ", ident(r.Link), " AS ", l, " ON ", col(l, r.FK), " = ", col(t, "id"), " WHERE ", col(l, r.Ref), " = ", parent, " AND ")
		} else {
			b.write(" WHERE ", col(t, r.Ref), " = ", parent, " AND ")
		}
	} else {
		b.write(" WHERE ")
	}
	return b.where(e, t, m.Args.Filter)
}

// text returns the SQL that write writes (its parameters are added to the statement's).
func (c *planCompiler) text(write func() error) (string, error) {
	saved := c.b.sb
	c.b.sb = strings.Builder{}
	err := write()
	text := c.b.sb.String()
	c.b.sb = saved
	return text, err
}

// connections lists the to-many connections of o and of its to-one objects, depth-first: the
// children of the set whose records o is read from.
func connections(o *PlanObject, out []*PlanMany) []*PlanMany {
	out = append(out, o.Many...)
	for _, t := range o.ToOne {
		out = connections(t.Object, out)
	}
	return out
}

// objectColumns returns the columns o reads of its rows: its fields', its to-one relations'
// keys and the id, each once.
func objectColumns(o *PlanObject, e *catalog.Entity) []string {
	var cols []string
	seen := map[string]bool{}
	add := func(c string) {
		if !seen[c] {
			seen[c] = true
			cols = append(cols, c)
		}
	}
	for _, name := range o.Fields {
		add(e.Field(name).Column)
	}
	for _, t := range o.ToOne {
		add(e.Relation(t.Relation).FK)
	}
	add(e.Field("id").Column)
	return cols
}

// relationOf returns the relation m follows from its enclosing object.
func (c *planCompiler) relationOf(m *PlanMany) *catalog.Relation {
	p := c.sets[m.parent]
	var find func(o *PlanObject, e *catalog.Entity) *catalog.Relation
	find = func(o *PlanObject, e *catalog.Entity) *catalog.Relation {
		for _, n := range o.Many {
			if n == m {
				return e.Relation(n.Relation)
			}
		}
		for _, t := range o.ToOne {
			if r := find(t.Object, e.Relation(t.Relation).Target); r != nil {
				return r
			}
		}
		return nil
	}
	return find(p.Object, p.entity)
}
