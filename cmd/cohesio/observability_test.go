package main

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// TestServeObservability: --metrics-listen takes /metrics off the main address, and
// --otlp-endpoint sends the spans of requests to the collector, flushed at shutdown.
func TestServeObservability(t *testing.T) {
	var mu sync.Mutex
	var exports []string
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		exports = append(exports, r.Method+" "+r.URL.Path+" "+r.Header.Get("Content-Type")+" "+
			strings.Join([]string{boolWord(strings.Contains(string(b), "POST /graphql"), "http span"), boolWord(strings.Contains(string(b), "cohesio.graphql.path"), "operation span")}, ","))
	}))
	defer collector.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	metricsAddr := ln.Addr().String()
	ln.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "")
	t.Setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "")
	url, stop := serveDemoWith(t, "--metrics-listen", metricsAddr, "--otlp-endpoint", collector.URL)

	res, err := http.Post(url+"/graphql", "application/json", strings.NewReader(`{"query":"query Count { operators(first: 1) { totalCount } }"}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GraphQL: status %d", res.StatusCode)
	}
	get := func(u string) string {
		res, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	if body := get("http://" + metricsAddr + "/metrics"); !strings.Contains(body, `cohesio_graphql_operations_total{operation="other",outcome="ok",path="planned",type="query"} 1`) {
		t.Errorf("--metrics-listen: the operation is not counted:\n%s", body)
	}
	if body := get(url + "/metrics"); strings.Contains(body, "cohesio_graphql_operations_total") {
		t.Errorf("the main address still serves the metrics")
	}

	stop()
	mu.Lock()
	defer mu.Unlock()
	want := "POST /v1/traces application/x-protobuf http span,operation span"
	if len(exports) == 0 || !strings.Contains(strings.Join(exports, "\n"), want) {
		t.Errorf("collector got %q, want an export with %q", exports, want)
	}
}

func boolWord(ok bool, word string) string {
	if ok {
		return word
	}
	return "no " + word
}
