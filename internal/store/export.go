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

// selectExport writes the SELECT of q; extra expressions follow the columns.
func (s *Store) selectExport(q ExportQuery) (string, []any, error) {
	e, err := s.modelEntity(q.Entity)
	if err != nil {
		return "", nil, err
	}
	p := &exportPlan{from: ident(e.Table) + " AS t0", joins: map[string]string{}}
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
	// The WHERE goes last into the builder so that its parameters are numbered from 1.
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
	sql, args, err := s.selectExport(q)
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

// CoverageOf measures the rows q selects: their number, the dates between from and to (paths;
// nil when the dataset has no dates), the territories at place (a path; nil when none) and
// the sources the rows cite (the entity's source relation).
func (s *Store) CoverageOf(ctx context.Context, q ExportQuery, from, to, place []string) (Coverage, error) {
	paths := [][]string{{"id"}, {"id"}, {"id"}, {"id"}, {"source", "id"}}
	for i, p := range [][]string{from, to, place} {
		if p != nil {
			paths[i+1] = p
		}
	}
	q.Columns, q.Order = paths, nil
	inner, args, err := s.selectExport(q)
	if err != nil {
		return Coverage{}, err
	}
	inner, _, _ = strings.Cut(inner, " ORDER BY ")
	sel := []string{"count(*)", "NULL::text", "NULL::text", "NULL::text[]"}
	if from != nil {
		sel[1] = "min(c2)::text"
	}
	if to != nil {
		sel[2] = "max(c3)::text"
	}
	if place != nil {
		sel[3] = "coalesce(array_agg(DISTINCT c4) FILTER (WHERE c4 IS NOT NULL), '{}')"
	}
	sel = append(sel, "(SELECT coalesce(array_agg(title ORDER BY title), '{}') FROM source WHERE id IN (SELECT c5 FROM x))",
		"(SELECT coalesce(array_agg(url ORDER BY title), '{}') FROM source WHERE id IN (SELECT c5 FROM x))")
	sql := "WITH x(c1, c2, c3, c4, c5) AS (" + inner + ") SELECT " + strings.Join(sel, ", ") + " FROM x"
	var c Coverage
	var titles []string
	var urls []*string
	if err := s.readPool().QueryRow(ctx, sql, args...).Scan(&c.Rows, &c.From, &c.To, &c.Territories, &titles, &urls); err != nil {
		return Coverage{}, fmt.Errorf("coverage of %s: %w", q.Entity, err)
	}
	for i := range titles {
		c.Sources = append(c.Sources, Source{Title: titles[i], URL: urls[i]})
	}
	return c, nil
}

// ExportStatement is the statement Export runs for q, with its parameters, for the record.
func (s *Store) ExportStatement(q ExportQuery) (string, error) {
	sql, args, err := s.selectExport(q)
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
