package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/cohesio/cohesio/internal/catalog"
)

// ExportQuery selects the rows of a dataset: columns reached from the root entity through
// to-one relations, the rows matching a filter, in a fixed order.
type ExportQuery struct {
	Entity string
	// Columns are paths: relation names, then a field name (["seatCommune", "nisCode"]).
	Columns [][]string
	Filter  Filter
	// Order lists the paths to sort by, ascending with nulls first; the root id breaks ties so
	// that the same data always comes out in the same order.
	Order [][]string
	// Published reads the entity as roles below analyst do: observations through their
	// published cells (a withheld person count is NULL).
	Published bool
}

// exportPlan is an ExportQuery compiled against the catalog.
type exportPlan struct {
	b     builder
	from  string            // the root table and the joins the paths need
	joins map[string]string // relation path -> alias
}

// expr returns the SQL expression of a path, adding the LEFT JOINs it needs; values come out
// in PostgreSQL's text format, decimals without trailing zeros and lists joined with '|'.
func (p *exportPlan) expr(e *catalog.Entity, path []string) (string, error) {
	alias, key := "t0", ""
	for i, name := range path[:len(path)-1] {
		r := e.Relation(name)
		if r == nil || r.Many {
			return "", fmt.Errorf("%s has no to-one relation %q", e.Name, name)
		}
		if i == len(path)-2 && path[i+1] == "id" {
			return col(alias, r.FK), nil // the key is on this side: no join
		}
		key += "." + name
		next, ok := p.joins[key]
		if !ok {
			next = fmt.Sprintf("j%d", len(p.joins))
			p.joins[key] = next
			p.from += " LEFT JOIN " + ident(r.Target.Table) + " AS " + next + " ON " + col(next, "id") + " = " + col(alias, r.FK)
		}
		alias, e = next, r.Target
	}
	f := e.Field(path[len(path)-1])
	if f == nil {
		return "", fmt.Errorf("%s has no field %q", e.Name, path[len(path)-1])
	}
	c := col(alias, f.Column)
	switch f.Kind {
	case catalog.KindDecimal:
		return "trim_scale(" + c + ")", nil
	case catalog.KindStringList:
		return "array_to_string(" + c + ", '|')", nil
	}
	return c, nil
}

// selectExport writes the SELECT of q. Its parameters are appended to args, so that several
// selects can share one statement.
func (s *Store) selectExport(q ExportQuery, args []any) (string, []any, error) {
	cat := s.catalog
	if q.Published {
		cat = s.published
	}
	e := cat.Entity(q.Entity)
	if e == nil {
		return "", nil, fmt.Errorf("unknown entity %q", q.Entity)
	}
	p := &exportPlan{from: ident(e.Table) + " AS t0", joins: map[string]string{}}
	p.b.args = args
	var cols, order []string
	for _, path := range q.Columns {
		x, err := p.expr(e, path)
		if err != nil {
			return "", nil, err
		}
		cols = append(cols, x)
	}
	for _, path := range q.Order {
		x, err := p.expr(e, path)
		if err != nil {
			return "", nil, err
		}
		order = append(order, x+" NULLS FIRST")
	}
	order = append(order, "t0.id")
	if err := p.b.where(e, "t0", q.Filter); err != nil {
		return "", nil, err
	}
	sql := "SELECT " + strings.Join(cols, ", ") + " FROM " + p.from + " WHERE " + p.b.sb.String() +
		" ORDER BY " + strings.Join(order, ", ")
	return sql, p.b.args, nil
}

// Export streams the rows of q to fn, each value in PostgreSQL's text format and nil for
// NULL. fn must not keep the slices: they are reused for the next row. The statement runs in
// a read-only transaction without statement timeout, since an export of millions of rows may
// take longer than a request; cancelling ctx (a client that went away) stops it.
func (s *Store) Export(ctx context.Context, q ExportQuery, fn func(row [][]byte) error) error {
	sql, args, err := s.selectExport(q, nil)
	if err != nil {
		return err
	}
	return pgx.BeginTxFunc(ctx, s.readPool(), pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SET LOCAL statement_timeout = 0; SET LOCAL DateStyle = 'ISO, YMD'"); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		rows, err := tx.Query(ctx, sql, append([]any{pgx.QueryResultFormats{pgx.TextFormatCode}}, args...)...)
		if err != nil {
			return fmt.Errorf("export %s: %w", q.Entity, err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := fn(rows.RawValues()); err != nil {
				return err
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("export %s: %w", q.Entity, err)
		}
		return nil
	})
}

// Coverage is the extent of a dataset's rows.
type Coverage struct {
	Rows        int64
	From, To    *string  // earliest and latest dates, ISO 8601
	Territories []string // codes of the territories the rows are about
	Sources     []Source // the documents the rows cite
}

// Source is a document rows cite.
type Source struct {
	Title string
	URL   *string
}

// CoverageQuery asks for the coverage of the rows of an ExportQuery: the dates between the
// paths From and To, and the territories at the path Place (each nil when the dataset has none).
type CoverageQuery struct {
	ExportQuery
	From, To, Place []string
}

// Coverages measures the rows each query selects, all in one statement: their number, their
// dates, their territories and the sources they cite (the entity's source relation).
func (s *Store) Coverages(ctx context.Context, qs []CoverageQuery) ([]Coverage, error) {
	var with, sel []string
	var args []any
	for i, q := range qs {
		paths := [][]string{{"id"}, {"id"}, {"id"}, {"id"}, {"source", "id"}}
		for j, p := range [][]string{q.From, q.To, q.Place} {
			if p != nil {
				paths[j+1] = p
			}
		}
		eq := q.ExportQuery
		eq.Columns, eq.Order = paths, nil
		inner, a, err := s.selectExport(eq, args)
		if err != nil {
			return nil, err
		}
		args = a
		inner, _, _ = strings.Cut(inner, " ORDER BY ")
		x := fmt.Sprintf("x%d", i)
		with = append(with, x+"(c1, c2, c3, c4, c5) AS ("+inner+")")
		cols := []string{fmt.Sprint(i), "count(*)", "NULL::text", "NULL::text", "'{}'::text[]"}
		if q.From != nil {
			cols[2] = "min(c2)::text"
		}
		if q.To != nil {
			cols[3] = "max(c3)::text"
		}
		if q.Place != nil {
			cols[4] = "coalesce(array_agg(DISTINCT c4) FILTER (WHERE c4 IS NOT NULL), '{}')"
		}
		sources := "(SELECT coalesce(array_agg(%s ORDER BY title), '{}') FROM source WHERE id IN (SELECT c5 FROM " + x + "))"
		cols = append(cols, fmt.Sprintf(sources, "title"), fmt.Sprintf(sources, "url"))
		sel = append(sel, "SELECT "+strings.Join(cols, ", ")+" FROM "+x)
	}
	if len(qs) == 0 {
		return nil, nil
	}
	sql := "WITH " + strings.Join(with, ", ") + " " + strings.Join(sel, " UNION ALL ")
	rows, err := s.readPool().Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("coverage: %w", err)
	}
	out := make([]Coverage, len(qs))
	var i int
	var c Coverage
	var titles []string
	var urls []*string
	_, err = pgx.ForEachRow(rows, []any{&i, &c.Rows, &c.From, &c.To, &c.Territories, &titles, &urls}, func() error {
		for k := range titles {
			c.Sources = append(c.Sources, Source{Title: titles[k], URL: urls[k]})
		}
		out[i], c = c, Coverage{}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("coverage: %w", err)
	}
	return out, nil
}

// ExportStatement is the statement Export runs for q, with its parameters, for the record.
func (s *Store) ExportStatement(q ExportQuery) (string, error) {
	sql, args, err := s.selectExport(q, nil)
	if err != nil {
		return "", err
	}
	if len(args) == 0 {
		return sql, nil
	}
	params, err := json.Marshal(args)
	if err != nil {
		return "", fmt.Errorf("export statement: %w", err)
	}
	return sql + "\n-- parameters: " + string(params), nil
}
