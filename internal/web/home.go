package web

import (
	"context"
	"fmt"
	"html/template"
	"net/http"

	"github.com/cohesio/cohesio/internal/chart"
	"github.com/cohesio/cohesio/internal/cohesion"
)

// home is the dashboards' home page: a map of the communes by a chosen measure, the
// programmes, and the annual reports.
type home struct {
	Lang       cohesion.Lang
	Year       int
	Years      []link
	Measures   []link
	Map        *figure
	Communes   []link
	Programmes []link
	Reports    []link
	Failed     int
}

// mapMeasures are the commune-level measures the home map can show.
var mapMeasures = []struct{ key, kind string }{
	{"projects", "PROJECT_COUNT"}, {"operators", "OPERATOR_COUNT"}, {"budget", "BUDGET"},
	{"events", "EVENT_COUNT"}, {"participants", "PARTICIPANTS"},
}

func (p *Pages) home(w http.ResponseWriter, r *http.Request) {
	lang, year, ok := p.pageArgs(w, r)
	if !ok {
		return
	}
	measure := r.URL.Query().Get("measure")
	if measure == "" {
		measure = "projects"
	}
	kind := ""
	h := &home{Lang: lang, Year: year, Years: yearLinks("/dashboards", year, lang)}
	for _, m := range mapMeasures {
		if m.key == measure {
			kind = m.kind
		}
		h.Measures = append(h.Measures, link{Label: msg(lang, "m_"+m.key), Current: m.key == measure,
			Href: fmt.Sprintf("/dashboards?measure=%s&year=%d&lang=%s", m.key, year, lang)})
	}
	if kind == "" {
		p.fail(w, r, cohesion.Invalid("measure", "one of projects, operators, budget, events, participants"))
		return
	}
	for i := range h.Years {
		h.Years[i].Href += "&measure=" + measure
	}
	for _, c := range chart.Communes() {
		h.Communes = append(h.Communes, link{Label: c.Name(lang), Href: fmt.Sprintf("/dashboards/communes/%s?year=%d&lang=%s", c.NIS, year, lang)})
	}
	for y := year; y > year-trendYears; y-- {
		h.Reports = append(h.Reports, link{Label: msg(lang, "annual_report", y), Href: fmt.Sprintf("/reports/annual/%d?lang=%s", y, lang)})
	}

	l := newLoader(p.o.Runner, lang)
	t, desc := msg(lang, "h_map", msg(lang, "m_"+measure), year), msg(lang, "h_map_d")
	h.Map = l.report("map", reportQuery("CommuneMap", fmt.Sprintf(`measures: [{kind: %s}], dimensions: [{kind: TERRITORY, territoryLevel: COMMUNE}],
    filter: {from: $from, to: $to}`, kind)), yearRange(year, year, lang), t, desc,
		func(rd *reportData, t, d string) template.HTML {
			return tiles(rd, 0, t, d, lang, func(nis string) string {
				return fmt.Sprintf("/dashboards/communes/%s?year=%d&lang=%s", nis, year, lang)
			})
		})
	l.custom(&figure{}, func(ctx context.Context, _ *figure) error {
		var d struct {
			Programmes struct {
				Nodes []struct{ Code, Name string }
			}
		}
		if err := run(ctx, p.o.Runner, `query Programmes($lang: Lang!) { programmes(first: 200, orderBy: [{field: CODE}]) { nodes { code name(lang: $lang) } } }`,
			map[string]any{"lang": langEnum(lang)}, &d); err != nil {
			return err
		}
		for _, pr := range d.Programmes.Nodes {
			h.Programmes = append(h.Programmes, link{Label: pr.Name, Href: fmt.Sprintf("/dashboards/programmes/%s?year=%d&lang=%s", pr.Code, year, lang)})
		}
		return nil
	})
	h.Failed = l.run(r.Context())
	html, err := render(homePage, page{Lang: lang, Title: msg(lang, "dashboards"), Body: h,
		OtherLang: fmt.Sprintf("/dashboards?measure=%s&year=%d&lang=%s", measure, year, otherLang(lang))})
	if err != nil {
		p.fail(w, r, err)
		return
	}
	serveHTML(w, html, "private, no-cache")
}
