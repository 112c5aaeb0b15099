package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/cohesio/cohesio/internal/catalog"
	"github.com/cohesio/cohesio/internal/cohesion"
	"github.com/cohesio/cohesio/internal/store"
	"github.com/cohesio/cohesio/schema"
)

var (
	count    = store.AggSpec{Fn: "count"}
	sumOf    = func(f string) store.AggSpec { return store.AggSpec{Fn: "sum", Field: f} }
	avgOf    = func(f string) store.AggSpec { return store.AggSpec{Fn: "avg", Field: f} }
	minOf    = func(f string) store.AggSpec { return store.AggSpec{Fn: "min", Field: f} }
	maxOf    = func(f string) store.AggSpec { return store.AggSpec{Fn: "max", Field: f} }
	distinct = func(f string) store.AggSpec { return store.AggSpec{Fn: "countDistinct", Field: f} }
)

// checkAggregates compares got with want, where "" stands for null and any other string is
// an exact decimal (so "14333.5" does not match 14333.49999).
func checkAggregates(t *testing.T, label string, got store.Aggregates, want map[store.AggSpec]string) {
	t.Helper()
	for sp, w := range want {
		v, ok := got[sp]
		switch {
		case !ok:
			t.Errorf("%s: %+v missing", label, sp)
		case w == "" && v != nil:
			t.Errorf("%s: %+v = %s, want null", label, sp, v)
		case w != "" && (v == nil || !v.Equal(decimal.RequireFromString(w))):
			t.Errorf("%s: %+v = %v, want %s", label, sp, v, w)
		}
	}
}

func TestAggregateCoversEveryMatchingRow(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	// Budgets 15000.50, 8000, NULL and 20000, by operators 1, 1, 2 and 3; axis only on 1 and 4.
	all := map[store.AggSpec]string{
		count:                   "4",
		sumOf("budget"):         "43000.50",
		avgOf("budget"):         "14333.5", // over the 3 budgets that are set
		minOf("budget"):         "8000",
		maxOf("budget"):         "20000",
		distinct("operator"):    "3", // a to-one relation: distinct operator_id
		distinct("axis"):        "1", // NULL is not a value
		distinct("budget"):      "3",
		distinct("territory"):   "2",
		distinct("startDate"):   "1",
		distinct("programme"):   "1",
		distinct("title"):       "4",
		distinct("description"): "0",
	}
	specs := make([]store.AggSpec, 0, len(all)+1)
	for sp := range all {
		specs = append(specs, sp)
	}
	specs = append(specs, count) // repeats are harmless
	got, err := store.Aggregate(ctx, st, "Project", store.Filter{}, specs)
	if err != nil {
		t.Fatal(err)
	}
	checkAggregates(t, "all projects", got, all)

	// A filter narrows every aggregate, a relation filter included.
	over := store.Filter{Conds: []store.Cond{{Field: "budget", Op: "gt", Value: "10000"}}}
	got, err = store.Aggregate(ctx, st, "Project", over, []store.AggSpec{count, sumOf("budget"), avgOf("budget"), minOf("budget"), distinct("operator")})
	if err != nil {
		t.Fatal(err)
	}
	checkAggregates(t, "budget > 10000", got, map[store.AggSpec]string{
		count: "2", sumOf("budget"): "35000.50", avgOf("budget"): "17500.25", minOf("budget"): "15000.50", distinct("operator"): "2",
	})
	public := store.Filter{Rels: []store.RelFilter{{Relation: "operator", Filter: store.Filter{Conds: []store.Cond{{Field: "kind", Op: "eq", Value: "public"}}}}}}
	got, err = store.Aggregate(ctx, st, "Project", public, []store.AggSpec{count, sumOf("budget"), maxOf("budget")})
	if err != nil {
		t.Fatal(err)
	}
	checkAggregates(t, "projects of public operators", got, map[store.AggSpec]string{count: "1", sumOf("budget"): "", maxOf("budget"): ""})

	// Nothing matches: a count of 0 and null sums.
	none := store.Filter{Conds: []store.Cond{{Field: "title", Op: "eq", Value: "nope"}}}
	got, err = store.Aggregate(ctx, st, "Project", none, []store.AggSpec{count, sumOf("budget"), distinct("operator")})
	if err != nil {
		t.Fatal(err)
	}
	checkAggregates(t, "no project", got, map[store.AggSpec]string{count: "0", sumOf("budget"): "", distinct("operator"): "0"})
}

func TestAggregateOfIntegersIsExactAndAveragesRoundToFourPlaces(t *testing.T) {
	st := open(t)
	communes := store.Filter{Conds: []store.Cond{{Field: "kind", Op: "eq", Value: "commune"}}}
	got, err := store.Aggregate(context.Background(), st, "Territory", communes,
		[]store.AggSpec{count, sumOf("population"), avgOf("population"), minOf("population"), maxOf("population"), distinct("parent")})
	if err != nil {
		t.Fatal(err)
	}
	// 132799 + 97979 + 120887 = 351665; / 3 = 117221.666...
	checkAggregates(t, "communes", got, map[store.AggSpec]string{
		count: "3", sumOf("population"): "351665", avgOf("population"): "117221.6667",
		minOf("population"): "97979", maxOf("population"): "132799", distinct("parent"): "1",
	})
}

func TestAggregateRelatedGivesEachParentItsOwnAggregates(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	specs := []store.AggSpec{count, sumOf("budget"), avgOf("budget"), maxOf("budget"), distinct("budget"), distinct("axis")}
	got, err := store.AggregateRelated(ctx, st, "Operator", "projects", []int64{1, 2, 3, 99}, store.Filter{}, specs)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 {
		t.Fatalf("got %d parents, want 4", len(got))
	}
	checkAggregates(t, "operator 1", got[1], map[store.AggSpec]string{
		count: "2", sumOf("budget"): "23000.50", avgOf("budget"): "11500.25", maxOf("budget"): "15000.50", distinct("budget"): "2", distinct("axis"): "1",
	})
	checkAggregates(t, "operator 2 (no budget)", got[2], map[store.AggSpec]string{
		count: "1", sumOf("budget"): "", avgOf("budget"): "", maxOf("budget"): "", distinct("budget"): "0",
	})
	checkAggregates(t, "operator 3", got[3], map[store.AggSpec]string{count: "1", sumOf("budget"): "20000", distinct("axis"): "1"})
	checkAggregates(t, "operator 99 (no rows)", got[99], map[store.AggSpec]string{
		count: "0", sumOf("budget"): "", avgOf("budget"): "", maxOf("budget"): "", distinct("budget"): "0", distinct("axis"): "0",
	})

	// With a filter, per parent; a parent given twice is counted once.
	over := store.Filter{Conds: []store.Cond{{Field: "budget", Op: "gt", Value: "10000"}}}
	got, err = store.AggregateRelated(ctx, st, "Operator", "projects", []int64{1, 2, 1}, over, []store.AggSpec{count, sumOf("budget")})
	if err != nil {
		t.Fatal(err)
	}
	checkAggregates(t, "operator 1, budget > 10000", got[1], map[store.AggSpec]string{count: "1", sumOf("budget"): "15000.50"})
	checkAggregates(t, "operator 2, budget > 10000", got[2], map[store.AggSpec]string{count: "0", sumOf("budget"): ""})
	if len(got) != 2 {
		t.Errorf("got %d parents, want 2", len(got))
	}

	// Through a link table: the operators serving each commune (Schaerbeek 2, Molenbeek 3,
	// Anderlecht 4, served by none).
	served, err := store.AggregateRelated(ctx, st, "Territory", "servedBy", []int64{2, 3, 4}, store.Filter{},
		[]store.AggSpec{count, distinct("kind"), distinct("legalForm"), distinct("seatCommune")})
	if err != nil {
		t.Fatal(err)
	}
	checkAggregates(t, "Schaerbeek", served[2], map[store.AggSpec]string{count: "3", distinct("kind"): "2", distinct("legalForm"): "2", distinct("seatCommune"): "2"})
	checkAggregates(t, "Molenbeek", served[3], map[store.AggSpec]string{count: "1", distinct("kind"): "1", distinct("legalForm"): "1"})
	checkAggregates(t, "Anderlecht", served[4], map[store.AggSpec]string{count: "0", distinct("kind"): "0"})
}

func TestAggregateRejectsFieldsItCannotAggregate(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	for _, sp := range []store.AggSpec{
		sumOf("title"),     // not numeric
		avgOf("startDate"), // not numeric
		maxOf("nope"),      // no such field
		distinct("nope"),   // no such field or relation
		distinct("themes"), // a to-many relation
		{Fn: "median", Field: "budget"},
	} {
		_, err := store.Aggregate(ctx, st, "Project", store.Filter{}, []store.AggSpec{count, sp})
		var inv *cohesion.InvalidError
		if !errors.As(err, &inv) || inv.Field != "field" {
			t.Errorf("%+v: err = %v, want an invalid field", sp, err)
		}
		_, err = store.AggregateRelated(ctx, st, "Operator", "projects", []int64{1}, store.Filter{}, []store.AggSpec{sp})
		if !errors.As(err, &inv) || inv.Field != "field" {
			t.Errorf("related %+v: err = %v, want an invalid field", sp, err)
		}
	}
	if _, err := store.AggregateRelated(ctx, st, "Project", "operator", []int64{1}, store.Filter{}, []store.AggSpec{count}); err == nil {
		t.Error("a to-one relation has no aggregates, want an error")
	}
}

// Every value of the schema's XCountableField and XNumericField enums names something the
// store can aggregate, so that no valid GraphQL request fails in the store.
func TestAggregateAcceptsEverySchemaFieldEnum(t *testing.T) {
	st := open(t)
	s, err := schema.Parse()
	if err != nil {
		t.Fatal(err)
	}
	specs := map[string][]store.AggSpec{}
	for name, def := range s.Types {
		if def.Kind != ast.Enum {
			continue
		}
		for suffix, fns := range map[string][]string{"CountableField": {"countDistinct"}, "NumericField": {"sum", "avg", "min", "max"}} {
			entity, ok := strings.CutSuffix(name, suffix)
			if !ok {
				continue
			}
			for _, v := range def.EnumValues {
				for _, fn := range fns {
					specs[entity] = append(specs[entity], store.AggSpec{Fn: fn, Field: catalog.EnumToField(v.Name)})
				}
			}
		}
	}
	if len(specs) < 20 || len(specs["Project"]) != 11+4 {
		t.Fatalf("found enums for %d entities, %d Project specs: the schema changed?", len(specs), len(specs["Project"]))
	}
	for entity, sp := range specs {
		if _, err := store.Aggregate(context.Background(), st, entity, store.Filter{}, sp); err != nil {
			t.Errorf("%s: %v", entity, err)
		}
	}
}
