package server_test

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cohesio/cohesio/internal/server"
)

func TestLimitsRefuseRequestsBeforeTheyRun(t *testing.T) {
	a := newAPI(t, func(c *server.Config) { c.Limits = server.Limits{MaxDepth: 5, MaxAliases: 2, MaxCost: 1000} })
	tests := []struct {
		name, query, mention string
	}{
		{"too deep", `{ territories { nodes { servedBy { nodes { projects { nodes { title } } } } } } }`, "levels deep"},
		{"too many aliases", `{ a: commune(nisCode: "21015") { name } b: commune(nisCode: "21012") { name } c: commune(nisCode: "21001") { name } }`, "aliases"},
		{"too costly: pages multiply", `{ operators(first: 100) { nodes { projects(first: 20) { nodes { title } } } } }`, "up to 4201 objects"},
		{"a fragment counts too", `query { operators(first: 500) { ...deep } } fragment deep on OperatorConnection { nodes { name } }`, "objects"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := a.raw(tt.query, nil)
			if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != "LIMIT_EXCEEDED" || !strings.Contains(resp.Errors[0].Message, tt.mention) {
				t.Errorf("errors = %+v, want LIMIT_EXCEEDED mentioning %q", resp.Errors, tt.mention)
			}
		})
	}
	// Within the limits, and introspection (deep by nature) is not counted.
	var ok map[string]any
	a.query(`{ operators(first: 10) { nodes { projects(first: 10) { nodes { title } } } } }`, nil, &ok)
	a.query(`{ __schema { types { fields { type { ofType { ofType { ofType { name } } } } } } } }`, nil, &ok)
}

func TestSlowRequestsAreStopped(t *testing.T) {
	a := newAPI(t, func(c *server.Config) { c.Timeout = time.Nanosecond })
	// The deadline passes before any SQL could answer: the request is stopped with a 503 that
	// says why, never left to hang nor answered with an empty 200.
	res, err := http.Post(a.srv.URL+"/graphql", "application/json", strings.NewReader(`{"query":"{ operators { nodes { name } } }"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), `"TIMEOUT"`) {
		t.Errorf("status %d, body %s: want the request stopped by its timeout", res.StatusCode, body)
	}
}

func TestProductionModeHidesTheSchema(t *testing.T) {
	a := newAPI(t, func(c *server.Config) { c.Production = true })
	resp := a.raw(`{ __schema { queryType { name } } }`, nil)
	if len(resp.Errors) == 0 {
		t.Error("introspection answered in production mode")
	}
	resp = a.raw(`{ operatorz { nodes { name } } }`, nil)
	if len(resp.Errors) != 1 || strings.Contains(resp.Errors[0].Message, "Did you mean") {
		t.Errorf("errors = %+v, want no field suggestion", resp.Errors)
	}
	var data map[string]any
	a.query(`{ operators(first: 1) { nodes { name } } }`, nil, &data)
}

// Errors come in the order of their paths, however the items of a list were resolved: the
// same request gets the same body every time.
func TestErrorsComeInTheOrderOfTheirPaths(t *testing.T) {
	a := newAPI(t, func(c *server.Config) { c.DisablePlanner = true })
	const q = `{ operators { nodes { name projects(after: "bad") { nodes { title } } } } }`
	first := a.raw(q, nil)
	if len(first.Errors) < 3 {
		t.Fatalf("%d errors, want one per operator", len(first.Errors))
	}
	for i, e := range first.Errors {
		if want := fmt.Sprintf("[operators nodes %d projects]", i); fmt.Sprint(e.Path) != want {
			t.Errorf("error %d at %v, want %s", i, e.Path, want)
		}
	}
	body := func() string {
		res, err := http.Post(a.srv.URL+"/graphql", "application/json", strings.NewReader(`{"query":`+strconv.Quote(q)+`}`))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	want := body()
	for range 20 {
		if got := body(); got != want {
			t.Fatalf("the same request answered\n%s\nthen\n%s", want, got)
		}
	}
}
