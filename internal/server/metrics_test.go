package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/cohesio/cohesio/internal/pgtest"
	"github.com/cohesio/cohesio/internal/server"
	"github.com/cohesio/cohesio/internal/store"
)

// metered serves a fresh copy of the fixture database with cfg.
func metered(t *testing.T, cfg server.Config) *httptest.Server {
	t.Helper()
	st, err := store.Open(context.Background(), pgtest.NewDatabase(t), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cfg.Store = st
	h, err := server.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// scrape returns the samples of url's /metrics, by series ("name{label="value",…}", labels
// sorted by name as the exposition format writes them).
func scrape(t *testing.T, url string) map[string]float64 {
	t.Helper()
	res, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %d", res.StatusCode)
	}
	samples := map[string]float64{}
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		samples[line[:i]] = v
	}
	return samples
}

func gql(query string) string {
	b, _ := json.Marshal(map[string]string{"query": query})
	return string(b)
}

func expectSamples(t *testing.T, got map[string]float64, want map[string]float64) {
	t.Helper()
	for series, v := range want {
		if got[series] != v {
			t.Errorf("%s = %v, want %v", series, got[series], v)
		}
	}
}

// TestOperationMetrics: each operation is counted by name (bounded), type, path and outcome,
// and the planner's cache by hits and misses.
func TestOperationMetrics(t *testing.T) {
	srv := metered(t, server.Config{Limits: server.Limits{MaxDepth: 4, MaxAliases: 30, MaxCost: 1_000_000}})
	communes, err := os.ReadFile("../view/views/communes.graphql")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`query Ops { operators(first: 2) { nodes { name } } }`, // planned, compiled
		`query Ops { operators(first: 2) { nodes { name } } }`, // planned, from the cache
		string(communes), // a view: trusted, its name is kept
		`query Mixed { operators(first: 2) { nodes { name } } datasets { name } }`,
		`query Deep { operators { nodes { projects { nodes { operator { projects { nodes { title } } } } } } } }`,
		`query Bad { operators { nodes { nope } } }`,
		`{ operators(first: 1) { totalCount } }`,
		`{ operators(after: "bad") { nodes { name } } }`, // the planner leaves the error to the resolvers
	} {
		postGraphQL(t, srv.URL, gql(q), nil)
	}
	got := scrape(t, srv.URL)
	expectSamples(t, got, map[string]float64{
		`cohesio_graphql_operations_total{operation="other",outcome="ok",path="planned",type="query"}`:          2,
		`cohesio_graphql_operations_total{operation="communes",outcome="ok",path="planned",type="query"}`:       1,
		`cohesio_graphql_operations_total{operation="other",outcome="ok",path="mixed",type="query"}`:            1,
		`cohesio_graphql_operations_total{operation="other",outcome="LIMIT_EXCEEDED",path="none",type="query"}`: 1,
		// A document that does not validate names no operation the server can trust.
		`cohesio_graphql_operations_total{operation="unknown",outcome="GRAPHQL_VALIDATION_FAILED",path="none",type="unknown"}`: 1,
		`cohesio_graphql_operations_total{operation="anonymous",outcome="ok",path="planned",type="query"}`:                     1,
		`cohesio_graphql_operations_total{operation="anonymous",outcome="BAD_USER_INPUT",path="resolved",type="query"}`:        1,
		`cohesio_graphql_operation_duration_seconds_count{path="planned",type="query"}`:                                        4,
		`cohesio_graphql_operation_duration_seconds_count{path="none",type="query"}`:                                           1,
		// Misses: Ops, communes, Mixed's two root fields (by the transport, then datasets again
		// in the executor, whose failure was kept), the anonymous count, the bad cursor. Hits:
		// Ops again, Mixed's operators and datasets in the executor, the bad cursor there.
		`cohesio_graphql_plan_cache_lookups_total{result="miss"}`: 6,
		`cohesio_graphql_plan_cache_lookups_total{result="hit"}`:  4,
		// Under application/json, request errors are answered 200 (GraphQL over HTTP): the
		// document over the depth limit and the invalid one are counted by their outcome
		// above, not as HTTP refusals.
		`cohesio_http_requests_rejected_total{handler="graphql",reason="LIMIT_EXCEEDED"}`:            0,
		`cohesio_http_requests_rejected_total{handler="graphql",reason="GRAPHQL_VALIDATION_FAILED"}`: 0,
	})
	if t.Failed() {
		for k, v := range got {
			if strings.HasPrefix(k, "cohesio_graphql") {
				t.Log(k, v)
			}
		}
	}
}

// TestResolvedMetrics: with the planner off, every operation is resolved and the planner's
// cache is never asked.
func TestResolvedMetrics(t *testing.T) {
	srv := metered(t, server.Config{DisablePlanner: true})
	postGraphQL(t, srv.URL, gql(`query Ops { operators(first: 2) { nodes { name } } }`), nil)
	got := scrape(t, srv.URL)
	expectSamples(t, got, map[string]float64{
		`cohesio_graphql_operations_total{operation="other",outcome="ok",path="resolved",type="query"}`: 1,
		`cohesio_graphql_operations_total{operation="other",outcome="ok",path="planned",type="query"}`:  0,
	})
	if n := got[`cohesio_graphql_plan_cache_lookups_total{result="miss"}`]; n != 0 {
		t.Errorf("plan cache looked up %v times with the planner off", n)
	}
}

// TestRejectionMetrics: refusals before the executor are counted by reason, rate limits by
// caller too.
func TestRejectionMetrics(t *testing.T) {
	srv := metered(t, server.Config{MaxBodyBytes: 200, RateLimit: 0.001, RateBurst: 4})
	ok := gql(`{ operators(first: 1) { totalCount } }`)
	for _, body := range []string{
		gql(`{ operators(first: 1) { totalCount } }` + strings.Repeat(" ", 300)), // 413
		`[` + ok + `]`, // a batch: 400
		ok,
	} {
		postGraphQL(t, srv.URL, body, nil)
	}
	res, err := http.Post(srv.URL+"/graphql", "text/plain", strings.NewReader(ok)) // 415
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	// The four requests spent the burst of 4: the next two are refused.
	for range 2 {
		if res := postGraphQL(t, srv.URL, ok, nil); res.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("status %d, want 429", res.StatusCode)
		}
	}
	got := scrape(t, srv.URL)
	expectSamples(t, got, map[string]float64{
		`cohesio_http_requests_rejected_total{handler="graphql",reason="BODY_TOO_LARGE"}`:                  1,
		`cohesio_http_requests_rejected_total{handler="graphql",reason="BAD_REQUEST"}`:                     1,
		`cohesio_http_requests_rejected_total{handler="graphql",reason="UNSUPPORTED_MEDIA_TYPE"}`:          1,
		`cohesio_http_requests_rejected_total{handler="graphql",reason="RATE_LIMITED"}`:                    2,
		`cohesio_rate_limited_requests_total{caller="ip"}`:                                                 2,
		`cohesio_graphql_operations_total{operation="anonymous",outcome="ok",path="planned",type="query"}`: 1,
	})
}

// TestPoolMetrics: the connection pools are read at each scrape.
func TestPoolMetrics(t *testing.T) {
	srv := metered(t, server.Config{})
	before := scrape(t, srv.URL)
	postGraphQL(t, srv.URL, gql(`{ operators(first: 1) { totalCount } }`), nil)
	after := scrape(t, srv.URL)
	for _, pool := range []string{"request", "owner"} {
		if v := after[`cohesio_db_pool_max_connections{pool="`+pool+`"}`]; v < 1 {
			t.Errorf("pool %s: max connections %v", pool, v)
		}
		for _, state := range []string{"acquired", "idle", "constructing"} {
			if _, ok := after[`cohesio_db_pool_connections{pool="`+pool+`",state="`+state+`"}`]; !ok {
				t.Errorf("pool %s: no %s connections gauge", pool, state)
			}
		}
	}
	acquires := `cohesio_db_pool_acquires_total{pool="request"}`
	if after[acquires] <= before[acquires] {
		t.Errorf("%s: %v before the request, %v after", acquires, before[acquires], after[acquires])
	}
	if after[`cohesio_db_pool_connections_opened_total{pool="request"}`] < 1 {
		t.Errorf("the request pool opened no connection")
	}
	if _, ok := after[`cohesio_db_pool_empty_acquire_wait_seconds_total{pool="request"}`]; !ok {
		t.Errorf("no empty-acquire wait time")
	}
}

// TestMetricsMux: with a mux of their own, the metrics leave the main handler.
func TestMetricsMux(t *testing.T) {
	mux := http.NewServeMux()
	srv := metered(t, server.Config{Telemetry: server.Telemetry{MetricsMux: mux}})
	res, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode == http.StatusOK && strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain; version=") {
		t.Errorf("the main handler still serves /metrics")
	}
	metrics := httptest.NewServer(mux)
	defer metrics.Close()
	postGraphQL(t, srv.URL, gql(`{ operators(first: 1) { totalCount } }`), nil)
	expectSamples(t, scrape(t, metrics.URL), map[string]float64{
		`cohesio_graphql_operations_total{operation="anonymous",outcome="ok",path="planned",type="query"}`: 1,
	})
}

// TestPageOperationNames: the operations a page runs in-process keep their names, the server's
// own; the same name sent by a client counts as other.
func TestPageOperationNames(t *testing.T) {
	srv := metered(t, server.Config{})
	const programmes = `query Programmes { programmes(first: 1) { nodes { code } } }`
	postGraphQL(t, srv.URL, gql(programmes), nil)
	res, err := http.Get(srv.URL + "/dashboards")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /dashboards: %d", res.StatusCode)
	}
	got := scrape(t, srv.URL)
	pages := 0.0
	for series, v := range got {
		if strings.HasPrefix(series, `cohesio_graphql_operations_total{operation="Programmes",`) {
			pages += v
		}
	}
	if pages < 1 {
		t.Errorf("the dashboards' Programmes query is not counted by its name")
	}
	expectSamples(t, got, map[string]float64{
		`cohesio_graphql_operations_total{operation="other",outcome="ok",path="planned",type="query"}`: 1,
	})
}
