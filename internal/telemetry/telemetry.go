// Package telemetry exports OpenTelemetry traces over OTLP/HTTP: a span per HTTP request (HTTP),
// per GraphQL operation (the server starts those) and per SQL statement (QueryTracer). Tracing
// is off unless an endpoint is configured; then nothing is installed and nothing is recorded.
package telemetry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"

	"github.com/exaring/otelpgx"
	"github.com/jackc/pgx/v5"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// The standard variables of the OTLP exporter: the traces endpoint is used as it is, the
// general one gets /v1/traces appended. The exporter reads them (and OTEL_EXPORTER_OTLP_HEADERS,
// OTEL_EXPORTER_OTLP_TIMEOUT and the rest) itself; Start only checks whether one is set.
const (
	EnvEndpoint       = "OTEL_EXPORTER_OTLP_ENDPOINT"
	EnvTracesEndpoint = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
)

// tracesPath is where an OTLP/HTTP collector takes traces.
const tracesPath = "/v1/traces"

// Options configures Start.
type Options struct {
	// Endpoint is the URL of an OTLP/HTTP collector (http://localhost:4318): /v1/traces is
	// appended when it has no path. Empty: the standard environment variables, else no tracing.
	Endpoint string
	// ServiceName names the service in the traces, unless OTEL_SERVICE_NAME does (default
	// cohesio).
	ServiceName string
	// Version is the service's version, when known.
	Version string
}

// Tracing holds the tracer provider and its exporter. A nil *Tracing is tracing turned off:
// its methods return nil, and the wrappers that take its provider return what they are given.
type Tracing struct {
	provider *sdktrace.TracerProvider
}

// Start sets up tracing when an endpoint is configured, and returns nil, nil when none is.
// The exporter connects lazily: an unreachable collector drops spans, it does not fail Start.
func Start(ctx context.Context, opts Options) (*Tracing, error) {
	var exporterOpts []otlptracehttp.Option
	switch {
	case opts.Endpoint != "":
		u, err := url.Parse(opts.Endpoint)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return nil, fmt.Errorf("OTLP endpoint %q: want an http:// or https:// URL with a host, such as http://localhost:4318", opts.Endpoint)
		}
		if u.Path == "" || u.Path == "/" {
			u.Path = tracesPath
		}
		exporterOpts = append(exporterOpts, otlptracehttp.WithEndpointURL(u.String()))
	case os.Getenv(EnvTracesEndpoint) == "" && os.Getenv(EnvEndpoint) == "":
		return nil, nil
	}
	exporter, err := otlptracehttp.New(ctx, exporterOpts...)
	if err != nil {
		return nil, fmt.Errorf("OTLP trace exporter: %w", err)
	}
	res, err := serviceResource(ctx, opts)
	if err != nil {
		return nil, err
	}
	// The sampler and the batching follow OTEL_TRACES_SAMPLER and OTEL_BSP_* when set.
	return &Tracing{provider: sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter), sdktrace.WithResource(res))}, nil
}

// serviceResource describes the service; OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, read
// last, override the defaults.
func serviceResource(ctx context.Context, opts Options) (*resource.Resource, error) {
	attrs := []attribute.KeyValue{attribute.String("service.name", cmpOr(opts.ServiceName, "cohesio"))}
	if opts.Version != "" {
		attrs = append(attrs, attribute.String("service.version", opts.Version))
	}
	res, err := resource.New(ctx, resource.WithAttributes(attrs...), resource.WithTelemetrySDK(), resource.WithFromEnv())
	if err != nil && !errors.Is(err, resource.ErrPartialResource) {
		return nil, fmt.Errorf("trace resource: %w", err)
	}
	return res, nil
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// TracerProvider returns the provider, or nil when tracing is off.
func (t *Tracing) TracerProvider() trace.TracerProvider {
	if t == nil {
		return nil
	}
	return t.provider
}

// Shutdown sends the spans still buffered and stops the exporter.
func (t *Tracing) Shutdown(ctx context.Context) error {
	if t == nil {
		return nil
	}
	if err := t.provider.Shutdown(ctx); err != nil {
		return fmt.Errorf("stop tracing: %w", err)
	}
	return nil
}

// untraced are the routes probed every few seconds; a span for each would drown the rest.
var untraced = map[string]bool{"/healthz": true, "/readyz": true, "/metrics": true}

// HTTP wraps h with a server span per request, continuing the trace of an incoming
// traceparent header. With a nil provider it returns h itself.
func HTTP(tp trace.TracerProvider, h http.Handler) http.Handler {
	if tp == nil {
		return h
	}
	return otelhttp.NewHandler(h, "http",
		otelhttp.WithTracerProvider(tp),
		otelhttp.WithPropagators(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})),
		otelhttp.WithFilter(func(r *http.Request) bool { return !untraced[r.URL.Path] }),
	)
}

// QueryTracer returns a pgx tracer that records a span per SQL statement (and per connection
// acquired from a pool) under the span of the context that runs it; statements outside any
// span are not recorded. The SQL text is kept, its parameters are not: they may be personal
// data. With a nil provider it returns nil, so that pgx calls no tracer at all.
func QueryTracer(tp trace.TracerProvider) pgx.QueryTracer {
	if tp == nil {
		return nil
	}
	// Spans are named by the statement's first keyword (SELECT, WITH…), as the conventions
	// for database spans ask; the connection's address is left out (one per service).
	return otelpgx.NewTracer(otelpgx.WithTracerProvider(tp), otelpgx.WithDisableConnectionDetailsInAttributes())
}
