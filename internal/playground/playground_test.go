package playground

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
)

var testExamples = []Example{
	{Name: "Hello", Query: "query Hello { __typename }\n"},
	{Name: "Vars </script>", Query: "query V($a: Int) { a(x: $a) }\n", Variables: `{"a": 1}`},
}

func get(t *testing.T, h http.Handler, method, target string) (*http.Response, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	res := rec.Result()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(body)
}

var (
	assetRefRE    = regexp.MustCompile(`(?:src|href)="([^"]*)"`)
	examplesRE    = regexp.MustCompile(`(?s)<script type="application/json" id="examples">(.*?)</script>`)
	absoluteURLRE = regexp.MustCompile(`(?i)https?://|(?:src|href)="//`)
)

func TestPage(t *testing.T) {
	h := Handler("Cohesio <GraphQL>", "/graphql", testExamples)
	res, body := get(t, h, http.MethodGet, "/")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET / = %d", res.StatusCode)
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	csp := res.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self';") || strings.Contains(csp, "script-src 'self' 'unsafe") {
		t.Errorf("CSP = %q, want script-src 'self' only", csp)
	}
	if !strings.Contains(body, "<title>Cohesio &lt;GraphQL&gt;</title>") {
		t.Errorf("title not escaped in page:\n%s", body)
	}
	if !strings.Contains(body, `data-endpoint="/graphql"`) {
		t.Errorf("endpoint missing from page:\n%s", body)
	}
	if absoluteURLRE.MatchString(body) {
		t.Errorf("page references an absolute URL:\n%s", body)
	}

	m := examplesRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no examples JSON in page:\n%s", body)
	}
	var got []Example
	if err := json.Unmarshal([]byte(m[1]), &got); err != nil {
		t.Fatalf("examples JSON %q: %v", m[1], err)
	}
	if len(got) != len(testExamples) {
		t.Fatalf("examples = %+v, want %+v", got, testExamples)
	}
	for i := range got {
		if got[i] != testExamples[i] {
			t.Errorf("example %d = %+v, want %+v", i, got[i], testExamples[i])
		}
	}

	refs := assetRefRE.FindAllStringSubmatch(body, -1)
	seen := map[string]bool{}
	for _, ref := range refs {
		u := ref[1]
		if u == "data:," { // the empty favicon, which saves a request
			continue
		}
		// Relative URLs, resolved against the page at "/".
		if !strings.HasPrefix(u, "playground/") {
			t.Errorf("asset URL %q is not under playground/", u)
			continue
		}
		seen[u[strings.LastIndex(u, "/")+1:]] = true
		wantCT := "text/javascript; charset=utf-8"
		if strings.HasSuffix(u, ".css") {
			wantCT = "text/css; charset=utf-8"
		}
		res, asset := get(t, h, http.MethodGet, "/"+u)
		if res.StatusCode != http.StatusOK || asset == "" {
			t.Errorf("GET /%s = %d, %d bytes", u, res.StatusCode, len(asset))
			continue
		}
		if ct := res.Header.Get("Content-Type"); ct != wantCT {
			t.Errorf("GET /%s: Content-Type = %q, want %q", u, ct, wantCT)
		}
		if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
			t.Errorf("GET /%s: Cache-Control = %q", u, cc)
		}
		// graphiql.min.js has URLs in strings; only our own files must not.
		if strings.HasPrefix(u[strings.LastIndex(u, "/")+1:], "playground.") && absoluteURLRE.MatchString(asset) {
			t.Errorf("%s references an absolute URL", u)
		}
	}
	for _, name := range []string{"react.production.min.js", "react-dom.production.min.js", "graphiql.min.js", "graphiql.min.css", "playground.js", "playground.css"} {
		if !seen[name] {
			t.Errorf("page does not load %s", name)
		}
	}
}

func TestEmptyExamples(t *testing.T) {
	_, body := get(t, Handler("t", "/graphql", nil), http.MethodGet, "/")
	m := examplesRE.FindStringSubmatch(body)
	if m == nil || strings.TrimSpace(m[1]) != "[]" {
		t.Errorf("examples JSON = %q, want []", m)
	}
}

func TestStatus(t *testing.T) {
	h := Handler("t", "/graphql", testExamples)
	js := "/playground/" + assetVersion + "/graphiql.min.js"
	for _, tc := range []struct {
		method, target string
		want           int
	}{
		{http.MethodPost, "/", http.StatusMethodNotAllowed},
		{http.MethodPut, js, http.StatusMethodNotAllowed},
		{http.MethodHead, "/", http.StatusOK},
		{http.MethodHead, js, http.StatusOK},
		{http.MethodGet, "/playground/" + assetVersion + "/LICENSE.graphiql", http.StatusOK},
		{http.MethodGet, "/playground/0000/graphiql.min.js", http.StatusNotFound},
		{http.MethodGet, "/playground/" + assetVersion + "/nope.js", http.StatusNotFound},
		{http.MethodGet, "/playground/" + assetVersion + "/", http.StatusNotFound},
		{http.MethodGet, "/graphiql.min.js", http.StatusNotFound},
		{http.MethodGet, "/favicon.ico", http.StatusNotFound},
	} {
		res, body := get(t, h, tc.method, tc.target)
		if res.StatusCode != tc.want {
			t.Errorf("%s %s = %d, want %d", tc.method, tc.target, res.StatusCode, tc.want)
		}
		if tc.method == http.MethodHead && body != "" {
			t.Errorf("HEAD %s has a body", tc.target)
		}
		if tc.want == http.StatusMethodNotAllowed && res.Header.Get("Allow") != "GET, HEAD" {
			t.Errorf("%s %s: Allow = %q", tc.method, tc.target, res.Header.Get("Allow"))
		}
	}
}

func TestParseExample(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      Example
		wantErr   bool
	}{
		{
			name: "01-hello",
			src:  "# Name: Hello\nquery Hello { __typename }\n",
			want: Example{Name: "Hello", Query: "query Hello { __typename }\n"},
		},
		{
			name: "02-vars",
			src:  "# Name:  Communes by code \r\n# Variables: {\"code\": \"75056\"}\r\n# Looks up one commune.\r\n\r\nquery C($code: String!) {\r\n  commune(code: $code) { name }\r\n}\r\n",
			want: Example{
				Name:      "Communes by code",
				Query:     "# Looks up one commune.\n\nquery C($code: String!) {\n  commune(code: $code) { name }\n}\n",
				Variables: `{"code": "75056"}`,
			},
		},
		{
			name: "03-fallback",
			src:  "#variables: {}\nquery Fallback { a }",
			want: Example{Name: "03-fallback", Query: "query Fallback { a }\n", Variables: "{}"},
		},
		{
			name: "04-empty-name",
			src:  "# Name:\nquery E { a }\n",
			want: Example{Name: "04-empty-name", Query: "query E { a }\n"},
		},
		{
			// Only the leading comment block is read.
			name: "05-late",
			src:  "query Late {\n  # Name: not a name\n  a\n}\n",
			want: Example{Name: "05-late", Query: "query Late {\n  # Name: not a name\n  a\n}\n"},
		},
		{name: "bad-vars", src: "# Variables: {code: 1}\nquery B { a }\n", wantErr: true},
		{name: "vars-array", src: "# Variables: [1]\nquery B { a }\n", wantErr: true},
		{name: "no-query", src: "# Name: Nothing\n\n", wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseExample(tc.name, tc.src)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if got != tc.want {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// namedOperation matches an operation with a name: GraphiQL titles tabs
// with it.
var namedOperation = regexp.MustCompile(`(?m)^\s*(query|mutation|subscription)\s+[_A-Za-z]`)

// TestExamples checks the embedded example files, whoever writes them.
func TestExamples(t *testing.T) {
	examples, err := Examples()
	if err != nil {
		t.Fatal(err)
	}
	if len(examples) == 0 {
		t.Fatal("no examples embedded")
	}
	names := map[string]bool{}
	for _, ex := range examples {
		if names[ex.Name] {
			t.Errorf("duplicate example name %q", ex.Name)
		}
		names[ex.Name] = true
		if !namedOperation.MatchString(ex.Query) {
			t.Errorf("example %q has no named operation:\n%s", ex.Name, ex.Query)
		}
	}
}

func TestLoadExamplesOrder(t *testing.T) {
	fsys := fstest.MapFS{
		"examples/10-last.graphql":   {Data: []byte("query Last { a }\n")},
		"examples/02-second.graphql": {Data: []byte("# Name: Second\nquery Second { a }\n")},
		"examples/01-first.graphql":  {Data: []byte("# Name: First\n# Variables: {\"x\": 1}\nquery First($x: Int) { a(x: $x) }\n")},
		"examples/notes.txt":         {Data: []byte("ignored")},
	}
	got, err := loadExamples(fsys)
	if err != nil {
		t.Fatal(err)
	}
	want := []Example{
		{Name: "First", Query: "query First($x: Int) { a(x: $x) }\n", Variables: `{"x": 1}`},
		{Name: "Second", Query: "query Second { a }\n"},
		{Name: "10-last", Query: "query Last { a }\n"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("example %d = %+v, want %+v", i, got[i], want[i])
		}
	}

	fsys["examples/03-bad.graphql"] = &fstest.MapFile{Data: []byte("# Variables: nope\nquery Bad { a }\n")}
	if _, err := loadExamples(fsys); err == nil || !strings.Contains(err.Error(), "03-bad.graphql") {
		t.Errorf("bad variables: err = %v, want one naming the file", err)
	}
}

func TestCSPConnectSrc(t *testing.T) {
	for endpoint, want := range map[string]string{
		"/graphql":                        "connect-src 'self';",
		"https://api.example.org/graphql": "connect-src 'self' https://api.example.org;",
	} {
		if got := csp(endpoint); !strings.Contains(got, want) {
			t.Errorf("csp(%q) = %q, want it to contain %q", endpoint, got, want)
		}
	}
}
