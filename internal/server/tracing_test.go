package server_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/cohesio/cohesio/internal/pgtest"
	"github.com/cohesio/cohesio/internal/server"
	"github.com/cohesio/cohesio/internal/store"
	"github.com/cohesio/cohesio/internal/telemetry"
)

// traced serves a fresh copy of the fixture database with tracing into a span recorder, as
// cohesio serve wires it: the same provider for the server and the store's pgx tracer.
func traced(t *testing.T, cfg server.Config) (*httptest.Server, *tracetest.SpanRecorder) {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	st, err := store.Open(context.Background(), pgtest.NewDatabase(t), store.Options{Tracer: telemetry.QueryTracer(tp)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cfg.Store, cfg.Telemetry.TracerProvider = st, tp
	h, err := server.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, rec
}

func postGraphQL(t *testing.T, url, body string, header http.Header) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/graphql", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header.Clone()
	if req.Header == nil {
		req.Header = http.Header{}
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}

func attr(s sdktrace.ReadOnlySpan, key string) string {
	for _, kv := range s.Attributes() {
		if kv.Key == attribute.Key(key) {
			return kv.Value.Emit()
		}
	}
	return ""
}

// TestTracing: one GraphQL request gives an HTTP server span, an operation span under it that
// names the operation and the path it took, and SQL spans under the operation; an incoming
// traceparent is continued.
func TestTracing(t *testing.T) {
	const query = `{"query":"query Operators { operators(first: 2) { nodes { name } } }"}`
	for _, tc := range []struct {
		path           string
		disablePlanner bool
	}{{"planned", false}, {"resolved", true}} {
		t.Run(tc.path, func(t *testing.T) {
			srv, rec := traced(t, server.Config{DisablePlanner: tc.disablePlanner})
			const parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
			if res := postGraphQL(t, srv.URL, query, http.Header{"Traceparent": {parent}}); res.StatusCode != http.StatusOK {
				t.Fatalf("status %d", res.StatusCode)
			}
			srv.Close() // waits for the request to finish, and its HTTP span to end

			spans := rec.Ended()
			byID := map[trace.SpanID]sdktrace.ReadOnlySpan{}
			var httpSpan, opSpan sdktrace.ReadOnlySpan
			for _, s := range spans {
				byID[s.SpanContext().SpanID()] = s
				switch {
				case s.SpanKind() == trace.SpanKindServer:
					httpSpan = s
				case attr(s, "graphql.operation.name") != "":
					opSpan = s
				}
			}
			if httpSpan == nil || opSpan == nil {
				t.Fatalf("want an HTTP span and an operation span, got %s", names(spans))
			}
			if got := httpSpan.Name(); got != "POST /graphql" {
				t.Errorf("HTTP span named %q, want POST /graphql", got)
			}
			if got := httpSpan.SpanContext().TraceID().String(); got != "4bf92f3577b34da6a3ce929d0e0e4736" {
				t.Errorf("trace %s: the client's traceparent was not continued", got)
			}
			if opSpan.Parent().SpanID() != httpSpan.SpanContext().SpanID() {
				t.Errorf("the operation span's parent is %s, not the HTTP span", opSpan.Parent().SpanID())
			}
			for key, want := range map[string]string{"graphql.operation.name": "Operators", "graphql.operation.type": "query", "cohesio.graphql.path": tc.path, "cohesio.graphql.outcome": "ok"} {
				if got := attr(opSpan, key); got != want {
					t.Errorf("operation span: %s = %q, want %q", key, got, want)
				}
			}
			// The name is the client's, not a trusted document's: the span name does not carry it.
			if got := opSpan.Name(); got != "query other" {
				t.Errorf("operation span named %q, want \"query other\"", got)
			}
			sql := 0
			for _, s := range spans {
				if !strings.Contains(attr(s, "db.query.text"), "operator") {
					continue
				}
				for p := s.Parent(); p.IsValid(); p = byID[p.SpanID()].Parent() {
					if p.SpanID() == opSpan.SpanContext().SpanID() {
						sql++
						break
					}
					if byID[p.SpanID()] == nil {
						break
					}
				}
			}
			if sql == 0 {
				t.Errorf("no SQL span reading the operators under the operation span; spans: %s", names(spans))
			}
		})
	}
}

func names(spans []sdktrace.ReadOnlySpan) string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Name())
	}
	return strings.Join(out, ", ")
}
