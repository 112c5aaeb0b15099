package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/cohesio/cohesio/internal/pgtest"
	"github.com/cohesio/cohesio/internal/server"
	"github.com/cohesio/cohesio/internal/store"
)

// pair serves one database twice: with the planner (default) and with the resolvers only.
type pair struct {
	t                 testing.TB
	planned, resolved *httptest.Server
	statements        *statementCounter
}

func newPair(t testing.TB) *pair {
	t.Helper()
	counter := &statementCounter{}
	st, err := store.Open(context.Background(), pgtest.NewDatabase(t), store.Options{Tracer: counter})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	p := &pair{t: t, statements: counter}
	for _, disable := range []bool{false, true} {
		h, err := server.New(server.Config{Store: st, DisablePlanner: disable})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		if disable {
			p.resolved = srv
		} else {
			p.planned = srv
		}
	}
	return p
}

// post returns the body of a GraphQL request and the statements it cost.
func (p *pair) post(srv *httptest.Server, q string, vars map[string]any) ([]byte, int64) {
	p.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
	before := p.statements.n.Load()
	res, err := http.Post(srv.URL+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		p.t.Fatal(err)
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		p.t.Fatal(err)
	}
	return out, p.statements.n.Load() - before
}

// sameAnswer sends the request made for each server of p and fails unless both answer with
// the same status, content type and body; it returns the statements the planned one took.
func (p *pair) sameAnswer(t *testing.T, request func(srv *httptest.Server) *http.Request) int64 {
	t.Helper()
	send := func(srv *httptest.Server) string {
		res, err := http.DefaultClient.Do(request(srv))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return fmt.Sprintf("%d %s %s", res.StatusCode, res.Header.Get("Content-Type"), b)
	}
	before := p.statements.n.Load()
	got := send(p.planned)
	n := p.statements.n.Load() - before
	if want := send(p.resolved); got != want {
		t.Fatalf("planned: %s\nresolvers: %s", got, want)
	}
	return n
}

// plannedCases: each query with the number of statements the planner must use (-1: not
// checked, e.g. a root field left to the resolvers).
var plannedCases = []struct {
	name       string
	query      string
	vars       map[string]any
	statements int64
}{
	{"view workload", mustRead("../../bench/queries/view_commune_operators.graphql"), map[string]any{"nisCode": "21015"}, 1},
	{"lookup workload", mustRead("../../bench/queries/lookup_operator.graphql"), map[string]any{"enterpriseNumber": "0999000129"}, 1},
	{"lookup normalises the number", `{ operator(enterpriseNumber: "0999.000.129") { name } }`, nil, 1},
	{"lookup not found", `{ commune(nisCode: "99999") { name: nisCode } }`, nil, 1},
	// Operator 3 serves two communes: its projects are listed once under each.
	{"a parent repeated in a list", `{ territories { nodes { code servedBy { nodes { name projects { nodes { title } } } } } } }`, nil, 1},
	{"root connection, everything", `{ operators { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id __typename name nameNl kind languages fictitious enterpriseNumber legalForm { code label: code } seatCommune { nisCode postcodes population populationDate } } } } }`, nil, 1},
	{"nodes and edges together, totals", `{ territories(orderBy: [{field: CODE, direction: DESC}]) { __typename totalCount nodes { code servedBy(first: 1) { totalCount pageInfo { hasNextPage endCursor } nodes { name } } } edges { node { kind } cursor } } }`, nil, 1},
	{"forward pages", `{ operators(first: 2, orderBy: {field: NAME}) { pageInfo { hasNextPage hasPreviousPage startCursor endCursor } nodes { name } } }`, nil, 1},
	{"backward pages", `{ operators(last: 2, orderBy: [{field: NAME}]) { pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { name } } } }`, nil, 1},
	{"pages under a backward page", `{ operators(last: 3, orderBy: [{field: NAME}]) { nodes { name projects(first: 1) { pageInfo { hasNextPage } nodes { title } } } } }`, nil, 1},
	{"connections under to-one objects", `{ projects(first: 3) { nodes { title programme { code projects(first: 2, orderBy: [{field: TITLE, direction: DESC}]) { totalCount pageInfo { hasNextPage endCursor } nodes { title operator { name projects(last: 1) { nodes { title } } } } } } operator { name territories { nodes { code } } projects { totalCount } } } } }`, nil, 1},
	{"a connection under a missing to-one object", `{ operators { nodes { name seatCommune { nisCode servedBy { totalCount nodes { name } } } } } }`, nil, 1},
	{"decimal and date filters", `{ projects(filter: {budget: {gte: "15000.50", lt: 100000}, startDate: {gte: "2024-01-01", isNull: false}}) { totalCount nodes { title budget startDate } } }`, nil, 1},
	{"decimal and date filters from variables", `query($b: Decimal!, $d: Date, $ds: [Date!]) { projects(filter: {or: [{budget: {in: [$b, "20000"]}}, {startDate: {in: $ds}}], endDate: {lte: $d}}) { nodes { title budget } } }`, map[string]any{"b": 15000.5, "d": "2030-12-31", "ds": []string{"2024-01-01"}}, 1},
	{"names in a language", `query($l: Lang) { territories { nodes { fr: name nl: name(lang: NL) v: name(lang: $l) code servedBy { nodes { name } } } } programmes { nodes { name(lang: NL) } } }`, map[string]any{"l": "NL"}, 2},
	{"aggregates", `{ projects(first: 1, filter: {budget: {gt: "1"}}) { aggregate { __typename count c: count countDistinct(field: OPERATOR) sum(field: BUDGET) avg(field: BUDGET) min(field: BUDGET) max(field: BUDGET) } nodes { title } } }`, nil, 1},
	{"aggregates per parent, empty groups included", `{ territories { nodes { code servedBy(filter: {kind: {eq: ASSOCIATIVE}}) { aggregate { count legal: countDistinct(field: LEGAL_FORM) } nodes { name projects { aggregate { count sum(field: BUDGET) max(field: BUDGET) } } territories { totalCount } } } } } }`, nil, 1},
	{"aggregates under a to-one object", `{ projects { nodes { programme { projects { aggregate { count avg(field: BUDGET) } } } } } }`, nil, 1},
	{"every root field skipped", `query($no: Boolean!) { operators @include(if: $no) { nodes { name } } }`, map[string]any{"no": false}, 0},
	{"empty page", `{ operators(filter: {name: {eq: "nobody"}}) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } nodes { name } } }`, nil, 1},
	{"filters", `{ operators(filter: {or: [{kind: {eq: PUBLIC}}, {name: {startsWith: "lire"}}], not: {languages: {containsAny: ["de"]}}, legalForm: {code: {in: ["asbl", "cpas"]}}, projects: {title: {contains: "e"}}}) { totalCount nodes { name kind } } }`, nil, 1},
	{"nested filter and order", `{ commune(nisCode: "21015") { servedBy(filter: {kind: {neq: PUBLIC}}, orderBy: [{field: NAME, direction: DESC}]) { totalCount nodes { name projects(last: 1) { pageInfo { hasPreviousPage hasNextPage startCursor } nodes { title budget startDate } } } } } }`, nil, 1},
	{"sibling connections", `{ operators { nodes { name projects { totalCount nodes { title themes { nodes { code } } } } territories(orderBy: [{field: CODE}]) { nodes { code } } partnerProjects { totalCount } } } }`, nil, 1},
	{"aliases, fragments, typename", `query { a: operators(first: 1) { ...C } b: operators(first: 1, after: "WzFd") { ...C } } fragment C on OperatorConnection { nodes { ... on Operator { n: name } ...O __typename } } fragment O on Operator { id kind n: name }`, nil, 2},
	{"include and skip", `query($yes: Boolean!, $no: Boolean!) { operators { nodes { name @include(if: $yes) kind @include(if: $no) id @skip(if: $yes) legalForm @skip(if: $no) { code } } } }`, map[string]any{"yes": true, "no": false}, 1},
	{"node", `query($id: ID!) { node(id: $id) { __typename id ... on Operator { name projects { nodes { title } } } ... on Territory { code } } }`, map[string]any{"id": gid("Operator", 1)}, 1},
	{"node not found", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": gid("Operator", 999)}, 1},
	{"planned and resolver fields mixed", `{ operators(first: 2) { nodes { name } } territories { nodes { name(lang: NL) } } }`, nil, -1},
	{"variables for page arguments", `query($n: Int, $c: String) { operators(first: $n, after: $c) { edges { cursor node { name } } } }`, map[string]any{"n": 1, "c": "WzFd"}, 1},
	{"a bad cursor errs as the resolvers do", `{ operators(after: "bad") { nodes { name } } }`, nil, -1},
	{"first: 0", `{ operators(first: 0) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } nodes { name } } }`, nil, 1},
	{"last: 0, nested", `{ operators(last: 0) { pageInfo { hasPreviousPage } nodes { name } } territories { nodes { servedBy(first: 0) { totalCount pageInfo { hasNextPage } edges { cursor } } } } }`, nil, 2},
}

func mustRead(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func TestPlannedResponsesAreIdentical(t *testing.T) {
	p := newPair(t)
	for _, c := range plannedCases {
		t.Run(c.name, func(t *testing.T) {
			want, _ := p.post(p.resolved, c.query, c.vars)
			got, n := p.post(p.planned, c.query, c.vars)
			if !bytes.Equal(got, want) {
				t.Fatalf("planned response differs\n got: %s\nwant: %s", got, want)
			}
			if c.statements >= 0 && n != c.statements {
				t.Errorf("planned request cost %d statements, want %d", n, c.statements)
			}
			if strings.Contains(string(want), `"errors"`) && c.statements >= 0 {
				t.Errorf("unexpected errors: %s", want)
			}
		})
	}
}

// A query the planner answers whole skips gqlgen's executor and transport (plannedPOST); its
// response must still carry the headers gqlgen would give it, whatever the client accepts, and
// a request it does not answer must reach gqlgen intact.
func TestPlannedTransportAnswersAsGqlgen(t *testing.T) {
	p := newPair(t)
	requests := []struct{ name, body string }{
		{"planned", `{"query":"{ operators(first: 2) { nodes { name } } }"}`},
		{"invalid", `{"query":"{ operators { nodes { nope } } }"}`},
		{"bad variables", `{"query":"query($n: Int) { operators(first: $n) { nodes { name } } }","variables":{"n":"two"}}`},
		{"not JSON", `{"query":`},
		{"mutation", `{"query":"mutation { revokeApiToken(id: \"1\") }"}`},
	}
	for _, r := range requests {
		for _, accept := range []string{"", "application/json", "application/graphql-response+json", "*/*", "text/html", "application/graphql-response+json;q=0.9, application/json"} {
			t.Run(r.name+" "+accept, func(t *testing.T) {
				n := p.sameAnswer(t, func(srv *httptest.Server) *http.Request {
					req, _ := http.NewRequest(http.MethodPost, srv.URL+"/graphql", strings.NewReader(r.body))
					req.Header.Set("Content-Type", "application/json")
					if accept != "" {
						req.Header.Set("Accept", accept)
					}
					return req
				})
				if r.name == "planned" && n != 1 {
					t.Errorf("planned request cost %d statements, want 1", n)
				}
			})
		}
	}
}

// Compiled plans are kept by request (planned.compile): a request sent again, or with other
// variables, or another field of the same document, must not get another's plan.
func TestPlannedRequestsRepeatedGetTheirOwnPlans(t *testing.T) {
	p := newPair(t)
	q := `query($nis: String!, $n: Int) { commune(nisCode: $nis) { nisCode servedBy(first: $n) { nodes { name } } } a: operators(first: 1) { nodes { name } } b: operators(first: 2) { nodes { name } } }`
	for _, vars := range []map[string]any{
		{"nis": "21015", "n": 1}, {"nis": "21015", "n": 1}, {"nis": "21012", "n": 1}, {"nis": "21015", "n": 2}, {"nis": "21015", "n": 1},
	} {
		want, _ := p.post(p.resolved, q, vars)
		got, n := p.post(p.planned, q, vars)
		if !bytes.Equal(got, want) {
			t.Fatalf("variables %v: planned response differs\n got: %s\nwant: %s", vars, got, want)
		}
		if n != 3 {
			t.Errorf("variables %v: %d statements, want 3 (one per root field)", vars, n)
		}
	}
}

// Queries sent by GET take the same shortcut (plannedGET), with the same answers as gqlgen's.
func TestPlannedGETAnswersAsGqlgen(t *testing.T) {
	p := newPair(t)
	apq := `{"persistedQuery":{"version":1,"sha256Hash":"0000000000000000000000000000000000000000000000000000000000000000"}}`
	for _, c := range []struct {
		name  string
		query url.Values
		plan  bool
	}{
		{"planned", url.Values{"query": {`{ operators(first: 2) { nodes { name } } }`}}, true},
		{"variables", url.Values{"query": {`query($n: Int) { operators(first: $n) { nodes { name } } }`}, "variables": {`{"n": 1}`}}, true},
		{"operation name", url.Values{"query": {`query A { operators(first: 1) { nodes { name } } } query B { territories { nodes { code } } }`}, "operationName": {"B"}}, true},
		{"invalid", url.Values{"query": {`{ operators { nodes { nope } } }`}}, false},
		{"bad variables JSON", url.Values{"query": {`query($n: Int) { operators(first: $n) { nodes { name } } }`}, "variables": {`{"n":`}}, false},
		{"unknown persisted query", url.Values{"extensions": {apq}}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			n := p.sameAnswer(t, func(srv *httptest.Server) *http.Request {
				req, _ := http.NewRequest(http.MethodGet, srv.URL+"/graphql?"+c.query.Encode(), nil)
				return req
			})
			if c.plan && n != 1 {
				t.Errorf("planned request cost %d statements, want 1", n)
			}
		})
	}
}

// A cached plan serves concurrent requests (under -race in CI: nothing of it may change once
// compiled), each with the resolvers' answer.
func TestPlannedRequestsShareTheirPlanConcurrently(t *testing.T) {
	p := newPair(t)
	q := `query($c: String) { operators(first: 2, after: $c) { totalCount aggregate { count } pageInfo { hasNextPage endCursor } nodes { name legalForm { code } projects(last: 1) { pageInfo { hasPreviousPage } nodes { title } } } } }`
	vars := map[string]any{"c": nil}
	want, _ := p.post(p.resolved, q, vars)
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for range 8 {
		wg.Go(func() {
			for range 25 {
				if got, _ := p.post(p.planned, q, vars); !bytes.Equal(got, want) {
					errs <- string(got)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for got := range errs {
		t.Fatalf("planned response differs\n got: %s\nwant: %s", got, want)
	}
}
