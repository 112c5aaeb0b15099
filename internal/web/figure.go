package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cohesio/cohesio/internal/chart"
	"github.com/cohesio/cohesio/internal/cohesion"
)

// A figure is one table (and usually one chart) of a page, with the GraphQL request that
// produced it, so that a reader can open the request in the playground and ask it differently.
type figure struct {
	ID          string
	Title       string
	Description string
	Query       string
	Variables   map[string]any
	Table       table
	Chart       template.HTML
	Note        string
	// relabel names the report's measures, in order, where their own labels would not
	// tell them apart ("" keeps one).
	relabel []string
}

// Playground is the link that opens the figure's request in the playground.
func (f *figure) Playground() string {
	v := url.Values{"query": {f.Query}}
	if len(f.Variables) > 0 {
		b, _ := json.Marshal(f.Variables) // maps of plain values always encode
		v.Set("variables", string(b))
	}
	return "/?" + v.Encode()
}

type table struct {
	Header []string
	// Numeric tells which columns hold numbers (right-aligned).
	Numeric []bool
	Rows    []row
}

type row struct {
	Cells []cell
	Total bool
}

type cell struct {
	Text     string
	Withheld bool
}

// Runner runs a GraphQL document as the request's principal and returns the response body,
// exactly as a client of /graphql would receive it.
type Runner interface {
	Run(ctx context.Context, query string, variables map[string]any) (json.RawMessage, error)
}

// graphQLError is an error the GraphQL response carried.
type graphQLError struct{ messages []string }

func (e *graphQLError) Error() string { return "GraphQL: " + strings.Join(e.messages, "; ") }

// run runs query and decodes its data into out.
func run(ctx context.Context, r Runner, query string, vars map[string]any, out any) error {
	body, err := r.Run(ctx, query, vars)
	if err != nil {
		return err
	}
	var resp struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return fmt.Errorf("decode the response: %w", err)
	}
	if len(resp.Errors) > 0 {
		e := &graphQLError{}
		for _, m := range resp.Errors {
			e.messages = append(e.messages, m.Message)
		}
		return e
	}
	if err := json.Unmarshal(resp.Data, out); err != nil {
		return fmt.Errorf("decode the data: %w", err)
	}
	return nil
}

// reportData is the shape of the report query's answer that figures ask for (see
// reportSelection).
type reportData struct {
	Report reportBody `json:"report"`
}

type reportBody struct {
	Dimensions []column `json:"dimensions"`
	Measures   []column `json:"measures"`
	Rows       []struct {
		IsTotal bool `json:"isTotal"`
		Keys    []struct {
			Code  *string `json:"code"`
			Label *string `json:"label"`
		} `json:"keys"`
		Values []struct {
			Value      *string `json:"value"`
			Suppressed bool    `json:"suppressed"`
		} `json:"values"`
	} `json:"rows"`
	Truncated bool `json:"truncated"`
}

type column struct {
	Name  string  `json:"name"`
	Label string  `json:"label"`
	Unit  *string `json:"unit"`
}

// reportSelection is what every report figure selects.
const reportSelection = `{
    dimensions { name label }
    measures { name label unit }
    rows { isTotal keys { code label } values { value suppressed } }
    truncated
  }`

// reportQuery writes a report request: args are the report field's arguments, in GraphQL.
func reportQuery(name, args string) string {
	return "query " + name + "($from: Date!, $to: Date!, $lang: Lang!) {\n  report(" + args +
		", lang: $lang) " + reportSelection + "\n}\n"
}

// value reads a report value; nil when it is withheld or missing.
func value(v *string, suppressed bool) *float64 {
	if v == nil || suppressed {
		return nil
	}
	f, err := strconv.ParseFloat(*v, 64)
	if err != nil {
		return nil
	}
	return &f
}

// tableOf turns a report into a table: its dimensions, then its measures.
func tableOf(d *reportData, lang cohesion.Lang) table {
	var t table
	for _, c := range d.Report.Dimensions {
		t.Header, t.Numeric = append(t.Header, c.Label), append(t.Numeric, false)
	}
	for _, c := range d.Report.Measures {
		t.Header, t.Numeric = append(t.Header, c.Label), append(t.Numeric, true)
	}
	for _, r := range d.Report.Rows {
		out := row{Total: r.IsTotal}
		for _, k := range r.Keys {
			switch {
			case k.Label != nil:
				out.Cells = append(out.Cells, cell{Text: *k.Label})
			case r.IsTotal:
				out.Cells = append(out.Cells, cell{Text: msg(lang, "total")})
			default:
				out.Cells = append(out.Cells, cell{Text: "–"})
			}
		}
		for _, v := range r.Values {
			out.Cells = append(out.Cells, valueCell(v.Value, v.Suppressed, lang))
		}
		t.Rows = append(t.Rows, out)
	}
	return t
}

func valueCell(v *string, suppressed bool, lang cohesion.Lang) cell {
	switch {
	case suppressed:
		return cell{Text: msg(lang, "withheld"), Withheld: true}
	case v == nil:
		return cell{Text: "–"}
	}
	if f := value(v, false); f != nil {
		return cell{Text: chart.Number(*f, lang)}
	}
	return cell{Text: *v}
}

// bars charts measure m of a one-dimension report, total rows left out.
func bars(d *reportData, m int, title, desc string, lang cohesion.Lang) template.HTML {
	c := chart.BarChart{Title: title, Description: desc, Lang: lang, Unit: unitOf(d, m, lang)}
	for _, r := range d.Report.Rows {
		if r.IsTotal || len(r.Keys) == 0 || m >= len(r.Values) {
			continue
		}
		c.Bars = append(c.Bars, chart.Bar{Label: label(r.Keys[0].Label), Value: value(r.Values[m].Value, r.Values[m].Suppressed)})
	}
	return c.SVG()
}

// lines charts every measure of a report by period (its one dimension) as a series.
func lines(d *reportData, title, desc string, lang cohesion.Lang) template.HTML {
	c := chart.LineChart{Title: title, Description: desc, Lang: lang}
	for _, m := range d.Report.Measures {
		c.Series = append(c.Series, chart.Series{Name: m.Label})
	}
	for _, r := range d.Report.Rows {
		if r.IsTotal || len(r.Keys) == 0 {
			continue
		}
		c.X = append(c.X, label(r.Keys[0].Label))
		for i := range c.Series {
			var v *float64
			if i < len(r.Values) {
				v = value(r.Values[i].Value, r.Values[i].Suppressed)
			}
			c.Series[i].Values = append(c.Series[i].Values, v)
		}
	}
	return c.SVG()
}

// pairs charts measures a and b of a one-dimension report side by side.
func pairs(d *reportData, a, b int, title, desc string, lang cohesion.Lang) template.HTML {
	c := chart.PairChart{Title: title, Description: desc, Lang: lang}
	if a < len(d.Report.Measures) && b < len(d.Report.Measures) {
		c.ALabel, c.BLabel = d.Report.Measures[a].Label, d.Report.Measures[b].Label
	}
	for _, r := range d.Report.Rows {
		if r.IsTotal || len(r.Keys) == 0 || a >= len(r.Values) || b >= len(r.Values) {
			continue
		}
		c.Pairs = append(c.Pairs, chart.Pair{Label: label(r.Keys[0].Label),
			A: value(r.Values[a].Value, r.Values[a].Suppressed), B: value(r.Values[b].Value, r.Values[b].Suppressed)})
	}
	return c.SVG()
}

// tiles maps measure m of a report by commune (its one dimension, with NIS codes as keys).
func tiles(d *reportData, m int, title, desc string, lang cohesion.Lang, href func(nis string) string) template.HTML {
	c := chart.TileMap{Title: title, Description: desc, Lang: lang, Unit: unitOf(d, m, lang), Values: map[string]*float64{}, Href: href}
	if m < len(d.Report.Measures) && d.Report.Measures[m].Unit != nil && *d.Report.Measures[m].Unit == "COUNT" {
		// A count a commune has no row for is zero, not unknown.
		for _, commune := range chart.Communes() {
			c.Values[commune.NIS] = new(float64)
		}
	}
	for _, r := range d.Report.Rows {
		if r.IsTotal || len(r.Keys) == 0 || r.Keys[0].Code == nil || m >= len(r.Values) {
			continue
		}
		c.Values[*r.Keys[0].Code] = value(r.Values[m].Value, r.Values[m].Suppressed)
	}
	return c.SVG()
}

// units name the report's units in French and Dutch; counts need none.
var units = map[string][2]string{
	"PERSONS": {"personnes", "personen"}, "ACTIONS": {"actions", "acties"}, "FILES": {"dossiers", "dossiers"},
	"SESSIONS": {"séances", "sessies"}, "HOURS": {"heures", "uren"}, "MINUTES": {"minutes", "minuten"},
	"EUR": {"EUR", "EUR"}, "PERCENT": {"%", "%"}, "PER_MILLE": {"‰", "‰"}, "FTE": {"ETP", "VTE"},
}

// unitOf is the unit a chart of measure m names.
func unitOf(d *reportData, m int, lang cohesion.Lang) string {
	if m >= len(d.Report.Measures) || d.Report.Measures[m].Unit == nil {
		return ""
	}
	u := units[*d.Report.Measures[m].Unit]
	return pickLang(lang, u[0], u[1])
}

func label(s *string) string {
	if s == nil {
		return "–"
	}
	return *s
}

// figureError stands in for a figure whose request failed: the page still renders, and says
// which figure is missing and why.
func figureError(f *figure, err error, lang cohesion.Lang) {
	var ge *graphQLError
	if errors.As(err, &ge) {
		f.Note = msg(lang, "figure_failed") + " " + ge.Error()
		return
	}
	f.Note = msg(lang, "figure_failed")
}

// drawFunc charts a report's data under the figure's title and description.
type drawFunc func(d *reportData, title, desc string) template.HTML

// loader gathers a page's figures, then computes them all at once.
type loader struct {
	r    Runner
	lang cohesion.Lang
	jobs []job
}

type job struct {
	f    *figure
	load func(ctx context.Context, f *figure) error
}

func newLoader(r Runner, lang cohesion.Lang) *loader { return &loader{r: r, lang: lang} }

// report adds a figure answered by a report request, charted by draw (nil: a table only).
func (l *loader) report(id, query string, vars map[string]any, title, desc string, draw drawFunc) *figure {
	f := &figure{ID: id, Title: title, Description: desc, Query: query, Variables: vars}
	return l.custom(f, func(ctx context.Context, f *figure) error {
		var d reportData
		if err := run(ctx, l.r, f.Query, f.Variables, &d); err != nil {
			return err
		}
		for i, name := range f.relabel {
			if name != "" && i < len(d.Report.Measures) {
				d.Report.Measures[i].Label = name
			}
		}
		f.Table = tableOf(&d, l.lang)
		if d.Report.Truncated {
			f.Note = msg(l.lang, "truncated")
		}
		if draw != nil && len(d.Report.Rows) > 0 {
			f.Chart = draw(&d, f.Title, f.Description)
		}
		return nil
	})
}

// targets adds the figure of every indicator's targets against its results and its
// achievement rate, in the year of vars; vars declares the variables where (a further
// condition of the report's filter, after a comma) uses.
func (l *loader) targets(vars, where string, v map[string]any, title, desc string) *figure {
	if where != "" {
		where = ", " + where
	}
	f := l.report("indicators", reportQueryWith("TargetsAndResults", vars,
		`measures: [{kind: SUM, valueKind: TARGET, alias: "target"}, {kind: SUM, valueKind: REALISED, alias: "realised"},
      {kind: ACHIEVEMENT_RATE}], dimensions: [{kind: INDICATOR}], filter: {from: $from, to: $to`+where+`}`), v, title, desc,
		func(d *reportData, title, desc string) template.HTML { return pairs(d, 0, 1, title, desc, l.lang) })
	f.relabel = []string{msg(l.lang, "target"), msg(l.lang, "realised")}
	return f
}

// custom adds a figure that load computes.
func (l *loader) custom(f *figure, load func(ctx context.Context, f *figure) error) *figure {
	l.jobs = append(l.jobs, job{f, load})
	return f
}

// concurrency bounds the requests one page runs at once: each is one SQL statement, and a
// page has a dozen.
const concurrency = 4

// run computes every figure and returns how many failed; a failed figure says so on the page.
func (l *loader) run(ctx context.Context) int {
	var wg sync.WaitGroup
	var mu sync.Mutex
	failed := 0
	sem := make(chan struct{}, concurrency)
	for _, j := range l.jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			start := time.Now()
			err := j.load(ctx, j.f)
			slog.DebugContext(ctx, "figure", "id", j.f.ID, "took", time.Since(start), "error", err)
			if err != nil {
				mu.Lock()
				failed++
				mu.Unlock()
				figureError(j.f, err, l.lang)
			}
		}()
	}
	wg.Wait()
	return failed
}
