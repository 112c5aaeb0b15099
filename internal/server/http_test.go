package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The MUST requirements of the GraphQL-over-HTTP specification, checked from outside.
func TestGraphQLOverHTTP(t *testing.T) {
	a := newAPI(t)
	do := func(method, path, contentType, accept, body string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(method, a.srv.URL+path, strings.NewReader(body))
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}
	const q = `{"query":"{ commune(nisCode: \"21015\") { nameFr } }"}`

	t.Run("POST with application/graphql-response+json", func(t *testing.T) {
		res, body := do("POST", "/graphql", "application/json", "application/graphql-response+json", q)
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/graphql-response+json") || !strings.Contains(body, "Schaerbeek") {
			t.Fatalf("%d %s %s", res.StatusCode, res.Header.Get("Content-Type"), body)
		}
	})
	t.Run("POST with application/json", func(t *testing.T) {
		res, body := do("POST", "/graphql", "application/json", "application/json", q)
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") || !strings.Contains(body, "Schaerbeek") {
			t.Fatalf("%d %s %s", res.StatusCode, res.Header.Get("Content-Type"), body)
		}
	})
	t.Run("GET query", func(t *testing.T) {
		v := url.Values{"query": {`query($n: String!) { commune(nisCode: $n) { nameNl } }`}, "variables": {`{"n":"21015"}`}}
		res, body := do("GET", "/graphql?"+v.Encode(), "", "application/graphql-response+json", "")
		if res.StatusCode != 200 || !strings.Contains(body, "Schaarbeek") {
			t.Fatalf("%d %s", res.StatusCode, body)
		}
	})
	t.Run("a document that does not parse is a 400 with errors", func(t *testing.T) {
		res, body := do("POST", "/graphql", "application/json", "application/graphql-response+json", `{"query":"{ communes("}`)
		var out struct{ Errors []any }
		json.Unmarshal([]byte(body), &out)
		if res.StatusCode != 400 || len(out.Errors) == 0 {
			t.Fatalf("%d %s", res.StatusCode, body)
		}
	})
	t.Run("a document that does not validate is a 400 without data", func(t *testing.T) {
		res, body := do("POST", "/graphql", "application/json", "application/graphql-response+json", `{"query":"{ nope }"}`)
		var out struct {
			Data   any
			Errors []any
		}
		json.Unmarshal([]byte(body), &out)
		if res.StatusCode != 400 || out.Data != nil || len(out.Errors) == 0 {
			t.Fatalf("%d %s", res.StatusCode, body)
		}
	})
	t.Run("a body that is not JSON is a 400", func(t *testing.T) {
		res, _ := do("POST", "/graphql", "application/json", "", `not json`)
		if res.StatusCode != 400 {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
	t.Run("a mutation over GET gets 405", func(t *testing.T) {
		v := url.Values{"query": {`mutation M { x } query Q { __typename }`}, "operationName": {"M"}}
		res, _ := do("GET", "/graphql?"+v.Encode(), "", "", "")
		if res.StatusCode != http.StatusMethodNotAllowed || res.Header.Get("Allow") != "POST" {
			t.Fatalf("status %d, Allow %q", res.StatusCode, res.Header.Get("Allow"))
		}
		v.Set("operationName", "Q")
		if res, body := do("GET", "/graphql?"+v.Encode(), "", "", ""); res.StatusCode == http.StatusMethodNotAllowed {
			t.Fatalf("the query of the same document was refused: %s", body)
		}
	})
	t.Run("other methods get 405 with Allow", func(t *testing.T) {
		res, _ := do("PUT", "/graphql", "application/json", "", q)
		if res.StatusCode != http.StatusMethodNotAllowed || res.Header.Get("Allow") != "GET, POST" {
			t.Fatalf("status %d, Allow %q", res.StatusCode, res.Header.Get("Allow"))
		}
	})
	t.Run("a POST body that is not JSON gets 415", func(t *testing.T) {
		for _, ct := range []string{"", "text/plain", "application/x-www-form-urlencoded"} {
			res, body := do("POST", "/graphql", ct, "", q)
			if res.StatusCode != http.StatusUnsupportedMediaType || !strings.Contains(body, "application/json") {
				t.Errorf("Content-Type %q: %d %s", ct, res.StatusCode, body)
			}
		}
	})
	t.Run("a charset parameter is accepted", func(t *testing.T) {
		res, body := do("POST", "/graphql", "application/json; charset=utf-8", "", q)
		if res.StatusCode != 200 || !strings.Contains(body, "Schaerbeek") {
			t.Fatalf("%d %s", res.StatusCode, body)
		}
	})
	t.Run("an oversized body is refused", func(t *testing.T) {
		big := `{"query":"{ __typename }","variables":{"x":"` + strings.Repeat("a", 2<<20) + `"}}`
		res, _ := do("POST", "/graphql", "application/json", "", big)
		if res.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d for a 2 MiB body, want 413", res.StatusCode)
		}
	})
}

func TestHealthReadinessMetricsAndPlayground(t *testing.T) {
	a := newAPI(t)
	http.Post(a.srv.URL+"/graphql", "application/json", strings.NewReader(`{"query":"{ __typename }"}`))
	for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ready", "/": "graphiql",
		"/metrics": `cohesio_http_request_duration_seconds_count{code="200",handler="graphql",method="post"} 1`} {
		res, err := http.Get(a.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(strings.ToLower(string(b)), want) {
			t.Errorf("GET %s = %d %.80q, want 200 with %q", path, res.StatusCode, b, want)
		}
		if res.Header.Get("X-Request-Id") == "" {
			t.Errorf("GET %s has no X-Request-Id", path)
		}
	}
}
