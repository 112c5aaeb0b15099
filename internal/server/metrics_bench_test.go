package server

import (
	"net/http"
	"net/http/httptest"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/cohesio/cohesio/internal/telemetry"
)

// BenchmarkObserver measures what the metrics and spans add to a request, around a handler
// that does nothing else: bare, with the metrics (always on), and with tracing too.
func BenchmarkObserver(b *testing.B) {
	body := []byte(`{"data":{}}`)
	answer := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		observed(r.Context()).plannedWhole()
		w.Write(body)
	})
	tp := sdktrace.NewTracerProvider()
	for _, c := range []struct {
		name string
		h    func() http.Handler
	}{
		{"bare", func() http.Handler { return answer }},
		{"metrics", func() http.Handler {
			o := newObserver(Config{}, &guard{})
			return o.handler("graphql", o.graphQL(answer))
		}},
		{"tracing", func() http.Handler {
			o := newObserver(Config{Telemetry: Telemetry{TracerProvider: tp}}, &guard{})
			return telemetry.HTTP(tp, o.handler("graphql", o.graphQL(answer)))
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			h := c.h()
			req := httptest.NewRequest(http.MethodPost, "/graphql", nil)
			for b.Loop() {
				h.ServeHTTP(httptest.NewRecorder(), req)
			}
		})
	}
}
