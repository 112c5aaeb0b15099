package store

import (
	"context"
	"fmt"
	"slices"

	"github.com/shopspring/decimal"

	"github.com/cohesio/cohesio/internal/catalog"
)

// AggSpec asks for one aggregate. Fn is count, countDistinct, sum, avg, min or max. Field is
// a field of the entity (empty for count); countDistinct also takes a to-one relation and
// then counts distinct related objects. sum, avg, min and max take numeric fields only.
type AggSpec struct {
	Fn    string
	Field string
}

// Aggregates holds exact results by spec. count and countDistinct are never nil; sum, avg,
// min and max are nil when no row has a value. avg is rounded to 4 decimal places.
type Aggregates map[AggSpec]*decimal.Decimal

// Aggregate computes specs over every row of entity that matches filter, in one statement.
func Aggregate(ctx context.Context, s *Store, entity string, filter Filter, specs []AggSpec) (Aggregates, error) {
	e, err := s.entity(ctx, entity)
	if err != nil {
		return nil, err
	}
	out, err := aggregate(ctx, s, e, nil, nil, filter, specs)
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// AggregateRelated computes specs, for each parent id, over the rows reached through relation
// of entity that match filter: one statement for every parent, like ListRelated's totals.
func AggregateRelated(ctx context.Context, s *Store, entity, relation string, parents []int64, filter Filter, specs []AggSpec) (map[int64]Aggregates, error) {
	e, err := s.entity(ctx, entity)
	if err != nil {
		return nil, err
	}
	r := e.Relation(relation)
	if r == nil || !r.Many {
		return nil, fmt.Errorf("%s has no to-many relation %q", entity, relation)
	}
	// The same object can hang from several parents' pages: one group per id.
	parents = slices.Compact(slices.Sorted(slices.Values(parents)))
	all, err := aggregate(ctx, s, r.Target, r, parents, filter, specs)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]Aggregates, len(parents))
	for i, id := range parents {
		out[id] = all[i]
	}
	return out, nil
}

// aggregate returns one Aggregates per parent (one in all without a relation), grouping the
// rows of e by parent key as countPages does.
func aggregate(ctx context.Context, s *Store, e *catalog.Entity, r *catalog.Relation, parents []int64, f Filter, specs []AggSpec) ([]Aggregates, error) {
	var uniq []AggSpec
	for _, sp := range specs {
		if !slices.Contains(uniq, sp) {
			uniq = append(uniq, sp)
		}
	}
	b := &builder{}
	const row = "t0"
	key := "0::bigint"
	if r != nil {
		key = col(row, r.Ref)
		if r.Link != "" {
			key = col("l", r.Ref)
		}
	}
	b.write("SELECT ", key)
	for _, sp := range uniq {
		expr, err := aggExpr(e, row, sp)
		if err != nil {
			return nil, err
		}
		b.write(", ", expr)
	}
	b.write(" FROM ", ident(e.Table), " AS ", row)
	if r != nil {
		if r.Link != "" {
			b.write(" JOIN ", ident(r.Link), " AS l ON ", col("l", r.FK), " = ", col(row, "id"))
		}
		b.write(" WHERE ", key, " = ANY(", b.param(parents, "bigint[]"), ") AND ")
	} else {
		b.write(" WHERE ")
	}
	if err := b.where(e, row, f); err != nil {
		return nil, err
	}
	if r != nil {
		b.write(" GROUP BY 1")
	}

	n := 1
	if r != nil {
		n = len(parents)
	}
	out := make([]Aggregates, n)
	for i := range out {
		// A parent without rows has no group: nothing counted, nothing summed.
		out[i] = Aggregates{}
		for _, sp := range uniq {
			if sp.Fn == "count" || sp.Fn == "countDistinct" {
				out[i][sp] = &decimal.Decimal{}
			} else {
				out[i][sp] = nil
			}
		}
	}
	if len(uniq) == 0 || n == 0 {
		return out, nil
	}
	index := make(map[int64]int, len(parents))
	for i, id := range parents {
		index[id] = i
	}
	rows, err := s.readPool().Query(ctx, b.sb.String(), b.args...)
	if err != nil {
		return nil, fmt.Errorf("aggregate %s: %w", e.Name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var parent int64
		vals := make([]*decimal.Decimal, len(uniq))
		targets := []any{&parent}
		for i := range vals {
			targets = append(targets, &vals[i])
		}
		if err := rows.Scan(targets...); err != nil {
			return nil, fmt.Errorf("aggregate %s: %w", e.Name, err)
		}
		i := 0
		if r != nil {
			i = index[parent]
		}
		for j, sp := range uniq {
			out[i][sp] = vals[j]
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("aggregate %s: %w", e.Name, err)
	}
	return out, nil
}

// aggExpr is the SQL of one aggregate over the rows of e at alias, always of type numeric so
// that every result is exact.
func aggExpr(e *catalog.Entity, alias string, sp AggSpec) (string, error) {
	switch sp.Fn {
	case "count":
		return "count(*)::numeric", nil
	case "countDistinct":
		if f := e.Field(sp.Field); f != nil {
			return "count(DISTINCT " + col(alias, f.Column) + ")::numeric", nil
		}
		if r := e.Relation(sp.Field); r != nil && !r.Many {
			return "count(DISTINCT " + col(alias, r.FK) + ")::numeric", nil
		}
		return "", invalid("field", "%s has no field or to-one relation %q to count", e.Name, sp.Field)
	case "sum", "avg", "min", "max":
		f := e.Field(sp.Field)
		if f == nil || (f.Kind != catalog.KindInt && f.Kind != catalog.KindDecimal) {
			return "", invalid("field", "%s has no numeric field %q to aggregate", e.Name, sp.Field)
		}
		c := col(alias, f.Column)
		switch sp.Fn {
		case "sum":
			return "sum(" + c + ")::numeric", nil
		case "avg":
			return "round(avg(" + c + ")::numeric, 4)", nil
		case "min":
			return "min(" + c + ")::numeric", nil
		}
		return "max(" + c + ")::numeric", nil
	}
	return "", invalid("field", "unknown aggregate %q", sp.Fn)
}
