package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// organisations is what the organisations view answers to query (URL parameters).
func (s *site) organisations(query string) (total int, names, ids []string) {
	s.t.Helper()
	status, _, body := s.get(s.public, "/views/organisations?"+query)
	if status != http.StatusOK {
		s.t.Fatalf("/views/organisations?%s: %d %s", query, status, body)
	}
	var d struct {
		Data struct {
			Operators struct {
				TotalCount int
				Nodes      []struct{ ID, Name string }
			}
		}
	}
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		s.t.Fatal(err)
	}
	for _, n := range d.Data.Operators.Nodes {
		names, ids = append(names, n.Name), append(ids, n.ID)
	}
	return d.Data.Operators.TotalCount, names, ids
}

// listed returns the organisations a directory page lists, in order.
func listed(body string) []string {
	var out []string
	list := between(body, `<ul class="organisations">`, "</ul>")
	for _, item := range strings.Split(list, "<li>")[1:] {
		name := between(item, `">`, "</a>")
		out = append(out, strings.TrimPrefix(name, `">`))
	}
	return out
}

func TestTheDirectoryListsWhatItsViewsAnswer(t *testing.T) {
	s := newSite(t)
	for _, c := range []struct{ name, page, view string }{
		{"everything", "", "first=25"},
		{"a commune", "commune=21015", "commune=21015&first=25"},
		{"a theme", "theme=digital_exclusion", "theme=digital_exclusion&first=25"},
		{"a search", "q=maison", "search=maison&first=25"},
		{"a commune and a search", "commune=21015&q=maison", "commune=21015&search=maison&first=25"},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, _, body := s.get(s.public, "/directory/?"+c.page)
			if status != http.StatusOK {
				t.Fatalf("status %d: %.300s", status, body)
			}
			total, names, _ := s.organisations(c.view)
			if all, _, _ := s.organisations("first=1"); c.name != "everything" && (total == 0 || total == all) {
				t.Fatalf("the demo gives %d organisations for %s: the filter is not tested", total, c.name)
			}
			got := listed(body)
			if len(got) != len(names) {
				t.Fatalf("the page lists %d organisations, the view %d:\n%q\n%q", len(got), len(names), got, names)
			}
			for i := range names {
				if got[i] != html(names[i]) {
					t.Errorf("organisation %d: the page lists %q, the view %q", i, got[i], names[i])
				}
			}
			if !strings.Contains(body, `<h2 id="results">`+itoa(total)+" organisations") {
				t.Errorf("the page does not count %d organisations: %s", total, between(body, `<h2 id="results">`, "</h2>"))
			}
			if strings.Contains(c.page, "q=maison") {
				for _, n := range names {
					if !strings.Contains(strings.ToLower(n), "maison") {
						t.Errorf("%q does not match the search", n)
					}
				}
			}
		})
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestTheDirectoryPagesThroughItsViews(t *testing.T) {
	s := newSite(t)
	_, _, body := s.get(s.public, "/directory/")
	next := between(between(body, `<p class="pager">`, "</p>"), `/directory/?`, `" rel="next">`)
	if next == "" {
		t.Fatal("the first page links no next page")
	}
	next = strings.ReplaceAll(next, "&amp;", "&")
	_, _, second := s.get(s.public, next)
	u, _ := url.Parse(next)
	_, names, _ := s.organisations("first=25&after=" + url.QueryEscape(u.Query().Get("after")))
	got := listed(second)
	if len(got) == 0 || len(got) != len(names) || got[0] != html(names[0]) {
		t.Fatalf("the second page lists %q, the view %q", got, names)
	}
	if listed(body)[0] == got[0] {
		t.Error("the second page repeats the first")
	}
}

func TestAnOrganisationsPageIsItsView(t *testing.T) {
	s := newSite(t)
	_, names, ids := s.organisations("commune=21015&first=5")
	var d struct {
		Data struct {
			Node struct {
				Name     string
				Projects struct {
					TotalCount int
					Nodes      []struct{ Title string }
				}
			}
		}
	}
	status, _, raw := s.get(s.public, "/views/organisation?id="+url.QueryEscape(ids[0]))
	if status != http.StatusOK || json.Unmarshal([]byte(raw), &d) != nil {
		t.Fatalf("the organisation view: %d %s", status, raw)
	}
	status, _, body := s.get(s.public, "/directory/organisations/"+url.PathEscape(ids[0])+"?lang=nl")
	if status != http.StatusOK {
		t.Fatalf("status %d: %.300s", status, body)
	}
	if !strings.Contains(body, "<h1>"+html(names[0])) && !strings.Contains(body, html(d.Data.Node.Name)) {
		t.Errorf("the page does not name %q", names[0])
	}
	if !strings.Contains(body, "Projecten ("+itoa(d.Data.Node.Projects.TotalCount)+")") {
		t.Errorf("the page does not count its %d projects in Dutch", d.Data.Node.Projects.TotalCount)
	}
	for _, p := range d.Data.Node.Projects.Nodes {
		if !strings.Contains(body, ">"+html(p.Title)+"<") {
			t.Errorf("the page lacks the project %q", p.Title)
		}
	}
}

func TestTheDirectoryRefusesBadParameters(t *testing.T) {
	s := newSite(t)
	for _, c := range []struct{ path, says string }{
		{"/directory/?commune=99999", "commune"},
		{"/directory/?q=" + strings.Repeat("x", 101), "q: at most 100 characters"},
		{"/directory/?lang=de", "lang"},
		{"/directory/organisations/T3BlcmF0b3I6OTk5OTk5?lang=fr", "not found"},
	} {
		status, _, body := s.get(s.public, c.path)
		if status != http.StatusBadRequest && status != http.StatusNotFound || !strings.Contains(body, c.says) {
			t.Errorf("%s: %d %q, want a refusal naming %q", c.path, status, body, c.says)
		}
	}
}
