package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/pgtest"
	"github.com/cohesio/cohesio/internal/store"
)

// These tests are inside the package to reach the middlewares themselves; the database comes
// from the TestMain of server_test.

// serveGuarded serves a fresh copy of the fixture database with cfg.
func serveGuarded(t *testing.T, cfg Config) *httptest.Server {
	t.Helper()
	st, err := store.Open(context.Background(), pgtest.NewDatabase(t), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cfg.Store = st
	h, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// send makes a request and returns the response with its body read.
func send(t *testing.T, method, url, contentType, body string, header http.Header) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// errorCode returns the message and extensions.code of the first error of a response body.
func errorCode(t *testing.T, body string) (message, code string) {
	t.Helper()
	var out struct {
		Errors []struct {
			Message    string
			Extensions struct{ Code string }
		}
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil || len(out.Errors) == 0 {
		t.Fatalf("want a GraphQL error, got %s (%v)", body, err)
	}
	return out.Errors[0].Message, out.Errors[0].Extensions.Code
}

const typename = `{"query":"{ __typename }"}`

func TestRateLimitAnswers429WithRetryAfter(t *testing.T) {
	// 0.01 per second: a refused caller waits about 100 s.
	srv := serveGuarded(t, Config{RateLimit: 0.01, RateBurst: 2})
	for i := range 2 {
		if res, body := send(t, "POST", srv.URL+"/graphql", "application/json", typename, nil); res.StatusCode != 200 {
			t.Fatalf("request %d within the burst: %d %s", i+1, res.StatusCode, body)
		}
	}
	for _, path := range []string{"/graphql", "/datasets", "/snapshots"} {
		method, body := "GET", ""
		if path == "/graphql" {
			method, body = "POST", typename
		}
		res, got := send(t, method, srv.URL+path, "application/json", body, nil)
		if res.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("%s %s over the limit: %d %s, want 429", method, path, res.StatusCode, got)
		}
		if secs, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || secs < 90 || secs > 100 {
			t.Errorf("%s: Retry-After %q, want about 100 seconds", path, res.Header.Get("Retry-After"))
		}
		if msg, code := errorCode(t, got); code != "RATE_LIMITED" || !strings.HasPrefix(msg, "rate limit exceeded: ") {
			t.Errorf("%s: error %q %q", path, msg, code)
		}
	}
	// Health checks and metrics are for the platform, not callers: never limited.
	for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
		if res, body := send(t, "GET", srv.URL+path, "", "", nil); res.StatusCode != 200 {
			t.Errorf("GET %s: %d %.80s", path, res.StatusCode, body)
		}
	}
}

func TestRateLimitOffByDefault(t *testing.T) {
	srv := serveGuarded(t, Config{RateBurst: 1}) // no RateLimit
	for i := range 5 {
		if res, body := send(t, "POST", srv.URL+"/graphql", "application/json", typename, nil); res.StatusCode != 200 {
			t.Fatalf("request %d: %d %s", i+1, res.StatusCode, body)
		}
	}
}

func TestRateLimitKeys(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	status := func(h http.Handler, subject, remote, forwarded string) int {
		r := httptest.NewRequest("POST", "/graphql", nil)
		r.RemoteAddr = remote
		if forwarded != "" {
			r.Header.Set("X-Forwarded-For", forwarded)
		}
		if subject != "" {
			r = r.WithContext(access.WithPrincipal(r.Context(), access.Principal{Role: access.Researcher, Subject: subject}))
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	type call struct {
		subject, remote, forwarded string
		want                       int
	}
	check := func(t *testing.T, h http.Handler, calls []call) {
		t.Helper()
		for i, c := range calls {
			if got := status(h, c.subject, c.remote, c.forwarded); got != c.want {
				t.Errorf("call %d %+v: %d, want %d", i+1, c, got, c.want)
			}
		}
	}

	t.Run("by subject, else by address; X-Forwarded-For ignored", func(t *testing.T) {
		check(t, newRateLimiter(0.001, 1, false).handler(ok), []call{
			{"token:a", "192.0.2.1:1000", "", 200},
			{"token:a", "192.0.2.2:1000", "", 429}, // a token is one caller wherever it comes from
			{"token:b", "192.0.2.1:1000", "", 200},
			{"", "192.0.2.1:1000", "", 200}, // anonymous callers do not share a token's bucket
			{"", "192.0.2.1:2000", "", 429}, // another port of the same address
			{"", "192.0.2.1:1000", "198.51.100.9", 429},
			{"", "192.0.2.9:1000", "192.0.2.1", 200},
			{"", "[2001:db8:1:2::1]:1000", "", 200},
			{"", "[2001:db8:1:2::ffff]:1000", "", 429}, // same /64
			{"", "[2001:db8:1:3::1]:1000", "", 200},
		})
	})
	t.Run("TrustProxy: the address the proxy appended", func(t *testing.T) {
		const proxy = "10.0.0.1:5000"
		check(t, newRateLimiter(0.001, 1, true).handler(ok), []call{
			{"", proxy, "203.0.113.66, 198.51.100.7", 200},
			{"", proxy, "198.51.100.7", 429},
			{"", proxy, "198.51.100.7, 198.51.100.8", 200}, // a forged first entry does not count
			{"", proxy, "", 200},                           // no header: the connection's address
			{"", proxy, "", 429},
		})
	})
}

func TestRateLimitMemoryIsBounded(t *testing.T) {
	l := newRateLimiter(1, 1, false)
	now := time.Now()
	for i := range rateLimitKeys + 100 {
		l.reserve(fmt.Sprint("ip:", i), now)
	}
	if n := l.limiters.Len(); n != rateLimitKeys {
		t.Errorf("%d limiters kept, want %d", n, rateLimitKeys)
	}
}

func TestRetryAfterIsWholeSecondsAtLeastOne(t *testing.T) {
	for wait, want := range map[time.Duration]int{time.Millisecond: 1, time.Second: 1, 1001 * time.Millisecond: 2, 4 * time.Second: 4} {
		if got := retryAfter(wait); got != want {
			t.Errorf("retryAfter(%v) = %d, want %d", wait, got, want)
		}
	}
	// From the limiter: at 0.25 per second, the next token is 4 s away.
	l := newRateLimiter(0.25, 1, false)
	now := time.Now()
	if wait := l.reserve("k", now); wait != 0 {
		t.Fatalf("first request waits %v", wait)
	}
	if got := retryAfter(l.reserve("k", now.Add(time.Millisecond))); got != 4 {
		t.Errorf("Retry-After %d, want 4", got)
	}
	// A refused request is not charged: a second refusal waits no longer.
	if got := retryAfter(l.reserve("k", now.Add(2*time.Millisecond))); got != 4 {
		t.Errorf("Retry-After %d after a refusal, want 4", got)
	}
}

func TestBatchesAreRefused(t *testing.T) {
	srv := serveGuarded(t, Config{})
	for _, body := range []string{`[{"query":"{ __typename }"},{"query":"{ __typename }"}]`, " \n\t[" + typename + "]"} {
		res, got := send(t, "POST", srv.URL+"/graphql", "application/json", body, nil)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(got, "batching is not supported: send one operation per request") {
			t.Errorf("batch %.30q: %d %s", body, res.StatusCode, got)
		}
	}
	// One operation, after whitespace, still runs: the peek consumed nothing.
	if res, got := send(t, "POST", srv.URL+"/graphql", "application/json", "  \n"+typename, nil); res.StatusCode != 200 || !strings.Contains(got, "Query") {
		t.Errorf("single operation: %d %s", res.StatusCode, got)
	}
}

func TestFormsAndUploadsAreRefused(t *testing.T) {
	srv := serveGuarded(t, Config{AllowedOrigins: []string{"https://app.example"}})
	var multi bytes.Buffer
	mw := multipart.NewWriter(&multi)
	mw.WriteField("operations", `{"query":"mutation ($f: Upload!) { importData(file: $f) }","variables":{"f":null}}`)
	mw.WriteField("map", `{"0":["variables.f"]}`)
	fw, _ := mw.CreateFormFile("0", "data.csv")
	fw.Write([]byte("a,b\n1,2\n"))
	mw.Close()
	// What a page on another site can send without a preflight: an HTML form (urlencoded,
	// multipart, text/plain, the last one with a JSON-looking body) or fetch in no-cors mode.
	crossSite := http.Header{"Origin": {"https://evil.example"}}
	// An upload (multipart) is taken only with the header that forces a preflight.
	for _, tc := range []struct {
		name, contentType, body string
		status                  int
		says                    string
	}{
		{"multipart/form-data", mw.FormDataContentType(), multi.String(), http.StatusBadRequest, "GraphQL-Require-Preflight"},
		{"application/x-www-form-urlencoded", "application/x-www-form-urlencoded", url.Values{"query": {"mutation { deleteEverything }"}}.Encode(), http.StatusUnsupportedMediaType, "application/json"},
		{"text/plain", "text/plain", `{"query":"mutation { deleteEverything }"}`, http.StatusUnsupportedMediaType, "application/json"},
		{"text/plain with charset", "text/plain; charset=utf-8", `{"query":"{ __typename }"}`, http.StatusUnsupportedMediaType, "application/json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, body := send(t, "POST", srv.URL+"/graphql", tc.contentType, tc.body, crossSite)
			if res.StatusCode != tc.status || !strings.Contains(body, tc.says) {
				t.Errorf("%d %s, want %d saying %s", res.StatusCode, body, tc.status, tc.says)
			}
			if got := res.Header.Get("Access-Control-Allow-Origin"); got != "" {
				t.Errorf("Access-Control-Allow-Origin %q to another site", got)
			}
		})
	}
}

func TestRequirePreflight(t *testing.T) {
	h := requirePreflight(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusCreated) }))
	for _, tc := range []struct {
		contentType string
		header      bool
		want        int
	}{
		{"multipart/form-data; boundary=x", false, http.StatusBadRequest},
		{"multipart/form-data; boundary=x", true, http.StatusCreated},
		{"application/x-www-form-urlencoded", false, http.StatusBadRequest},
		{"text/plain", false, http.StatusBadRequest},
		{"", false, http.StatusBadRequest},
		{"application/json", false, http.StatusCreated}, // a browser preflights it anyway
	} {
		r := httptest.NewRequest("POST", "/imports", strings.NewReader("x"))
		if tc.contentType != "" {
			r.Header.Set("Content-Type", tc.contentType)
		}
		if tc.header {
			r.Header.Set("GraphQL-Require-Preflight", "1")
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != tc.want {
			t.Errorf("%q with header %v: %d %s, want %d", tc.contentType, tc.header, w.Code, w.Body, tc.want)
		}
	}
}

func TestCORSCredentialsForListedOriginsOnly(t *testing.T) {
	const listed, other = "https://app.example", "https://evil.example"
	get := func(srv *httptest.Server, origin string) *http.Response {
		res, _ := send(t, "GET", srv.URL+"/graphql?query=%7B__typename%7D", "", "", http.Header{"Origin": {origin}})
		return res
	}
	preflight := func(srv *httptest.Server, origin string) *http.Response {
		res, _ := send(t, "OPTIONS", srv.URL+"/graphql", "", "", http.Header{"Origin": {origin},
			"Access-Control-Request-Method": {"POST"}, "Access-Control-Request-Headers": {"authorization,content-type"}}) // sorted, as browsers send them
		return res
	}
	allowHeaders := func(res *http.Response) []string {
		var got []string
		for k := range res.Header {
			if strings.HasPrefix(k, "Access-Control-Allow-") {
				got = append(got, k+": "+res.Header.Get(k))
			}
		}
		return got
	}

	srv := serveGuarded(t, Config{AllowedOrigins: []string{listed}})
	for name, res := range map[string]*http.Response{"request": get(srv, listed), "preflight": preflight(srv, listed)} {
		if res.Header.Get("Access-Control-Allow-Origin") != listed || res.Header.Get("Access-Control-Allow-Credentials") != "true" {
			t.Errorf("listed origin, %s: %v, want the origin allowed with credentials", name, allowHeaders(res))
		}
	}
	for name, res := range map[string]*http.Response{"request": get(srv, other), "preflight": preflight(srv, other)} {
		if h := allowHeaders(res); len(h) > 0 {
			t.Errorf("unlisted origin, %s: %v, want no allow headers", name, h)
		}
	}

	t.Run("no origin listed: same origin only", func(t *testing.T) {
		srv := serveGuarded(t, Config{})
		for name, res := range map[string]*http.Response{"request": get(srv, other), "preflight": preflight(srv, other)} {
			if h := allowHeaders(res); len(h) > 0 {
				t.Errorf("%s: %v, want no allow headers", name, h)
			}
		}
	})
	t.Run(`"*": any origin, without credentials`, func(t *testing.T) {
		srv := serveGuarded(t, Config{AllowedOrigins: []string{"*"}})
		res := get(srv, other)
		if res.Header.Get("Access-Control-Allow-Origin") != "*" || res.Header.Get("Access-Control-Allow-Credentials") != "" {
			t.Errorf("%v, want * without credentials", allowHeaders(res))
		}
	})
	t.Run(`"*" with listed origins is refused`, func(t *testing.T) {
		_, err := New(Config{AllowedOrigins: []string{listed, "*"}})
		if err == nil || !strings.Contains(err.Error(), `"*"`) {
			t.Errorf("New: %v, want an error about \"*\"", err)
		}
	})
}

// Only refused credentials (401 with an invalid_token challenge) spend an address's budget of
// failed authentications; once it is spent, requests with credentials from that address are
// answered 429 without reaching authentication, the others are not.
func TestAuthFailuresSpendOnRefusalsOnly(t *testing.T) {
	g := &guard{failures: newRateLimiter(0.001, 2, false)}
	reached := 0
	h := g.authFailures(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached++
		switch r.URL.Path {
		case "/refused":
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="unknown token"`)
			w.WriteHeader(http.StatusUnauthorized)
		case "/other401":
			w.WriteHeader(http.StatusUnauthorized)
		}
	}))
	call := func(path, remote string, credentials bool) *httptest.ResponseRecorder {
		r := httptest.NewRequest("POST", path, nil)
		r.RemoteAddr = remote
		if credentials {
			r.Header.Set("Authorization", "Bearer coh_x")
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	const flooder = "192.0.2.1:1000"
	for i := range 3 {
		if w := call("/ok", flooder, true); w.Code != 200 {
			t.Fatalf("accepted credentials %d: %d", i+1, w.Code)
		}
		if w := call("/other401", flooder, true); w.Code != 401 {
			t.Fatalf("401 without a challenge %d: %d", i+1, w.Code)
		}
	}
	for i := range 2 {
		if w := call("/refused", flooder, true); w.Code != 401 {
			t.Fatalf("refusal %d within the budget: %d", i+1, w.Code)
		}
	}
	before := reached
	w := call("/ok", flooder, true)
	if w.Code != http.StatusTooManyRequests || reached != before {
		t.Fatalf("credentials after the budget: %d, reached authentication: %v", w.Code, reached != before)
	}
	if secs, err := strconv.Atoi(w.Header().Get("Retry-After")); err != nil || secs < 900 || secs > 1000 {
		t.Errorf("Retry-After %q, want about 1000 s (one failure per 1000 s)", w.Header().Get("Retry-After"))
	}
	if msg, code := errorCode(t, w.Body.String()); code != "RATE_LIMITED" || !strings.HasPrefix(msg, "too many failed authentications from this address: at most 2 at once") {
		t.Errorf("error %q %q", msg, code)
	}
	if w := call("/ok", flooder, false); w.Code != 200 {
		t.Errorf("without credentials from the same address: %d", w.Code)
	}
	if w := call("/ok", "192.0.2.2:1000", true); w.Code != 200 {
		t.Errorf("credentials from another address: %d", w.Code)
	}
}
