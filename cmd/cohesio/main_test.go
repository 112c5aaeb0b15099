package main

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cohesio/cohesio/internal/pgtest"
	"github.com/cohesio/cohesio/internal/playground"
	"github.com/cohesio/cohesio/internal/store"
)

func TestMain(m *testing.M) {
	// Commands that start `cohesio` itself (bench exports) start the test binary: it then
	// behaves as the real one.
	if os.Getenv("COHESIO_TEST_AS_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(pgtest.Main(m, store.MigrateURL))
}

// serveDemo runs `cohesio serve --demo` as a user would, on a free port, until the test ends.
func serveDemo(t *testing.T) string {
	url, _ := serveDemoWith(t)
	return url
}

// serveDemoWith is serveDemo with more flags; stop interrupts the server (as SIGINT would)
// and waits for it to return, before the test ends when called.
func serveDemoWith(t *testing.T, flags ...string) (url string, stop func()) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		args := append([]string{"cohesio", "serve", "--demo", "--addr", addr, "--database-url", pgtest.NewDatabase(t)}, flags...)
		done <- newApp().Run(ctx, args)
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve returned %v after SIGINT", err)
			}
		})
	}
	t.Cleanup(stop)
	url = "http://" + addr
	for deadline := time.Now().Add(30 * time.Second); ; {
		res, err := http.Get(url + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return url, stop
			}
		}
		select {
		case err := <-done:
			t.Fatalf("serve stopped: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("serve did not become ready in 30 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Every example of the playground answers with real data from the demo dataset.
func TestPlaygroundExamplesAnswerWithDemoData(t *testing.T) {
	url := serveDemo(t)
	examples, err := playground.Examples()
	if err != nil {
		t.Fatal(err)
	}
	if len(examples) < 4 {
		t.Fatalf("%d examples, want at least 4", len(examples))
	}
	for _, ex := range examples {
		t.Run(ex.Name, func(t *testing.T) {
			body := map[string]any{"query": ex.Query}
			if ex.Variables != "" {
				body["variables"] = json.RawMessage(ex.Variables)
			}
			b, _ := json.Marshal(body)
			res, err := http.Post(url+"/graphql", "application/json", strings.NewReader(string(b)))
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var out struct {
				Data   map[string]any
				Errors []any
			}
			if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
				t.Fatal(err)
			}
			if len(out.Errors) > 0 {
				t.Fatalf("errors: %v", out.Errors)
			}
			for field, v := range out.Data {
				if empty(v) {
					t.Errorf("%s is empty: %v", field, v)
				}
			}
		})
	}
}

// empty reports whether a response value holds no data at all: null, or connections whose
// node lists are all empty.
func empty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case map[string]any:
		if nodes, ok := v["nodes"].([]any); ok {
			return len(nodes) == 0
		}
		for _, x := range v {
			if !empty(x) {
				return false
			}
		}
		return len(v) > 0
	case []any:
		return len(v) == 0
	}
	return false
}

func TestDefaultDataDirIsReachableByTheServerUser(t *testing.T) {
	d := defaultDataDir()
	if os.Geteuid() == 0 && !strings.HasPrefix(d, "/var/lib/") {
		t.Errorf("as root the data dir %s would sit under a home the postgres user cannot enter", d)
	}
}
