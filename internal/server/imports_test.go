package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/importer"
	"github.com/cohesio/cohesio/internal/server"
)

const importCSV = "indicateur;projet;début de période;fin de période;granularité;type de valeur;valeur;source\n" +
	"pupils;1;01/01/2025;31/12/2025;year;target;50;test\n"

func asRole(role access.Role) func(*server.Config) {
	return func(c *server.Config) { c.Role = role }
}

func (a *api) importFile(path, contentType, body string) (*http.Response, importer.Report) {
	a.t.Helper()
	res, b := do(a.t, http.MethodPost, a.srv.URL+path, contentType, body)
	var rep importer.Report
	if res.StatusCode == http.StatusOK || res.StatusCode == http.StatusUnprocessableEntity {
		if err := json.Unmarshal(b, &rep); err != nil {
			a.t.Fatalf("decode %s: %v", b, err)
		}
	}
	return res, rep
}

func TestImportsOverHTTPAreForTheAdministration(t *testing.T) {
	for _, role := range []access.Role{access.Public, access.Operator, access.Coordinator, access.Analyst} {
		a := newAPI(t, asRole(role))
		for _, kind := range []string{"observations", "operators"} {
			if res, _ := a.importFile("/imports/"+kind+"?commit=true", "text/csv", importCSV); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s importing %s: status %d, want 403", role, kind, res.StatusCode)
			}
		}
	}

	a := newAPI(t, asRole(access.Admin))
	res, rep := a.importFile("/imports/observations", "text/csv; charset=utf-8", importCSV)
	if res.StatusCode != http.StatusOK || rep.Committed || rep.Entities[0].Created != 1 {
		t.Fatalf("dry run: %d %+v", res.StatusCode, rep)
	}
	res, rep = a.importFile("/imports/observations?commit=true", "text/csv", importCSV)
	if res.StatusCode != http.StatusOK || !rep.Committed || rep.Entities[0].Created != 1 {
		t.Fatalf("commit: %d %+v", res.StatusCode, rep)
	}
	res, rep = a.importFile("/imports/observations?commit=true", "text/csv", importCSV)
	if res.StatusCode != http.StatusOK || rep.Entities[0].Unchanged != 1 {
		t.Fatalf("re-import: %d %+v", res.StatusCode, rep)
	}
	res, rep = a.importFile("/imports/observations?commit=true", "text/csv", strings.Replace(importCSV, "pupils", "nope", 1))
	if res.StatusCode != http.StatusUnprocessableEntity || rep.Committed || rep.ProblemCount != 1 || rep.Problems[0].Line != 2 || rep.Problems[0].Column != "indicateur" {
		t.Fatalf("rejected: %d %+v", res.StatusCode, rep)
	}
	if res, _ := a.importFile("/imports/observations", "application/json", importCSV); res.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("JSON body: status %d, want 415", res.StatusCode)
	}
	if res, _ := a.importFile("/imports/nothing", "text/csv", importCSV); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown kind: status %d, want 404", res.StatusCode)
	}
}

// readCounter records whether the server read the body.
type readCounter struct {
	r    io.Reader
	read int
}

func (c *readCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.read += n
	return n, err
}

func TestImportsRefuseLargeFilesBeforeReadingThem(t *testing.T) {
	defer server.SetImportMaxBytes(1000)()
	a := newAPI(t, asRole(access.Admin))
	big := importCSV + strings.Repeat("pupils;1;01/01/2025;31/12/2025;year;realised;50;test\n", 100)

	// Announced too large: refused before a byte is read.
	h, err := server.New(server.Config{Store: a.store, Role: access.Admin})
	if err != nil {
		t.Fatal(err)
	}
	body := &readCounter{r: strings.NewReader(big)}
	req := httptest.NewRequest(http.MethodPost, "/imports/observations", body)
	req.Header.Set("Content-Type", "text/csv")
	req.ContentLength = int64(len(big))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), "1000 bytes") || body.read != 0 {
		t.Fatalf("announced: status %d, %d bytes read, %s", rec.Code, body.read, rec.Body)
	}

	// Not announced (chunked): cut off at the limit.
	req, _ = http.NewRequest(http.MethodPost, a.srv.URL+"/imports/observations?commit=true", io.MultiReader(strings.NewReader(big)))
	req.Header.Set("Content-Type", "text/csv")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), "1000 bytes") {
		t.Fatalf("chunked: status %d, %s", res.StatusCode, b)
	}
	// The cut-off file's first rows were not written.
	if _, rep := a.importFile("/imports/observations", "text/csv", importCSV); rep.Entities[0].Created != 1 {
		t.Errorf("a cut-off file wrote: %+v", rep)
	}
}

func TestImportTemplatesOpenWithHeadersAndDropDowns(t *testing.T) {
	a := newAPI(t)
	for _, kind := range []string{"observations", "operators", "meetings", "events"} {
		res, b := a.get("/imports/templates/" + kind + ".xlsx")
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != importer.XLSXContentType {
			t.Fatalf("%s: status %d, %s", kind, res.StatusCode, res.Header.Get("Content-Type"))
		}
		f, err := excelize.OpenReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := f.GetRows(kind)
		if err != nil || len(rows) < 2 {
			t.Fatalf("%s: rows %v, %v", kind, rows, err)
		}
		cols, _ := importer.KindColumns(kind)
		for i, c := range cols {
			if rows[0][i] != c.FR || rows[1][i] != c.NL {
				t.Errorf("%s column %d: %q / %q, want %q / %q", kind, i, rows[0][i], rows[1][i], c.FR, c.NL)
			}
		}
		dvs, err := f.GetDataValidations(kind)
		if err != nil || len(dvs) == 0 {
			t.Fatalf("%s: no drop-down lists: %v", kind, err)
		}
		found := false
		for _, dv := range dvs {
			if dv.Type == "list" && strings.Contains(dv.Formula1, "associative") || strings.Contains(dv.Formula1, "realised") ||
				strings.Contains(dv.Formula1, "steering_committee") || strings.Contains(dv.Formula1, "neighbourhood_party") {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no drop-down list of kinds: %+v", kind, dvs[0])
		}
		f.Close()
	}
	if res, _ := a.get("/imports/templates/nothing.xlsx"); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown template: %d", res.StatusCode)
	}
}
