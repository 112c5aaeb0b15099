package server_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/auth"
	"github.com/cohesio/cohesio/internal/cohesion"
	"github.com/cohesio/cohesio/internal/server"
	"github.com/cohesio/cohesio/internal/store"
)

// The role × resource × operation matrix, over HTTP with real API tokens. In the fixture,
// operators 1 and 2 sit in Schaerbeek (territory 2) and operator 3 in Molenbeek (territory 3);
// projects 1 and 2 are operator 1's, project 4 operator 3's.

type caller struct {
	name  string
	token string // empty: no credentials
}

type world struct {
	a       *api
	callers map[string]caller
	// Observations made for the matrix: operator 1's draft and submission, operator 3's draft.
	draft1, submitted1, draft3 int64
}

func gid(typ string, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf("%s:%d", typ, id)))
}

func newWorld(t *testing.T) *world {
	t.Helper()
	a := newAPI(t, func(c *server.Config) {
		authn, err := auth.New(context.Background(), auth.Config{}, c.Store)
		if err != nil {
			t.Fatal(err)
		}
		c.Auth = authn
	})
	w := &world{a: a, callers: map[string]caller{"public": {name: "public"}}}
	one, two, three := int64(1), int64(2), int64(3)
	for name, tok := range map[string]store.APIToken{
		"admin":            {Role: access.Admin},
		"analyst":          {Role: access.Analyst},
		"researcher":       {Role: access.Researcher},
		"operator 1":       {Role: access.Operator, OperatorID: &one},
		"operator 3":       {Role: access.Operator, OperatorID: &three},
		"coord Schaerbeek": {Role: access.Coordinator, CommuneID: &two},
		"coord Molenbeek":  {Role: access.Coordinator, CommuneID: &three},
	} {
		secret, hash, err := auth.NewToken()
		if err != nil {
			t.Fatal(err)
		}
		tok.Name, tok.TokenHash = name, hash
		if err := a.store.CreateAPIToken(context.Background(), &tok); err != nil {
			t.Fatal(err)
		}
		w.callers[name] = caller{name: name, token: secret}
	}
	owner := context.Background()
	anyone := func(int64) error { return nil }
	save := func(project, value int64) int64 {
		d := store.ObservationDraft{Indicator: "pupils", ProjectID: &project, Kind: "realised", Granularity: cohesion.GranularityYear,
			PeriodStart: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), PeriodEnd: time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC), Value: decimal.NewFromInt(value)}
		id, err := a.store.SaveObservationDraft(owner, nil, d, anyone)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	w.draft1, w.submitted1, w.draft3 = save(1, 11), save(2, 22), save(4, 33)
	if err := a.store.SubmitObservations(owner, []int64{w.submitted1}, anyone); err != nil {
		t.Fatal(err)
	}
	return w
}

// ask sends a GraphQL request as a caller; it returns the data and the error codes.
func (w *world) ask(c caller, q string, vars map[string]any) (map[string]any, []string) {
	w.a.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, w.a.srv.URL+"/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		w.a.t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		Data   map[string]any
		Errors []struct{ Extensions map[string]any }
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		w.a.t.Fatalf("%s: status %d: %v", c.name, res.StatusCode, err)
	}
	var codes []string
	for _, e := range out.Errors {
		codes = append(codes, fmt.Sprint(e.Extensions["code"]))
	}
	return out.Data, codes
}

var everyone = []string{"admin", "analyst", "coord Schaerbeek", "coord Molenbeek", "operator 1", "operator 3", "researcher", "public"}

func TestWhoSeesDraftsAndSubmissions(t *testing.T) {
	w := newWorld(t)
	// What each caller may see of the three unpublished values: 2 validated ones are public.
	sees := map[string][3]bool{ // draft 1, submitted 1, draft 3
		"admin":            {true, true, true},
		"analyst":          {false, false, false},
		"coord Schaerbeek": {false, true, false},
		"coord Molenbeek":  {false, false, false},
		"operator 1":       {true, true, false},
		"operator 3":       {false, false, true},
		"researcher":       {false, false, false},
		"public":           {false, false, false},
	}
	ids := []int64{w.draft1, w.submitted1, w.draft3}
	for _, name := range everyone {
		c, want := w.callers[name], sees[name]
		n := 2
		for i, id := range ids {
			if want[i] {
				n++
			}
			// node(id:) of an object the caller may not see is null, as if it did not exist.
			data, codes := w.ask(c, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": gid("Observation", id)})
			if got := data["node"] != nil; got != want[i] || len(codes) > 0 {
				t.Errorf("%s: node(%d) visible %v, want %v (errors %v)", name, id, got, want[i], codes)
			}
		}
		// Lists, filters and aggregates count only what the caller may see, however asked.
		data, codes := w.ask(c, `{
			all: observations { totalCount }
			unpublished: observations(filter: {status: {in: [DRAFT, SUBMITTED]}}) { totalCount aggregate { count sum(field: VALUE) } }
			project1: projects(filter: {id: {eq: "`+gid("Project", 1)+`"}}) { nodes { observations { totalCount } } }
			report(measures: [{kind: OBSERVATION_COUNT}], filter: {status: [DRAFT, SUBMITTED]}) { rows { values { value } } } }`, nil)
		if len(codes) > 0 {
			t.Fatalf("%s: %v", name, codes)
		}
		total := int(data["all"].(map[string]any)["totalCount"].(float64))
		unpub := data["unpublished"].(map[string]any)
		agg := unpub["aggregate"].(map[string]any)
		if total != n || int(unpub["totalCount"].(float64)) != n-2 || int(agg["count"].(float64)) != n-2 {
			t.Errorf("%s: sees %d observations (%d unpublished, aggregate %v), want %d", name, total, int(unpub["totalCount"].(float64)), agg["count"], n)
		}
		reported := 0
		if rows := data["report"].(map[string]any)["rows"].([]any); len(rows) > 0 {
			if v := rows[0].(map[string]any)["values"].([]any)[0].(map[string]any)["value"]; v != nil {
				fmt.Sscan(v.(string), &reported)
			}
		}
		if reported != n-2 {
			t.Errorf("%s: a report counts %d unpublished values, want %d", name, reported, n-2)
		}
	}
}

func TestWhoMayChangeWhat(t *testing.T) {
	w := newWorld(t)
	create := `mutation($p: ID!) { createObservationDraft(input: {indicator: "pupils", project: $p, periodStart: "2026-01-01",
		periodEnd: "2026-12-31", granularity: YEAR, kind: TARGET, value: "10"}) { id status } }`
	for _, name := range everyone {
		_, codes := w.ask(w.callers[name], create, map[string]any{"p": gid("Project", 1)})
		allowed := name == "admin" || name == "operator 1"
		if allowed != (len(codes) == 0) || (!allowed && codes[0] != "FORBIDDEN") {
			t.Errorf("%s drafting for operator 1's project: errors %v, allowed %v", name, codes, allowed)
		}
	}
	// Someone else's draft cannot even be found; one's own can be submitted.
	submit := `mutation($id: ID!) { submitObservations(ids: [$id]) { status } }`
	if _, codes := w.ask(w.callers["operator 3"], submit, map[string]any{"id": gid("Observation", w.draft1)}); len(codes) != 1 || codes[0] != "NOT_FOUND" {
		t.Errorf("operator 3 submitting operator 1's draft: %v, want NOT_FOUND", codes)
	}
	if data, codes := w.ask(w.callers["operator 1"], submit, map[string]any{"id": gid("Observation", w.draft1)}); len(codes) > 0 ||
		data["submitObservations"].([]any)[0].(map[string]any)["status"] != "SUBMITTED" {
		t.Errorf("operator 1 submitting its draft: %v %v", data, codes)
	}
	review := `mutation($id: ID!) { reviewObservations(ids: [$id], decision: VALIDATE) { status } }`
	for name, want := range map[string]string{"operator 1": "FORBIDDEN", "coord Molenbeek": "NOT_FOUND", "analyst": "NOT_FOUND", "public": "NOT_FOUND"} {
		if _, codes := w.ask(w.callers[name], review, map[string]any{"id": gid("Observation", w.draft1)}); len(codes) != 1 || codes[0] != want {
			t.Errorf("%s reviewing a Schaerbeek submission: %v, want %s", name, codes, want)
		}
	}
	if data, codes := w.ask(w.callers["coord Schaerbeek"], review, map[string]any{"id": gid("Observation", w.draft1)}); len(codes) > 0 ||
		data["reviewObservations"].([]any)[0].(map[string]any)["status"] != "VALIDATED" {
		t.Errorf("Schaerbeek's coordinator validating: %v %v", data, codes)
	}
	// Tokens are for administrators to give.
	token := `mutation { createApiToken(name: "x", role: RESEARCHER) { secret } }`
	for _, name := range everyone {
		_, codes := w.ask(w.callers[name], token, nil)
		if (name == "admin") != (len(codes) == 0) {
			t.Errorf("%s creating a token: %v", name, codes)
		}
	}
}

func TestCredentialsThatDoNotHoldAreRefused(t *testing.T) {
	w := newWorld(t)
	data, codes := w.ask(w.callers["admin"], `mutation { createApiToken(name: "temp", role: ANALYST) { secret token { id } } }`, nil)
	if len(codes) > 0 {
		t.Fatal(codes)
	}
	created := data["createApiToken"].(map[string]any)
	temp := caller{name: "temp", token: created["secret"].(string)}
	if _, codes := w.ask(temp, `{ observations { totalCount } }`, nil); len(codes) > 0 {
		t.Fatalf("a new token works: %v", codes)
	}
	id := created["token"].(map[string]any)["id"].(string)
	if _, codes := w.ask(w.callers["admin"], `mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt } }`, map[string]any{"id": id}); len(codes) > 0 {
		t.Fatal(codes)
	}
	for _, bad := range []caller{temp, {name: "made up", token: "coh_" + strings.Repeat("A", 43)}, {name: "garbage", token: "not a token"}} {
		req, _ := http.NewRequest(http.MethodPost, w.a.srv.URL+"/graphql", strings.NewReader(`{"query":"{ __typename }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+bad.token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("%s token: %d %q, want 401", bad.name, res.StatusCode, res.Header.Get("WWW-Authenticate"))
		}
	}
}

// The same request from an analyst and from the public reads two catalogs: the published
// views for the public. The planner keeps compiled plans by role too, so it cannot hand the
// public a plan made for the analyst.
func TestOneRequestFromTwoRolesReadsTwoCatalogs(t *testing.T) {
	w := newWorld(t)
	w.a.exec(smallCounts)
	const q = `{ observations(filter: {indicator: {code: {eq: "participants"}}}) { nodes { value disaggregation { code } } } }`
	for _, name := range []string{"analyst", "public", "analyst", "public"} {
		data, codes := w.ask(w.callers[name], q, nil)
		if len(codes) > 0 {
			t.Fatalf("%s: %v", name, codes)
		}
		breakdowns := 0
		for _, n := range data["observations"].(map[string]any)["nodes"].([]any) {
			if n := n.(map[string]any); n["disaggregation"] != nil && n["value"] != nil {
				breakdowns++
			}
		}
		if want := map[string]int{"analyst": 2, "public": 0}[name]; breakdowns != want {
			t.Errorf("%s sees %d breakdown values, want %d", name, breakdowns, want)
		}
	}
}
