package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/auth"
	"github.com/cohesio/cohesio/internal/server"
	"github.com/cohesio/cohesio/internal/store"
	"github.com/cohesio/cohesio/internal/view"
)

// getView sends GET path with the given headers (name, value pairs).
func (a *api) getView(path string, headers ...string) (*http.Response, []byte) {
	a.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, a.srv.URL+path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		a.t.Fatal(err)
	}
	return res, b
}

// postRaw posts a GraphQL request and returns the body as it came.
func (a *api) postRaw(q string, vars map[string]any) []byte {
	a.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, a.srv.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/graphql-response+json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return b
}

func viewQuery(t *testing.T, name string) string {
	t.Helper()
	defs, err := view.Registered()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range defs {
		if d.Name == name {
			return d.Query
		}
	}
	t.Fatalf("no view %s", name)
	return ""
}

func TestViewList(t *testing.T) {
	a := newAPI(t)
	res, body := a.get("/views")
	var list []struct {
		Name, Description, URL, DocumentID string
		Variables                          []struct {
			Name, Type string
			Required   bool
			Default    any
		}
	}
	if err := json.Unmarshal(body, &list); err != nil || res.StatusCode != 200 {
		t.Fatalf("%d %s: %v", res.StatusCode, body, err)
	}
	var names []string
	for _, v := range list {
		names = append(names, v.Name)
		sum := sha256.Sum256([]byte(viewQuery(t, v.Name)))
		if v.DocumentID != "sha256:"+hex.EncodeToString(sum[:]) || v.URL != "/views/"+v.Name || v.Description == "" || v.Variables == nil {
			t.Errorf("view %+v", v)
		}
		if v.Name == "organisations" {
			vars, _ := json.Marshal(v.Variables)
			if want := `[{"Name":"commune","Type":"String","Required":false,"Default":null},{"Name":"theme","Type":"String","Required":false,"Default":null},{"Name":"search","Type":"String","Required":false,"Default":null},{"Name":"first","Type":"Int","Required":false,"Default":20},{"Name":"after","Type":"String","Required":false,"Default":null}]`; string(vars) != want {
				t.Errorf("organisations variables %s", vars)
			}
		}
	}
	if got := strings.Join(names, ","); got != "communes,organisation,organisations,themes" {
		t.Errorf("views %s", got)
	}
}

func TestViewBodyIsTheGraphQLBody(t *testing.T) {
	a := newAPI(t)
	for _, c := range []struct {
		name, query string
		vars        map[string]any
	}{
		{"communes", "", nil},
		{"themes", "", nil},
		{"organisations", "", nil},
		{"organisations", "commune=21015&first=2", map[string]any{"commune": "21015", "first": 2}},
		{"organisation", "id=" + url.QueryEscape(gid("Operator", 1)), map[string]any{"id": gid("Operator", 1)}},
	} {
		res, body := a.getView("/views/" + c.name + "?" + c.query)
		want := a.postRaw(viewQuery(t, c.name), c.vars)
		if res.StatusCode != 200 || !bytes.Equal(body, want) || bytes.Contains(body, []byte(`"errors"`)) {
			t.Errorf("%s?%s: %d\n%s\nwant\n%s", c.name, c.query, res.StatusCode, body, want)
		}
		if res.Header.Get("Content-Type") != "application/json" || !strings.HasPrefix(res.Header.Get("ETag"), `"`) ||
			res.Header.Get("Cache-Control") != "public, no-cache" {
			t.Errorf("%s: headers %v", c.name, res.Header)
		}
	}
}

// The filters left out filter nothing, whether the planner or the resolvers answer.
func TestOrganisationsFilters(t *testing.T) {
	for _, planner := range []bool{true, false} {
		a := newAPI(t, func(c *server.Config) { c.DisablePlanner = !planner })
		t.Run(map[bool]string{true: "planned", false: "resolved"}[planner], func(t *testing.T) { organisationsFilters(t, a) })
	}
}

func organisationsFilters(t *testing.T, a *api) {
	names := func(query string) (string, bool) {
		t.Helper()
		res, body := a.getView("/views/organisations?" + query)
		var out struct {
			Data struct {
				Operators struct {
					PageInfo struct{ HasNextPage bool }
					Nodes    []struct{ Name string }
				}
			}
		}
		if err := json.Unmarshal(body, &out); err != nil || res.StatusCode != 200 {
			t.Fatalf("%s: %d %s", query, res.StatusCode, body)
		}
		var n []string
		for _, o := range out.Data.Operators.Nodes {
			n = append(n, o.Name)
		}
		return strings.Join(n, ", "), out.Data.Operators.PageInfo.HasNextPage
	}
	for query, want := range map[string]string{
		"":                        "CPAS de Schaerbeek, Lire et Écrire Molenbeek, Maison des Écoles",
		"commune=21012":           "Lire et Écrire Molenbeek",
		"commune=21015":           "CPAS de Schaerbeek, Lire et Écrire Molenbeek, Maison des Écoles",
		"commune=21001":           "",
		"theme=housing":           "CPAS de Schaerbeek",
		"theme=digital_exclusion": "Maison des Écoles",
		"search=ecole":            "Maison des Écoles",
		"search=ECRI":             "Lire et Écrire Molenbeek",
		"search=ecole&theme=housing&commune=21015": "",
	} {
		if got, _ := names(query); got != want {
			t.Errorf("%q: %q, want %q", query, got, want)
		}
	}
	if got, more := names("first=1"); got != "CPAS de Schaerbeek" || !more {
		t.Errorf("first=1: %q, more %v", got, more)
	}
}

func TestViewETagAndDataVersion(t *testing.T) {
	a := newAPI(t)
	const path = "/views/organisations?search=maison"
	res, body := a.getView(path)
	etag := res.Header.Get("ETag")
	if res.StatusCode != 200 || etag == "" {
		t.Fatalf("%d %s", res.StatusCode, body)
	}

	t.Run("a repeat with If-None-Match is a 304 without the query", func(t *testing.T) {
		before := a.statements.n.Load()
		res, body := a.getView(path, "If-None-Match", etag)
		if res.StatusCode != http.StatusNotModified || len(body) != 0 || res.Header.Get("ETag") != etag ||
			res.Header.Get("Cache-Control") != "public, no-cache" {
			t.Fatalf("%d %q %v", res.StatusCode, body, res.Header)
		}
		if n := a.statements.n.Load() - before; n != 1 { // the data version only
			t.Errorf("%d statements for a 304, want 1", n)
		}
		if res, _ := a.getView(path, "If-None-Match", `"other", W/`+etag); res.StatusCode != http.StatusNotModified {
			t.Errorf("a list with the tag: %d", res.StatusCode)
		}
		if res, _ := a.getView("/views/organisations?search=ecole", "If-None-Match", etag); res.StatusCode != 200 {
			t.Errorf("other variables with the same tag: %d", res.StatusCode)
		}
	})

	t.Run("a rolled-back write keeps the ETag", func(t *testing.T) {
		errRollback := errors.New("roll back")
		err := a.store.Load(context.Background(), func(ctx context.Context, l *store.Loader) error {
			if err := l.ExecScript(ctx, `UPDATE operator SET name = 'Maison des Enfants' WHERE id = 1`); err != nil {
				return err
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			t.Fatal(err)
		}
		if res, _ := a.getView(path, "If-None-Match", etag); res.StatusCode != http.StatusNotModified {
			t.Errorf("after a rolled-back write: %d, want 304", res.StatusCode)
		}
	})

	t.Run("a write changes the ETag and the body", func(t *testing.T) {
		a.exec(`UPDATE operator SET name = 'Maison des Enfants' WHERE id = 1`)
		res, body := a.getView(path, "If-None-Match", etag)
		if res.StatusCode != 200 || res.Header.Get("ETag") == etag || !strings.Contains(string(body), "Maison des Enfants") {
			t.Errorf("after a write: %d %s %s", res.StatusCode, res.Header.Get("ETag"), body)
		}
	})
}

func TestViewRefusals(t *testing.T) {
	a := newAPI(t)
	refusal := func(path string) (int, string, map[string]any) {
		t.Helper()
		res, body := a.getView(path)
		var out struct {
			Errors []struct {
				Message    string
				Extensions map[string]any
			}
		}
		if err := json.Unmarshal(body, &out); err != nil || len(out.Errors) != 1 {
			t.Fatalf("%s: %d %s", path, res.StatusCode, body)
		}
		return res.StatusCode, out.Errors[0].Message, out.Errors[0].Extensions
	}
	for path, variable := range map[string]string{
		"/views/organisations?first=many":       "first",
		"/views/organisations?first=1&first=2":  "first",
		"/views/organisations?town=21015":       "town",
		"/views/organisation":                   "id",
		"/views/organisations?first=3000000000": "first",
	} {
		status, msg, ext := refusal(path)
		if status != http.StatusBadRequest || ext["variable"] != variable || ext["code"] != "BAD_USER_INPUT" || !strings.Contains(msg, variable) {
			t.Errorf("%s: %d %q %v, want a 400 naming %s", path, status, msg, ext, variable)
		}
	}
	if status, msg, _ := refusal("/views/nope"); status != http.StatusNotFound || !strings.Contains(msg, "nope") {
		t.Errorf("unknown view: %d %q", status, msg)
	}
	long := "/views/organisations?search=" + strings.Repeat("a", 3000)
	if status, msg, ext := refusal(long); status != http.StatusRequestURITooLong || ext["code"] != "LIMIT_EXCEEDED" || !strings.Contains(msg, "query-string length limit") {
		t.Errorf("long query string: %d %q", status, msg)
	}
	many := "/views/organisations?" + strings.Repeat("x=1&", 40) + "x=1"
	if status, msg, _ := refusal(many); status != http.StatusBadRequest || !strings.Contains(msg, "parameter-count limit") {
		t.Errorf("many parameters: %d %q", status, msg)
	}
}

func TestViewsSuppressSmallCountsForThePublic(t *testing.T) {
	path := "/views/organisation?id=" + url.QueryEscape(gid("Operator", 1))
	attendance := func(role access.Role) (any, string) {
		a := newAPI(t, func(c *server.Config) { c.Role = role })
		a.exec(`INSERT INTO event (title, held_on, participant_count, organiser_id, source_id) VALUES ('Atelier A', '2024-03-01', 3, 1, 1)`)
		res, body := a.getView(path)
		if want := a.postRaw(viewQuery(t, "organisation"), map[string]any{"id": gid("Operator", 1)}); res.StatusCode != 200 || !bytes.Equal(body, want) {
			t.Fatalf("%s: %d %s, want %s", role, res.StatusCode, body, want)
		}
		var out struct {
			Data struct {
				Node struct {
					OrganisedEvents struct {
						Nodes []struct{ ParticipantCount any }
					}
				}
			}
		}
		json.Unmarshal(body, &out)
		if len(out.Data.Node.OrganisedEvents.Nodes) != 1 {
			t.Fatalf("%s: %s", role, body)
		}
		return out.Data.Node.OrganisedEvents.Nodes[0].ParticipantCount, res.Header.Get("ETag")
	}
	public, publicTag := attendance(access.Public)
	analyst, analystTag := attendance(access.Analyst)
	if public != nil || analyst != 3.0 {
		t.Errorf("the public sees %v, an analyst %v: want the 3 withheld from the public", public, analyst)
	}
	if publicTag == analystTag {
		t.Errorf("the same ETag for the public and an analyst")
	}
}

func TestViewsForTokensAndTrustedDocuments(t *testing.T) {
	a := newAPI(t, func(c *server.Config) {
		authn, err := auth.New(context.Background(), auth.Config{}, c.Store)
		if err != nil {
			t.Fatal(err)
		}
		c.Auth = authn
		docs, err := server.NewTrustedDocuments(map[string]string{"sha256:" + sha(trustedCommune): trustedCommune})
		if err != nil {
			t.Fatal(err)
		}
		c.TrustedDocuments, c.TrustedDocumentsOnly = docs, []access.Role{access.Public}
	})
	secret, hash, err := auth.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	if err := a.store.CreateAPIToken(context.Background(), &store.APIToken{Name: "analyst", Role: access.Analyst, TokenHash: hash}); err != nil {
		t.Fatal(err)
	}
	res, body := a.getView("/views/themes", "Authorization", "Bearer "+secret)
	if res.StatusCode != 200 || res.Header.Get("Cache-Control") != "private, no-cache" || !slices.Contains(res.Header.Values("Vary"), "Authorization") {
		t.Errorf("with a token: %d %v %s", res.StatusCode, res.Header, body)
	}
	if res, body := a.getView("/views/themes"); res.StatusCode != 200 || res.Header.Get("Cache-Control") != "public, no-cache" {
		t.Errorf("anonymous, trusted documents only: %d %s", res.StatusCode, body)
	}

	sum := sha256.Sum256([]byte(viewQuery(t, "themes")))
	byID, _ := json.Marshal(map[string]any{"documentId": "sha256:" + hex.EncodeToString(sum[:])})
	res, err = http.Post(a.srv.URL+"/graphql", "application/json", bytes.NewReader(byID))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(b), "digital_exclusion") {
		t.Errorf("a view by documentId for a trusted-documents-only role: %d %s", res.StatusCode, b)
	}
	if resp := a.raw(`{ themes { nodes { code } } }`, nil); len(resp.Errors) == 0 {
		t.Errorf("other text ran for a trusted-documents-only role")
	}
}
