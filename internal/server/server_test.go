package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/cohesio/cohesio/internal/pgtest"
	"github.com/cohesio/cohesio/internal/server"
	"github.com/cohesio/cohesio/internal/store"
	"github.com/cohesio/cohesio/internal/store/storetest"
)

func TestMain(m *testing.M) {
	os.Exit(pgtest.Main(m, storetest.MigrateAndLoad("../store/testdata/fixture.sql")))
}

// statementCounter counts the SQL statements the store sends.
type statementCounter struct{ n atomic.Int64 }

// Switching a connection to a request's principal is not counted: it happens once per
// connection and kind of principal, not per request.
func (c *statementCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	if !strings.HasPrefix(d.SQL, "SELECT set_config('role'") {
		c.n.Add(1)
	}
	return ctx
}
func (c *statementCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

type api struct {
	t          testing.TB
	store      *store.Store
	srv        *httptest.Server
	statements *statementCounter
}

// newAPI serves a fresh copy of the fixture database; opts adjust the server's configuration.
func newAPI(t testing.TB, opts ...func(*server.Config)) *api {
	t.Helper()
	counter := &statementCounter{}
	st, err := store.Open(context.Background(), pgtest.NewDatabase(t), store.Options{Tracer: counter})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cfg := server.Config{Store: st}
	for _, o := range opts {
		o(&cfg)
	}
	h, err := server.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &api{t: t, store: st, srv: srv, statements: counter}
}

type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Path       []any          `json:"path"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

// query posts a GraphQL request and decodes the response into out (the data), failing the
// test on any GraphQL error.
func (a *api) query(q string, vars map[string]any, out any) {
	a.t.Helper()
	resp := a.raw(q, vars)
	if len(resp.Errors) > 0 {
		a.t.Fatalf("query failed: %+v", resp.Errors)
	}
	if err := json.Unmarshal(resp.Data, out); err != nil {
		a.t.Fatalf("decode %s: %v", resp.Data, err)
	}
}

func (a *api) raw(q string, vars map[string]any) gqlResponse {
	a.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, a.srv.URL+"/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/graphql-response+json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	var out gqlResponse
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		a.t.Fatalf("decode response (status %d): %v", res.StatusCode, err)
	}
	return out
}
