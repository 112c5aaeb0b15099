package report_test

import (
	"errors"
	"testing"

	"github.com/cohesio/cohesio/internal/catalog"
	"github.com/cohesio/cohesio/internal/cohesion"
	"github.com/cohesio/cohesio/internal/report"
)

// conditions is a filter of n comparisons.
func conditions(n int) *catalog.Filter {
	f := &catalog.Filter{}
	for range n {
		f.Conds = append(f.Conds, catalog.Cond{Field: "name", Op: "eq", Value: "x"})
	}
	return f
}

// The entity filters of a report compile into one statement: together they keep to the limits
// of one filter, and each to its depth.
func TestValidateBoundsTheReportFiltersAsOne(t *testing.T) {
	request := func(f report.Filter) *report.Request {
		return &report.Request{Limit: 10, Measures: []report.Measure{{Kind: report.Budget}}, Filter: f}
	}
	if err := request(report.Filter{Operator: conditions(100), Project: conditions(100)}).Validate(nil); err != nil {
		t.Errorf("200 conditions in two filters: %v", err)
	}
	deep := &catalog.Filter{}
	for range 5000 {
		deep = &catalog.Filter{Not: deep}
	}
	for _, tt := range []struct {
		filter report.Filter
		want   string
	}{
		{report.Filter{Operator: conditions(100), Project: conditions(101)}, "filter: has 201 conditions (comparisons and nested filters); the limit is 200"},
		{report.Filter{Territory: deep}, "filter: nests 5000 levels deep; the limit is 16"},
	} {
		err := request(tt.filter).Validate(nil)
		var inv *cohesion.InvalidError
		if !errors.As(err, &inv) || err.Error() != tt.want {
			t.Errorf("error = %v, want %s", err, tt.want)
		}
	}
}
