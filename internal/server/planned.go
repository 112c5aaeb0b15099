package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/plan"
	"github.com/cohesio/cohesio/internal/store"
)

// The read planner (internal/plan) answers a plannable root field with one SQL statement and
// JSON written directly from its rows; the resolvers stay the reference: responses are
// byte-identical either way (differential_test.go). It comes in at two places:
//
//   - plannedPOST and plannedGET answer a query whose root fields are all plannable without
//     gqlgen's executor, which would otherwise cost a goroutine per root field and re-encode
//     the response it holds as bytes; anything else is left to gqlgen's own transports.
//   - rootFields answers the plannable root fields of every other operation (queries that
//     mix planned and resolved fields) inside the executor.
//
// Both go through gqlgen's parsing, validation, limits (limitsExtension), APQ and error
// presenter first, and the guards and trusted documents stand outside gqlgen; so a planned
// field is checked exactly as a resolved one. Row scoping is the same too: the statement runs
// through the store's pool with the request's context, under the principal's row-level
// security, reading the caller's catalog.

type planned struct {
	planner *plan.Planner
	store   *store.Store
	log     *slog.Logger
	// plans keeps the compiled plans of the last requests, by everything that makes them:
	// role, document, operation, field and variables. Front-ends send the same requests over
	// and over; planning and compiling one costs about 25 µs, 10% of the server's CPU on the
	// view workload.
	plans *lru.Cache[[sha256.Size]byte, *compiledField]
}

// compiledField is the plan of a root field and its statement, or why it has none.
type compiledField struct {
	root *plan.Root
	stmt *store.CompiledPlan
	err  error
}

const plannedCacheSize = 1000

func newPlanned(st *store.Store, schema *ast.Schema, log *slog.Logger) (*planned, error) {
	p, err := plan.New(schema)
	if err != nil {
		return nil, err
	}
	plans, err := lru.New[[sha256.Size]byte, *compiledField](plannedCacheSize)
	if err != nil {
		return nil, err
	}
	return &planned{planner: p, store: st, log: log, plans: plans}, nil
}

// compile returns the plan of root field f, compiled, from the cache when it can.
func (p *planned) compile(ctx context.Context, oc *graphql.OperationContext, f graphql.CollectedField) *compiledField {
	vars, err := json.Marshal(oc.Variables) // sorted keys: the same variables give the same key
	if err != nil {
		return &compiledField{err: err}
	}
	// Hashed: a key holds documents of up to the body limit, which a cache of them would keep.
	key := sha256.Sum256([]byte(strings.Join([]string{string(access.RoleFrom(ctx)), oc.OperationName, f.Alias, string(vars), oc.RawQuery}, "\x00")))
	c, ok := p.plans.Get(key)
	observed(ctx).planLookup(ok)
	if ok {
		return c
	}
	c = &compiledField{}
	if c.root, c.err = p.planner.Plan(oc, f); c.err == nil {
		c.stmt, c.err = p.store.CompilePlan(ctx, c.root.Many)
	}
	p.plans.Add(key, c) // compiling reads nothing but the key: failures are kept too
	return c
}

// field appends the JSON value of root field f to buf, or fails for the resolvers to answer it.
func (p *planned) field(ctx context.Context, oc *graphql.OperationContext, f graphql.CollectedField, buf *bytes.Buffer) (err error) {
	defer func() {
		if r := recover(); r != nil {
			// A bug of the planner must not fail a request the resolvers can answer.
			p.log.ErrorContext(ctx, "planner panicked; resolvers answer", "panic", r, "field", f.Name, "request_id", RequestID(ctx))
			err = errors.New("planner panicked")
		}
	}()
	c := p.compile(ctx, oc, f)
	if c.err != nil {
		return c.err
	}
	rows, err := p.store.RunPlan(ctx, c.stmt)
	if err != nil {
		if ctx.Err() == nil {
			p.log.DebugContext(ctx, "planned read left to the resolvers", "field", f.Name, "err", err)
		}
		return err
	}
	return c.root.Write(buf, rows)
}

// rootFields is the executor's hook: it answers each plannable root field.
func (p *planned) rootFields(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	rf := graphql.GetRootFieldContext(ctx)
	if rf == nil {
		return next(ctx)
	}
	var buf bytes.Buffer
	if err := p.field(ctx, graphql.GetOperationContext(ctx), rf.Field, &buf); err != nil {
		return next(ctx)
	}
	observed(ctx).plannedField()
	out := buf.Bytes()
	return graphql.WriterFunc(func(w io.Writer) { w.Write(out) })
}

// plannedPOST is the POST transport: gqlgen's, with the shortcut for queries the planner
// answers whole (p nil: the planner is off), and the answers of GraphQL over HTTP to request
// errors (serve).
type plannedPOST struct {
	transport.POST // Supports
	p              *planned
}

func (t plannedPOST) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	start := graphql.Now()
	body, err := io.ReadAll(r.Body) // bounded by limitBody
	if err != nil {
		writeError(w, http.StatusBadRequest, "could not read the request body")
		return
	}
	params := &graphql.RawParams{Headers: r.Header}
	if err := jsonDecode(body, params); err != nil {
		writeError(w, http.StatusBadRequest, requestBodyProblem(err))
		return
	}
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	serve(w, r, t.p, params, exec, false)
}

// plannedGET is the GET transport, with the same shortcut: queries sent by GET (often
// persisted ones, for HTTP caches) are the front-ends' too.
type plannedGET struct {
	transport.GET // Supports
	p             *planned
}

func (t plannedGET) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	start := graphql.Now()
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		writeError(w, http.StatusBadRequest, "the query string is not valid URL encoding")
		return
	}
	params := &graphql.RawParams{Query: q.Get("query"), OperationName: q.Get("operationName"), Headers: r.Header}
	for _, v := range []struct {
		name string
		into any
	}{{"variables", &params.Variables}, {"extensions", &params.Extensions}} {
		if s := q.Get(v.name); s != "" && jsonDecode([]byte(s), v.into) != nil {
			writeError(w, http.StatusBadRequest, "the "+v.name+" parameter is not a JSON object")
			return
		}
	}
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	serve(w, r, t.p, params, exec, true)
}

// serve answers a decoded request, as GraphQL over HTTP asks. A request error (a document
// that does not parse or validate, a limit, variables that do not fit: nothing ran) is
// answered without data, with 200 under application/json and 400 under
// application/graphql-response+json (gqlgen's transports answer 422 to the first, and add
// "data": null). A query the planner answers whole (p not nil) skips gqlgen's executor; the
// executor runs everything else. GET runs queries only.
func serve(w http.ResponseWriter, r *http.Request, p *planned, params *graphql.RawParams, exec graphql.GraphExecutor, queriesOnly bool) {
	ctx := r.Context()
	contentType := responseContentType(r.Header.Get("Accept"))
	oc, errs := exec.CreateOperationContext(ctx, params)
	if errs != nil {
		resp := exec.DispatchError(graphql.WithOperationContext(ctx, oc), errs)
		status := http.StatusOK
		if contentType == acceptGraphQLResponse && errcode.GetErrorKind(errs) == errcode.KindProtocol {
			status = http.StatusBadRequest
		}
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		writeResponse(w, struct {
			Errors     gqlerror.List  `json:"errors"`
			Extensions map[string]any `json:"extensions,omitempty"`
		}{resp.Errors, resp.Extensions})
		return
	}
	if queriesOnly && oc.Operation.Operation != ast.Query {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(http.StatusNotAcceptable) // mutations are refused before (checkRequest)
		writeResponse(w, &graphql.Response{Errors: gqlerror.List{{Message: "GET requests only allow query operations"}}})
		return
	}
	if p != nil && oc.Operation.Operation == ast.Query && p.answer(w, r, oc, contentType) {
		return
	}
	w.Header().Set("Content-Type", contentType)
	responses, ctx := exec.DispatchOperation(ctx, oc)
	writeResponse(w, responses(ctx))
}

func writeResponse(w io.Writer, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Errorf("encode the response: %w", err)) // gqlgen's transports do the same
	}
	w.Write(b)
}

// requestBodyProblem says why a POST body is not a GraphQL request without repeating any of
// it: a body may hold what its sender would not show (credentials, personal data), and an
// error message ends up in logs, screenshots and bug reports.
func requestBodyProblem(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Sprintf("the request body is not valid JSON (at byte %d)", syntax.Offset)
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return "the request body is not valid JSON: it ends too early"
	case errors.As(err, &typ):
		if want, ok := map[string]string{"query": "a string", "documentId": "a string", "operationName": "a string", "variables": "an object",
			"extensions": "an object"}[typ.Field]; ok {
			return "the request body is not a GraphQL request: " + typ.Field + " must be " + want
		}
	}
	return "the request body is not a GraphQL request: send a JSON object with query, and operationName, variables and extensions if needed"
}

// jsonDecode reads JSON as gqlgen's transports do: numbers stay json.Number.
func jsonDecode(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(v)
}

// answer writes the response of a query whose root fields are all planned, and reports
// whether it did; it writes nothing otherwise.
func (p *planned) answer(w http.ResponseWriter, r *http.Request, oc *graphql.OperationContext, contentType string) bool {
	ctx := graphql.WithOperationContext(r.Context(), oc)
	buf := responses.Get().(*bytes.Buffer)
	defer putResponse(buf)
	buf.Reset()
	buf.WriteString(`{"data":{`)
	for i, f := range graphql.CollectFields(oc, oc.Operation.SelectionSet, []string{"Query"}) {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString(`"` + f.Alias + `":`) // a GraphQL name needs no escaping
		if p.field(ctx, oc, f, buf) != nil {
			return false
		}
	}
	buf.WriteString("}}")
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.Write(buf.Bytes())
	observed(ctx).plannedWhole()
	return true
}

// responses recycles the buffers of planned responses: a page of a front-end is often tens of
// kilobytes, which would otherwise be allocated again, in doubling steps, for every request.
var responses = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func putResponse(b *bytes.Buffer) {
	if b.Cap() <= 4<<20 { // a rare huge response is not kept
		responses.Put(b)
	}
}

const acceptGraphQLResponse = "application/graphql-response+json"

// responseContentType is the media type gqlgen's transports answer with, given the request's
// Accept header.
func responseContentType(accept string) string {
	if accept == "" {
		return "application/json"
	}
	for part := range strings.SplitSeq(accept, ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mt {
		case "*/*", "application/*", "application/json":
			return "application/json"
		case "application/graphql-response+json":
			return mt
		}
	}
	return "application/graphql-response+json"
}
