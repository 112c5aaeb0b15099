package server_test

// Differential tests of the read planner: every example query, every query of the test suite
// and random valid read queries (querygen_test.go) go to two servers over the same database,
// one with the planner (the default) and one with the gqlgen resolvers only
// (Config.DisablePlanner), the reference. Their responses must be byte-identical: status,
// content type and body, data and errors alike.
//
// The random queries are generated from a seed, printed with every failure:
//
//	COHESIO_DIFF_SEED=1234 go test -run RandomQueries ./internal/server/
//	COHESIO_DIFF_SEED=1234 COHESIO_DIFF_ONLY=17 go test -run RandomQueries ./internal/server/
//
// replays all the queries of that seed, or only the 17th. COHESIO_DIFF_N sets how many
// queries run (2,000 by default, 20,000 with -long).

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	gqlast "github.com/vektah/gqlparser/v2/ast"
	gqlparse "github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/cohesio/cohesio/graph/generated"
	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/demo"
	"github.com/cohesio/cohesio/internal/pgtest"
	"github.com/cohesio/cohesio/internal/playground"
	"github.com/cohesio/cohesio/internal/server"
	"github.com/cohesio/cohesio/internal/store"
)

var diffLong = flag.Bool("long", false, "run the long differential tests (20,000 random queries)")

// twoPaths is the same database served twice: with the read planner, and with the resolvers
// only.
type twoPaths struct {
	dsn                string
	planned, resolvers string // GraphQL URLs
	client             *http.Client
	statements         *statementsByRequest
	// fewer counts the requests the planned path answered with fewer SQL statements: it
	// planned at least one root field (else the comparison proves little).
	fewer atomic.Int64
}

// statementsByRequest counts the SQL statements the store sends, by request id.
type statementsByRequest struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *statementsByRequest) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	if id := server.RequestID(ctx); id != "" && !strings.HasPrefix(d.SQL, "SELECT set_config('role'") {
		c.mu.Lock()
		c.n[id]++
		c.mu.Unlock()
	}
	return ctx
}

func (c *statementsByRequest) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (c *statementsByRequest) count(id string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[id]
}

// diffRequest is one GraphQL request, sent as the same bytes to both paths.
type diffRequest struct {
	Query         string          `json:"query"`
	Variables     json.RawMessage `json:"variables,omitempty"`
	OperationName string          `json:"operationName,omitempty"`
}

type diffResponse struct {
	status      int
	contentType string
	body        []byte
}

// newTwoPaths serves the database at dsn with and without the planner, as an administrator
// (drafts and small counts visible: no difference hidden by access rules).
func newTwoPaths(t testing.TB, dsn string) *twoPaths {
	t.Helper()
	statements := &statementsByRequest{n: map[string]int{}}
	st, err := store.Open(context.Background(), dsn, store.Options{MaxConns: 8, Tracer: statements})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	p := &twoPaths{dsn: dsn, statements: statements, client: &http.Client{
		Timeout:   2 * time.Minute,
		Transport: &http.Transport{MaxIdleConnsPerHost: 16},
	}}
	for _, disable := range []bool{false, true} {
		h, err := server.New(server.Config{Store: st, Role: access.Admin, DisablePlanner: disable})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		if disable {
			p.resolvers = srv.URL + "/graphql"
		} else {
			p.planned = srv.URL + "/graphql"
		}
	}
	return p
}

// demoDatabase returns a database holding the demo dataset, loaded as `cohesio seed demo` does.
func demoDatabase(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	// The package's template holds the API fixture: empty it (the migrations write no rows).
	// The audit trail is append-only: the fixture's loading stays in it.
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := conn.Query(ctx, `SELECT quote_ident(tablename) FROM pg_tables
		WHERE schemaname = 'public' AND tablename NOT LIKE 'bun\_%' AND tablename <> 'audit_log' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "TRUNCATE "+strings.Join(tables, ", ")+" RESTART IDENTITY CASCADE"); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)

	st, err := store.Open(ctx, dsn, store.Options{MaxConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if empty, err := st.Empty(ctx); err != nil || !empty {
		t.Fatalf("database not empty before loading the demo (%v)", err)
	}
	if err := demo.Load(ctx, st); err != nil {
		t.Fatal(err)
	}
	return dsn
}

func (p *twoPaths) post(url string, body []byte, requestID string) (diffResponse, error) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return diffResponse{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/graphql-response+json")
	req.Header.Set("X-Request-Id", requestID) // the same on both paths: it shows in internal errors
	res, err := p.client.Do(req)
	if err != nil {
		return diffResponse{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return diffResponse{status: res.StatusCode, contentType: res.Header.Get("Content-Type"), body: b}, err
}

// compare sends req to both paths and returns the resolvers' response, and a description of
// the difference ("" when the responses are identical).
func (p *twoPaths) compare(req diffRequest, requestID string) (diffResponse, string, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return diffResponse{}, "", err
	}
	// One request at a time per id: the statements between the two answers are the planned
	// path's.
	start := p.statements.count(requestID)
	want, err := p.post(p.resolvers, body, requestID)
	if err != nil {
		return diffResponse{}, "", fmt.Errorf("resolvers: %w", err)
	}
	mid := p.statements.count(requestID)
	got, err := p.post(p.planned, body, requestID)
	if err != nil {
		return want, "", fmt.Errorf("planned: %w", err)
	}
	if p.statements.count(requestID)-mid < mid-start {
		p.fewer.Add(1)
	}
	var problems []string
	if got.status != want.status {
		problems = append(problems, fmt.Sprintf("status %d (planned) ≠ %d (resolvers)", got.status, want.status))
	}
	if got.contentType != want.contentType {
		problems = append(problems, fmt.Sprintf("content type %q (planned) ≠ %q (resolvers)", got.contentType, want.contentType))
	}
	if d := bodyDifference(got.body, want.body); d != "" {
		problems = append(problems, d)
		// Is the reference itself stable on this request?
		if again, err := p.post(p.resolvers, body, requestID); err == nil && !bytes.Equal(again.body, want.body) {
			problems = append(problems, "note: the resolvers answered differently when asked again: the reference is not deterministic here\n"+
				labelledDifference(again.body, want.body, "resolvers, 2nd run", "resolvers"))
		}
	}
	return want, strings.Join(problems, "\n"), nil
}

// bodyDifference describes where two bodies first differ, with 200 bytes of each around it.
func bodyDifference(planned, resolvers []byte) string {
	return labelledDifference(planned, resolvers, "planned", "resolvers")
}

func labelledDifference(a, b []byte, nameA, nameB string) string {
	if bytes.Equal(a, b) {
		return ""
	}
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	around := func(b []byte) string {
		from, to := max(0, i-100), min(len(b), i+100)
		s := strconv.Quote(string(b[from:to]))
		if from > 0 {
			s = "…" + s
		}
		if to < len(b) {
			s += "…"
		}
		return s
	}
	width := max(len(nameA), len(nameB)) + 1
	return fmt.Sprintf("bodies differ at byte %d (%s %d bytes, %s %d bytes)\n  %-*s %s\n  %-*s %s",
		i, nameA, len(a), nameB, len(b), width, nameA+":", around(a), width, nameB+":", around(b))
}

func TestDiffReportsTheFirstDifferentByte(t *testing.T) {
	a := []byte(`{"data":{"operators":{"nodes":[{"name":"A"},{"name":"B"}]}}}`)
	if d := bodyDifference(a, bytes.Clone(a)); d != "" {
		t.Errorf("identical bodies reported as different: %s", d)
	}
	b := bytes.Replace(a, []byte(`"B"`), []byte(`"C"`), 1)
	d := bodyDifference(a, b)
	if want := fmt.Sprintf("at byte %d", bytes.IndexByte(a, 'B')); !strings.Contains(d, want) {
		t.Errorf("difference %q, want it %s", d, want)
	}
	if d := bodyDifference(a, a[:len(a)-1]); !strings.Contains(d, fmt.Sprintf("at byte %d", len(a)-1)) {
		t.Errorf("truncated body: %q", d)
	}
}

func querySchema() *gqlast.Schema {
	return generated.NewExecutableSchema(generated.Config{}).Schema()
}

// TestExamplesAreIdenticalOnBothPaths runs every playground example and every bench workload
// over the demo dataset.
func TestExamplesAreIdenticalOnBothPaths(t *testing.T) {
	p := newTwoPaths(t, demoDatabase(t))
	pool := buildPool(t, querySchema(), p)

	examples, err := playground.Examples()
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range examples {
		t.Run("playground/"+ex.Name, func(t *testing.T) {
			req := diffRequest{Query: ex.Query}
			if ex.Variables != "" {
				req.Variables = json.RawMessage(ex.Variables)
			}
			p.check(t, req, "example", true)
		})
	}

	files, err := filepath.Glob("../../bench/queries/*.graphql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no bench workload found (%v)", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".graphql")
		t.Run("bench/"+name, func(t *testing.T) {
			doc, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			sql, _ := os.ReadFile(strings.TrimSuffix(file, ".graphql") + ".sql")
			vars := benchVariables(t, p, pool, string(doc), string(sql))
			b, _ := json.Marshal(vars)
			p.check(t, diffRequest{Query: string(doc), Variables: b}, "bench", true)
		})
	}
	t.Logf("the planner saved statements on %d of %d requests", p.fewer.Load(), len(examples)+len(files))
}

// check compares one request and fails t on a difference; withData also requires an answer
// without errors (the examples are meant to work).
func (p *twoPaths) check(t *testing.T, req diffRequest, requestID string, withData bool) {
	t.Helper()
	want, diff, err := p.compare(req, requestID)
	if err != nil {
		t.Fatal(err)
	}
	if diff != "" {
		t.Errorf("%s\nvariables: %s\noperationName: %q\nquery:\n%s", diff, req.Variables, req.OperationName, req.Query)
	}
	if withData && (want.status != http.StatusOK || bytes.Contains(want.body, []byte(`"errors":`))) {
		t.Errorf("the resolvers answer %d %.500s", want.status, want.body)
	}
}

// benchVariables gives a workload's variables the values of its .sql file's header, "--
// params: [...]" or "-- params-from: SELECT ...", run on the demo data; a value the demo does
// not have (the synthetic dataset's) is replaced by a demo value of a field of the same name.
func benchVariables(t *testing.T, p *twoPaths, pool *valuePool, doc, sql string) map[string]any {
	t.Helper()
	parsed, err := gqlparse.ParseQuery(&gqlast.Source{Input: doc})
	if err != nil || len(parsed.Operations) != 1 {
		t.Fatalf("workload: %v", err)
	}
	defs := parsed.Operations[0].VariableDefinitions
	var params []any
	for line := range strings.Lines(sql) {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), "--")
		if !ok {
			continue
		}
		rest = strings.TrimSpace(rest)
		if v, ok := strings.CutPrefix(rest, "params:"); ok {
			if err := json.Unmarshal([]byte(v), &params); err != nil {
				t.Fatalf("-- params: %v", err)
			}
		} else if q, ok := strings.CutPrefix(rest, "params-from:"); ok {
			conn, err := pgx.Connect(context.Background(), p.dsn)
			if err != nil {
				t.Fatal(err)
			}
			row := make([]any, len(defs))
			ptrs := make([]any, len(defs))
			for i := range row {
				ptrs[i] = &row[i]
			}
			err = conn.QueryRow(context.Background(), q, pgx.QueryExecModeSimpleProtocol).Scan(ptrs...)
			conn.Close(context.Background())
			if err != nil {
				t.Fatalf("-- params-from: %v", err)
			}
			params = row
		}
	}
	vars := map[string]any{}
	for i, d := range defs {
		var v any
		if i < len(params) {
			v = params[i]
		}
		if v == nil || !demoHas(pool, v) {
			v = pool.valueNamed(d.Variable)
		}
		if v == nil {
			t.Fatalf("no demo value for $%s", d.Variable)
		}
		vars[d.Variable] = v
	}
	return vars
}

// demoHas reports whether some field of the demo data has the value v.
func demoHas(pool *valuePool, v any) bool {
	want := fmt.Sprint(v)
	for _, fields := range pool.values {
		for _, vals := range fields {
			for _, x := range vals {
				if fmt.Sprint(x) == want {
					return true
				}
			}
		}
	}
	return false
}

// valueNamed returns a value of a field called name, from the first type (by name) with one.
func (p *valuePool) valueNamed(name string) any {
	types := make([]string, 0, len(p.values))
	for typ := range p.values {
		types = append(types, typ)
	}
	sort.Strings(types)
	for _, typ := range types {
		if vals := p.values[typ][name]; len(vals) > 0 {
			return vals[0]
		}
	}
	return nil
}

// TestSuiteQueriesAreIdenticalOnBothPaths runs every read query written in the module's tests
// (Go string literals that are valid GraphQL read documents), over the API fixture the
// server's tests use and over the demo dataset. Variables get values of the right type from
// the data.
func TestSuiteQueriesAreIdenticalOnBothPaths(t *testing.T) {
	schema := querySchema()
	docs := testSuiteQueries(t, schema)
	if len(docs) < 20 {
		t.Fatalf("found %d queries in the test suite, want more", len(docs))
	}
	t.Logf("%d read queries found in the test suite", len(docs))
	for _, db := range []struct {
		name string
		dsn  func(testing.TB) string
	}{{"fixture", pgtest.NewDatabase}, {"demo", demoDatabase}} {
		t.Run(db.name, func(t *testing.T) {
			p := newTwoPaths(t, db.dsn(t))
			gen := newQueryGen(schema, buildPool(t, schema, p))
			for i, d := range docs {
				r := rand.New(rand.NewPCG(uint64(i), 0))
				gen.r = r
				vars := map[string]any{}
				for _, v := range d.variables {
					if !v.Type.NonNull && r.IntN(2) == 0 {
						continue
					}
					val := gen.inputValue(v.Type, "", v.Variable, 0)
					if named := gen.pool.valueNamed(v.Variable); named != nil && v.Type.Elem == nil && gen.isLeaf(v.Type) {
						if c, ok := coerce(v.Type.Name(), named); ok {
							val = c // $code, $nisCode...: a value of a field of that name
						}
					}
					vars[v.Variable] = jsonValue(val)
				}
				b, _ := json.Marshal(vars)
				req := diffRequest{Query: d.query, Variables: b, OperationName: d.operation}
				_, diff, err := p.compare(req, "suite")
				if err != nil {
					t.Fatal(err)
				}
				if diff != "" {
					t.Errorf("query from %s:\n%s\nvariables: %s\noperationName: %q\nquery:\n%s", d.at, diff, b, d.operation, d.query)
				}
			}
			t.Logf("the planner saved statements on %d of %d requests", p.fewer.Load(), len(docs))
		})
	}
}

type suiteQuery struct {
	at, query, operation string
	variables            gqlast.VariableDefinitionList
}

// testSuiteQueries collects the read operations in the string literals of the module's Go
// test files (those of this file and querygen_test.go aside).
func testSuiteQueries(t *testing.T, schema *gqlast.Schema) []suiteQuery {
	t.Helper()
	var out []suiteQuery
	seen := map[string]bool{}
	fset := token.NewFileSet()
	err := filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != "../.." && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, "_test.go") || strings.HasSuffix(path, "differential_test.go") || strings.HasSuffix(path, "querygen_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Logf("skip %s: %v", path, err) // another change under way
			return nil
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil || !strings.Contains(s, "{") || seen[s] {
				return true
			}
			doc, err := gqlparse.ParseQuery(&gqlast.Source{Input: s})
			if err != nil || len(doc.Operations) == 0 {
				return true
			}
			if errs := validator.Validate(schema, doc); len(errs) > 0 {
				return true // a document meant to fail validation, or not one at all
			}
			seen[s] = true
			for _, op := range doc.Operations {
				if op.Operation != gqlast.Query {
					continue
				}
				name := op.Name
				if len(doc.Operations) == 1 {
					name = ""
				}
				out = append(out, suiteQuery{at: fset.Position(lit.Pos()).String(), query: s, operation: name, variables: op.VariableDefinitions})
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// buildPool reads, through the resolvers, the values of every scalar field of every object a
// root field lists, and cursors of every root connection in every single-key order.
func buildPool(t testing.TB, schema *gqlast.Schema, p *twoPaths) *valuePool {
	t.Helper()
	pool := newValuePool()
	post := func(q string) map[string]any {
		body, _ := json.Marshal(diffRequest{Query: q})
		res, err := p.post(p.resolvers, body, "pool")
		if err != nil {
			t.Fatal(err)
		}
		var out struct {
			Data map[string]any `json:"data"`
		}
		d := json.NewDecoder(bytes.NewReader(res.body))
		d.UseNumber()
		if err := d.Decode(&out); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return out.Data
	}
	gen := newQueryGen(schema, pool)
	leaves := func(d *gqlast.Definition) []string {
		var out []string
		for _, f := range d.Fields {
			if !strings.HasPrefix(f.Name, "__") && gen.isLeaf(f.Type) && !hasRequiredArgs(f) {
				out = append(out, f.Name)
			}
		}
		return out
	}
	addObject := func(typ string, o any) {
		m, ok := o.(map[string]any)
		if !ok {
			return
		}
		for k, v := range m {
			pool.addValue(typ, k, v)
		}
	}
	for _, f := range gen.connRoots {
		conn := gen.def(f.Type)
		node := gen.def(conn.Fields.ForName("nodes").Type)
		data := post(fmt.Sprintf("{ r: %s(first: 500) { edges { cursor node { %s } } } }", f.Name, strings.Join(leaves(node), " ")))
		for _, e := range edgesOf(data) {
			pool.addCursor(conn.Name, "", e["cursor"].(string))
			addObject(node.Name, e["node"])
			if n, ok := e["node"].(map[string]any); ok {
				if id, ok := n["id"].(string); ok {
					pool.ids[node.Name] = append(pool.ids[node.Name], id)
					pool.allIDs = append(pool.allIDs, id)
				}
			}
		}
		if a := f.Arguments.ForName("orderBy"); a != nil {
			fieldEnum := gen.def(gen.def(a.Type).Fields.ForName("field").Type)
			for _, v := range fieldEnum.EnumValues {
				data := post(fmt.Sprintf("{ r: %s(first: 500, orderBy: [{field: %s}]) { edges { cursor } } }", f.Name, v.Name))
				for _, e := range edgesOf(data) {
					pool.addCursor(conn.Name, v.Name, e["cursor"].(string))
				}
			}
		}
	}
	for _, f := range schema.Query.Fields {
		d := gen.def(f.Type)
		if strings.HasPrefix(f.Name, "__") || hasRequiredArgs(f) || d.Kind != gqlast.Object || slices.Contains(gen.connRoots, f) {
			continue
		}
		names := leaves(d)
		if len(names) == 0 {
			continue
		}
		data := post(fmt.Sprintf("{ r: %s { %s } }", f.Name, strings.Join(names, " ")))
		switch r := data["r"].(type) {
		case []any:
			for _, o := range r {
				addObject(d.Name, o)
			}
		default:
			addObject(d.Name, r)
		}
	}
	if len(pool.allIDs) == 0 {
		t.Fatal("the pool found no objects: is the database empty?")
	}
	return pool
}

func edgesOf(data map[string]any) []map[string]any {
	r, _ := data["r"].(map[string]any)
	edges, _ := r["edges"].([]any)
	out := make([]map[string]any, 0, len(edges))
	for _, e := range edges {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

var errorValues = regexp.MustCompile(`"[^"]*"|-?[0-9]+`)

// errorMessages returns the messages of a response's errors, their values left out.
func errorMessages(body []byte) []string {
	var r struct {
		Errors []struct{ Message string } `json:"errors"`
	}
	json.Unmarshal(body, &r)
	out := make([]string, len(r.Errors))
	for i, e := range r.Errors {
		out[i] = errorValues.ReplaceAllString(e.Message, "…")
	}
	return out
}

// diffSettings reads the seed, the number of queries and the one query to replay.
func diffSettings(t *testing.T) (seed uint64, n int, only int) {
	seed = uint64(time.Now().UnixNano())
	if s := os.Getenv("COHESIO_DIFF_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("COHESIO_DIFF_SEED=%q: %v", s, err)
		}
		seed = v
	}
	n = 2000
	if *diffLong {
		n = 20000
	}
	if s := os.Getenv("COHESIO_DIFF_N"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			t.Fatalf("COHESIO_DIFF_N=%q: want a positive number", s)
		}
		n = v
	}
	only = -1
	if s := os.Getenv("COHESIO_DIFF_ONLY"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 0 {
			t.Fatalf("COHESIO_DIFF_ONLY=%q: want a query number", s)
		}
		only, n = v, max(n, v+1)
	}
	return seed, n, only
}

// TestRandomQueriesAreIdenticalOnBothPaths runs random valid read queries over the demo data.
func TestRandomQueriesAreIdenticalOnBothPaths(t *testing.T) {
	seed, n, only := diffSettings(t)
	replay := fmt.Sprintf("COHESIO_DIFF_SEED=%d COHESIO_DIFF_N=%d go test -run RandomQueries ./internal/server/", seed, n)
	t.Logf("seed %d, %d queries; replay with: %s", seed, n, replay)
	// Also on stderr, for a panic that ends the test binary before t's log is printed; the
	// request ids diff-N in the server's log name the query.
	fmt.Fprintf(os.Stderr, "%s: seed %d; replay with: %s\n", t.Name(), seed, replay)
	start := time.Now()
	schema := querySchema()
	p := newTwoPaths(t, demoDatabase(t))
	gen := newQueryGen(schema, buildPool(t, schema, p))
	setup := time.Since(start)
	t.Log(gen.describe())

	// Each query has its own generator state, from the seed and its number: the same query
	// comes back whatever runs before it.
	type job struct {
		i int
		q genQuery
	}
	var jobs []job
	rejects, attempts := 0, 0
	for i := range n {
		q, rej, err := gen.generate(rand.New(rand.NewPCG(seed, uint64(i))))
		rejects += rej
		attempts += rej + 1
		if err != nil {
			t.Fatalf("seed %d, query %d: the generator is broken: %v", seed, i, err)
		}
		if only < 0 || i == only {
			jobs = append(jobs, job{i, q})
		}
	}
	if rejects*2 > attempts {
		t.Fatalf("seed %d: %d of %d generated documents were invalid: the generator is broken", seed, rejects, attempts)
	}

	type failure struct {
		i    int
		text string
	}
	var (
		mu       sync.Mutex
		failures []failure
		withErrs int
		maxSize  int
		// errorKinds counts the errors of the answers, by message without its values.
		errorKinds = map[string]int{}
		total      int
	)
	work := make(chan job)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for j := range work {
				vars, _ := json.Marshal(j.q.Variables)
				req := diffRequest{Query: j.q.Query, Variables: vars, OperationName: j.q.OperationName}
				want, diff, err := p.compare(req, fmt.Sprintf("diff-%d", j.i))
				if err != nil {
					diff = err.Error()
				}
				mu.Lock()
				total += len(want.body)
				maxSize = max(maxSize, len(want.body))
				if msgs := errorMessages(want.body); len(msgs) > 0 {
					withErrs++
					for _, m := range msgs {
						errorKinds[m]++
					}
				}
				if diff != "" {
					failures = append(failures, failure{j.i, fmt.Sprintf(
						"seed %d, query %d: %s\nreplay: COHESIO_DIFF_SEED=%d COHESIO_DIFF_ONLY=%d go test -run RandomQueries ./internal/server/\nvariables: %s\noperationName: %q\nquery:\n%s",
						seed, j.i, diff, seed, j.i, vars, j.q.OperationName, j.q.Query)})
				}
				mu.Unlock()
			}
		})
	}
	for _, j := range jobs {
		work <- j
	}
	close(work)
	wg.Wait()

	t.Logf("%d queries in %v (setup %v): %d invalid documents regenerated, %d answers with errors, %d bytes on average, %d at most; the planner saved statements on %d",
		len(jobs), time.Since(start).Round(time.Millisecond), setup.Round(time.Millisecond), rejects, withErrs, total/max(1, len(jobs)), maxSize, p.fewer.Load())
	kinds := slices.Collect(maps.Keys(errorKinds))
	slices.SortFunc(kinds, func(a, b string) int { return cmp.Or(errorKinds[b]-errorKinds[a], strings.Compare(a, b)) })
	for _, k := range kinds[:min(len(kinds), 10)] {
		t.Logf("%5d× %s", errorKinds[k], k)
	}
	if maxSize > 1<<20 {
		t.Logf("an answer took %d bytes: the generator should ask for less", maxSize)
	}
	sort.Slice(failures, func(a, b int) bool { return failures[a].i < failures[b].i })
	for k, f := range failures {
		if k == 5 {
			t.Errorf("… and %d more differences (seed %d)", len(failures)-5, seed)
			break
		}
		t.Error(f.text)
	}
	if len(failures) > 0 {
		t.Errorf("%d of %d queries differ between the two paths; replay all with: %s", len(failures), len(jobs), replay)
	}
}
