package server_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/cohesio/cohesio/internal/server"
)

// aggregate is the JSON of an XAggregate; decimals arrive as strings, null as nil.
type aggregate struct {
	Count         int     `json:"count"`
	CountDistinct int     `json:"countDistinct"`
	Sum           *string `json:"sum"`
	Avg           *string `json:"avg"`
	Min           *string `json:"min"`
	Max           *string `json:"max"`
}

func str(p *string) string {
	if p == nil {
		return "null"
	}
	return *p
}

// onBothPaths runs check against an API served by the resolvers only, then by the planner,
// with the statements each path must take.
func onBothPaths(t *testing.T, resolvers, planned int64, check func(t *testing.T, a *api, statements int64)) {
	for _, path := range []struct {
		name       string
		resolvers  bool
		statements int64
	}{{"resolvers", true, resolvers}, {"planned", false, planned}} {
		t.Run(path.name, func(t *testing.T) {
			check(t, newAPI(t, func(c *server.Config) { c.DisablePlanner = path.resolvers }), path.statements)
		})
	}
}

func TestRootAggregatesCoverTheFilterNotThePage(t *testing.T) {
	// The resolvers take one statement for all the aggregates of a connection, aliases
	// included; the planner one per root field.
	onBothPaths(t, 4, 2, rootAggregates)
}

func rootAggregates(t *testing.T, a *api, want int64) {
	var data struct {
		All struct {
			Nodes     []struct{ Title string } `json:"nodes"`
			Aggregate aggregate                `json:"aggregate"`
		} `json:"all"`
		Over struct {
			Aggregate struct {
				aggregate
				Top       *string `json:"top"`
				Operators int     `json:"operators"`
			} `json:"aggregate"`
		} `json:"over"`
	}
	before := a.statements.n.Load()
	a.query(`query($f: ProjectNumericField!) {
		all: projects(first: 1) { nodes { title } aggregate { count countDistinct(field: OPERATOR) sum(field: BUDGET) avg(field: BUDGET) min(field: BUDGET) max(field: $f) } }
		over: projects(first: 1, filter: {budget: {gt: "10000"}}) { aggregate { count sum(field: BUDGET) top: max(field: BUDGET) operators: countDistinct(field: OPERATOR) } } }`,
		map[string]any{"f": "BUDGET"}, &data)
	statements := a.statements.n.Load() - before

	all := data.All.Aggregate
	if len(data.All.Nodes) != 1 {
		t.Errorf("page of %d nodes, want 1", len(data.All.Nodes))
	}
	if all.Count != 4 || all.CountDistinct != 3 || str(all.Sum) != "43000.5" || str(all.Avg) != "14333.5" || str(all.Min) != "8000" || str(all.Max) != "20000" {
		t.Errorf("all projects: %+v sum %s avg %s min %s max %s; want 4, 3 operators, 43000.5, 14333.5, 8000, 20000",
			all, str(all.Sum), str(all.Avg), str(all.Min), str(all.Max))
	}
	over := data.Over.Aggregate
	if over.Count != 2 || str(over.Sum) != "35000.5" || str(over.Top) != "20000" || over.Operators != 2 {
		t.Errorf("budget > 10000: count %d sum %s max %s operators %d; want 2, 35000.5, 20000, 2", over.Count, str(over.Sum), str(over.Top), over.Operators)
	}
	if statements != want {
		t.Errorf("%d statements, want %d", statements, want)
	}
}

func TestNestedAggregatesPerParent(t *testing.T) {
	a := newAPI(t)
	var one struct {
		Commune struct {
			ServedBy struct {
				Aggregate aggregate `json:"aggregate"`
			} `json:"servedBy"`
		} `json:"commune"`
		Programme struct {
			Projects struct {
				Nodes     []struct{ Title string } `json:"nodes"`
				Aggregate aggregate                `json:"aggregate"`
			} `json:"projects"`
		} `json:"programme"`
	}
	a.query(`{ commune(nisCode: "21015") { servedBy(first: 1) { aggregate { count countDistinct(field: KIND) } } }
		programme(code: "cs-2024") { projects(first: 1, filter: {budget: {gt: "10000"}}) { nodes { title } aggregate { count sum(field: BUDGET) avg(field: BUDGET) } } } }`, nil, &one)
	if got := one.Commune.ServedBy.Aggregate; got.Count != 3 || got.CountDistinct != 2 {
		t.Errorf("Schaerbeek served by %+v, want 3 operators of 2 kinds", got)
	}
	if got := one.Programme.Projects; len(got.Nodes) != 1 || got.Aggregate.Count != 2 || str(got.Aggregate.Sum) != "35000.5" || str(got.Aggregate.Avg) != "17500.25" {
		t.Errorf("programme projects over 10000: %d nodes, %+v sum %s avg %s; want 1 node, count 2, 35000.5, 17500.25",
			len(got.Nodes), got.Aggregate, str(got.Aggregate.Sum), str(got.Aggregate.Avg))
	}

	// Several parents, each with its own aggregates, a parent without rows included.
	var many struct {
		Territories struct {
			Nodes []struct {
				Code     string
				ServedBy struct {
					Aggregate aggregate `json:"aggregate"`
				} `json:"servedBy"`
				Projects struct {
					Aggregate aggregate `json:"aggregate"`
				} `json:"projects"`
			} `json:"nodes"`
		} `json:"territories"`
	}
	a.query(`{ territories(filter: {kind: {eq: COMMUNE}}, orderBy: [{field: CODE}]) { nodes { code
		servedBy(filter: {kind: {eq: ASSOCIATIVE}}) { aggregate { count } }
		projects { aggregate { count sum(field: BUDGET) max(field: BUDGET) } } } } }`, nil, &many)
	var got []string
	for _, n := range many.Territories.Nodes {
		p := n.Projects.Aggregate
		got = append(got, strings.Join([]string{n.Code, strconv.Itoa(n.ServedBy.Aggregate.Count), strconv.Itoa(p.Count), str(p.Sum), str(p.Max)}, " "))
	}
	want := []string{"21001 0 0 null null", "21012 1 1 20000 20000", "21015 2 3 23000.5 15000.5"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("per commune (code, associative operators, projects, sum, max):\n got %q\nwant %q", got, want)
	}
}

// Aggregates follow the rule of every nested field: one statement per level for all the
// parents, whatever the page sizes.
func TestNestedAggregateStatementsDoNotGrowWithPageSize(t *testing.T) {
	// The resolvers take a page and an aggregate per level, for 3 levels; the planner one
	// statement.
	onBothPaths(t, 6, 1, nestedAggregateStatements)
}

func nestedAggregateStatements(t *testing.T, a *api, want int64) {
	const q = `query($n: Int) { territories(first: $n, filter: {kind: {eq: COMMUNE}}) { aggregate { count } nodes { name
		servedBy(first: $n) { aggregate { count countDistinct(field: LEGAL_FORM) } nodes { name
			projects(first: $n) { aggregate { count s: sum(field: BUDGET) m: max(field: BUDGET) } nodes { title } } } } } } }`
	count := func(n int) (int64, int) {
		before := a.statements.n.Load()
		var data struct {
			Territories struct {
				Aggregate aggregate `json:"aggregate"`
				Nodes     []struct {
					ServedBy struct {
						Nodes []any `json:"nodes"`
					} `json:"servedBy"`
				} `json:"nodes"`
			} `json:"territories"`
		}
		a.query(q, map[string]any{"n": n}, &data)
		if data.Territories.Aggregate.Count != 3 {
			t.Errorf("pages of %d: %d communes counted, want 3", n, data.Territories.Aggregate.Count)
		}
		rows := 0
		for _, c := range data.Territories.Nodes {
			rows += len(c.ServedBy.Nodes)
		}
		return a.statements.n.Load() - before, rows
	}
	small, smallRows := count(1)
	large, largeRows := count(50)
	t.Logf("statements: %d for pages of 1 (%d operators), %d for pages of 50 (%d operators)", small, smallRows, large, largeRows)
	if largeRows <= smallRows {
		t.Fatalf("pages of 50 gave %d operators, pages of 1 %d: the test shows nothing", largeRows, smallRows)
	}
	if large != small {
		t.Errorf("pages of 50 took %d statements, pages of 1 took %d: the count must not depend on page size", large, small)
	}
	if large != want {
		t.Errorf("%d statements, want %d", large, want)
	}
}

func TestInvalidAggregateRequestsFailBeforeAnyStatement(t *testing.T) {
	a := newAPI(t)
	tests := []struct {
		name, query, mention string
		vars                 map[string]any
	}{
		{"a text field cannot be summed", `{ projects { aggregate { sum(field: TITLE) } } }`, "TITLE", nil},
		{"a field of another entity", `{ operators { aggregate { countDistinct(field: BUDGET) } } }`, "BUDGET", nil},
		{"the field is required", `{ projects { aggregate { max } } }`, "field", nil},
		{"entities without numbers have no sum", `{ operators { aggregate { sum(field: NAME) } } }`, "sum", nil},
		{"a bad variable", `query($f: ProjectNumericField!) { projects { aggregate { avg(field: $f) } } }`, "BUDGETS", map[string]any{"f": "BUDGETS"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := a.statements.n.Load()
			resp := a.raw(tt.query, tt.vars)
			if len(resp.Errors) == 0 || !strings.Contains(resp.Errors[0].Message, tt.mention) {
				t.Fatalf("errors = %+v, want one mentioning %q", resp.Errors, tt.mention)
			}
			if string(resp.Data) != "" && string(resp.Data) != "null" {
				t.Errorf("data = %s, want none", resp.Data)
			}
			if n := a.statements.n.Load() - before; n != 0 {
				t.Errorf("%d statements ran for an invalid request", n)
			}
		})
	}
}
