package web_test

import (
	"net/http"
	"strings"
	"testing"
)

func TestDashboards(t *testing.T) {
	s := newSite(t)
	t.Run("the home page lists the communes, the programmes and the reports", func(t *testing.T) {
		_, _, body := s.get(s.public, "/dashboards?year=2025")
		if n := strings.Count(body, `href="/dashboards/communes/210`); n < 19 {
			t.Errorf("%d links to communes, want the 19 at least", n)
		}
		for _, w := range []string{`href="/dashboards/programmes/cohesion-2024-2028?year=2025&amp;lang=fr"`,
			`href="/reports/annual/2025?lang=fr"`, `data-nis="21015"`, "Carte schématique"} {
			if !strings.Contains(body, w) {
				t.Errorf("the home page lacks %s", w)
			}
		}
	})
	t.Run("the map shows any commune-level measure", func(t *testing.T) {
		_, _, body := s.get(s.public, "/dashboards?year=2025&measure=budget&lang=nl")
		if !strings.Contains(body, "Budget per gemeente, 2025") || !strings.Contains(body, "1.135.500") && !strings.Contains(body, "1 135 500") {
			t.Errorf("the budget map of 2025 is not there:\n%.2000s", between(body, `<figure id="map"`, "</figure>"))
		}
	})
	t.Run("a commune at a glance", func(t *testing.T) {
		status, _, body := s.get(s.public, "/dashboards/communes/21015?year=2025")
		if status != http.StatusOK {
			t.Fatalf("status %d", status)
		}
		for _, id := range []string{"needs", "funders", "indicators", "trend", "operators"} {
			fig := between(body, `<figure id="`+id+`"`, "</figure>")
			if fig == "" || strings.Contains(fig, "pas pu être calculée") || !strings.Contains(fig, "<td") {
				t.Errorf("figure %s is missing, failed or empty:\n%.600s", id, fig)
			}
		}
		// The funders' figure is the report engine's answer.
		var d struct {
			Report struct {
				Rows []struct{ Values []struct{ Value string } }
			}
		}
		s.graphQL(s.public, `{ report(measures: [{kind: BUDGET}], filter: {from: "2025-01-01", to: "2025-12-31", territory: {code: {eq: "21015"}}}) {
			rows { values { value } } } }`, nil, &d)
		total := d.Report.Rows[0].Values[0].Value // "1135500"
		fig := between(body, `<figure id="funders"`, "</figure>")
		if want := total[:len(total)-6] + "\u202f" + total[len(total)-6:len(total)-3] + "\u202f" + total[len(total)-3:]; !strings.Contains(fig, want) {
			t.Errorf("the funders' total %s (%q) is not on the page", total, want)
		}
		if !strings.Contains(between(body, `<figure id="operators"`, "</figure>"), "CPAS de Schaerbeek") {
			t.Error("the CPAS de Schaerbeek is not among the commune's operators")
		}
	})
	t.Run("a programme at a glance", func(t *testing.T) {
		status, _, body := s.get(s.public, "/dashboards/programmes/cohesion-2024-2028?year=2025&lang=nl")
		if status != http.StatusOK || !strings.Contains(body, "Budget van het programma") {
			t.Fatalf("status %d:\n%.500s", status, body)
		}
		for _, id := range []string{"communes", "operators", "indicators", "trend"} {
			if fig := between(body, `<figure id="`+id+`"`, "</figure>"); fig == "" || strings.Contains(fig, "kon niet worden berekend") {
				t.Errorf("figure %s is missing or failed", id)
			}
		}
	})
	t.Run("what does not exist is not found, what is wrong is named", func(t *testing.T) {
		for path, want := range map[string]int{"/dashboards/communes/99999": 404, "/dashboards/programmes/nothing": 404,
			"/dashboards?measure=weather": 400, "/dashboards/communes/21015?year=soon": 400} {
			if status, _, body := s.get(s.public, path); status != want {
				t.Errorf("%s: %d %q, want %d", path, status, body, want)
			}
		}
	})
}
