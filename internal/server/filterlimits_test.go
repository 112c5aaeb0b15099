package server_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/server"
)

// notChain is a filter on operators of n nested nots around one comparison, as JSON.
func notChain(n int) string {
	return strings.Repeat(`{"not": `, n) + `{"name": {"eq": "nobody"}}` + strings.Repeat(`}`, n)
}

// notLiteral is the same filter written in a GraphQL document.
func notLiteral(n int) string {
	return strings.Repeat(`{not: `, n) + `{name: {eq: "nobody"}}` + strings.Repeat(`}`, n)
}

// orChain is a filter of n alternatives of one comparison each: 2n conditions.
func orChain(n int) string {
	return `{"or": [` + strings.TrimSuffix(strings.Repeat(`{"name": {"eq": "nobody"}}, `, n), ", ") + `]}`
}

func decodeJSON(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// post sends a GraphQL request and returns the HTTP status and the decoded answer.
func (a *api) post(q string, vars map[string]any) (int, gqlResponse) {
	a.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
	res, b := do(a.t, http.MethodPost, a.srv.URL+"/graphql", "application/json", string(body))
	var out gqlResponse
	if err := json.Unmarshal(b, &out); err != nil {
		a.t.Fatalf("decode response (status %d): %v: %.200s", res.StatusCode, err, b)
	}
	return res.StatusCode, out
}

// A 5,000-deep filter made PostgreSQL run out of memory parsing the statement: a 500, an
// INTERNAL_SERVER_ERROR. Every way in now refuses a filter over the limits as the client's
// mistake, naming the limit, before any statement runs; filters at the limits still work.
func TestFiltersOverTheLimitsAreRefusedEverywhere(t *testing.T) {
	const (
		query  = `query($f: OperatorFilter) { operators(filter: $f) { nodes { name } } }`
		report = `query($f: OperatorFilter) { report(measures: [{kind: BUDGET}], filter: {operator: $f}) { rows { isTotal } } }`
	)
	for _, path := range []struct {
		name     string
		resolver bool
	}{{"planned", false}, {"resolvers", true}} {
		t.Run(path.name, func(t *testing.T) {
			a := newAPI(t, func(c *server.Config) { c.DisablePlanner = path.resolver })
			refused := func(t *testing.T, status int, resp gqlResponse, want string) {
				t.Helper()
				if len(resp.Errors) != 1 || !strings.Contains(resp.Errors[0].Message, want) {
					t.Fatalf("status %d, errors = %+v, want one saying %q", status, resp.Errors, want)
				}
				if code := resp.Errors[0].Extensions["code"]; status >= 500 || code == "INTERNAL_SERVER_ERROR" {
					t.Errorf("status %d, code %v: the client's mistake is not the server's", status, code)
				}
			}
			for _, tt := range []struct {
				name, query, want, code string
				vars                    map[string]any
			}{
				{"a variable 5000 deep", query, "filter: nests 5000 levels deep; the limit is 16", "BAD_USER_INPUT",
					map[string]any{"f": decodeJSON(t, notChain(5000))}},
				{"a variable of 1200 conditions", query, "filter: has 1200 conditions (comparisons and nested filters); the limit is 200", "BAD_USER_INPUT",
					map[string]any{"f": decodeJSON(t, orChain(600))}},
				{"a report's filter 5000 deep", report, "filter: nests 5000 levels deep; the limit is 16", "BAD_USER_INPUT",
					map[string]any{"f": decodeJSON(t, notChain(5000))}},
				// A literal 5000 deep is refused for its tokens before it is parsed; those the
				// document limits let through, the filter limits bound.
				{"a literal 5000 deep", `{ operators(filter: ` + notLiteral(5000) + `) { nodes { name } } }`,
					"the document has more than 4000 tokens; the limit is 4000", "LIMIT_EXCEEDED", nil},
				{"a literal 900 deep", `{ operators(filter: ` + notLiteral(900) + `) { nodes { name } } }`,
					"filter: nests 900 levels deep; the limit is 16", "BAD_USER_INPUT", nil},
			} {
				t.Run(tt.name, func(t *testing.T) {
					before := a.statements.n.Load()
					status, resp := a.post(tt.query, tt.vars)
					refused(t, status, resp, tt.want)
					if code := resp.Errors[0].Extensions["code"]; code != tt.code {
						t.Errorf("code = %v, want %s", code, tt.code)
					}
					if n := a.statements.n.Load() - before; n != 0 {
						t.Errorf("%d statements ran for a filter over the limits", n)
					}
				})
			}

			// A report's filters are bounded together: 100 + 100 conditions, then 100 + 101.
			const twoFilters = `query($o: OperatorFilter, $p: ProjectFilter) {
				report(measures: [{kind: BUDGET}], filter: {operator: $o, project: $p}) { rows { isTotal } } }`
			projects := strings.ReplaceAll(orChain(50), `"name"`, `"title"`)
			status, resp := a.post(twoFilters, map[string]any{"o": decodeJSON(t, orChain(50)), "p": decodeJSON(t, projects)})
			if len(resp.Errors) != 0 {
				t.Errorf("a report of 200 conditions: status %d, errors %+v", status, resp.Errors)
			}
			oneMore := `{"budget": {"gt": 0}, ` + strings.TrimPrefix(projects, "{")
			status, resp = a.post(twoFilters, map[string]any{"o": decodeJSON(t, orChain(50)), "p": decodeJSON(t, oneMore)})
			refused(t, status, resp, "filter: has 201 conditions (comparisons and nested filters); the limit is 200")

			// At the limits: answered.
			for name, f := range map[string]string{"16 levels": notChain(16), "200 conditions": orChain(100)} {
				var data struct {
					Operators struct{ Nodes []struct{ Name string } }
				}
				a.query(query, map[string]any{"f": decodeJSON(t, f)}, &data)
				if name == "200 conditions" && len(data.Operators.Nodes) != 0 {
					t.Errorf("%s: %d operators named nobody", name, len(data.Operators.Nodes))
				}
				var rep struct {
					Report struct{ Rows []struct{ IsTotal bool } }
				}
				a.query(report, map[string]any{"f": decodeJSON(t, f)}, &rep)
			}
			var data struct {
				Operators struct{ Nodes []struct{ Name string } }
			}
			a.query(`{ operators(filter: `+notLiteral(16)+`) { nodes { name } } }`, nil, &data)
		})
	}
}

// The exports read their ?filter= (a snapshot, its body's filter) as JSON: a 5,000-deep one is
// refused before it is decoded.
func TestExportFiltersOverTheLimitsAreRefused(t *testing.T) {
	a := newAPI(t, func(c *server.Config) { c.Role = access.Researcher })
	for _, tt := range []struct{ filter, want string }{
		{notChain(5000), "nests more than 16 levels deep; the limit is 16"},
		{notChain(17), "nests 17 levels deep; the limit is 16"},
		{orChain(600), "has 1200 conditions (comparisons and nested filters); the limit is 200"},
	} {
		for _, file := range []string{"operators.csv", "operators/datapackage.json"} {
			before := a.statements.n.Load()
			res, body := a.get("/datasets/" + file + "?filter=" + url.QueryEscape(tt.filter))
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), tt.want) {
				t.Errorf("%s %.30s...: %d %s, want 400 saying %q", file, tt.filter, res.StatusCode, body, tt.want)
			}
			if n := a.statements.n.Load() - before; n != 0 {
				t.Errorf("%s: %d statements ran for a filter over the limits", file, n)
			}
		}
		res, body := do(t, http.MethodPost, a.srv.URL+"/datasets/operators/snapshots", "application/json", `{"filter": `+tt.filter+`}`)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), tt.want) {
			t.Errorf("snapshot %.30s...: %d %s, want 400 saying %q", tt.filter, res.StatusCode, body, tt.want)
		}
	}
	for _, f := range []string{notChain(16), orChain(100)} {
		if res, body := a.get("/datasets/operators.csv?filter=" + url.QueryEscape(f)); res.StatusCode != http.StatusOK {
			t.Errorf("%.30s...: %d %s", f, res.StatusCode, body)
		}
	}
}
