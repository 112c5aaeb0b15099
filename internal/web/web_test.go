package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/demo"
	"github.com/cohesio/cohesio/internal/pgtest"
	"github.com/cohesio/cohesio/internal/server"
	"github.com/cohesio/cohesio/internal/store"
)

// Every test reads a copy of the demo dataset: the pages are made for it.
func TestMain(m *testing.M) {
	os.Exit(pgtest.Main(m, func(ctx context.Context, dsn string) error {
		if err := store.MigrateURL(ctx, dsn); err != nil {
			return err
		}
		st, err := store.Open(ctx, dsn, store.Options{MaxConns: 4})
		if err != nil {
			return err
		}
		defer st.Close()
		return demo.Load(ctx, st)
	}))
}

// site serves one demo database to the public and, beside it, to an analyst (the support
// centre's evaluators).
type site struct {
	t       testing.TB
	store   *store.Store
	public  string
	analyst string
}

func newSite(t testing.TB, opts ...func(*server.Config)) *site {
	t.Helper()
	st, err := store.Open(context.Background(), pgtest.NewDatabase(t), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	s := &site{t: t, store: st}
	for _, role := range []access.Role{access.Public, access.Analyst} {
		cfg := server.Config{Store: st, Role: role}
		for _, o := range opts {
			o(&cfg)
		}
		h, err := server.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		if role == access.Public {
			s.public = srv.URL
		} else {
			s.analyst = srv.URL
		}
	}
	return s
}

// get fetches base+path and returns the status, the content type and the body.
func (s *site) get(base, path string) (int, string, string) {
	s.t.Helper()
	res, err := http.Get(base + path)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return res.StatusCode, res.Header.Get("Content-Type"), string(b)
}

// graphQL runs a request against base and decodes its data, failing on any error.
func (s *site) graphQL(base, query string, vars map[string]any, out any) {
	s.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	res, err := http.Post(base+"/graphql", "application/json", strings.NewReader(string(body)))
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	var resp struct {
		Data   json.RawMessage
		Errors []map[string]any
	}
	if err := json.NewDecoder(res.Body).Decode(&resp); err != nil {
		s.t.Fatal(err)
	}
	if len(resp.Errors) > 0 {
		s.t.Fatalf("GraphQL errors: %v", resp.Errors)
	}
	if out != nil {
		if err := json.Unmarshal(resp.Data, out); err != nil {
			s.t.Fatal(err)
		}
	}
}

func TestTheAnnualReportFollowsTheCall(t *testing.T) {
	s := newSite(t)
	for _, c := range []struct {
		lang, path string
		want       []string
	}{
		{"fr", "/reports/annual/2025", []string{"Rapport annuel d'évaluation 2025", "1er septembre 2026",
			"1. Les activités : description, analyse, catégorisation et évaluation",
			"2. La concordance entre les activités et les besoins constatés, et son évolution",
			"3. La cohérence avec les autres politiques sociales et de la ville", "4. Propositions d'orientations nouvelles",
			"Projets, opérateurs et budget par programme, 2025", "Carte schématique", "Concordance entre besoins et activités, 2025",
			"Union européenne", "Ouvrir la requête dans le bac à sable GraphQL"}},
		{"nl", "/reports/annual/2025?lang=nl", []string{"Jaarlijks evaluatieverslag 2025", "1 september 2026",
			"1. De activiteiten: beschrijving, analyse, categorisering en evaluatie", "Projecten, operatoren en budget per programma, 2025",
			"Schematische kaart", "Europese Unie"}},
	} {
		t.Run(c.lang, func(t *testing.T) {
			status, ctype, body := s.get(s.public, c.path)
			if status != http.StatusOK || ctype != "text/html; charset=utf-8" {
				t.Fatalf("status %d, %s: %.300s", status, ctype, body)
			}
			for _, w := range c.want {
				if !strings.Contains(body, html(w)) {
					t.Errorf("the page lacks %q", w)
				}
			}
			for _, bad := range []string{"<script", "figure_failed", "n'a pas pu être calculée", "kon niet worden berekend"} {
				if strings.Contains(body, bad) {
					t.Errorf("the page holds %q", bad)
				}
			}
		})
	}
	t.Run("a bad year or language is refused and named", func(t *testing.T) {
		for path, want := range map[string]string{"/reports/annual/1850": "year", "/reports/annual/twenty": "year",
			"/reports/annual/2025?lang=de": "lang"} {
			status, _, body := s.get(s.public, path)
			if status != http.StatusBadRequest || !strings.HasPrefix(body, want+":") {
				t.Errorf("%s: %d %q, want 400 naming %s", path, status, body, want)
			}
		}
	})
}

// The figures of a page are the report engine's answers to the requests it links.
func TestAFigureIsTheAnswerOfTheRequestItLinks(t *testing.T) {
	s := newSite(t)
	_, _, body := s.get(s.public, "/reports/annual/2025")
	var d struct {
		Report struct {
			Rows []struct {
				IsTotal bool
				Keys    []struct{ Label *string }
				Values  []struct{ Value *string }
			}
		}
	}
	s.graphQL(s.public, `{ report(measures: [{kind: PROJECT_COUNT}, {kind: OPERATOR_COUNT}, {kind: BUDGET}],
		dimensions: [{kind: PROGRAMME}], filter: {from: "2025-01-01", to: "2025-12-31"}, totals: GRAND_TOTAL) {
		rows { isTotal keys { label } values { value } } } }`, nil, &d)
	if len(d.Report.Rows) < 2 {
		t.Fatalf("the demo has %d rows of projects by programme in 2025", len(d.Report.Rows))
	}
	fig := between(body, `<figure id="programmes"`, "</figure>")
	for _, r := range d.Report.Rows {
		if !r.IsTotal && !strings.Contains(fig, ">"+html(*r.Keys[0].Label)+"<") {
			t.Errorf("the figure lacks the programme %q", *r.Keys[0].Label)
		}
	}
	total := d.Report.Rows[len(d.Report.Rows)-1]
	if !total.IsTotal || !strings.Contains(fig, `<tr class="total">`) || !strings.Contains(fig, ">"+*total.Values[0].Value+"<") {
		t.Errorf("the total row (%v projects) is not in the figure", *total.Values[0].Value)
	}
	if !strings.Contains(fig, `href="/?query=query&#43;ProjectsByProgramme`) {
		t.Error("the figure does not link its request")
	}
}

func TestFundingOverlapsAreCountedByPairOfProgrammes(t *testing.T) {
	s := newSite(t)
	_, _, body := s.get(s.public, "/reports/annual/2025")
	var d struct {
		FundingOverlaps []struct {
			Project, OtherProject struct{ Programme struct{ Name string } }
		}
	}
	s.graphQL(s.public, `{ fundingOverlaps(from: "2025-01-01", to: "2025-12-31") {
		project { programme { name } } otherProject { programme { name } } } }`, nil, &d)
	if len(d.FundingOverlaps) == 0 {
		t.Fatal("the demo has no funding overlap in 2025")
	}
	fig := between(body, `<figure id="overlaps"`, "</figure>")
	if !strings.Contains(fig, fmt.Sprintf("%d paires de projets au total", len(d.FundingOverlaps))) {
		t.Errorf("the figure does not count the %d pairs:\n%s", len(d.FundingOverlaps), fig)
	}
	first := d.FundingOverlaps[0]
	if !strings.Contains(fig, ">"+html(first.Project.Programme.Name)+"<") || !strings.Contains(fig, ">"+html(first.OtherProject.Programme.Name)+"<") {
		t.Errorf("the figure lacks the programmes of the first pair: %+v", first)
	}
	if rows := strings.Count(fig, "<tr") - 1; rows < 1 || rows > len(d.FundingOverlaps) {
		t.Errorf("%d rows for %d pairs of projects", rows, len(d.FundingOverlaps))
	}
}

func between(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return ""
	}
	j := strings.Index(s[i:], to)
	if j < 0 {
		return s[i:]
	}
	return s[i : i+j]
}

func html(s string) string {
	return strings.NewReplacer("&", "&amp;", "'", "&#39;", "<", "&lt;", ">", "&gt;", `"`, "&#34;").Replace(s)
}

// A small person count: three beneficiaries in 2016, withheld from the public.
const smallCount = `INSERT INTO observation (indicator_id, project_id, period_start, period_end, granularity, kind, value, note, source_id)
 SELECT i.id, p.id, '2016-01-01', '2016-12-31', 'year', 'realised', 3, 'test', (SELECT id FROM source WHERE code = 'illustrative')
 FROM indicator i, project p WHERE i.code = 'sa2015.1' AND p.code = 'demo-cpas-activation'`

func TestAPublicRenditionNeverShowsAWithheldCount(t *testing.T) {
	s := newSite(t)
	if err := s.store.Load(context.Background(), func(ctx context.Context, l *store.Loader) error {
		return l.ExecScript(ctx, smallCount)
	}); err != nil {
		t.Fatal(err)
	}
	indicators := func(base string) string {
		_, _, body := s.get(base, "/reports/annual/2016")
		return between(body, `<figure id="indicators"`, "</figure>")
	}
	if fig := indicators(s.analyst); !strings.Contains(fig, `<td class="num">3</td>`) {
		t.Fatalf("the analyst does not see the count of 3:\n%s", fig)
	}
	fig := indicators(s.public)
	if strings.Contains(fig, `>3<`) || !strings.Contains(fig, `withheld">masqué</td>`) {
		t.Fatalf("the public sees the count of 3, or no withheld cell:\n%s", fig)
	}

	t.Run("even when an analyst publishes", func(t *testing.T) {
		var pub struct {
			PublishAnnualReport struct {
				Renditions []struct{ Lang, URL string }
			}
		}
		s.graphQL(s.analyst, `mutation { publishAnnualReport(year: 2016, idempotencyKey: "p-2016") { renditions { lang url } } }`, nil, &pub)
		if len(pub.PublishAnnualReport.Renditions) != 2 {
			t.Fatalf("renditions: %+v", pub.PublishAnnualReport.Renditions)
		}
		for _, r := range pub.PublishAnnualReport.Renditions {
			_, _, body := s.get(s.public, r.URL)
			fig := between(body, `<figure id="indicators"`, "</figure>")
			if strings.Contains(fig, `>3<`) || !strings.Contains(fig, `withheld">`) {
				t.Errorf("%s rendition shows the withheld count:\n%s", r.Lang, fig)
			}
		}
	})
}

func TestAnEvaluatorCommentsThenPublishesAFrozenReport(t *testing.T) {
	s := newSite(t)
	save := `mutation($v: Int!, $fr: String) { saveEvaluationCommentary(year: 2025, section: "concordance", bodyFr: $fr,
		bodyNl: "De digitale kloof blijft de grootste nood.", version: $v, idempotencyKey: "c1") { commentary { version } replayed } }`
	var saved struct {
		SaveEvaluationCommentary struct {
			Commentary struct{ Version int }
			Replayed   bool
		}
	}
	s.graphQL(s.analyst, save, map[string]any{"v": 0, "fr": "La fracture numérique reste le premier besoin.\n\nElle touche surtout Schaerbeek."}, &saved)
	if saved.SaveEvaluationCommentary.Commentary.Version != 1 {
		t.Fatalf("saved: %+v", saved)
	}

	t.Run("the public may not comment", func(t *testing.T) {
		body, _ := json.Marshal(map[string]any{"query": strings.Replace(save, `"c1"`, `"c2"`, 1), "variables": map[string]any{"v": 1, "fr": "x"}})
		res, err := http.Post(s.public+"/graphql", "application/json", strings.NewReader(string(body)))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if !strings.Contains(string(b), "FORBIDDEN") {
			t.Fatalf("a public commentary: %s", b)
		}
	})

	_, _, draft := s.get(s.analyst, "/reports/annual/2025")
	if !strings.Contains(draft, "<p>La fracture numérique reste le premier besoin.</p><p>Elle touche surtout Schaerbeek.</p>") {
		t.Fatal("the draft does not show the commentary in paragraphs")
	}
	if _, _, public := s.get(s.public, "/reports/annual/2025"); strings.Contains(public, "fracture numérique reste") {
		t.Fatal("the public reads the draft commentary before its publication")
	}

	var pub struct {
		PublishAnnualReport struct {
			Publication int
			Replayed    bool
			Renditions  []struct {
				ID, Lang, URL string
				Size          int
			}
		}
	}
	publish := `mutation { publishAnnualReport(year: 2025, idempotencyKey: "pub-2025") { publication replayed renditions { id lang url size } } }`
	s.graphQL(s.analyst, publish, nil, &pub)
	rs := pub.PublishAnnualReport.Renditions
	if len(rs) != 2 || rs[0].Lang != "FR" || rs[1].Lang != "NL" {
		t.Fatalf("publication: %+v", pub)
	}
	status, _, frozen := s.get(s.public, rs[1].URL)
	if status != http.StatusOK || !strings.Contains(frozen, "De digitale kloof blijft de grootste nood.") || !strings.Contains(frozen, "bevroren") ||
		len(frozen) != rs[1].Size || strings.Contains(frozen, "/reports/annual/2025.pdf") {
		t.Fatalf("the frozen Dutch rendition (%d, %d bytes, want %d):\n%.500s", status, len(frozen), rs[1].Size, frozen)
	}

	t.Run("a retry publishes nothing more", func(t *testing.T) {
		first := pub.PublishAnnualReport.Publication
		s.graphQL(s.analyst, publish, nil, &pub)
		if !pub.PublishAnnualReport.Replayed || pub.PublishAnnualReport.Publication != first {
			t.Fatalf("retry: %+v", pub)
		}
		var list struct {
			AnnualReport struct{ Publications []struct{ ID string } }
		}
		s.graphQL(s.public, `{ annualReport(year: 2025) { publications { id } } }`, nil, &list)
		if len(list.AnnualReport.Publications) != 2 {
			t.Fatalf("publications: %+v", list)
		}
		if _, _, draft := s.get(s.public, "/reports/annual/2025?lang=nl"); !strings.Contains(draft, `href="`+rs[1].URL+`">Publicatie nr. 1`) {
			t.Fatal("the draft does not link its publication")
		}
	})
	t.Run("a later edit leaves the publication as it was", func(t *testing.T) {
		s.graphQL(s.analyst, strings.Replace(save, `"c1"`, `"c3"`, 1), map[string]any{"v": 1, "fr": "Texte revu."}, nil)
		_, _, again := s.get(s.public, rs[0].URL)
		if strings.Contains(again, "Texte revu.") || !strings.Contains(again, "fracture numérique reste") {
			t.Fatal("the frozen rendition changed")
		}
	})
}

func TestPagesLoadNothingAndRunNoScript(t *testing.T) {
	s := newSite(t)
	res, err := http.Get(s.public + "/reports/annual/2025")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	csp := res.Header.Get("Content-Security-Policy")
	if !strings.HasPrefix(csp, "default-src 'none'; style-src 'sha256-") || strings.Contains(csp, "script-src") {
		t.Fatalf("CSP %q", csp)
	}
}
