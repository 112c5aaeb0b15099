package catalog_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/cohesio/cohesio/internal/catalog"
	"github.com/cohesio/cohesio/internal/cohesion"
)

// notChain is a filter of n nested nots around one comparison, as JSON.
func notChain(n int) string {
	return strings.Repeat(`{"not": `, n) + `{"name": {"eq": "x"}}` + strings.Repeat(`}`, n)
}

// orOf is a filter of n alternatives, each one comparison: 2n conditions.
func orOf(n int) string {
	items := make([]string, n)
	for i := range items {
		items[i] = `{"name": {"eq": "x"}}`
	}
	return `{"or": [` + strings.Join(items, ", ") + `]}`
}

func decode(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// wantInvalid fails unless err is an invalid-argument error on field whose reason says want.
func wantInvalid(t *testing.T, err error, field, want string) {
	t.Helper()
	var inv *cohesion.InvalidError
	if !errors.As(err, &inv) || inv.Field != field || !strings.Contains(inv.Reason, want) {
		t.Errorf("error = %v, want an invalid %s saying %q", err, field, want)
	}
}

func TestParseFilterRefusesFiltersOverTheLimits(t *testing.T) {
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	op := cat.Entity("Operator")

	// At the limits: read.
	for name, s := range map[string]string{
		"16 levels":      notChain(catalog.MaxFilterDepth),
		"200 conditions": orOf(catalog.MaxFilterConditions / 2),
		"16 levels through relations": strings.Repeat(`{"projects": {"operator": `, catalog.MaxFilterDepth/2) +
			`{"name": {"eq": "x"}}` + strings.Repeat(`}}`, catalog.MaxFilterDepth/2),
	} {
		if _, err := catalog.ParseFilter(op, decode(t, s), "filter"); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}

	// Over: refused, naming the limit.
	_, err = catalog.ParseFilter(op, decode(t, notChain(5000)), "filter")
	wantInvalid(t, err, "filter", "nests 5000 levels deep; the limit is 16")
	_, err = catalog.ParseFilter(op, decode(t, notChain(catalog.MaxFilterDepth+1)), "filter")
	wantInvalid(t, err, "filter", "nests 17 levels deep; the limit is 16")
	viaRelations := `{"projects": ` + strings.Repeat(`{"operator": {"projects": `, catalog.MaxFilterDepth/2) +
		`{"title": {"eq": "x"}}` + strings.Repeat(`}}`, catalog.MaxFilterDepth/2) + `}`
	_, err = catalog.ParseFilter(op, decode(t, viaRelations), "filter")
	wantInvalid(t, err, "filter", "nests 17 levels deep")
	_, err = catalog.ParseFilter(op, decode(t, orOf(600)), "filter")
	wantInvalid(t, err, "filter", "has 1200 conditions (comparisons and nested filters); the limit is 200")
	_, err = catalog.ParseFilter(op, decode(t, orOf(catalog.MaxFilterConditions/2+1)), "filter")
	wantInvalid(t, err, "filter", "has 202 conditions")
	// Each operator of a comparison is a condition: 3 + 99 alternatives of 2.
	ors := strings.TrimSuffix(strings.TrimPrefix(orOf(99), `{"or": [`), `]}`)
	_, err = catalog.ParseFilter(op, decode(t, `{"name": {"eq": "x", "neq": "y", "startsWith": "z"}, "or": [`+ors+`]}`), "filter")
	wantInvalid(t, err, "filter", "has 201 conditions")
}

func TestCheckFilterJSONRefusesDeepValuesBeforeDecoding(t *testing.T) {
	if err := catalog.CheckFilterJSON([]byte(notChain(5000)), "filter"); err == nil {
		t.Fatal("a 5000-deep filter passed")
	} else {
		wantInvalid(t, err, "filter", "nests more than 16 levels deep; the limit is 16")
	}
	// The deepest JSON of a filter within the limits: and items all the way down, a list at
	// the bottom.
	deepest := strings.Repeat(`{"and": [`, catalog.MaxFilterDepth) + `{"name": {"in": ["x"]}}` + strings.Repeat(`]}`, catalog.MaxFilterDepth)
	if err := catalog.CheckFilterJSON([]byte(deepest), "filter"); err != nil {
		t.Errorf("deepest filter within the limits: %v", err)
	}
	// Brackets in strings are text.
	if err := catalog.CheckFilterJSON([]byte(`{"name": {"eq": "`+strings.Repeat(`{[\"`, 100)+`"}}`), "filter"); err != nil {
		t.Errorf("brackets in a string: %v", err)
	}
}

func TestCheckFiltersBoundsSeveralFiltersAsOne(t *testing.T) {
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	op := cat.Entity("Operator")
	half, err := catalog.ParseFilter(op, decode(t, orOf(60)), "filter") // 120 conditions
	if err != nil {
		t.Fatal(err)
	}
	if err := catalog.CheckFilters("filter", &half, nil); err != nil {
		t.Errorf("one filter of 120 conditions: %v", err)
	}
	wantInvalid(t, catalog.CheckFilters("filter", &half, nil, &half), "filter", "has 240 conditions")
	deep, err := catalog.ParseFilter(op, decode(t, notChain(catalog.MaxFilterDepth)), "filter")
	if err != nil {
		t.Fatal(err)
	}
	if err := catalog.CheckFilters("filter", &deep); err != nil {
		t.Errorf("16 levels: %v", err)
	}
	deeper := catalog.Filter{Not: &deep}
	wantInvalid(t, catalog.CheckFilters("filter", &deeper), "filter", "nests 17 levels deep")
}
