package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cohesio/cohesio/internal/chart"
	"github.com/cohesio/cohesio/internal/cohesion"
)

// The public directory is the front-end kit's sample: it reads nothing but named views (the
// same /views/NAME a front-end on another site would fetch), so that it shows what the kit
// can build and stays within what the views promise.

// directoryPageSize is how many organisations a page of the directory lists.
const directoryPageSize = 25

// maxSearch bounds the search text before it goes anywhere.
const maxSearch = 100

type directory struct {
	Lang      cohesion.Lang
	Search    string
	Commune   string // NIS code, or ""
	Theme     string // code, or ""
	Communes  []option
	Themes    []option
	Map       *figure
	Filter    string // what the list is filtered by, in words
	Total     int
	Items     []directoryItem
	Next      string // the next page's URL, or ""
	First     string // the first page's URL, when this is not it
	Clear     string // the unfiltered directory, when a filter is set
	ViewLinks []link // the views the page was built on
}

type option struct {
	Value, Label string
	Selected     bool
}

type directoryItem struct {
	Name, Acronym, Kind, Href string
	Communes, Themes          []string
}

// organisationsView is the shape of the organisations view's answer.
type organisationsView struct {
	Operators struct {
		TotalCount int
		PageInfo   struct {
			HasNextPage bool
			EndCursor   *string
		}
		Nodes []struct {
			ID, Name string
			Acronym  *string
			Kind     string
			Communes struct{ Nodes []communeRef }
			Projects struct {
				Nodes []struct {
					Themes struct{ Nodes []themeRef }
				}
			}
		}
	}
}

type communeRef struct{ NisCode, NameFr, NameNl string }

func (c communeRef) name(lang cohesion.Lang) string { return pickLang(lang, c.NameFr, c.NameNl) }

type themeRef struct{ Code, LabelFr, LabelNl string }

func (t themeRef) label(lang cohesion.Lang) string { return pickLang(lang, t.LabelFr, t.LabelNl) }

// directoryArgs reads and bounds the directory's parameters.
func directoryArgs(r *http.Request) (lang cohesion.Lang, search, commune, theme, after string, err error) {
	if lang, err = language(r); err != nil {
		return
	}
	q := r.URL.Query()
	search, commune, theme, after = strings.TrimSpace(q.Get("q")), q.Get("commune"), q.Get("theme"), q.Get("after")
	switch {
	case utf8.RuneCountInString(search) > maxSearch:
		err = cohesion.Invalid("q", fmt.Sprintf("at most %d characters", maxSearch))
	case commune != "" && !isCommune(commune):
		err = cohesion.Invalid("commune", fmt.Sprintf("%q: the NIS code of one of the 19 communes, e.g. 21015", commune))
	case len(theme) > 64:
		err = cohesion.Invalid("theme", "a theme code of at most 64 characters")
	case len(after) > 200:
		err = cohesion.Invalid("after", "a cursor of at most 200 characters")
	}
	return
}

func isCommune(nis string) bool {
	for _, c := range chart.Communes() {
		if c.NIS == nis {
			return true
		}
	}
	return false
}

// directoryURL is the directory's URL with these parameters ("" leaves one out).
func directoryURL(lang cohesion.Lang, search, commune, theme, after string) string {
	v := url.Values{"lang": {string(lang)}}
	for k, x := range map[string]string{"q": search, "commune": commune, "theme": theme, "after": after} {
		if x != "" {
			v.Set(k, x)
		}
	}
	return "/directory/?" + v.Encode()
}

func viewURL(name string, vars map[string]any) string {
	v := url.Values{}
	for k, x := range vars {
		v.Set(k, fmt.Sprint(x))
	}
	if len(v) == 0 {
		return "/views/" + name
	}
	return "/views/" + name + "?" + v.Encode()
}

func (p *Pages) directory(w http.ResponseWriter, r *http.Request) {
	lang, search, commune, theme, after, err := directoryArgs(r)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	ctx := r.Context()
	d := &directory{Lang: lang, Search: search, Commune: commune, Theme: theme}

	var communes struct {
		Territories struct {
			Nodes []struct {
				communeRef
				Organisations struct{ TotalCount int }
			}
		}
	}
	var themes struct {
		Themes struct{ Nodes []themeRef }
	}
	vars := map[string]any{"first": directoryPageSize}
	for k, x := range map[string]string{"search": search, "commune": commune, "theme": theme, "after": after} {
		if x != "" {
			vars[k] = x
		}
	}
	var orgs organisationsView
	for _, v := range []struct {
		name string
		vars map[string]any
		out  any
	}{{"communes", nil, &communes}, {"themes", nil, &themes}, {"organisations", vars, &orgs}} {
		if err := run(ctx, p.o.Views, v.name, v.vars, v.out); err != nil {
			p.fail(w, r, fmt.Errorf("the %s view: %w", v.name, err))
			return
		}
		d.ViewLinks = append(d.ViewLinks, link{Label: v.name, Href: viewURL(v.name, v.vars)})
	}

	counts := chart.TileMap{Title: msg(lang, "d_map"), Description: msg(lang, "d_map_d"), Lang: lang, ID: "directory-map",
		Values: map[string]*float64{},
		Href:   func(nis string) string { return directoryURL(lang, search, nis, theme, "") }}
	d.Map = &figure{ID: "directory-map", Title: msg(lang, "d_map"), Description: msg(lang, "d_map_d"),
		Table: table{Header: []string{msg(lang, "c_commune"), msg(lang, "d_organisations")}, Numeric: []bool{false, true}}}
	for _, c := range communes.Territories.Nodes {
		n := float64(c.Organisations.TotalCount)
		counts.Values[c.NisCode] = &n
		d.Map.Table.Rows = append(d.Map.Table.Rows, row{Cells: []cell{{Text: c.name(lang)}, {Text: chart.Number(n, lang)}}})
		d.Communes = append(d.Communes, option{Value: c.NisCode, Label: c.name(lang), Selected: c.NisCode == commune})
		if c.NisCode == commune {
			d.Filter = msg(lang, "d_in", c.name(lang))
		}
	}
	d.Map.Chart = counts.SVG()
	for _, t := range themes.Themes.Nodes {
		d.Themes = append(d.Themes, option{Value: t.Code, Label: t.label(lang), Selected: t.Code == theme})
		if t.Code == theme {
			d.Filter = strings.TrimSpace(d.Filter + " " + msg(lang, "d_on", t.label(lang)))
		}
	}
	if search != "" {
		d.Filter = strings.TrimSpace(d.Filter + " " + msg(lang, "d_matching", search))
	}

	o := orgs.Operators
	d.Total = o.TotalCount
	for _, n := range o.Nodes {
		it := directoryItem{Name: n.Name, Kind: msg(lang, "k_"+n.Kind),
			Href: "/directory/organisations/" + url.PathEscape(n.ID) + "?lang=" + string(lang)}
		if n.Acronym != nil {
			it.Acronym = *n.Acronym
		}
		for _, c := range n.Communes.Nodes {
			it.Communes = append(it.Communes, c.name(lang))
		}
		seen := map[string]bool{}
		for _, pr := range n.Projects.Nodes {
			for _, t := range pr.Themes.Nodes {
				if !seen[t.Code] {
					seen[t.Code] = true
					it.Themes = append(it.Themes, t.label(lang))
				}
			}
		}
		d.Items = append(d.Items, it)
	}
	if o.PageInfo.HasNextPage && o.PageInfo.EndCursor != nil {
		d.Next = directoryURL(lang, search, commune, theme, *o.PageInfo.EndCursor)
	}
	if after != "" {
		d.First = directoryURL(lang, search, commune, theme, "")
	}
	if search != "" || commune != "" || theme != "" {
		d.Clear = directoryURL(lang, "", "", "", "")
	}
	html, err := render(directoryPage, page{Lang: lang, Title: msg(lang, "h_directory"), Body: d,
		OtherLang: directoryURL(otherLang(lang), search, commune, theme, after)})
	if err != nil {
		p.fail(w, r, err)
		return
	}
	serveHTML(w, html, "private, no-cache")
}

// organisation is one organisation's page in the directory.
type organisation struct {
	Lang                                  cohesion.Lang
	Name, Acronym, Kind, LegalForm, Other string
	Seat, Address, Website, Description   string
	Enterprise                            string
	Fictitious                            bool
	Communes                              []link
	Projects                              table
	ProjectCount                          int
	Events                                table
	Back, View                            string
}

func (p *Pages) organisation(w http.ResponseWriter, r *http.Request) {
	lang, err := language(r)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	id := r.PathValue("id")
	if len(id) > 200 {
		p.fail(w, r, cohesion.Invalid("id", "an organisation's id of at most 200 characters"))
		return
	}
	var d struct {
		Node *struct {
			ID, Name, Kind                         string
			NameNl, Acronym, EnterpriseNumber      *string
			Street, Postcode, Website, Description *string
			Fictitious                             bool
			LegalForm                              *struct{ Code, LabelFr, LabelNl string }
			SeatCommune                            *communeRef
			Communes                               struct{ Nodes []communeRef }
			Projects                               struct {
				TotalCount int
				Nodes      []struct {
					Title     string
					StartDate *string
					EndDate   *string
					Programme *struct{ Code, NameFr, NameNl string }
					Themes    struct{ Nodes []themeRef }
				}
			}
			OrganisedEvents struct {
				Nodes []struct {
					Title            string
					HeldOn           *string
					ParticipantCount *int
				}
			}
		}
	}
	vars := map[string]any{"id": id}
	if err := run(r.Context(), p.o.Views, "organisation", vars, &d); err != nil {
		p.fail(w, r, fmt.Errorf("the organisation view: %w", err))
		return
	}
	n := d.Node
	if n == nil || n.Name == "" { // another kind of node has none of an organisation's fields
		p.fail(w, r, fmt.Errorf("organisation %q: %w", id, cohesion.ErrNotFound))
		return
	}
	o := &organisation{Lang: lang, Name: n.Name, Kind: msg(lang, "k_"+n.Kind), Fictitious: n.Fictitious,
		Acronym: deref(n.Acronym), Enterprise: deref(n.EnterpriseNumber), Website: deref(n.Website), Description: deref(n.Description),
		Back: directoryURL(lang, "", "", "", ""), View: viewURL("organisation", vars)}
	if lang == cohesion.LangNL && n.NameNl != nil && *n.NameNl != "" {
		o.Name, o.Other = *n.NameNl, n.Name
	} else if n.NameNl != nil && *n.NameNl != n.Name {
		o.Other = *n.NameNl
	}
	if n.LegalForm != nil {
		o.LegalForm = pickLang(lang, n.LegalForm.LabelFr, n.LegalForm.LabelNl)
	}
	if n.SeatCommune != nil {
		o.Seat = n.SeatCommune.name(lang)
	}
	o.Address = strings.Trim(deref(n.Street)+", "+deref(n.Postcode), ", ")
	if !strings.HasPrefix(o.Website, "https://") && !strings.HasPrefix(o.Website, "http://") {
		o.Website = "" // shown only as a link, and only to the web
	}
	for _, c := range n.Communes.Nodes {
		o.Communes = append(o.Communes, link{Label: c.name(lang), Href: directoryURL(lang, "", c.NisCode, "", "")})
	}
	o.ProjectCount = n.Projects.TotalCount
	o.Projects = table{Header: []string{msg(lang, "c_project"), msg(lang, "c_programme"), msg(lang, "c_period"), msg(lang, "c_theme")},
		Numeric: make([]bool, 4)}
	for _, pr := range n.Projects.Nodes {
		programme := ""
		if pr.Programme != nil {
			programme = pickLang(lang, pr.Programme.NameFr, pr.Programme.NameNl)
		}
		var themes []string
		for _, t := range pr.Themes.Nodes {
			themes = append(themes, t.label(lang))
		}
		period := isoDate(pr.StartDate, lang) + " – " + isoDate(pr.EndDate, lang)
		o.Projects.Rows = append(o.Projects.Rows, row{Cells: []cell{{Text: pr.Title}, {Text: programme}, {Text: period}, {Text: strings.Join(themes, ", ")}}})
	}
	o.Events = table{Header: []string{msg(lang, "c_event"), msg(lang, "c_date"), msg(lang, "c_participants")}, Numeric: []bool{false, false, true}}
	for _, e := range n.OrganisedEvents.Nodes {
		c := cell{Text: msg(lang, "withheld"), Withheld: true}
		if e.ParticipantCount != nil {
			c = cell{Text: chart.Number(float64(*e.ParticipantCount), lang)}
		}
		o.Events.Rows = append(o.Events.Rows, row{Cells: []cell{{Text: e.Title}, {Text: isoDate(e.HeldOn, lang)}, c}})
	}
	html, err := render(organisationPage, page{Lang: lang, Title: o.Name, Body: o,
		OtherLang: "/directory/organisations/" + url.PathEscape(id) + "?lang=" + string(otherLang(lang))})
	if err != nil {
		p.fail(w, r, err)
		return
	}
	serveHTML(w, html, "private, no-cache")
}

// isoDate writes a Date of the API in words ("…" when there is none: an open end).
func isoDate(s *string, lang cohesion.Lang) string {
	if s == nil {
		return "…"
	}
	t, err := time.Parse(time.DateOnly, *s)
	if err != nil {
		return *s
	}
	return longDate(t, lang)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
