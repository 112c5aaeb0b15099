package server

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/store"
)

// Telemetry says where the server's traces and metrics go.
type Telemetry struct {
	// TracerProvider records a span per HTTP request, GraphQL operation and SQL statement
	// (internal/telemetry; the store's pgx tracer makes the last ones); nil: no tracing.
	TracerProvider trace.TracerProvider
	// MetricsMux, when set, serves GET /metrics instead of the main handler, so that the
	// metrics can listen on an address of their own (cohesio serve --metrics-listen).
	MetricsMux *http.ServeMux
}

// The values of the path label and span attribute: how an operation was answered.
const (
	pathPlanned  = "planned"  // every root field by the planner, one SQL statement each, without the executor
	pathMixed    = "mixed"    // by the executor, with some root fields planned
	pathResolved = "resolved" // by the gqlgen resolvers
	pathNone     = "none"     // refused before it ran (parse, validation, limits)
)

// otherOperation stands for the names of operations that are neither trusted documents, nor
// views, nor run by the server itself: clients choose them, and each would be a new series.
const otherOperation = "other"

// errorCodes are the extensions.code values that the server and gqlgen answer with; any other
// counts as OTHER, so that the outcome and reason labels stay a short, fixed list.
var errorCodes = map[string]bool{
	"GRAPHQL_PARSE_FAILED": true, "GRAPHQL_VALIDATION_FAILED": true, limitExceeded: true,
	"BAD_USER_INPUT": true, "BAD_REQUEST": true, "NOT_FOUND": true, "FORBIDDEN": true, "CONFLICT": true,
	"TIMEOUT": true, "INTERNAL_SERVER_ERROR": true, "RATE_LIMITED": true,
	"UNKNOWN_DOCUMENT": true, "TRUSTED_DOCUMENTS_ONLY": true,
	"PERSISTED_QUERY_NOT_FOUND": true, "PERSISTED_QUERY_NOT_SUPPORTED": true,
}

// observer counts and traces what the server does. Its metrics join the server's registry;
// its spans go to Config.Telemetry.TracerProvider.
type observer struct {
	tracer trace.Tracer // nil: no tracing
	// names are the operation names kept as label values: those of the trusted documents and
	// the views.
	names map[string]bool

	operations  *prometheus.CounterVec
	durations   *prometheus.HistogramVec
	planCache   *prometheus.CounterVec
	planHit     prometheus.Counter // planCache's two series, looked up once
	planMiss    prometheus.Counter
	rejected    *prometheus.CounterVec
	rateLimited *prometheus.CounterVec
	pools       prometheus.Collector // nil without a store
}

func newObserver(cfg Config, guards *guard) *observer {
	o := &observer{
		names: operationNames(guards.trusted),
		operations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cohesio_graphql_operations_total",
			Help: "GraphQL operations, by operation name (that of a trusted document, a view or the server's own pages; else other, anonymous, or unknown when the document is invalid), type, path (planned, mixed, resolved, or none when refused before running) and outcome (ok, or the code of the first error).",
		}, []string{"operation", "type", "path", "outcome"}),
		durations: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "cohesio_graphql_operation_duration_seconds",
			Help: "Time to answer GraphQL operations, by type and path.",
		}, []string{"type", "path"}),
		planCache: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cohesio_graphql_plan_cache_lookups_total",
			Help: "Look-ups of compiled read plans in the planner's cache, by result (hit or miss).",
		}, []string{"result"}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cohesio_http_requests_rejected_total",
			Help: "Requests answered with a 4xx status, by handler and reason (the error code, else one named after the status).",
		}, []string{"handler", "reason"}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cohesio_rate_limited_requests_total",
			Help: "Requests refused by the rate limit (429), by caller: subject (authenticated) or ip (anonymous).",
		}, []string{"caller"}),
	}
	o.planHit, o.planMiss = o.planCache.WithLabelValues("hit"), o.planCache.WithLabelValues("miss")
	if tp := cfg.Telemetry.TracerProvider; tp != nil {
		o.tracer = tp.Tracer("github.com/cohesio/cohesio/internal/server")
	}
	if cfg.Store != nil {
		o.pools = newPoolCollector(cfg.Store)
	}
	if guards.limiter != nil {
		guards.limiter.refused = o.refused
	}
	return o
}

// register adds the observer's metrics to reg.
func (o *observer) register(reg prometheus.Registerer) {
	reg.MustRegister(o.operations, o.durations, o.planCache, o.rejected, o.rateLimited)
	if o.pools != nil {
		reg.MustRegister(o.pools)
	}
}

// metricsMux is where GET /metrics goes: its own mux when Telemetry.MetricsMux is set.
func metricsMux(cfg Config, main *http.ServeMux) *http.ServeMux {
	if cfg.Telemetry.MetricsMux != nil {
		return cfg.Telemetry.MetricsMux
	}
	return main
}

// operationNames returns the names of the operations that trusted's documents define.
func operationNames(trusted *TrustedDocuments) map[string]bool {
	names := map[string]bool{}
	if trusted == nil {
		return names
	}
	for _, text := range trusted.byHash {
		doc, err := parser.ParseQuery(&ast.Source{Input: text})
		if err != nil {
			continue
		}
		for _, op := range doc.Operations {
			if op.Name != "" {
				names[op.Name] = true
			}
		}
	}
	return names
}

// refused is the rate limiter's hook.
func (o *observer) refused(r *http.Request) {
	caller := "ip"
	if access.PrincipalFrom(r.Context()).Subject != "" {
		caller = "subject"
	}
	o.rateLimited.WithLabelValues(caller).Inc()
}

// operation is what the request's context carries for the observer: the planner, the
// executor's hooks and the observer fill it in while the operation runs.
type operation struct {
	obs       *observer
	inProcess bool // run by the server itself (pages, views): its name is the server's own

	// Set by the operation hooks (operationHooks), in the request's goroutine.
	name, typ string
	executed  bool   // the executor ran it
	outcome   string // "" until a response is built
	// whole is set when the planner answered every root field; plannedFields counts the root
	// fields it answered inside the executor, which may resolve them concurrently.
	whole         bool
	plannedFields atomic.Int32
}

type operationKey struct{}

// observed returns the operation of ctx, or nil.
func observed(ctx context.Context) *operation {
	op, _ := ctx.Value(operationKey{}).(*operation)
	return op
}

type inProcessKey struct{}

// withInProcess marks the operations run on ctx as the server's own (graphQLRunner).
func withInProcess(ctx context.Context) context.Context {
	return context.WithValue(ctx, inProcessKey{}, true)
}

// plannedWhole records that the planner answered the whole operation.
func (op *operation) plannedWhole() {
	if op != nil {
		op.whole = true
	}
}

// plannedField records that the planner answered a root field inside the executor.
func (op *operation) plannedField() {
	if op != nil {
		op.plannedFields.Add(1)
	}
}

// planLookup counts a look-up in the planner's cache.
func (op *operation) planLookup(hit bool) {
	if op == nil {
		return
	}
	if hit {
		op.obs.planHit.Inc()
	} else {
		op.obs.planMiss.Inc()
	}
}

func (op *operation) path() string {
	switch {
	case op.whole:
		return pathPlanned
	case !op.executed:
		return pathNone
	case op.plannedFields.Load() > 0:
		return pathMixed
	}
	return pathResolved
}

// label is the operation's name as a label value.
func (op *operation) label() string {
	switch {
	case op.name == "" && op.typ == "":
		return "unknown" // the document did not parse or validate
	case op.name == "":
		return "anonymous"
	case op.inProcess || op.obs.names[op.name]:
		return op.name
	}
	return otherOperation
}

// graphQL wraps the GraphQL handler: each request is an operation, counted, timed and, with
// tracing, a span whose children are the statements it runs.
func (o *observer) graphQL(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		op := &operation{obs: o, inProcess: ctx.Value(inProcessKey{}) != nil}
		ctx = context.WithValue(ctx, operationKey{}, op)
		var span trace.Span
		if o.tracer != nil {
			ctx, span = o.tracer.Start(ctx, "graphql")
		}
		start := time.Now()
		next.ServeHTTP(w, r.WithContext(ctx))

		typ, path, outcome := cmpOr(op.typ, "unknown"), op.path(), op.outcome
		switch {
		case outcome != "":
		case op.whole:
			outcome = "ok"
		case ctx.Err() != nil:
			outcome = "TIMEOUT"
		default:
			outcome = "BAD_REQUEST" // gqlgen could not decode the request, and answered without a response
		}
		o.operations.WithLabelValues(op.label(), typ, path, outcome).Inc()
		o.durations.WithLabelValues(typ, path).Observe(time.Since(start).Seconds())
		if span != nil {
			span.SetName(strings.TrimSpace(typ + " " + op.label()))
			span.SetAttributes(
				attribute.String("graphql.operation.name", truncate(op.name, 100)),
				attribute.String("graphql.operation.type", typ),
				attribute.String("cohesio.graphql.path", path),
				attribute.String("cohesio.graphql.outcome", outcome),
			)
			if outcome != "ok" {
				span.SetStatus(codes.Error, outcome)
			}
			span.End()
		}
	})
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// operationHooks are the executor's hooks that fill in the request's operation: its name and
// type as soon as they are known (even when validation fails after), whether the executor ran
// it, and the code of its first error.
type operationHooks struct{}

var (
	_ graphql.HandlerExtension          = operationHooks{}
	_ graphql.OperationParameterMutator = operationHooks{}
	_ graphql.OperationContextMutator   = operationHooks{}
	_ graphql.OperationInterceptor      = operationHooks{}
	_ graphql.ResponseInterceptor       = operationHooks{}
)

func (operationHooks) ExtensionName() string                   { return "OperationMetrics" }
func (operationHooks) Validate(graphql.ExecutableSchema) error { return nil }

func (operationHooks) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	if op := observed(ctx); op != nil && op.name == "" {
		op.name = params.OperationName
	}
	return nil
}

func (operationHooks) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if op := observed(ctx); op != nil && oc.Operation != nil {
		op.name, op.typ = oc.Operation.Name, string(oc.Operation.Operation)
	}
	return nil
}

func (operationHooks) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if op := observed(ctx); op != nil {
		op.executed = true
	}
	return next(ctx)
}

func (operationHooks) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	op := observed(ctx)
	if op == nil || op.outcome != "" {
		return resp // a subscription's later responses, or a request seen twice
	}
	switch {
	case resp == nil && ctx.Err() != nil:
		op.outcome = "TIMEOUT"
	case resp == nil || len(resp.Errors) == 0:
		op.outcome = "ok"
	default:
		op.outcome = codeOf(resp.Errors[0])
	}
	return resp
}

// codeOf is err's extensions.code, or OTHER when it has none the server knows.
func codeOf(err *gqlerror.Error) string {
	if code, ok := err.Extensions["code"].(string); ok && errorCodes[code] {
		return code
	}
	return "OTHER"
}

// handler wraps each route's handler (inside its duration histogram): it names the request's
// span after the route, and counts the requests refused with a 4xx status by reason.
func (o *observer) handler(name string, next http.Handler) http.Handler {
	rejected := o.rejected.MustCurryWith(prometheus.Labels{"handler": name})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if span := trace.SpanFromContext(r.Context()); span.IsRecording() {
			route := r.Pattern
			if _, path, ok := strings.Cut(route, " "); ok {
				route = path // "GET /views/{name}"
			}
			span.SetName(r.Method + " " + route)
			span.SetAttributes(attribute.String("http.route", route), attribute.String("cohesio.request_id", RequestID(r.Context())))
		}
		rw := &rejectionWriter{ResponseWriter: w}
		next.ServeHTTP(rw, r)
		if rw.status >= 400 && rw.status < 500 {
			rejected.WithLabelValues(rejectionReason(rw.status, rw.head.Bytes())).Inc()
		}
	})
}

// rejectionWriter keeps the status of a response and, for a 4xx, the start of its body, which
// names the error's code.
type rejectionWriter struct {
	http.ResponseWriter
	status int
	head   bytes.Buffer
}

// headSize is how much of a refusal's body is kept: the code comes early in the small bodies
// of writeError, writeCodedError and gqlgen.
const headSize = 1024

func (w *rejectionWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *rejectionWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if w.status >= 400 && w.status < 500 && w.head.Len() < headSize {
		w.head.Write(p[:min(len(p), headSize-w.head.Len())])
	}
	return w.ResponseWriter.Write(p)
}

func (w *rejectionWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// statusReasons name the refusals whose body has no code.
var statusReasons = map[int]string{
	http.StatusBadRequest:            "BAD_REQUEST",
	http.StatusUnauthorized:          "UNAUTHENTICATED",
	http.StatusForbidden:             "FORBIDDEN",
	http.StatusNotFound:              "NOT_FOUND",
	http.StatusMethodNotAllowed:      "METHOD_NOT_ALLOWED",
	http.StatusNotAcceptable:         "NOT_ACCEPTABLE",
	http.StatusRequestEntityTooLarge: "BODY_TOO_LARGE",
	http.StatusRequestURITooLong:     "URI_TOO_LONG",
	http.StatusUnsupportedMediaType:  "UNSUPPORTED_MEDIA_TYPE",
	http.StatusUnprocessableEntity:   "UNPROCESSABLE",
	http.StatusTooManyRequests:       "RATE_LIMITED",
}

// rejectionReason names a refusal by the first error code of its body, else by its status.
func rejectionReason(status int, head []byte) string {
	const key = `"code":"`
	if i := bytes.Index(head, []byte(key)); i >= 0 {
		rest := head[i+len(key):]
		if j := bytes.IndexByte(rest, '"'); j > 0 && errorCodes[string(rest[:j])] {
			return string(rest[:j])
		}
	}
	if reason, ok := statusReasons[status]; ok {
		return reason
	}
	return "HTTP_" + strconv.Itoa(status)
}

// poolCollector reads the store's connection pools at each scrape.
type poolCollector struct {
	st *store.Store

	conns, max, acquires, acquireSeconds, emptyAcquires, emptyWaitSeconds, canceled, opened *prometheus.Desc
}

func newPoolCollector(st *store.Store) *poolCollector {
	pool := []string{"pool"}
	return &poolCollector{
		st:       st,
		conns:    prometheus.NewDesc("cohesio_db_pool_connections", "Connections of each pool, by state: acquired (in use), idle, or constructing.", []string{"pool", "state"}, nil),
		max:      prometheus.NewDesc("cohesio_db_pool_max_connections", "The most connections each pool may open.", pool, nil),
		acquires: prometheus.NewDesc("cohesio_db_pool_acquires_total", "Connections acquired from each pool.", pool, nil),
		acquireSeconds: prometheus.NewDesc("cohesio_db_pool_acquire_seconds_total",
			"Time spent acquiring connections from each pool, waits included.", pool, nil),
		emptyAcquires: prometheus.NewDesc("cohesio_db_pool_empty_acquires_total",
			"Acquisitions that found no idle connection and waited for one to be opened or released.", pool, nil),
		emptyWaitSeconds: prometheus.NewDesc("cohesio_db_pool_empty_acquire_wait_seconds_total",
			"Time spent by those acquisitions waiting for a connection.", pool, nil),
		canceled: prometheus.NewDesc("cohesio_db_pool_canceled_acquires_total",
			"Acquisitions given up because their context ended first (the request timed out or went away).", pool, nil),
		opened: prometheus.NewDesc("cohesio_db_pool_connections_opened_total", "Connections each pool opened.", pool, nil),
	}
}

func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.conns, c.max, c.acquires, c.acquireSeconds, c.emptyAcquires, c.emptyWaitSeconds, c.canceled, c.opened} {
		ch <- d
	}
}

func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	for name, s := range c.st.PoolStats() {
		gauge := func(d *prometheus.Desc, v float64, labels ...string) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, append([]string{name}, labels...)...)
		}
		counter := func(d *prometheus.Desc, v float64) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, name)
		}
		gauge(c.conns, float64(s.AcquiredConns()), "acquired")
		gauge(c.conns, float64(s.IdleConns()), "idle")
		gauge(c.conns, float64(s.ConstructingConns()), "constructing")
		gauge(c.max, float64(s.MaxConns()))
		counter(c.acquires, float64(s.AcquireCount()))
		counter(c.acquireSeconds, s.AcquireDuration().Seconds())
		counter(c.emptyAcquires, float64(s.EmptyAcquireCount()))
		counter(c.emptyWaitSeconds, s.EmptyAcquireWaitTime().Seconds())
		counter(c.canceled, float64(s.CanceledAcquireCount()))
		counter(c.opened, float64(s.NewConnsCount()))
	}
}
