package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/server"
)

const importFileMutation = `mutation ($file: Upload!, $commit: Boolean) {
  importFile(kind: OBSERVATIONS, file: $file, commit: $commit) {
    kind format encoding separator commit committed rows
    entities { entity created updated unchanged rejected }
    problems { line column field reason } problemCount
  }
}`

// uploadRequest is a GraphQL multipart request (operations, map, then the file) of
// importFile; preflight sets the header that forces a CORS preflight.
func uploadRequest(t *testing.T, url, file string, commit, preflight bool) *http.Request {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	ops, _ := json.Marshal(map[string]any{"query": importFileMutation, "variables": map[string]any{"file": nil, "commit": commit}})
	mw.WriteField("operations", string(ops))
	mw.WriteField("map", `{"0":["variables.file"]}`)
	fw, err := mw.CreateFormFile("0", "observations.csv")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write([]byte(file))
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, url+"/graphql", &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if preflight {
		req.Header.Set("GraphQL-Require-Preflight", "1")
	}
	return req
}

type uploadAnswer struct {
	Data struct {
		ImportFile *struct {
			Kind, Format        string
			Encoding, Separator *string
			Commit, Committed   bool
			Rows                int
			Entities            []struct {
				Entity                                string
				Created, Updated, Unchanged, Rejected int
			}
			Problems []struct {
				Line          int
				Column, Field *string
				Reason        string
			}
			ProblemCount int
		}
	}
	Errors []struct {
		Message    string
		Extensions map[string]any
	}
}

func upload(t *testing.T, req *http.Request) (int, uploadAnswer, string) {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var a uploadAnswer
	json.Unmarshal(b, &a)
	return res.StatusCode, a, string(b)
}

func TestAnAdministratorUploadsAFileDryRunThenCommit(t *testing.T) {
	a := newAPI(t, asRole(access.Admin))
	status, dry, raw := upload(t, uploadRequest(t, a.srv.URL, importCSV, false, true))
	r := dry.Data.ImportFile
	if status != http.StatusOK || r == nil || r.Kind != "OBSERVATIONS" || r.Format != "csv" || r.Committed || r.Rows != 1 ||
		len(r.Entities) != 1 || r.Entities[0].Created != 1 || r.ProblemCount != 0 || *r.Separator != "';'" {
		t.Fatalf("dry run: %d %s", status, raw)
	}
	status, rep, raw := upload(t, uploadRequest(t, a.srv.URL, importCSV, true, true))
	if r := rep.Data.ImportFile; status != http.StatusOK || r == nil || !r.Commit || !r.Committed || r.Entities[0].Created != 1 {
		t.Fatalf("commit: %d %s", status, raw)
	}
	status, again, raw := upload(t, uploadRequest(t, a.srv.URL, importCSV, true, true))
	if r := again.Data.ImportFile; status != http.StatusOK || r == nil || r.Entities[0].Unchanged != 1 || r.Entities[0].Created != 0 {
		t.Fatalf("re-import: %d %s", status, raw)
	}
	// A rejected row: the same report as over HTTP, with its line and column.
	status, bad, raw := upload(t, uploadRequest(t, a.srv.URL, strings.Replace(importCSV, "pupils", "nope", 1), true, true))
	if r := bad.Data.ImportFile; status != http.StatusOK || r == nil || r.Committed || r.ProblemCount != 1 ||
		r.Problems[0].Line != 2 || *r.Problems[0].Column != "indicateur" || !strings.Contains(r.Problems[0].Reason, "unknown indicator") {
		t.Fatalf("rejected: %d %s", status, raw)
	}
}

func TestAnUploadWithoutThePreflightHeaderIsRefused(t *testing.T) {
	a := newAPI(t, asRole(access.Admin))
	status, _, raw := upload(t, uploadRequest(t, a.srv.URL, importCSV, true, false))
	if status != http.StatusBadRequest || !strings.Contains(raw, "GraphQL-Require-Preflight") {
		t.Fatalf("without the header: %d %s, want 400 naming the header", status, raw)
	}
	// Nothing was imported: a dry run would still create the row.
	_, dry, raw := upload(t, uploadRequest(t, a.srv.URL, importCSV, false, true))
	if r := dry.Data.ImportFile; r == nil || r.Entities[0].Created != 1 {
		t.Fatalf("the refused upload wrote: %s", raw)
	}
}

func TestAnOverLargeUploadIsRefusedNamingTheLimit(t *testing.T) {
	defer server.SetImportMaxBytes(1000)()
	a := newAPI(t, asRole(access.Admin))
	big := importCSV + strings.Repeat("pupils;1;01/01/2025;31/12/2025;year;realised;50;test\n", 30)
	status, _, raw := upload(t, uploadRequest(t, a.srv.URL, big, true, true))
	if status != http.StatusRequestEntityTooLarge || !strings.Contains(raw, "import limit of 1000 bytes") {
		t.Fatalf("over the limit: %d %s, want 413 naming the limit", status, raw)
	}
	// Without a Content-Length, an upload's size is not known before reading it: refused.
	req := uploadRequest(t, a.srv.URL, importCSV, true, true)
	req.Body, req.ContentLength = io.NopCloser(io.MultiReader(req.Body)), -1
	if status, _, raw := upload(t, req); status != http.StatusLengthRequired {
		t.Fatalf("without a length: %d %s, want 411", status, raw)
	}
	status, rep, raw := upload(t, uploadRequest(t, a.srv.URL, importCSV, false, true))
	if r := rep.Data.ImportFile; status != http.StatusOK || r == nil || r.Entities[0].Created != 1 {
		t.Fatalf("a small upload: %d %s", status, raw)
	}
}

func TestUploadsFollowTheImportRoles(t *testing.T) {
	for _, role := range []access.Role{access.Public, access.Operator, access.Coordinator, access.Analyst} {
		a := newAPI(t, asRole(role))
		_, rep, raw := upload(t, uploadRequest(t, a.srv.URL, importCSV, true, true))
		if rep.Data.ImportFile != nil || len(rep.Errors) != 1 || rep.Errors[0].Extensions["code"] != "FORBIDDEN" {
			t.Errorf("%s: %s, want FORBIDDEN", role, raw)
		}
	}
}

// A role held to trusted documents cannot upload: an upload's document is not in a JSON body
// for the trusted documents' check to read.
func TestUploadsAreRefusedToRolesHeldToTrustedDocuments(t *testing.T) {
	a := newAPI(t, func(c *server.Config) {
		c.Role = access.Admin
		c.TrustedDocuments = trustedDocs(t)
		c.TrustedDocumentsOnly = []access.Role{access.Admin}
	})
	status, _, raw := upload(t, uploadRequest(t, a.srv.URL, importCSV, true, true))
	if status != http.StatusForbidden || !strings.Contains(raw, "registered documents only") {
		t.Fatalf("%d %s, want 403", status, raw)
	}
}
