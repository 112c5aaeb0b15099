package graph

import (
	"errors"
	"strings"
	"testing"

	"github.com/cohesio/cohesio/internal/catalog"
	"github.com/cohesio/cohesio/internal/cohesion"
)

// A filter too deep or too large is refused with an invalid-argument error naming the limit,
// the deep one before it is decoded; one at the limits is read.
func TestFilterFromJSONKeepsToTheLimits(t *testing.T) {
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	notChain := func(n int) string {
		return strings.Repeat(`{"not": `, n) + `{"name": {"eq": "x"}}` + strings.Repeat(`}`, n)
	}
	orOf := func(n int) string {
		return `{"or": [` + strings.TrimSuffix(strings.Repeat(`{"name": {"eq": "x"}}, `, n), ", ") + `]}`
	}
	for _, tt := range []struct{ json, want string }{
		{notChain(5000), "filter: nests more than 16 levels deep; the limit is 16"},
		{notChain(catalog.MaxFilterDepth + 1), "filter: nests 17 levels deep; the limit is 16"},
		{orOf(600), "filter: has 1200 conditions (comparisons and nested filters); the limit is 200"},
		{notChain(catalog.MaxFilterDepth), ""},
		{orOf(catalog.MaxFilterConditions / 2), ""},
	} {
		_, err := FilterFromJSON(cat, "Operator", []byte(tt.json))
		var inv *cohesion.InvalidError
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%.40s...: %v", tt.json, err)
		case tt.want != "" && (!errors.As(err, &inv) || err.Error() != tt.want):
			t.Errorf("%.40s...: error = %v, want %s", tt.json, err, tt.want)
		}
	}
}
