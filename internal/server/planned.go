package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/vektah/gqlparser/v2/ast"

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

// plannedPOST is gqlgen's POST transport with a shortcut for queries the planner answers whole.
type plannedPOST struct {
	transport.POST
	p *planned
}

func (t plannedPOST) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	body, err := io.ReadAll(r.Body)
	params := &graphql.RawParams{Headers: r.Header}
	if err == nil && jsonDecode(body, params) == nil && t.p.answer(w, r, params, exec) {
		return
	}
	// gqlgen reads the body again, and meets the same read error if there was one.
	r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), errReader{err}))
	t.POST.Do(w, r, exec)
}

// plannedGET is gqlgen's GET transport with the same shortcut: queries sent by GET (often
// persisted ones, for HTTP caches) are the front-ends' too.
type plannedGET struct {
	transport.GET
	p *planned
}

func (t plannedGET) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	params := &graphql.RawParams{Query: q.Get("query"), OperationName: q.Get("operationName"), Headers: r.Header}
	for _, v := range []struct {
		name string
		into any
	}{{"variables", &params.Variables}, {"extensions", &params.Extensions}} {
		if s := q.Get(v.name); s != "" && err == nil {
			err = jsonDecode([]byte(s), v.into)
		}
	}
	if err == nil && t.p.answer(w, r, params, exec) {
		return
	}
	t.GET.Do(w, r, exec)
}

// jsonDecode reads JSON as gqlgen's transports do: numbers stay json.Number.
func jsonDecode(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(v)
}

// answer writes the response of a query whose root fields are all planned, and reports
// whether it did; it writes nothing otherwise.
func (p *planned) answer(w http.ResponseWriter, r *http.Request, params *graphql.RawParams, exec graphql.GraphExecutor) bool {
	ctx := r.Context()
	oc, errs := exec.CreateOperationContext(ctx, params)
	if errs != nil || oc.Operation.Operation != ast.Query {
		return false // gqlgen explains the errors; the executor runs everything else
	}
	ctx = graphql.WithOperationContext(ctx, oc)
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
	w.Header().Set("Content-Type", responseContentType(r.Header.Get("Accept")))
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

// responseContentType is the media type gqlgen's POST transport answers a successful request
// with, given its Accept header.
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

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) {
	if e.err == nil {
		return 0, io.EOF
	}
	return 0, e.err
}
