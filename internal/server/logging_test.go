package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/pgtest"
	"github.com/cohesio/cohesio/internal/server"
	"github.com/cohesio/cohesio/internal/store"
)

// logBuffer collects the JSON lines a server logs, and tells who waits when one comes.
type logBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{}
}

func newLogBuffer() *logBuffer { return &logBuffer{changed: make(chan struct{})} }

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	close(b.changed)
	b.changed = make(chan struct{})
	return b.buf.Write(p)
}

// records returns the records of request id, and the channel closed on the next write.
func (b *logBuffer) records(t *testing.T, id string) ([]map[string]any, <-chan struct{}) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(b.buf.String()), "\n") {
		if line == "" {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if rec["request_id"] == id {
			out = append(out, rec)
		}
	}
	return out, b.changed
}

// logged waits for the access log's line of request id (written when the request is done,
// after any other line of it), then returns the records of the request at Info or above.
func (b *logBuffer) logged(t *testing.T, id string) []map[string]any {
	t.Helper()
	safety := time.After(time.Minute) // a safety net only: the line comes when the request ends
	for {
		recs, changed := b.records(t, id)
		for _, r := range recs {
			if r["method"] != nil { // the access log's line
				var shown []map[string]any
				for _, r := range recs {
					if r["level"] != "DEBUG" {
						shown = append(shown, r)
					}
				}
				return shown
			}
		}
		select {
		case <-changed:
		case <-safety:
			t.Fatalf("request %s was never logged: %v", id, recs)
		}
	}
}

// loggingAPI serves a fresh copy of the fixture with its logs, at Debug level, in a buffer.
func loggingAPI(t *testing.T, opts ...func(*server.Config)) (*httptest.Server, *logBuffer, *store.Store, string) {
	t.Helper()
	dsn := pgtest.NewDatabase(t)
	st, err := store.Open(context.Background(), dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	logs := newLogBuffer()
	cfg := server.Config{Store: st, Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	for _, o := range opts {
		o(&cfg)
	}
	h, err := server.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, logs, st, dsn
}

// lockOperators holds an exclusive lock on the operator table until the test ends: a read of
// it waits for as long as the test wants, whatever the machine's speed.
func lockOperators(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(ctx) })
	if _, err := conn.Exec(ctx, "BEGIN; LOCK TABLE operator IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	return conn
}

func postWithID(ctx context.Context, t *testing.T, url, id, query string) (*http.Response, []byte, error) {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url+"/graphql", strings.NewReader(`{"query":`+jsonString(query)+`}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Request-Id", id)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res, b, err
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// expectOneLine checks that request id left exactly one line at Info or above, with msg.
func expectOneLine(t *testing.T, logs *logBuffer, id, level, msg string) {
	t.Helper()
	recs := logs.logged(t, id)
	if len(recs) != 1 || recs[0]["level"] != level || recs[0]["msg"] != msg {
		t.Errorf("request %s logged %v; want one %s line %q", id, recs, level, msg)
	}
}

// A request stopped by its timeout while its statement waits is logged once, at Warn.
func TestATimedOutRequestIsLoggedOnce(t *testing.T) {
	srv, logs, _, dsn := loggingAPI(t, func(c *server.Config) { c.Timeout = 50 * time.Millisecond })
	lockOperators(t, dsn) // the statement waits until the deadline cancels it
	res, body, err := postWithID(context.Background(), t, srv.URL, "slow-1", `{ operators(first: 1) { nodes { name } } }`)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(body), `"TIMEOUT"`) {
		t.Errorf("status %d, body %s: want TIMEOUT", res.StatusCode, body)
	}
	expectOneLine(t, logs, "slow-1", "WARN", "request timed out")
}

// A request whose client goes away while its statement runs is logged once, at Info: the
// statement was cancelled, and someone may wonder why.
func TestACancelledRequestIsLoggedOnce(t *testing.T) {
	srv, logs, _, dsn := loggingAPI(t)
	lock := lockOperators(t, dsn)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, _, err := postWithID(ctx, t, srv.URL, "gone-1", `{ operators(first: 1) { nodes { name } } }`)
		done <- err
	}()
	// The event: the request's statement waits for the lock.
	for waiting := 0; waiting == 0; {
		if err := lock.QueryRow(context.Background(),
			`SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("client: %v, want cancelled", err)
	}
	expectOneLine(t, logs, "gone-1", "INFO", "request cancelled by the client")
}

// A 5xx is logged once: by the handler that saw the error (with it), or by the access log.
func TestA5xxIsLoggedOnce(t *testing.T) {
	srv, logs, st, _ := loggingAPI(t, func(c *server.Config) { c.Role = access.Analyst })
	st.Close() // every statement now fails: an internal error
	get := func(id, path string) int {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		req.Header.Set("X-Request-Id", id)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if status := get("broken-1", "/snapshots"); status != http.StatusInternalServerError {
		t.Errorf("status %d, want 500", status)
	}
	expectOneLine(t, logs, "broken-1", "ERROR", "datasets")
	_, body, err := postWithID(context.Background(), t, srv.URL, "broken-2", `{ operators(first: 1) { nodes { name } } }`)
	if err != nil || !strings.Contains(string(body), "INTERNAL_SERVER_ERROR") {
		t.Errorf("body %s (%v): want an internal error", body, err)
	}
	expectOneLine(t, logs, "broken-2", "ERROR", "request failed")
}

// A 5xx that no handler logs (here: a PDF asked of a server without Chromium) is logged once
// by the access log.
func TestAnUnloggedServiceUnavailableIsLoggedOnce(t *testing.T) {
	srv, logs, _, _ := loggingAPI(t)
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/reports/annual/2024.pdf", nil)
	req.Header.Set("X-Request-Id", "nopdf-1")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503", res.StatusCode)
	}
	expectOneLine(t, logs, "nopdf-1", "WARN", "request failed")
}

// A database that refuses connections is a 503 saying so, not an internal error, and is
// logged once, at Warn.
func TestAnUnavailableDatabaseAnswers503(t *testing.T) {
	srv, logs, _, dsn := loggingAPI(t)
	ctx := context.Background()
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	name := cfg.Database
	cfg.Database = "postgres" // a database cannot refuse connections from inside itself
	admin, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin.Exec(ctx, "ALTER DATABASE "+pgx.Identifier{name}.Sanitize()+" WITH ALLOW_CONNECTIONS true")
		admin.Close(ctx)
	})
	if _, err := admin.Exec(ctx, "ALTER DATABASE "+pgx.Identifier{name}.Sanitize()+" WITH ALLOW_CONNECTIONS false"); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", name); err != nil {
		t.Fatal(err)
	}
	// The pool may still hold connections it has not found dead yet: each request finds one.
	// Every answer is clean; once they are all gone, the answer is 503.
	for i := 0; ; i++ {
		id := "down-" + string(rune('a'+i))
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/snapshots", nil)
		req.Header.Set("X-Request-Id", id)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode == http.StatusOK {
			if i > 20 {
				t.Fatalf("the database still answers after %d requests", i)
			}
			continue
		}
		if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "UNAVAILABLE") || res.Header.Get("Retry-After") == "" {
			t.Fatalf("status %d %v, body %s: want 503 UNAVAILABLE", res.StatusCode, res.Header, body)
		}
		expectOneLine(t, logs, id, "WARN", "database unavailable")
		break
	}
	_, body, err := postWithID(ctx, t, srv.URL, "down-gql", `{ operators(first: 1) { nodes { name } } }`)
	if err != nil || !strings.Contains(string(body), `"UNAVAILABLE"`) {
		t.Errorf("body %s (%v): want UNAVAILABLE", body, err)
	}
	expectOneLine(t, logs, "down-gql", "WARN", "database unavailable")
}
