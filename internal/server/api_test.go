package server_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/cohesio/cohesio/internal/server"
)

type territoryNode struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	Population int    `json:"population"`
}

func TestCommunesWithTheirPopulation(t *testing.T) {
	a := newAPI(t)
	var data struct {
		Territories struct {
			TotalCount int             `json:"totalCount"`
			Nodes      []territoryNode `json:"nodes"`
		} `json:"territories"`
	}
	a.query(`{ territories(filter: {kind: {eq: COMMUNE}}, orderBy: [{field: CODE}]) {
		totalCount nodes { code name(lang: NL) population } } }`, nil, &data)
	got := data.Territories
	if got.TotalCount != 3 || len(got.Nodes) != 3 {
		t.Fatalf("got %+v, want the 3 communes", got)
	}
	if n := got.Nodes[2]; n.Code != "21015" || n.Name != "Schaarbeek" || n.Population != 132799 {
		t.Errorf("last commune = %+v, want Schaarbeek in Dutch with its population", n)
	}
}

func TestFiltersThroughRelationsAndText(t *testing.T) {
	a := newAPI(t)
	tests := []struct {
		name   string
		filter string
		want   []string
	}{
		{"operators serving a commune", `{territories: {nisCode: {eq: "21012"}}}`, []string{"Lire et Écrire Molenbeek"}},
		{"name without accents or case", `{name: {contains: "ecrire"}}`, []string{"Lire et Écrire Molenbeek"}},
		{"with a project about housing", `{projects: {themes: {code: {eq: "housing"}}}}`, []string{"CPAS de Schaerbeek"}},
		{"or and not", `{or: [{kind: {eq: PUBLIC}}, {name: {startsWith: "lire"}}], not: {seatCommune: {nisCode: {eq: "21012"}}}}`, []string{"CPAS de Schaerbeek"}},
		{"an empty in matches nothing", `{name: {in: []}}`, nil},
		{"projects with a budget above 10000", `{projects: {budget: {gt: "10000"}}}`, []string{"Lire et Écrire Molenbeek", "Maison des Écoles"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var data struct {
				Operators struct {
					Nodes []struct{ Name string } `json:"nodes"`
				} `json:"operators"`
			}
			a.query(fmt.Sprintf(`{ operators(filter: %s, orderBy: [{field: NAME}]) { nodes { name } } }`, tt.filter), nil, &data)
			var got []string
			for _, n := range data.Operators.Nodes {
				got = append(got, n.Name)
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

type projectPage struct {
	Projects struct {
		TotalCount int `json:"totalCount"`
		Edges      []struct {
			Cursor string
			Node   struct{ Title string }
		}
		PageInfo struct {
			HasNextPage     bool
			HasPreviousPage bool
			EndCursor       string
			StartCursor     string
		}
	}
}

func TestCursorPaginationWalksEveryRowOnce(t *testing.T) {
	a := newAPI(t)
	const q = `query($after: String, $before: String, $first: Int, $last: Int) {
		projects(first: $first, after: $after, last: $last, before: $before, orderBy: [{field: TITLE, direction: DESC}]) {
			totalCount edges { cursor node { title } } pageInfo { hasNextPage hasPreviousPage endCursor startCursor } } }`
	var titles []string
	vars := map[string]any{"first": 3}
	for {
		var p projectPage
		a.query(q, vars, &p)
		if p.Projects.TotalCount != 4 {
			t.Fatalf("totalCount = %d, want 4", p.Projects.TotalCount)
		}
		for _, e := range p.Projects.Edges {
			titles = append(titles, e.Node.Title)
		}
		if !p.Projects.PageInfo.HasNextPage {
			break
		}
		vars = map[string]any{"first": 3, "after": p.Projects.PageInfo.EndCursor}
	}
	want := "Permanence numérique|École de devoirs|Alphabétisation|Accompagnement logement"
	if strings.Join(titles, "|") != want {
		t.Fatalf("pages gave %q, want %q", titles, want)
	}

	// Backwards from the end: the last two, in the same order.
	var p projectPage
	a.query(q, map[string]any{"last": 2}, &p)
	if len(p.Projects.Edges) != 2 || p.Projects.Edges[0].Node.Title != "Alphabétisation" || !p.Projects.PageInfo.HasPreviousPage {
		t.Fatalf("last 2 = %+v", p.Projects)
	}
	var before projectPage
	a.query(q, map[string]any{"last": 5, "before": p.Projects.PageInfo.StartCursor}, &before)
	if len(before.Projects.Edges) != 2 || before.Projects.Edges[1].Node.Title != "École de devoirs" || before.Projects.PageInfo.HasPreviousPage {
		t.Fatalf("before the last 2 = %+v", before.Projects)
	}
}

// The nested example query must not issue one statement per row: its statement count is the
// same for a page of 1 and a page of 50.
func TestNestedRequestStatementsDoNotGrowWithPageSize(t *testing.T) {
	// Pages of 50 on seven levels could return far more than the default cost limit allows.
	a := newAPI(t, func(c *server.Config) { c.Limits.MaxCost = 1 << 40; c.Limits.MaxDepth = 20; c.Limits.MaxAliases = 30 })
	const q = `query($n: Int) { territories(first: $n, filter: {kind: {eq: COMMUNE}}) { nodes { name
		servedBy(first: $n) { totalCount nodes { name legalForm { code } seatCommune { name }
			projects(first: $n) { nodes { title programme { code indicators { nodes { code observations { nodes { value } } } } } themes { nodes { code } } } } } } } } }`
	count := func(n int) int64 {
		before := a.statements.n.Load()
		var data map[string]any
		a.query(q, map[string]any{"n": n}, &data)
		return a.statements.n.Load() - before
	}
	small, large := count(1), count(50)
	t.Logf("statements: %d for pages of 1, %d for pages of 50", small, large)
	if large != small {
		t.Errorf("pages of 50 took %d statements, pages of 1 took %d: the count must not depend on page size", large, small)
	}
	if large > 12 {
		t.Errorf("%d statements for a 7-level request; want one per level plus counts", large)
	}
}

func TestLookupsByNaturalKeyAndGlobalID(t *testing.T) {
	a := newAPI(t)
	var data struct {
		Operator struct {
			ID, Name string
		}
		Commune struct{ NameFr string }
		Missing *struct{ Name string }
	}
	a.query(`{ operator(enterpriseNumber: "BE 0999.000.129") { id name } commune(nisCode: "21015") { nameFr }
		missing: operator(enterpriseNumber: "0202.239.951") { name } }`, nil, &data)
	if data.Operator.Name != "Maison des Écoles" || data.Commune.NameFr != "Schaerbeek" || data.Missing != nil {
		t.Fatalf("got %+v", data)
	}
	var node struct {
		Node struct {
			Typename string `json:"__typename"`
			Name     string
		}
	}
	a.query(`query($id: ID!) { node(id: $id) { __typename ... on Operator { name } } }`, map[string]any{"id": data.Operator.ID}, &node)
	if node.Node.Typename != "Operator" || node.Node.Name != "Maison des Écoles" {
		t.Fatalf("node(id) = %+v", node.Node)
	}
}

func TestBadArgumentsGetAClearErrorNamingTheField(t *testing.T) {
	a := newAPI(t)
	tests := []struct {
		name, query, field, mention string
	}{
		{"invalid enterprise number", `{ operator(enterpriseNumber: "0416.378.811") { name } }`, "enterpriseNumber", "97"},
		{"page too large", `{ operators(first: 100000) { nodes { name } } }`, "first", "500"},
		{"foreign cursor", `{ operators(after: "bm9wZQ") { nodes { name } } }`, "after", "cursor"},
		{"id of another type", `{ node(id: "nope") { id } }`, "id", "not an id"},
		{"filter on an id of another type", `{ operators(filter: {id: {eq: "VGVycml0b3J5OjE"}}) { nodes { name } } }`, "filter.id", "Operator"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := a.raw(tt.query, nil)
			if len(resp.Errors) != 1 {
				t.Fatalf("errors = %+v, want one", resp.Errors)
			}
			e := resp.Errors[0]
			if e.Extensions["code"] != "BAD_USER_INPUT" || e.Extensions["field"] != tt.field || !strings.Contains(e.Message, tt.mention) {
				t.Errorf("error = %+v, want BAD_USER_INPUT on %s mentioning %q", e, tt.field, tt.mention)
			}
			if strings.Contains(strings.ToLower(e.Message), "select") {
				t.Errorf("SQL leaked to the client: %s", e.Message)
			}
		})
	}
}

// A failure the client cannot act on shows no internals, only a request id for the logs.
func TestInternalErrorsHideTheirCause(t *testing.T) {
	a := newAPI(t)
	a.store.Close()
	resp := a.raw(`{ operators { nodes { name } } }`, nil)
	if len(resp.Errors) != 1 {
		t.Fatalf("errors = %+v", resp.Errors)
	}
	e := resp.Errors[0]
	if e.Message != "internal error" || e.Extensions["code"] != "INTERNAL_SERVER_ERROR" || e.Extensions["requestId"] == "" {
		t.Errorf("error = %+v", e)
	}
}

// Sibling fields are resolved concurrently; batching must give every request the same answer
// and the same bounded number of statements under load.
func TestConcurrentNestedRequestsShareNothing(t *testing.T) {
	a := newAPI(t)
	const q = `{ territories(filter: {kind: {eq: COMMUNE}}, orderBy: [{field: CODE}]) { nodes { name
		servedBy(orderBy: [{field: NAME}]) { totalCount nodes { name seatCommune { name } projects(orderBy: [{field: TITLE}]) { nodes { title programme { code } } } } } } } }`
	var want map[string]any
	a.query(q, nil, &want)
	wantJSON := fmt.Sprint(want)
	before := a.statements.n.Load()
	const clients, rounds = 8, 10
	errs := make(chan string, clients*rounds)
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				var got map[string]any
				a.query(q, nil, &got)
				if fmt.Sprint(got) != wantJSON {
					errs <- fmt.Sprint(got)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatalf("a concurrent request got a different answer: %s", e)
	}
	if per := float64(a.statements.n.Load()-before) / (clients * rounds); per > 6 {
		t.Errorf("%.1f statements per request under load, want at most 6", per)
	}
}
