// Package server wires HTTP: the GraphQL endpoint, the playground, health checks, Prometheus
// metrics, CORS, request ids and access logs. It keeps no state between requests, so replicas can run side by
// side behind a load balancer.
package server

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rs/cors"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/cohesio/cohesio/graph"
	"github.com/cohesio/cohesio/graph/generated"
	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/audit"
	"github.com/cohesio/cohesio/internal/auth"
	"github.com/cohesio/cohesio/internal/catalog"
	"github.com/cohesio/cohesio/internal/cohesion"
	"github.com/cohesio/cohesio/internal/collect"
	"github.com/cohesio/cohesio/internal/dataset"
	"github.com/cohesio/cohesio/internal/playground"
	"github.com/cohesio/cohesio/internal/store"
	"github.com/cohesio/cohesio/internal/telemetry"
	"github.com/cohesio/cohesio/internal/view"
	"github.com/cohesio/cohesio/internal/web"
)

// Config is everything the HTTP layer needs; cmd/ reads it from flags and environment.
type Config struct {
	Store  *store.Store
	Logger *slog.Logger
	// AllowedOrigins may call the API from a browser on another origin; empty: same origin only.
	// Listed origins get credentials; "*" (alone) allows any origin, without credentials.
	AllowedOrigins []string
	// MaxBodyBytes caps a request body (default 1 MiB).
	MaxBodyBytes int64
	// Limits bound each GraphQL request (zero: DefaultLimits).
	Limits Limits
	// Timeout bounds each request (default 30 s); its context cancels the SQL it runs.
	Timeout time.Duration
	// Production turns introspection and field suggestions off: a production API need not
	// describe itself to strangers (the playground then has no schema docs).
	Production bool
	// Auth verifies bearer tokens (API tokens, and OpenID Connect when configured); nil accepts
	// no credentials.
	Auth *auth.Authenticator
	// Role is the role of requests without credentials (default public).
	Role access.Role

	// Request protections (guard.go, trusted.go); a zero value turns each off.
	//
	// RateLimit is the requests per second one caller (its principal's subject, or its IP when
	// anonymous) may make to /graphql and the dataset routes, in bursts of RateBurst; 0 or
	// negative, either of them, turns rate limits off (cohesio serve: DefaultRateLimit 20 and
	// DefaultRateBurst 40).
	RateLimit float64
	RateBurst int
	// TrustProxy takes the client IP of rate limits from X-Forwarded-For (the address appended
	// last): only behind a reverse proxy that sets it (default off: the connection's address).
	TrustProxy bool
	// TrustedDocuments may be run by documentId instead of sending their text (default none).
	TrustedDocuments *TrustedDocuments
	// TrustedDocumentsOnly lists the roles that may run trusted documents only (default none).
	TrustedDocumentsOnly []access.Role
	// DisablePlanner answers every field with the gqlgen resolvers; by default (false) the
	// root fields of read operations that the planner supports run as one SQL statement each,
	// with byte-identical responses (planned.go).
	DisablePlanner bool
	// PDF prints the annual report as PDF (cmd/ starts a headless Chromium for it); nil
	// answers PDF requests with 503.
	PDF web.PDFPrinter
	// Telemetry sends traces and places /metrics (metrics.go); zero: no tracing, /metrics here.
	Telemetry Telemetry
}

// New returns the platform's HTTP handler.
func New(cfg Config) (http.Handler, error) {
	h, _, err := Build(cfg)
	return h, err
}

// Build returns the platform's HTTP handler and the pages it serves, for the commands that
// render a page without a request (cohesio report).
func Build(cfg Config) (http.Handler, *web.Pages, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	cfg.Logger = slog.New(requestLogHandler{cfg.Logger.Handler()}) // logs each failure once (logging.go)
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	cfg.Limits = cfg.Limits.withDefaults()
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	viewDefs, err := view.Registered()
	if err != nil {
		return nil, nil, err
	}
	texts := make([]string, len(viewDefs))
	for i, d := range viewDefs {
		texts[i] = d.Query
	}
	guards, err := newGuard(cfg, texts) // rate limits, batches, trusted documents, CORS (guard.go)
	if err != nil {
		return nil, nil, err
	}
	cat, err := catalog.Default()
	if err != nil {
		return nil, nil, err
	}
	examples, err := playground.Examples()
	if err != nil {
		return nil, nil, err
	}
	if cfg.Role == "" {
		cfg.Role = access.Public
	}
	catalogue, err := dataset.NewCatalogue(cat)
	if err != nil {
		return nil, nil, err
	}
	datasets := &datasets{svc: dataset.NewService(cfg.Store, catalogue), cat: cat, log: cfg.Logger}
	resolver := &graph.Resolver{Store: cfg.Store, Catalog: cat, DatasetService: datasets.svc}
	gql, schema := newGraphQL(cfg, resolver)
	obs := newObserver(cfg, guards) // metrics and spans of operations and routes (metrics.go)
	gql = obs.graphQL(gql)
	// The pages and the named views run their GraphQL in-process, through the same handler as
	// clients.
	named, err := view.New(schema, graphQLRunner{gql})
	if err != nil {
		return nil, nil, err
	}
	pages := web.New(web.Options{Runner: graphQLRunner{gql}, Views: named, Store: cfg.Store, PDF: cfg.PDF, Logger: cfg.Logger})
	resolver.Reports = pages

	// A registry per server, so that several servers in one process (tests) do not collide.
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	duration := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "cohesio_http_request_duration_seconds",
		Help: "Time to answer HTTP requests, by handler, method and status code.",
	}, []string{"handler", "method", "code"})
	reg.MustRegister(duration)
	obs.register(reg)
	instrument := func(name string, h http.Handler) http.Handler {
		return obs.handler(name, promhttp.InstrumentHandlerDuration(duration.MustCurryWith(prometheus.Labels{"handler": name}), h))
	}

	mux := http.NewServeMux()
	mux.Handle("/graphql", instrument("graphql", guards.limit(guards.uploads(checkRequest(limitBody(guards.graphQL(withTimeout(gql, cfg.Timeout)), cfg.MaxBodyBytes)), gql, importMaxBytes))))
	metricsMux(cfg, mux).Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ready(w, r, cfg.Store)
	})
	datasets.routes(mux, func(name string, h http.Handler) http.Handler { return instrument(name, guards.limit(h)) })
	(&imports{store: cfg.Store, log: cfg.Logger, maxBytes: importMaxBytes}).routes(mux, func(name string, h http.Handler) http.Handler { return instrument(name, guards.limit(h)) })
	namedViews := &views{set: named, run: graphQLRunner{gql}, store: cfg.Store, log: cfg.Logger}
	namedViews.routes(mux, func(name string, h http.Handler) http.Handler {
		return instrument(name, guards.limit(withTimeout(h, cfg.Timeout)))
	})
	pages.Routes(mux, func(name string, h http.Handler) http.Handler {
		return instrument(name, guards.limit(withTimeout(h, cfg.Timeout)))
	})
	mux.Handle("/", instrument("playground", playground.Handler("Cohesio", "/graphql", examples)))

	c := cors.New(cors.Options{
		AllowedOrigins:   cfg.AllowedOrigins,
		AllowOriginFunc:  guards.corsOriginFunc,  // refuses all when no origin is listed
		AllowCredentials: guards.corsCredentials, // listed origins only, never "*"
		AllowedMethods:   []string{http.MethodGet, http.MethodPost},
		AllowedHeaders:   []string{"Content-Type", "Accept", "Authorization", preflightHeader},
	})
	// CORS stands outside authentication, so that a browser can read a 401 too; the budget of
	// failed authentications by address, in front of the token look-up (guard.go).
	return telemetry.HTTP(cfg.Telemetry.TracerProvider, withRequestID(withAccessLog(cfg.Logger, c.Handler(guards.authFailures(authenticate(cfg, mux)))))), pages, nil
}

func newGraphQL(cfg Config, res *graph.Resolver) (http.Handler, *ast.Schema) {
	es := generated.NewExecutableSchema(generated.Config{Resolvers: res})
	srv := handler.New(es)
	p, err := newPlanned(cfg.Store, es.Schema(), cfg.Logger)
	if cfg.DisablePlanner || err != nil {
		if err != nil {
			cfg.Logger.Error("planner disabled", "err", err)
		}
		p = nil
	} else {
		srv.AroundRootFields(p.rootFields) // planned.go
	}
	// With or without the planner, the same transports (planned.go): they answer request
	// errors as GraphQL over HTTP asks, which gqlgen's do not.
	srv.AddTransport(plannedGET{p: p})
	srv.AddTransport(plannedPOST{p: p})
	srv.AddTransport(uploadTransport()) // importFile (uploads.go)
	// Parsing and validating a document costs more than many queries: cache them.
	queries := lru.New[*ast.QueryDocument](1000)
	srv.SetQueryCache(queries)
	if !cfg.Production {
		srv.Use(extension.Introspection{})
	}
	srv.SetDisableSuggestion(cfg.Production)
	srv.Use(operationHooks{}) // before the limits, so that an operation they refuse is named (metrics.go)
	srv.Use(limitsExtension{cfg.Limits})
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](100)})
	srv.Use(documentLimits{cfg.Limits, queries}) // after APQ, which may fill the document in
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		return next(graph.WithBatches(ctx))
	})
	srv.AroundResponses(func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		resp := next(ctx)
		if resp != nil {
			sortErrors(resp.Errors)
		}
		return resp
	})
	srv.SetErrorPresenter(func(ctx context.Context, err error) *gqlerror.Error {
		return presentError(ctx, cfg.Logger, err)
	})
	srv.SetRecoverFunc(func(ctx context.Context, p any) error {
		cfg.Logger.ErrorContext(ctx, "panic in resolver", "panic", p, "request_id", RequestID(ctx))
		return errors.New("internal error")
	})
	return srv, es.Schema()
}

// sortErrors puts errors in the order of their paths (indices by number), then of their
// messages: gqlgen resolves list items concurrently and lists their errors as they come, so
// the same request would otherwise list them in another order each time.
func sortErrors(errs gqlerror.List) {
	slices.SortStableFunc(errs, func(a, b *gqlerror.Error) int {
		for i := 0; i < len(a.Path) && i < len(b.Path); i++ {
			if c := comparePathElement(a.Path[i], b.Path[i]); c != 0 {
				return c
			}
		}
		if c := cmp.Compare(len(a.Path), len(b.Path)); c != 0 {
			return c
		}
		return strings.Compare(a.Message, b.Message)
	})
}

func comparePathElement(a, b ast.PathElement) int {
	ai, aIndex := a.(ast.PathIndex)
	bi, bIndex := b.(ast.PathIndex)
	switch {
	case aIndex && bIndex:
		return cmp.Compare(ai, bi)
	case aIndex != bIndex: // not met in one response: a list or an object at the same place
		if aIndex {
			return -1
		}
		return 1
	}
	return strings.Compare(string(a.(ast.PathName)), string(b.(ast.PathName)))
}

// presentError turns an error into what the client sees: the reason when the client can act
// on it, "internal error" and a request id otherwise. SQL and stack traces stay in the logs.
func presentError(ctx context.Context, log *slog.Logger, err error) *gqlerror.Error {
	var gqlErr *gqlerror.Error
	if errors.As(err, &gqlErr) && gqlErr.Err == nil {
		return gqlErr // parse and validation errors from the executor, already client-safe
	}
	out := graphql.DefaultErrorPresenter(ctx, err)
	var inv *cohesion.InvalidError
	var check *collect.CheckError
	var conflict *cohesion.ConflictError
	switch {
	case errors.As(err, &check):
		out.Message = check.Error()
		problems := make([]map[string]any, len(check.Problems))
		for i, p := range check.Problems {
			problems[i] = map[string]any{"question": p.QuestionKey, "label": p.QuestionLabel, "rule": p.Rule, "message": p.Message}
			if p.SiteID != nil {
				problems[i]["site"] = catalog.GlobalID("OperatorSite", *p.SiteID)
			}
		}
		out.Extensions = map[string]any{"code": "BAD_USER_INPUT", "field": "answers", "problems": problems}
	case errors.As(err, &conflict):
		out.Message = conflict.Error()
		out.Extensions = map[string]any{"code": "CONFLICT", "currentVersion": conflict.Current}
	case errors.As(err, &inv):
		out.Message = inv.Error()
		out.Extensions = map[string]any{"code": "BAD_USER_INPUT", "field": inv.Field}
	case errors.Is(err, cohesion.ErrNotFound):
		out.Message = "not found"
		out.Extensions = map[string]any{"code": "NOT_FOUND"}
	case errors.Is(err, access.ErrForbidden):
		out.Message = reason(err)
		out.Extensions = map[string]any{"code": "FORBIDDEN"}
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled):
		noteContextEnded(ctx, err) // logged once, by the access log (logging.go)
		out.Message = "request cancelled or timed out"
		out.Extensions = map[string]any{"code": "TIMEOUT", "requestId": RequestID(ctx)}
	case isUnavailable(err):
		noteOutcome(ctx, outcomeUnavailable, err)
		out.Message = unavailableMessage
		out.Extensions = map[string]any{"code": "UNAVAILABLE", "requestId": RequestID(ctx)}
	default:
		id := RequestID(ctx)
		log.ErrorContext(ctx, "request failed", "err", err, "path", out.Path.String(), "request_id", id)
		out.Message = "internal error"
		out.Extensions = map[string]any{"code": "INTERNAL_SERVER_ERROR", "requestId": id}
	}
	return out
}

// reason is the message of err without what gqlerror.Error's Error adds before it (the
// document's name, line and column, the path), which the client reads in locations and path:
// gqlgen wraps a resolver's error in one.
func reason(err error) string {
	for {
		gqlErr, ok := err.(*gqlerror.Error)
		switch {
		case !ok:
			return err.Error()
		case gqlErr.Err == nil:
			return gqlErr.Message
		}
		err = gqlErr.Err
	}
}

func ready(w http.ResponseWriter, r *http.Request, st *store.Store) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := st.Ping(ctx); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "database unreachable")
		return
	}
	if n, err := st.Pending(ctx); err != nil || n > 0 {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "database not migrated")
		return
	}
	fmt.Fprintln(w, "ready")
}

// withTimeout gives each request a deadline, which cancels its SQL. Unlike
// http.TimeoutHandler it runs the handler in the request's own goroutine and does not buffer
// the response: that goroutine and copy cost about 5% of a planned read. Everything under it
// stops on its context (pgx cancels the statement).
func withTimeout(next http.Handler, d time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		next.ServeHTTP(&timeoutWriter{ResponseWriter: w, ctx: ctx}, r.WithContext(ctx))
	})
}

// timeoutBody answers a request cut off by the timeout (503).
const timeoutBody = `{"errors":[{"message":"the request took too long and was stopped","extensions":{"code":"TIMEOUT"}}]}`

// timeoutWriter turns the body gqlgen writes for a request whose context ended before its
// response was built, a bare "null", into a 503 saying so.
type timeoutWriter struct {
	http.ResponseWriter
	ctx   context.Context
	wrote bool
}

func (w *timeoutWriter) WriteHeader(code int) {
	w.wrote = true
	w.ResponseWriter.WriteHeader(code)
}

func (w *timeoutWriter) Write(p []byte) (int, error) {
	if !w.wrote && w.ctx.Err() != nil && string(p) == "null" {
		noteContextEnded(w.ctx, w.ctx.Err())
		w.WriteHeader(http.StatusServiceUnavailable)
		_, err := w.ResponseWriter.Write([]byte(timeoutBody))
		return len(p), err
	}
	w.wrote = true
	return w.ResponseWriter.Write(p)
}

func (w *timeoutWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// checkRequest answers what the GraphQL transports would answer vaguely: 405 for a method
// other than GET and POST, 415 for a POST body that is not JSON.
func checkRequest(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
			if isMutation(r.URL.Query().Get("query"), r.URL.Query().Get("operationName")) {
				// GET must not change anything: caches, prefetchers and links may replay it.
				w.Header().Set("Allow", "POST")
				writeError(w, http.StatusMethodNotAllowed, "send mutations with POST")
				return
			}
		case http.MethodPost:
			if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
				writeError(w, http.StatusUnsupportedMediaType, "send the GraphQL request as application/json")
				return
			}
		default:
			w.Header().Set("Allow", "GET, POST")
			writeError(w, http.StatusMethodNotAllowed, "use POST, or GET for queries")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// isMutation reports whether the operation a GET request would run is a mutation. A document
// that does not parse, or has more tokens than the default limit, is left to the executor,
// which explains what is wrong with it (and runs no mutation for GET).
func isMutation(query, operationName string) bool {
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: query}, DefaultLimits.MaxTokens)
	if err != nil {
		return false
	}
	for _, op := range doc.Operations {
		if (operationName == "" || op.Name == operationName) && op.Operation == ast.Mutation {
			return true
		}
	}
	return false
}

// writeError writes a GraphQL-shaped error for a request that never reached the executor.
func writeError(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]string{{"message": message}}})
}

// limitBody answers 413 to a body larger than max, whether announced by Content-Length or
// found while reading one sent without (chunked), which it then reads whole into memory.
func limitBody(next http.Handler, max int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > max {
			refuseBody(w, r, max)
			return
		}
		if r.ContentLength < 0 && r.Body != nil {
			body, err := io.ReadAll(io.LimitReader(r.Body, max+1))
			if err != nil {
				w.Header().Set("Connection", "close") // what is left of the body is unknown
				writeError(w, http.StatusBadRequest, "could not read the request body")
				return
			}
			if int64(len(body)) > max {
				refuseBody(w, r, max)
				return
			}
			r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		}
		next.ServeHTTP(w, r)
	})
}

// maxDiscardBytes is how much of a body over the limit the server reads to throw away, and
// discardTimeout how long it waits for it.
const (
	maxDiscardBytes = 16 << 20
	discardTimeout  = 10 * time.Second
)

// refuseBody answers 413 to a body over the limit. Many clients (curl, Python's requests,
// scripts) write their whole body before reading the answer: closing the connection on them
// with their body unread makes their writes fail (EPIPE, reset), and they never read the 413.
// So the rest of the body is read and discarded first, up to maxDiscardBytes; past that the
// connection is closed after the answer, as net/http does.
func refuseBody(w http.ResponseWriter, r *http.Request, max int64) {
	http.NewResponseController(w).SetReadDeadline(time.Now().Add(discardTimeout)) // best effort
	if _, err := io.CopyN(io.Discard, r.Body, maxDiscardBytes); err != io.EOF {
		w.Header().Set("Connection", "close")
	}
	writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes", max))
}

// authenticate gives every request its principal: the one its bearer token proves, or the
// anonymous role's. Without an authenticator, credentials are refused.
func authenticate(cfg Config, next http.Handler) http.Handler {
	if cfg.Auth != nil {
		return auth.Middleware(cfg.Auth, next)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="this server accepts no credentials"`)
			writeError(w, http.StatusUnauthorized, "this server accepts no credentials")
			return
		}
		next.ServeHTTP(w, r.WithContext(access.WithPrincipal(r.Context(), access.Principal{Role: cfg.Role})))
	})
}

// RequestID returns the id of the request ctx belongs to.
func RequestID(ctx context.Context) string { return audit.RequestID(ctx) }

// withRequestID tags each request with an id (the client's X-Request-Id, or a new one), echoed
// in the response and in logs, so that an error a user reports can be found.
func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 64 {
			var b [8]byte
			rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(audit.WithRequestID(r.Context(), id)))
	})
}
