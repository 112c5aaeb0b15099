package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"
	"github.com/vektah/gqlparser/v2/ast"
)

// An answer is a list of rows of cells, each cell a value in a canonical text form, so that the
// GraphQL answer (JSON) and the SQL answer (pgx values) compare exactly.
//
// How a GraphQL answer becomes rows depends on the kind of workload:
//   - report: one row per report row, its keys' codes then its values; the rows compare as a
//     multiset, and a row whose values are all null (no fact contributed) counts as no row.
//   - view and lookup: the response flattened along the query's selection set, leaves as
//     columns in document order; a list gives one row per element (and one row of nulls when it
//     is empty, like a LEFT JOIN); the rows compare in order, and a row of nulls only (a
//     lookup that found nothing) counts as no row.
type answer [][]cell

// cell is a value in canonical form; a null is distinct from every string.
type cell struct {
	null bool
	text string
}

func (c cell) String() string {
	if c.null {
		return "NULL"
	}
	return strconv.Quote(c.text)
}

// textCell canonicalises text: a decimal number in its shortest form (1.50 and 1.5 are one
// value), anything else as it is.
func textCell(s string) cell {
	if d, err := decimal.NewFromString(s); err == nil {
		return cell{text: d.String()}
	}
	return cell{text: s}
}

// Check runs a workload on every GraphQL path of the target and in every SQL mode, and returns
// the number of rows of the answer, or an error when an answer differs from the prepared SQL's
// or they are all empty.
func (t *Target) Check(ctx context.Context, p *Prepared) (int, error) {
	if err := t.check(); err != nil {
		return 0, err
	}
	viaGraphQL := make([]answer, len(t.Endpoints))
	keys := 0
	for i, e := range t.Endpoints {
		body, err := t.queryGraphQL(ctx, e, p, nil)
		if err != nil {
			return 0, err
		}
		if viaGraphQL[i], keys, err = graphQLAnswer(p, body); err != nil {
			return 0, fmt.Errorf("%s: read the GraphQL answer (%s): %w", p.Name, e.Path, err)
		}
	}
	viaSQL := make([]answer, len(SQLModes))
	for i, mode := range SQLModes {
		var err error
		if viaSQL[i], err = t.sqlAnswer(ctx, p, mode); err != nil {
			return 0, err
		}
	}
	// The keys of a report are counted in its GraphQL answer (the last path's: a path that
	// answered otherwise differs below).
	normal := func(a answer) answer {
		if p.Kind == KindReport {
			return reportRows(a, keys)
		}
		return withoutNullRows(a)
	}
	reference := normal(viaSQL[0])
	for i, mode := range SQLModes[1:] {
		if err := compare(normal(viaSQL[i+1]), reference); err != nil {
			return 0, fmt.Errorf("%s: the SQL answers %s and %s differ: %w", p.Name, mode, SQLModes[0], err)
		}
	}
	for i, e := range t.Endpoints {
		if err := compare(normal(viaGraphQL[i]), reference); err != nil {
			return 0, fmt.Errorf("%s: the GraphQL (%s) and SQL answers differ: %w", p.Name, e.Path, err)
		}
	}
	if len(reference) == 0 {
		return 0, fmt.Errorf("%s: every answer is empty: nothing worth measuring (is the synthetic data loaded?)", p.Name)
	}
	return len(reference), nil
}

// sqlAnswer runs the workload's SQL in mode and returns its rows.
func (t *Target) sqlAnswer(ctx context.Context, p *Prepared, mode string) (answer, error) {
	args, err := p.sqlArgs(mode)
	if err != nil {
		return nil, err
	}
	var rows answer
	err = t.querySQL(ctx, p, args, func(values []any) error {
		row := make([]cell, len(values))
		for i, v := range values {
			var err error
			if row[i], err = sqlCell(v); err != nil {
				return fmt.Errorf("%s: SQL column %d (%s): %w", p.Name, i+1, mode, err)
			}
		}
		rows = append(rows, row)
		return nil
	})
	return rows, err
}

// graphQLAnswer turns a GraphQL response into rows; for a report it also returns the number of
// key columns.
func graphQLAnswer(p *Prepared, body []byte) (answer, int, error) {
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var res struct {
		Data   map[string]any
		Errors []any
	}
	if err := d.Decode(&res); err != nil {
		return nil, 0, err
	}
	if len(res.Errors) > 0 || res.Data == nil {
		return nil, 0, fmt.Errorf("errors: %v", res.Errors)
	}
	if p.Kind == KindReport {
		return reportAnswer(res.Data)
	}
	rows, err := flatten(p.operation.SelectionSet, res.Data)
	return rows, 0, err
}

// reportAnswer reads the rows of the one report a report workload asks for.
func reportAnswer(data map[string]any) (answer, int, error) {
	if len(data) != 1 {
		return nil, 0, errors.New("a report workload asks for one report")
	}
	var report map[string]any
	for _, v := range data {
		report, _ = v.(map[string]any)
	}
	if truncated, _ := report["truncated"].(bool); truncated {
		return nil, 0, errors.New("the report is truncated: raise its limit")
	}
	rows, ok := report["rows"].([]any)
	if !ok {
		return nil, 0, errors.New("the report has no rows field")
	}
	var out answer
	keys := -1
	for _, r := range rows {
		r, _ := r.(map[string]any)
		var row []cell
		ks, _ := r["keys"].([]any)
		for _, k := range ks {
			k, _ := k.(map[string]any)
			row = append(row, jsonCell(k["code"]))
		}
		if keys >= 0 && keys != len(ks) {
			return nil, 0, errors.New("report rows with different numbers of keys")
		}
		keys = len(ks)
		vs, _ := r["values"].([]any)
		for _, v := range vs {
			v, _ := v.(map[string]any)
			row = append(row, jsonCell(v["value"]))
		}
		out = append(out, row)
	}
	return out, max(keys, 0), nil
}

// withoutNullRows drops the rows whose cells are all null: a lookup that finds nothing is
// null in GraphQL, no row in SQL.
func withoutNullRows(rows answer) answer {
	return slices.DeleteFunc(rows, func(row []cell) bool { return !slices.ContainsFunc(row, func(c cell) bool { return !c.null }) })
}

// reportRows drops the rows whose values (the cells after the keys) are all null, and sorts.
func reportRows(rows answer, keys int) answer {
	rows = slices.DeleteFunc(slices.Clone(rows), func(row []cell) bool {
		for _, c := range row[min(keys, len(row)):] {
			if !c.null {
				return false
			}
		}
		return true
	})
	slices.SortFunc(rows, func(a, b []cell) int {
		return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
	})
	return rows
}

// flatten turns the response v to selection set sel into rows (see answer).
func flatten(sel ast.SelectionSet, v any) (answer, error) {
	obj, ok := v.(map[string]any)
	if v != nil && !ok {
		return nil, fmt.Errorf("expected an object, got %T", v)
	}
	rows := answer{nil}
	for _, s := range sel {
		f, ok := s.(*ast.Field)
		if !ok {
			return nil, errors.New("fragments are not supported in workloads")
		}
		var sub answer
		val := obj[f.Alias]
		switch list, isList := val.([]any); {
		case len(f.SelectionSet) == 0 && isList:
			return nil, fmt.Errorf("%s: lists of scalars are not supported in workloads", f.Alias)
		case len(f.SelectionSet) == 0:
			sub = answer{{jsonCell(val)}}
		case val == nil || isList && len(list) == 0:
			sub = answer{nulls(width(f.SelectionSet))}
		case isList:
			for _, e := range list {
				r, err := flatten(f.SelectionSet, e)
				if err != nil {
					return nil, err
				}
				sub = append(sub, r...)
			}
		default:
			r, err := flatten(f.SelectionSet, val)
			if err != nil {
				return nil, err
			}
			sub = r
		}
		rows = cross(rows, sub)
	}
	return rows, nil
}

// width is the number of leaf fields under sel.
func width(sel ast.SelectionSet) int {
	n := 0
	for _, s := range sel {
		if f, ok := s.(*ast.Field); ok {
			if len(f.SelectionSet) == 0 {
				n++
			} else {
				n += width(f.SelectionSet)
			}
		}
	}
	return n
}

func nulls(n int) []cell {
	row := make([]cell, n)
	for i := range row {
		row[i].null = true
	}
	return row
}

// cross returns every row of a followed by every row of b.
func cross(a, b answer) answer {
	out := make(answer, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			out = append(out, slices.Concat(x, y))
		}
	}
	return out
}

func jsonCell(v any) cell {
	switch v := v.(type) {
	case nil:
		return cell{null: true}
	case string:
		return textCell(v)
	case json.Number:
		return textCell(v.String())
	}
	return cell{text: fmt.Sprint(v)}
}

// sqlCell canonicalises a value pgx decoded.
func sqlCell(v any) (cell, error) {
	switch v := v.(type) {
	case nil:
		return cell{null: true}, nil
	case string:
		return textCell(v), nil
	case int16, int32, int64, float32, float64, bool:
		return textCell(fmt.Sprint(v)), nil
	case pgtype.Numeric:
		if !v.Valid {
			return cell{null: true}, nil
		}
		s, err := v.Value()
		if err != nil {
			return cell{}, err
		}
		return textCell(s.(string)), nil
	case time.Time:
		return cell{text: v.Format("2006-01-02")}, nil
	}
	return cell{}, fmt.Errorf("unsupported type %T: cast it to text", v)
}

// compare returns nil when both answers hold the same rows in the same order, or an error
// showing the first differences.
func compare(viaGraphQL, viaSQL answer) error {
	var diffs []string
	for i := range max(len(viaGraphQL), len(viaSQL)) {
		var g, s []cell
		if i < len(viaGraphQL) {
			g = viaGraphQL[i]
		}
		if i < len(viaSQL) {
			s = viaSQL[i]
		}
		if !slices.Equal(g, s) {
			diffs = append(diffs, fmt.Sprintf("row %d: GraphQL %v, SQL %v", i+1, g, s))
		}
	}
	if len(diffs) == 0 {
		return nil
	}
	shown := diffs[:min(len(diffs), 5)]
	return fmt.Errorf("%d rows via GraphQL, %d via SQL, %d differ:\n  %s", len(viaGraphQL), len(viaSQL), len(diffs), strings.Join(shown, "\n  "))
}
