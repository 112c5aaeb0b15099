package web

import (
	"context"
	"fmt"
	"html/template"
	"sort"
	"strings"
	"time"

	"github.com/cohesio/cohesio/internal/chart"
	"github.com/cohesio/cohesio/internal/cohesion"
	"github.com/cohesio/cohesio/internal/evaluation"
)

// trendYears is how many years a trend covers, the report's year included.
const trendYears = 5

// annualReport is everything the annual report's template shows.
type annualReport struct {
	Lang      cohesion.Lang
	Year      int
	Title     string
	Intro     string
	Status    string // draft, or the publication's line
	Sections  []*section
	Published bool
	// Publications link the frozen versions of this year's report in Lang (drafts only).
	Publications []link
	// OtherLang and PDF link the other rendition and the PDF (empty in a published rendition,
	// which links nothing that could change).
	OtherLang, PDF string
	// Failed counts the figures whose request failed: a publication needs none.
	Failed int
}

type section struct {
	Number    int
	Key       string
	Title     string
	Call      string
	Figures   []*figure
	Body      []string // the commentary's paragraphs
	Fallback  bool     // the commentary is in the other language
	Commented bool
}

// annual assembles the report on year from the data as ctx's principal may see them, with
// narratives by section key. The figures' requests run concurrently: each is one SQL
// statement, and the report has a dozen.
func annual(ctx context.Context, r Runner, year int, lang cohesion.Lang, narratives map[string]*evaluation.Narrative) *annualReport {
	rep := &annualReport{Lang: lang, Year: year, Title: msg(lang, "annual_report", year),
		Intro: msg(lang, "annual_intro", year, longDate(evaluation.Due(year), lang))}
	first := year - trendYears + 1
	yearVars := map[string]any{"from": fmt.Sprintf("%d-01-01", year), "to": fmt.Sprintf("%d-12-31", year), "lang": langEnum(lang)}
	trendVars := map[string]any{"from": fmt.Sprintf("%d-01-01", first), "to": fmt.Sprintf("%d-12-31", year), "lang": langEnum(lang)}

	l := newLoader(r, lang)
	reportFigure := func(s *section, id, query string, vars map[string]any, title, desc string, draw drawFunc) {
		s.Figures = append(s.Figures, l.report(id, query, vars, title, desc, draw))
	}
	add := func(s *section, f *figure, load func(ctx context.Context, f *figure) error) {
		s.Figures = append(s.Figures, l.custom(f, load))
	}
	for i, es := range evaluation.Sections {
		s := &section{Number: i + 1, Key: es.Key, Title: es.Title(lang), Call: es.CallFr}
		rep.Sections = append(rep.Sections, s)
		if n := narratives[es.Key]; n != nil {
			body, fallback := n.Body(lang)
			s.Body, s.Fallback, s.Commented = paragraphs(body), fallback, body != ""
		}
		switch es.Key {
		case "activities":
			t, d := msg(lang, "f_programmes", year), msg(lang, "f_programmes_d")
			reportFigure(s, "programmes", reportQuery("ProjectsByProgramme",
				`measures: [{kind: PROJECT_COUNT}, {kind: OPERATOR_COUNT}, {kind: BUDGET}], dimensions: [{kind: PROGRAMME}],
    filter: {from: $from, to: $to}, totals: GRAND_TOTAL`), yearVars, t, d,
				func(rd *reportData, t, d string) template.HTML { return bars(rd, 2, t, d, lang) })
			t, d = msg(lang, "f_themes", year), msg(lang, "f_themes_d")
			reportFigure(s, "themes", reportQuery("ProjectsByTheme",
				`measures: [{kind: PROJECT_COUNT}, {kind: BUDGET}], dimensions: [{kind: THEME}],
    filter: {from: $from, to: $to}, orderBy: [{by: "project_count", direction: DESC}]`), yearVars, t, d,
				func(rd *reportData, t, d string) template.HTML { return bars(rd, 0, t, d, lang) })
			t, d = msg(lang, "f_communes", year), msg(lang, "f_communes_d")
			reportFigure(s, "communes", reportQuery("ProjectsByCommune",
				`measures: [{kind: PROJECT_COUNT}, {kind: BUDGET}], dimensions: [{kind: TERRITORY, territoryLevel: COMMUNE}],
    filter: {from: $from, to: $to}`), yearVars, t, d,
				func(rd *reportData, t, d string) template.HTML { return tiles(rd, 0, t, d, lang, nil) })
			t, d = msg(lang, "f_kinds", year), msg(lang, "f_kinds_d")
			reportFigure(s, "operator-kinds", reportQuery("OperatorsByKind",
				`measures: [{kind: OPERATOR_COUNT}], dimensions: [{kind: OPERATOR_KIND}], filter: {from: $from, to: $to}`), yearVars, t, d,
				func(rd *reportData, t, d string) template.HTML { return bars(rd, 0, t, d, lang) })
			t, d = msg(lang, "f_indicators", year), msg(lang, "f_indicators_d")
			s.Figures = append(s.Figures, l.targets("", "", yearVars, t, d))
			t, d = msg(lang, "f_trend", first, year), msg(lang, "f_trend_d")
			reportFigure(s, "trend", reportQuery("ActivityTrend",
				`measures: [{kind: PROJECT_COUNT}, {kind: OPERATOR_COUNT}], dimensions: [{kind: PERIOD, grain: YEAR}],
    filter: {from: $from, to: $to}`), trendVars, t, d,
				func(rd *reportData, t, d string) template.HTML { return lines(rd, t, d, lang) })
			t, d = msg(lang, "f_events", first, year), msg(lang, "f_events_d")
			reportFigure(s, "events", reportQuery("EventsByYear",
				`measures: [{kind: EVENT_COUNT}, {kind: PARTICIPANTS}], dimensions: [{kind: PERIOD, grain: YEAR}],
    filter: {from: $from, to: $to}`), trendVars, t, d, nil)
		case "concordance":
			cf := &figure{ID: "concordance", Title: msg(lang, "f_concordance", year), Description: msg(lang, "f_concordance_d"),
				Query: concordanceQuery, Variables: map[string]any{"fromYear": first, "toYear": year, "lang": langEnum(lang)}}
			tf := &figure{ID: "concordance-trend", Title: msg(lang, "f_concordance_trend", first, year),
				Description: msg(lang, "f_concordance_trend_d"), Query: cf.Query, Variables: cf.Variables}
			// One request answers both figures.
			s.Figures = append(s.Figures, l.custom(cf, func(ctx context.Context, f *figure) error { return concordance(ctx, r, year, lang, cf, tf) }), tf)
		case "coherence":
			cf := &figure{ID: "coherence", Title: msg(lang, "f_coherence"), Description: msg(lang, "f_coherence_d"),
				Query: coherenceQuery, Variables: map[string]any{"lang": langEnum(lang)}}
			lf := &figure{ID: "authority-levels", Title: msg(lang, "f_levels"), Description: msg(lang, "f_levels_d"),
				Query: cf.Query, Variables: cf.Variables}
			l.custom(cf, func(ctx context.Context, f *figure) error { return coherence(ctx, r, lang, cf, lf) })
			s.Figures = append(s.Figures, lf, cf)
			of := &figure{ID: "overlaps", Title: msg(lang, "f_overlaps", year), Description: msg(lang, "f_overlaps_d"),
				Query: overlapsQuery, Variables: yearVars}
			add(s, of, func(ctx context.Context, f *figure) error { return overlaps(ctx, r, lang, f) })
		}
	}

	rep.Failed = l.run(ctx)
	return rep
}

const concordanceQuery = `query Concordance($fromYear: Int!, $toYear: Int!, $lang: Lang!) {
  concordance(territoryLevel: COMMUNE, fromYear: $fromYear, toYear: $toYear) {
    territory { code name(lang: $lang) }
    theme { code label(lang: $lang) }
    year needCount maxSeverity projectCount operatorCount budget status
  }
}
`

// concordance fills the year's table (cf) and the statuses' evolution (tf) from one request.
func concordance(ctx context.Context, r Runner, year int, lang cohesion.Lang, cf, tf *figure) error {
	var d struct {
		Concordance []struct {
			Territory struct{ Code, Name string }
			Theme     struct{ Code, Label string }
			Year      int
			NeedCount int
			MaxSev    *int `json:"maxSeverity"`
			Projects  int  `json:"projectCount"`
			Operators int  `json:"operatorCount"`
			Budget    *string
			Status    string
		}
	}
	if err := run(ctx, r, cf.Query, cf.Variables, &d); err != nil {
		return err
	}
	cf.Table = table{Header: []string{msg(lang, "c_commune"), msg(lang, "c_theme"), msg(lang, "c_needs"), msg(lang, "c_severity"),
		msg(lang, "c_projects"), msg(lang, "c_operators"), msg(lang, "c_budget"), msg(lang, "c_status")},
		Numeric: []bool{false, false, true, true, true, true, true, false}}
	statuses := []string{"NEED_WITHOUT_ACTIVITY", "LOW_ACTIVITY", "MATCHED", "ACTIVITY_WITHOUT_NEED"}
	count := map[int]map[string]int{}
	for _, c := range d.Concordance {
		if count[c.Year] == nil {
			count[c.Year] = map[string]int{}
		}
		count[c.Year][c.Status]++
		if c.Year != year {
			continue
		}
		sev := "–"
		if c.MaxSev != nil {
			sev = fmt.Sprint(*c.MaxSev)
		}
		cf.Table.Rows = append(cf.Table.Rows, row{Cells: []cell{{Text: c.Territory.Name}, {Text: c.Theme.Label},
			{Text: chart.Number(float64(c.NeedCount), lang)}, {Text: sev}, {Text: chart.Number(float64(c.Projects), lang)},
			{Text: chart.Number(float64(c.Operators), lang)}, valueCell(c.Budget, false, lang), {Text: msg(lang, "s_"+c.Status)}}})
	}
	var years []int
	for y := year - trendYears + 1; y <= year; y++ {
		years = append(years, y)
	}
	lc := chart.LineChart{Title: tf.Title, Description: tf.Description, Lang: lang}
	tf.Table = table{Header: []string{msg(lang, "c_year")}, Numeric: []bool{false}}
	for _, s := range statuses {
		tf.Table.Header, tf.Table.Numeric = append(tf.Table.Header, msg(lang, "s_"+s)), append(tf.Table.Numeric, true)
		series := chart.Series{Name: msg(lang, "s_"+s)}
		for _, y := range years {
			v := float64(count[y][s])
			series.Values = append(series.Values, &v)
		}
		lc.Series = append(lc.Series, series)
	}
	for _, y := range years {
		lc.X = append(lc.X, fmt.Sprint(y))
		cells := []cell{{Text: fmt.Sprint(y)}}
		for _, s := range statuses {
			cells = append(cells, cell{Text: chart.Number(float64(count[y][s]), lang)})
		}
		tf.Table.Rows = append(tf.Table.Rows, row{Cells: cells})
	}
	tf.Chart = lc.SVG()
	return nil
}

const coherenceQuery = `query Coherence($lang: Lang!) {
  coherence {
    programme { code name(lang: $lang) }
    policy { code name(lang: $lang) }
    authorityLevel relations
    links { id }
  }
}
`

// levels are the authority levels in the order of the call's list, with their names.
var levels = []struct{ code, fr, nl string }{
	{"COMMUNITY_COMMISSION", "Commissions communautaires", "Gemeenschapscommissies"},
	{"COMMUNITY", "Communautés", "Gemeenschappen"},
	{"FEDERAL", "Fédéral", "Federaal"},
	{"REGION", "Région de Bruxelles-Capitale", "Brussels Hoofdstedelijk Gewest"},
	{"AGENCY", "Organismes régionaux", "Gewestelijke instellingen"},
	{"EU", "Union européenne", "Europese Unie"},
	{"COMMUNE", "Communes", "Gemeenten"},
}

var relations = map[string][2]string{
	"COMPLEMENTARITY":       {"complémentarité", "complementariteit"},
	"OVERLAP":               {"recouvrement", "overlapping"},
	"DOUBLE_FINANCING_RISK": {"risque de double financement", "risico op dubbele financiering"},
	"DOUBLE_FOLLOW_UP_RISK": {"risque de double suivi", "risico op dubbele opvolging"},
	"TENSION":               {"tension", "spanning"},
}

func pickLang(lang cohesion.Lang, fr, nl string) string {
	if lang == cohesion.LangNL {
		return nl
	}
	return fr
}

// coherence fills the links' table (cf) and their count by authority level (lf).
func coherence(ctx context.Context, r Runner, lang cohesion.Lang, cf, lf *figure) error {
	var d struct {
		Coherence []struct {
			Programme      struct{ Code, Name string }
			Policy         struct{ Code, Name string }
			AuthorityLevel string
			Relations      []string
			Links          []struct{ ID string }
		}
	}
	if err := run(ctx, r, cf.Query, cf.Variables, &d); err != nil {
		return err
	}
	levelName := map[string]string{}
	for _, l := range levels {
		levelName[l.code] = pickLang(lang, l.fr, l.nl)
	}
	cf.Table = table{Header: []string{msg(lang, "c_programme"), msg(lang, "c_policy"), msg(lang, "c_level"), msg(lang, "c_relations"), msg(lang, "c_links")},
		Numeric: []bool{false, false, false, false, true}}
	perLevel := map[string]int{}
	for _, c := range d.Coherence {
		perLevel[c.AuthorityLevel]++
		var rel []string
		for _, x := range c.Relations {
			rel = append(rel, pickLang(lang, relations[x][0], relations[x][1]))
		}
		cf.Table.Rows = append(cf.Table.Rows, row{Cells: []cell{{Text: c.Programme.Name}, {Text: c.Policy.Name},
			{Text: levelName[c.AuthorityLevel]}, {Text: strings.Join(rel, ", ")}, {Text: chart.Number(float64(len(c.Links)), lang)}}})
	}
	bc := chart.BarChart{Title: lf.Title, Description: lf.Description, Lang: lang}
	lf.Table = table{Header: []string{msg(lang, "c_level"), msg(lang, "c_count")}, Numeric: []bool{false, true}}
	for _, l := range levels {
		v := float64(perLevel[l.code])
		bc.Bars = append(bc.Bars, chart.Bar{Label: levelName[l.code], Value: &v})
		lf.Table.Rows = append(lf.Table.Rows, row{Cells: []cell{{Text: levelName[l.code]}, {Text: chart.Number(v, lang)}}})
	}
	lf.Chart = bc.SVG()
	return nil
}

const overlapsQuery = `query FundingOverlaps($from: Date!, $to: Date!, $lang: Lang!) {
  fundingOverlaps(from: $from, to: $to) {
    operator { name }
    project { title programme { name(lang: $lang) } }
    otherProject { title programme { name(lang: $lang) } }
    overlapStart overlapEnd
    sharedThemes { label(lang: $lang) }
    sharedTargetPublics { label(lang: $lang) }
  }
}
`

func overlaps(ctx context.Context, r Runner, lang cohesion.Lang, f *figure) error {
	type project struct {
		Title     string
		Programme struct{ Name string }
	}
	var d struct {
		FundingOverlaps []struct {
			Operator            struct{ Name string }
			Project             project
			OtherProject        project
			OverlapStart        string
			OverlapEnd          *string
			SharedThemes        []struct{ Label string }
			SharedTargetPublics []struct{ Label string }
		}
	}
	if err := run(ctx, r, f.Query, f.Variables, &d); err != nil {
		return err
	}
	// Listed one by one, the pairs of a real year run to thousands of rows: the report counts
	// them by pair of programmes, and the request lists them.
	type pair struct{ a, b string }
	pairs, operators := map[pair]int{}, map[pair]map[string]bool{}
	for _, o := range d.FundingOverlaps {
		p := pair{o.Project.Programme.Name, o.OtherProject.Programme.Name}
		if p.b < p.a {
			p.a, p.b = p.b, p.a
		}
		pairs[p]++
		if operators[p] == nil {
			operators[p] = map[string]bool{}
		}
		operators[p][o.Operator.Name] = true
	}
	keys := make([]pair, 0, len(pairs))
	for p := range pairs {
		keys = append(keys, p)
	}
	sort.Slice(keys, func(i, j int) bool {
		if pairs[keys[i]] != pairs[keys[j]] {
			return pairs[keys[i]] > pairs[keys[j]]
		}
		return keys[i].a+"\x00"+keys[i].b < keys[j].a+"\x00"+keys[j].b
	})
	f.Table = table{Header: []string{msg(lang, "c_programme"), msg(lang, "c_other"), msg(lang, "c_pairs"), msg(lang, "c_operators")},
		Numeric: []bool{false, false, true, true}}
	for _, p := range keys {
		f.Table.Rows = append(f.Table.Rows, row{Cells: []cell{{Text: p.a}, {Text: p.b},
			{Text: chart.Number(float64(pairs[p]), lang)}, {Text: chart.Number(float64(len(operators[p])), lang)}}})
	}
	f.Note = msg(lang, "overlaps_note", len(d.FundingOverlaps))
	return nil
}

// paragraphs splits a commentary at blank lines; it is plain text, never HTML.
func paragraphs(s string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

var months = [2][12]string{
	{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
	{"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"},
}

// longDate writes a date as a reader of lang does: "1er septembre 2023", "1 september 2023".
func longDate(t time.Time, lang cohesion.Lang) string {
	if lang == cohesion.LangNL {
		return fmt.Sprintf("%d %s %d", t.Day(), months[1][t.Month()-1], t.Year())
	}
	day := fmt.Sprint(t.Day())
	if t.Day() == 1 {
		day = "1er"
	}
	return fmt.Sprintf("%s %s %d", day, months[0][t.Month()-1], t.Year())
}

// langEnum is lang as the GraphQL Lang enum writes it.
func langEnum(lang cohesion.Lang) string { return strings.ToUpper(string(lang)) }
