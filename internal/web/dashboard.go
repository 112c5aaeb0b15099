package web

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"

	"github.com/cohesio/cohesio/internal/chart"
	"github.com/cohesio/cohesio/internal/cohesion"
	"github.com/cohesio/cohesio/internal/evaluation"
)

// dashboard is what the dashboard template shows: a commune or a programme at a glance.
type dashboard struct {
	Lang     cohesion.Lang
	Title    string
	Intro    string
	Facts    []fact
	Year     int
	Years    []link
	Figures  []*figure
	Back     string
	Failed   int
	Withheld bool
}

type fact struct{ Label, Value string }

type link struct {
	Label, Href string
	Current     bool
}

// yearOf reads ?year= (default: the last full year).
func (p *Pages) yearOf(r *http.Request) (int, error) {
	raw := r.URL.Query().Get("year")
	if raw == "" {
		return p.o.Now().Year() - 1, nil
	}
	y, err := strconv.Atoi(raw)
	if err != nil || evaluation.CheckYear("year", y) != nil {
		return 0, cohesion.Invalid("year", fmt.Sprintf("%q: a year between %d and %d", raw, evaluation.FirstYear, evaluation.LastYear))
	}
	return y, nil
}

// yearLinks offers the years around year.
func yearLinks(path string, year int, lang cohesion.Lang) []link {
	var out []link
	for y := year - 3; y <= year+1; y++ {
		out = append(out, link{Label: fmt.Sprint(y), Href: fmt.Sprintf("%s?year=%d&lang=%s", path, y, lang), Current: y == year})
	}
	return out
}

// pageArgs reads the language and the year every dashboard takes.
func (p *Pages) pageArgs(w http.ResponseWriter, r *http.Request) (cohesion.Lang, int, bool) {
	lang, err := language(r)
	if err == nil {
		var year int
		if year, err = p.yearOf(r); err == nil {
			return lang, year, true
		}
	}
	p.fail(w, r, err)
	return "", 0, false
}

func yearRange(first, last int, lang cohesion.Lang) map[string]any {
	return map[string]any{"from": fmt.Sprintf("%d-01-01", first), "to": fmt.Sprintf("%d-12-31", last), "lang": langEnum(lang)}
}

func with(vars map[string]any, k string, v any) map[string]any {
	out := map[string]any{k: v}
	for key, val := range vars {
		out[key] = val
	}
	return out
}

// commune answers /dashboards/communes/NIS: needs against activities by theme, funding by
// funder and programme, indicators' targets against results, the trend, and the operators.
func (p *Pages) commune(w http.ResponseWriter, r *http.Request) {
	lang, year, ok := p.pageArgs(w, r)
	if !ok {
		return
	}
	nis := r.PathValue("nis")
	i := slices.IndexFunc(chart.Communes(), func(c chart.Commune) bool { return c.NIS == nis })
	if i < 0 {
		p.fail(w, r, fmt.Errorf("commune %q: %w", nis, cohesion.ErrNotFound))
		return
	}
	c := chart.Communes()[i]
	path := "/dashboards/communes/" + nis
	d := &dashboard{Lang: lang, Title: c.Name(lang), Intro: msg(lang, "commune_intro", c.Name(lang), year), Year: year,
		Years: yearLinks(path, year, lang), Back: "/dashboards?lang=" + string(lang)}
	l := newLoader(p.o.Runner, lang)
	vars := with(yearRange(year, year, lang), "nis", nis)
	const where = `territory: {code: {eq: $nis}}`

	needs := &figure{ID: "needs", Title: msg(lang, "d_needs", year), Description: msg(lang, "d_needs_d"), Query: communeNeedsQuery,
		Variables: map[string]any{"nis": nis, "year": year, "lang": langEnum(lang)}}
	d.Figures = append(d.Figures, l.custom(needs, func(ctx context.Context, f *figure) error { return communeNeeds(ctx, p.o.Runner, lang, f) }))
	t, desc := msg(lang, "d_funders", year), msg(lang, "d_funders_d")
	d.Figures = append(d.Figures, l.report("funders", reportQueryWith("BudgetByFunder", "$nis: String!",
		`measures: [{kind: BUDGET}, {kind: PROJECT_COUNT}], dimensions: [{kind: FUNDER}, {kind: PROGRAMME}],
    filter: {from: $from, to: $to, `+where+`}, totals: SUBTOTALS`), vars, t, desc,
		func(rd *reportData, t, d string) template.HTML { return funderBars(rd, t, d, lang) }))
	t, desc = msg(lang, "f_indicators", year), msg(lang, "f_indicators_d")
	d.Figures = append(d.Figures, l.targets("$nis: String!", where, vars, t, desc))
	t, desc = msg(lang, "f_trend", year-trendYears+1, year), msg(lang, "f_trend_d")
	d.Figures = append(d.Figures, l.report("trend", reportQueryWith("ActivityTrend", "$nis: String!",
		`measures: [{kind: PROJECT_COUNT}, {kind: OPERATOR_COUNT}], dimensions: [{kind: PERIOD, grain: YEAR}],
    filter: {from: $from, to: $to, `+where+`}`), with(yearRange(year-trendYears+1, year, lang), "nis", nis), t, desc,
		func(rd *reportData, t, d string) template.HTML { return lines(rd, t, d, lang) }))
	ops := &figure{ID: "operators", Title: msg(lang, "d_operators"), Description: msg(lang, "d_operators_d"), Query: communeOperatorsQuery,
		Variables: map[string]any{"nis": nis}}
	d.Figures = append(d.Figures, l.custom(ops, func(ctx context.Context, f *figure) error { return communeOperators(ctx, p.o.Runner, lang, f) }))
	d.Failed = l.run(r.Context())
	p.serveDashboard(w, r, d, path)
}

// funderBars charts the budget by funder from the funder x programme report: its funder
// subtotals.
func funderBars(d *reportData, title, desc string, lang cohesion.Lang) template.HTML {
	c := chart.BarChart{Title: title, Description: desc, Lang: lang, Unit: "EUR"}
	for _, r := range d.Report.Rows {
		if r.IsTotal && len(r.Keys) == 2 && r.Keys[0].Label != nil && r.Keys[1].Label == nil {
			c.Bars = append(c.Bars, chart.Bar{Label: *r.Keys[0].Label, Value: value(r.Values[0].Value, r.Values[0].Suppressed)})
		}
	}
	return c.SVG()
}

// reportQueryWith is reportQuery with more variables.
func reportQueryWith(name, vars, args string) string {
	if vars == "" {
		return reportQuery(name, args)
	}
	return "query " + name + "($from: Date!, $to: Date!, $lang: Lang!, " + vars + ") {\n  report(" + args +
		", lang: $lang) " + reportSelection + "\n}\n"
}

const communeNeedsQuery = `query NeedsAndActivities($nis: String!, $year: Int!, $lang: Lang!) {
  concordance(territoryLevel: COMMUNE, fromYear: $year, toYear: $year, territory: {code: {eq: $nis}}) {
    theme { label(lang: $lang) }
    needCount maxSeverity projectCount operatorCount status
  }
}
`

func communeNeeds(ctx context.Context, r Runner, lang cohesion.Lang, f *figure) error {
	var d struct {
		Concordance []struct {
			Theme     struct{ Label string }
			NeedCount int
			MaxSev    *int `json:"maxSeverity"`
			Projects  int  `json:"projectCount"`
			Operators int  `json:"operatorCount"`
			Status    string
		}
	}
	if err := run(ctx, r, f.Query, f.Variables, &d); err != nil {
		return err
	}
	f.Table = table{Header: []string{msg(lang, "c_theme"), msg(lang, "c_needs"), msg(lang, "c_severity"), msg(lang, "c_projects"),
		msg(lang, "c_operators"), msg(lang, "c_status")}, Numeric: []bool{false, true, true, true, true, false}}
	pc := chart.PairChart{Title: f.Title, Description: f.Description, Lang: lang, ALabel: msg(lang, "c_needs"), BLabel: msg(lang, "c_projects")}
	for _, c := range d.Concordance {
		sev := "–"
		if c.MaxSev != nil {
			sev = fmt.Sprint(*c.MaxSev)
		}
		f.Table.Rows = append(f.Table.Rows, row{Cells: []cell{{Text: c.Theme.Label}, {Text: chart.Number(float64(c.NeedCount), lang)}, {Text: sev},
			{Text: chart.Number(float64(c.Projects), lang)}, {Text: chart.Number(float64(c.Operators), lang)}, {Text: msg(lang, "s_"+c.Status)}}})
		needs, projects := float64(c.NeedCount), float64(c.Projects)
		pc.Pairs = append(pc.Pairs, chart.Pair{Label: c.Theme.Label, A: &needs, B: &projects})
	}
	if len(pc.Pairs) > 0 {
		f.Chart = pc.SVG()
	}
	return nil
}

const communeOperatorsQuery = `query OperatorsInCommune($nis: String!) {
  operators(first: 200, filter: {or: [{seatCommune: {code: {eq: $nis}}}, {territories: {code: {eq: $nis}}},
      {projects: {territory: {code: {eq: $nis}}}}]}, orderBy: [{field: NAME}]) {
    nodes { name enterpriseNumber kind postcode }
  }
}
`

func communeOperators(ctx context.Context, r Runner, lang cohesion.Lang, f *figure) error {
	var d struct {
		Operators struct {
			Nodes []struct {
				Name             string
				EnterpriseNumber *string
				Kind             string
				Postcode         *string
			}
		}
	}
	if err := run(ctx, r, f.Query, f.Variables, &d); err != nil {
		return err
	}
	f.Table = table{Header: []string{msg(lang, "c_operator"), msg(lang, "c_enterprise"), msg(lang, "c_kind"), msg(lang, "c_postcode")},
		Numeric: []bool{false, false, false, false}}
	for _, o := range d.Operators.Nodes {
		f.Table.Rows = append(f.Table.Rows, row{Cells: []cell{{Text: o.Name}, {Text: label(o.EnterpriseNumber)}, {Text: msg(lang, "k_"+o.Kind)}, {Text: label(o.Postcode)}}})
	}
	return nil
}

// programme answers /dashboards/programmes/CODE: its budget, its operators, its projects by
// commune and the achievement of its indicators.
func (p *Pages) programme(w http.ResponseWriter, r *http.Request) {
	lang, year, ok := p.pageArgs(w, r)
	if !ok {
		return
	}
	code := r.PathValue("code")
	var info struct {
		Programmes struct {
			Nodes []struct {
				Name        string
				Description *string
				StartDate   string
				EndDate     *string
				Budget      *string
				Funder      struct{ Name string }
				Policy      struct{ Name string }
			}
		}
	}
	if err := run(r.Context(), p.o.Runner, programmeQuery, map[string]any{"code": code, "lang": langEnum(lang)}, &info); err != nil {
		p.fail(w, r, err)
		return
	}
	if len(info.Programmes.Nodes) == 0 {
		p.fail(w, r, fmt.Errorf("programme %q: %w", code, cohesion.ErrNotFound))
		return
	}
	pr := info.Programmes.Nodes[0]
	path := "/dashboards/programmes/" + code
	d := &dashboard{Lang: lang, Title: pr.Name, Intro: label(pr.Description), Year: year, Years: yearLinks(path, year, lang),
		Back: "/dashboards?lang=" + string(lang), Facts: []fact{
			{msg(lang, "p_funder"), pr.Funder.Name}, {msg(lang, "p_policy"), pr.Policy.Name},
			{msg(lang, "p_period"), pr.StartDate + " – " + label(pr.EndDate)}, {msg(lang, "p_budget"), valueCell(pr.Budget, false, lang).Text + " EUR"}}}
	l := newLoader(p.o.Runner, lang)
	vars := with(yearRange(year, year, lang), "code", code)
	const where = `programme: {code: {eq: $code}}`
	t, desc := msg(lang, "p_projects", year), msg(lang, "p_projects_d")
	d.Figures = append(d.Figures, l.report("communes", reportQueryWith("ProjectsByCommune", "$code: String!",
		`measures: [{kind: PROJECT_COUNT}, {kind: BUDGET}], dimensions: [{kind: TERRITORY, territoryLevel: COMMUNE}],
    filter: {from: $from, to: $to, `+where+`}`), vars, t, desc,
		func(rd *reportData, t, d string) template.HTML {
			return tiles(rd, 0, t, d, lang, func(nis string) string { return "/dashboards/communes/" + nis + "?lang=" + string(lang) })
		}))
	t, desc = msg(lang, "p_operators", year), msg(lang, "p_operators_d")
	d.Figures = append(d.Figures, l.report("operators", reportQueryWith("OperatorsByKind", "$code: String!",
		`measures: [{kind: OPERATOR_COUNT}, {kind: PROJECT_COUNT}, {kind: BUDGET}], dimensions: [{kind: OPERATOR_KIND}],
    filter: {from: $from, to: $to, `+where+`}, totals: GRAND_TOTAL`), vars, t, desc,
		func(rd *reportData, t, d string) template.HTML { return bars(rd, 0, t, d, lang) }))
	t, desc = msg(lang, "p_achievement", year), msg(lang, "f_indicators_d")
	d.Figures = append(d.Figures, l.targets("$code: String!", where, vars, t, desc))
	t, desc = msg(lang, "f_trend", year-trendYears+1, year), msg(lang, "f_trend_d")
	d.Figures = append(d.Figures, l.report("trend", reportQueryWith("ActivityTrend", "$code: String!",
		`measures: [{kind: PROJECT_COUNT}, {kind: OPERATOR_COUNT}], dimensions: [{kind: PERIOD, grain: YEAR}], filter: {from: $from, to: $to, `+where+`}`),
		with(yearRange(year-trendYears+1, year, lang), "code", code), t, desc,
		func(rd *reportData, t, d string) template.HTML { return lines(rd, t, d, lang) }))
	d.Failed = l.run(r.Context())
	p.serveDashboard(w, r, d, path)
}

const programmeQuery = `query Programme($code: String!, $lang: Lang!) {
  programmes(first: 1, filter: {code: {eq: $code}}) {
    nodes { name(lang: $lang) description startDate endDate budget funder { name(lang: $lang) } policy { name(lang: $lang) } }
  }
}
`

func (p *Pages) serveDashboard(w http.ResponseWriter, r *http.Request, d *dashboard, path string) {
	pg := page{Lang: d.Lang, Title: d.Title, Body: d, OtherLang: fmt.Sprintf("%s?year=%d&lang=%s", path, d.Year, otherLang(d.Lang))}
	html, err := render(dashboardPage, pg)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	serveHTML(w, html, "private, no-cache")
}
