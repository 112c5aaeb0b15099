package web_test

import (
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cohesio/cohesio/internal/browser"
	"github.com/cohesio/cohesio/internal/browser/browsertest"
	"github.com/cohesio/cohesio/internal/chart"
	"github.com/cohesio/cohesio/internal/cohesion"
	"github.com/cohesio/cohesio/internal/server"
)

// programmeRows is what the report engine answers for the annual report's first figure, as
// the cells of its table read.
func programmeRows(t *testing.T, s *site, lang cohesion.Lang) []string {
	var d struct {
		Report struct {
			Rows []struct {
				IsTotal bool
				Keys    []struct{ Label *string }
				Values  []struct{ Value *string }
			}
		}
	}
	s.graphQL(s.public, `query($lang: Lang!) { report(measures: [{kind: PROJECT_COUNT}, {kind: OPERATOR_COUNT}, {kind: BUDGET}],
		dimensions: [{kind: PROGRAMME}], filter: {from: "2025-01-01", to: "2025-12-31"}, totals: GRAND_TOTAL, lang: $lang) {
		rows { isTotal keys { label } values { value } } } }`, map[string]any{"lang": strings.ToUpper(string(lang))}, &d)
	var cells []string
	for _, r := range d.Report.Rows {
		if r.IsTotal {
			cells = append(cells, map[cohesion.Lang]string{cohesion.LangFR: "Total", cohesion.LangNL: "Totaal"}[lang])
		} else {
			cells = append(cells, *r.Keys[0].Label)
		}
		for _, v := range r.Values {
			cells = append(cells, number(t, *v.Value, lang))
		}
	}
	return cells
}

// number writes a decimal of the API as the pages do.
func number(t *testing.T, s string, lang cohesion.Lang) string {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return chart.Number(v, lang)
}

func TestPagesInARealBrowser(t *testing.T) {
	s := newSite(t)
	for _, p := range []struct{ name, path string }{
		{"annual-report-fr", "/reports/annual/2025"},
		{"annual-report-nl", "/reports/annual/2025?lang=nl"},
		{"dashboards", "/dashboards?year=2025"},
		{"commune-dashboard", "/dashboards/communes/21015?year=2025"},
		{"programme-dashboard", "/dashboards/programmes/cohesion-2024-2028?year=2025&lang=nl"},
	} {
		t.Run(p.name, func(t *testing.T) {
			v := browsertest.Visit(t, s.public+p.path, "", p.name)
			if strings.HasPrefix(p.name, "annual-report") {
				lang := cohesion.LangFR
				if strings.HasSuffix(p.name, "nl") {
					lang = cohesion.LangNL
				}
				got, err := v.Texts("#programmes td")
				if err != nil {
					t.Fatal(err)
				}
				if want := programmeRows(t, s, lang); !slices.Equal(got, want) {
					t.Errorf("the figure on the page:\n%q\nthe report engine:\n%q", got, want)
				}
				svgs, err := browser.Eval[int](v, `document.querySelectorAll("svg.chart[role=img] title").length`)
				if err != nil || svgs < 8 {
					t.Errorf("%d titled charts (%v), want one per chart", svgs, err)
				}
			}
		})
	}
}

func TestTheReportAsAPDF(t *testing.T) {
	printer := browser.NewPrinter(browser.Options{})
	t.Cleanup(func() { printer.Close() })
	s := newSite(t, func(c *server.Config) { c.PDF = printer })
	res, err := http.Get(s.public + "/reports/annual/2025.pdf")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	pdf, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("status %d, %s: %.200s", res.StatusCode, res.Header.Get("Content-Type"), pdf)
	}
	text := browsertest.PDFText(t, pdf)
	want := []string{"Rapport annuel d'évaluation 2025", "Sommaire", "1. Les activités", "Page 1 /", "Projets, opérateurs et budget par programme, 2025"}
	// Its figures are the report engine's: each programme and each number of the first table.
	want = append(want, programmeRows(t, s, cohesion.LangFR)...)
	flat := strings.Join(strings.Fields(text), " ")
	for _, w := range want {
		// A long label wraps in its cell, and the text of a cell's second line comes later:
		// its first words stand for it.
		words := strings.Fields(w)
		if !strings.Contains(flat, strings.Join(words[:min(len(words), 5)], " ")) {
			t.Errorf("the PDF's text lacks %q", w)
		}
	}
	// The contents give each section's page: where its heading is.
	pages := strings.Split(text, "\f")
	var numbers []string
	for _, line := range strings.Split(pages[0], "\n") {
		if _, err := strconv.Atoi(strings.TrimSpace(line)); err == nil {
			numbers = append(numbers, strings.TrimSpace(line))
		}
	}
	headings := []string{"1. Les activités", "2. La concordance", "3. La cohérence", "4. Propositions"}
	if len(numbers) < len(headings) {
		t.Errorf("the contents give %d page numbers, want %d: %q", len(numbers), len(headings), numbers)
	}
	for i, h := range headings[:min(len(numbers), len(headings))] {
		at := 0
		for p := 1; p < len(pages) && at == 0; p++ {
			for _, line := range strings.Split(pages[p], "\n") {
				if strings.HasPrefix(line, h) {
					at = p + 1
				}
			}
		}
		if strconv.Itoa(at) != numbers[i] {
			t.Errorf("the contents put %q on page %s, it is on page %d", h, numbers[i], at)
		}
	}
	if t.Failed() {
		t.Logf("PDF text:\n%s", text)
	}
}

func TestAFigureOpensItsRequestInThePlayground(t *testing.T) {
	s := newSite(t)
	report := browsertest.Visit(t, s.public+"/reports/annual/2025", "", "annual-report-link")
	href, err := browser.Eval[string](report, `document.querySelector("#programmes .request a").href`)
	if err != nil {
		t.Fatal(err)
	}
	link, err := url.Parse(href)
	if err != nil || link.Path != "/" || link.Query().Get("query") == "" {
		t.Fatalf("the figure links %q (%v), want the playground with its query", href, err)
	}

	pg := browsertest.Visit(t, href, ".graphiql-query-editor .CodeMirror", "playground-linked")
	// The editor is filled as GraphiQL mounts its tabs: wait for that, however long it takes.
	editor := `document.querySelector(".graphiql-query-editor .CodeMirror").CodeMirror.getValue()`
	var got string
	for got == "" {
		if got, err = browser.Eval[string](pg, editor); err != nil {
			t.Fatal(err)
		}
	}
	if want := link.Query().Get("query"); got != want {
		t.Errorf("the playground's editor holds\n%s\nwant the figure's request\n%s", got, want)
	}
	vars, err := browser.Eval[string](pg, `document.querySelector(".graphiql-editor-tool .CodeMirror").CodeMirror.getValue()`)
	if err != nil || !strings.Contains(vars, `"lang": "FR"`) {
		t.Errorf("the variables editor holds %q (%v), want the figure's variables", vars, err)
	}
}

func TestTheDirectoryInARealBrowser(t *testing.T) {
	s := newSite(t)
	v := browsertest.Visit(t, s.public+"/directory/?commune=21015", "", "directory")
	got, err := v.Texts("ul.organisations li > a")
	if err != nil {
		t.Fatal(err)
	}
	if _, want, _ := s.organisations("commune=21015&first=25"); !slices.Equal(got, want) {
		t.Errorf("the directory lists\n%q\nthe view answers\n%q", got, want)
	}
	tiles, err := browser.Eval[int](v, `document.querySelectorAll("#directory-map svg a").length`)
	if err != nil || tiles != 19 {
		t.Errorf("the map links %d communes (%v), want 19", tiles, err)
	}
	href, err := browser.Eval[string](v, `document.querySelector("ul.organisations li > a").href`)
	if err != nil {
		t.Fatal(err)
	}
	org := browsertest.Visit(t, href, "", "directory-organisation")
	if h1, err := org.Texts("h1"); err != nil || len(h1) != 1 || !strings.HasPrefix(h1[0], got[0]) {
		t.Errorf("the organisation's page is titled %q (%v), want %q", h1, err, got[0])
	}
}
