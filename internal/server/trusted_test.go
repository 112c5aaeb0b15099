package server_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/server"
)

const (
	trustedCommune = `query Commune($n: String!) { commune(nisCode: $n) { nameFr } }`
	trustedNl      = `{ commune(nisCode: "21015") { nameNl } }`
	untrusted      = `{ commune(nisCode: "21015") { nameFr nameNl } }`
)

func sha(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}

func trustedDocs(t *testing.T) *server.TrustedDocuments {
	t.Helper()
	docs, err := server.NewTrustedDocuments(map[string]string{"sha256:" + sha(trustedCommune): trustedCommune, sha(trustedNl): trustedNl})
	if err != nil {
		t.Fatal(err)
	}
	return docs
}

// do sends a GraphQL request, as a JSON body (POST) or as parameters (GET), and returns the
// status, the first error's code ("" without errors) and the body.
func (a *api) do(method string, params map[string]any) (status int, code, body string) {
	a.t.Helper()
	var req *http.Request
	if method == http.MethodGet {
		v := url.Values{}
		for k, x := range params {
			if s, ok := x.(string); ok {
				v.Set(k, s)
			} else {
				b, _ := json.Marshal(x)
				v.Set(k, string(b))
			}
		}
		req, _ = http.NewRequest(method, a.srv.URL+"/graphql?"+v.Encode(), nil)
	} else {
		b, _ := json.Marshal(params)
		req, _ = http.NewRequest(method, a.srv.URL+"/graphql", strings.NewReader(string(b)))
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/graphql-response+json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var out gqlResponse
	if err := json.Unmarshal(b, &out); err != nil {
		a.t.Fatalf("decode response (status %d): %v: %s", res.StatusCode, err, b)
	}
	if len(out.Errors) > 0 {
		code, _ = out.Errors[0].Extensions["code"].(string)
		if code == "" {
			code = "(no code)"
		}
	}
	return res.StatusCode, code, string(b)
}

func apq(hash string) map[string]any {
	return map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}
}

func TestTrustedDocumentsOnlyForListedRoles(t *testing.T) {
	a := newAPI(t, func(c *server.Config) {
		c.Role = access.Public
		c.TrustedDocuments = trustedDocs(t)
		c.TrustedDocumentsOnly = []access.Role{access.Public, access.Researcher}
	})
	vars := map[string]any{"n": "21015"}
	for _, tc := range []struct {
		name       string
		method     string
		params     map[string]any
		wantStatus int
		wantCode   string // "" for an answer without errors
		mention    string
	}{
		{"arbitrary query", "POST", map[string]any{"query": untrusted}, 403, "TRUSTED_DOCUMENTS_ONLY", "trusted documents"},
		{"arbitrary query over GET", "GET", map[string]any{"query": untrusted}, 403, "TRUSTED_DOCUMENTS_ONLY", ""},
		{"introspection", "POST", map[string]any{"query": `{ __schema { types { name } } }`}, 403, "TRUSTED_DOCUMENTS_ONLY", ""},
		{"registered text altered", "POST", map[string]any{"query": trustedNl + " "}, 403, "TRUSTED_DOCUMENTS_ONLY", ""},
		{"no document at all", "POST", map[string]any{"variables": vars}, 403, "TRUSTED_DOCUMENTS_ONLY", ""},
		{"by id", "POST", map[string]any{"documentId": "sha256:" + sha(trustedCommune), "variables": vars, "operationName": "Commune"}, 200, "", "Schaerbeek"},
		{"by plain hex id", "POST", map[string]any{"documentId": sha(trustedNl)}, 200, "", "Schaarbeek"},
		{"by id over GET", "GET", map[string]any{"documentId": "sha256:" + sha(trustedCommune), "variables": vars}, 200, "", "Schaerbeek"},
		{"registered text in full", "POST", map[string]any{"query": trustedCommune, "variables": vars}, 200, "", "Schaerbeek"},
		{"unknown id", "POST", map[string]any{"documentId": "sha256:" + sha(untrusted)}, 400, "UNKNOWN_DOCUMENT", "unknown document"},
		{"id and text", "POST", map[string]any{"documentId": sha(trustedNl), "query": trustedNl}, 400, "BAD_REQUEST", "not both"},
		// Automatic persisted queries: a caller held to trusted documents can neither register
		// text nor run text someone else registered.
		{"APQ registering unregistered text", "POST", map[string]any{"query": untrusted, "extensions": apq(sha(untrusted))}, 403, "TRUSTED_DOCUMENTS_ONLY", ""},
		{"APQ hash of unregistered text", "POST", map[string]any{"extensions": apq(sha(untrusted))}, 403, "TRUSTED_DOCUMENTS_ONLY", ""},
		{"APQ hash of unregistered text over GET", "GET", map[string]any{"extensions": apq(sha(untrusted))}, 403, "TRUSTED_DOCUMENTS_ONLY", ""},
		{"APQ with registered text", "POST", map[string]any{"query": trustedNl, "extensions": apq(sha(trustedNl))}, 200, "", "Schaarbeek"},
		{"APQ hash of registered text, never sent", "POST", map[string]any{"query": "", "extensions": apq(sha(trustedCommune)), "variables": vars}, 200, "", "Schaerbeek"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, code, body := a.do(tc.method, tc.params)
			if status != tc.wantStatus || code != tc.wantCode || !strings.Contains(body, tc.mention) {
				t.Errorf("%d %q %s; want %d %q mentioning %q", status, code, body, tc.wantStatus, tc.wantCode, tc.mention)
			}
		})
	}
}

func TestTrustedDocumentsForOtherRoles(t *testing.T) {
	for _, tc := range []struct {
		name string
		role access.Role
		only []access.Role
	}{
		{"analyst, not listed", access.Analyst, []access.Role{access.Public, access.Researcher}},
		{"public, nobody listed", access.Public, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newAPI(t, func(c *server.Config) {
				c.Role = tc.role
				c.TrustedDocuments = trustedDocs(t)
				c.TrustedDocumentsOnly = tc.only
			})
			var data map[string]any
			a.query(untrusted, nil, &data) // fails the test on any error
			if status, code, body := a.do("POST", map[string]any{"documentId": sha(trustedNl)}); status != 200 || code != "" || !strings.Contains(body, "Schaarbeek") {
				t.Errorf("by id: %d %q %s", status, code, body)
			}
			status, code, body := a.do("POST", map[string]any{"query": untrusted, "extensions": apq(sha(untrusted))})
			if status != 200 || code != "" {
				t.Errorf("APQ registration: %d %q %s", status, code, body)
			}
			if status, code, body := a.do("POST", map[string]any{"extensions": apq(sha(untrusted))}); status != 200 || code != "" {
				t.Errorf("APQ by hash: %d %q %s", status, code, body)
			}
		})
	}
}

func TestTrustedDocumentsAreValidated(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good, _ := json.Marshal(map[string]string{"sha256:" + sha(trustedCommune): trustedCommune, strings.ToUpper(sha(trustedNl)): trustedNl})
	docs, err := server.LoadTrustedDocuments(write("good.json", string(good)))
	if err != nil || docs.Len() != 2 {
		t.Fatalf("good file: %v, %v", docs, err)
	}

	badKey := "sha256:" + sha(trustedNl)
	bad, _ := json.Marshal(map[string]string{"sha256:" + sha(trustedCommune): trustedCommune, badKey: untrusted})
	for name, content := range map[string]string{"bad.json": string(bad), "list.json": `["` + trustedNl + `"]`, "empty-text.json": `{"` + badKey + `":""}`} {
		_, err := server.LoadTrustedDocuments(write(name, content))
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: %v, want an error naming the file", name, err)
		}
		if name != "list.json" && (err == nil || !strings.Contains(err.Error(), badKey)) {
			t.Errorf("%s: %v, want an error naming the key %s", name, err, badKey)
		}
	}
	if _, err := server.LoadTrustedDocuments(filepath.Join(dir, "missing.json")); err == nil {
		t.Error("missing file: no error")
	}
	if _, err := server.New(server.Config{TrustedDocumentsOnly: []access.Role{access.Public}}); err == nil || !strings.Contains(err.Error(), "TrustedDocuments") {
		t.Errorf("TrustedDocumentsOnly without documents: %v, want an error", err)
	}
}
