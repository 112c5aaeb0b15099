package telemetry_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/cohesio/cohesio/internal/telemetry"
)

type handler struct{}

func (*handler) ServeHTTP(http.ResponseWriter, *http.Request) {}

// TestOff: with no endpoint configured, nothing is installed.
func TestOff(t *testing.T) {
	t.Setenv(telemetry.EnvEndpoint, "")
	t.Setenv(telemetry.EnvTracesEndpoint, "")
	tr, err := telemetry.Start(context.Background(), telemetry.Options{})
	if err != nil || tr != nil {
		t.Fatalf("Start = %v, %v; want nil, nil", tr, err)
	}
	if tp := tr.TracerProvider(); tp != nil {
		t.Errorf("TracerProvider = %T, want nil", tp)
	}
	if qt := telemetry.QueryTracer(tr.TracerProvider()); qt != nil {
		t.Errorf("QueryTracer = %T, want nil: pgx would call it for every statement", qt)
	}
	h := &handler{}
	if got := telemetry.HTTP(tr.TracerProvider(), h); got != http.Handler(h) {
		t.Errorf("HTTP wrapped the handler in %T", got)
	}
	if err := tr.Shutdown(context.Background()); err != nil {
		t.Error(err)
	}
}

// collector is an OTLP/HTTP endpoint that records the requests it gets.
func collector(t *testing.T) (*httptest.Server, func() []string) {
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if len(b) > 0 {
			got = append(got, r.Method+" "+r.URL.Path+" "+r.Header.Get("Content-Type"))
		}
	}))
	t.Cleanup(srv.Close)
	return srv, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), got...)
	}
}

// TestExport: spans reach the configured endpoint as OTLP protobuf when tracing shuts down,
// whether the endpoint comes from the option or from the standard variables.
func TestExport(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts func(url string) telemetry.Options
		env  func(t *testing.T, url string)
		path string
	}{
		{"option, no path", func(url string) telemetry.Options { return telemetry.Options{Endpoint: url} }, nil, "/v1/traces"},
		{"option with a path", func(url string) telemetry.Options { return telemetry.Options{Endpoint: url + "/otlp/traces"} }, nil, "/otlp/traces"},
		{"OTEL_EXPORTER_OTLP_ENDPOINT", nil, func(t *testing.T, url string) { t.Setenv(telemetry.EnvEndpoint, url) }, "/v1/traces"},
		{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", nil, func(t *testing.T, url string) { t.Setenv(telemetry.EnvTracesEndpoint, url+"/custom") }, "/custom"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(telemetry.EnvEndpoint, "")
			t.Setenv(telemetry.EnvTracesEndpoint, "")
			srv, received := collector(t)
			var opts telemetry.Options
			if tc.opts != nil {
				opts = tc.opts(srv.URL)
			}
			if tc.env != nil {
				tc.env(t, srv.URL)
			}
			tr, err := telemetry.Start(context.Background(), opts)
			if err != nil || tr == nil {
				t.Fatalf("Start = %v, %v", tr, err)
			}
			_, span := tr.TracerProvider().Tracer("test").Start(context.Background(), "work")
			span.End()
			if err := tr.Shutdown(context.Background()); err != nil {
				t.Fatal(err)
			}
			want := "POST " + tc.path + " application/x-protobuf"
			if got := received(); len(got) != 1 || got[0] != want {
				t.Errorf("collector got %q, want [%q]", got, want)
			}
		})
	}
}

func TestBadEndpoint(t *testing.T) {
	for _, e := range []string{"localhost:4318", "ftp://collector", "http://"} {
		if _, err := telemetry.Start(context.Background(), telemetry.Options{Endpoint: e}); err == nil {
			t.Errorf("Start(%q): no error", e)
		}
	}
}
