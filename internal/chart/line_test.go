package chart

import (
	"html/template"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cohesio/cohesio/internal/cohesion"
)

func years() []string { return []string{"2019", "2020", "2021", "2022", "2023", "2024"} }

func TestLineChartSeriesOverYears(t *testing.T) {
	svg := parse(t, LineChart{Title: "Projets", Lang: cohesion.LangFR, X: years(), Series: []Series{
		{"Emploi", []*float64{ptr(0), ptr(50), ptr(100), nil, ptr(80), ptr(90)}},
		{"Logement", []*float64{ptr(10), ptr(20), ptr(30), ptr(40), ptr(50), ptr(60), ptr(999)}}, // past X: ignored
		{"Santé", []*float64{nil, nil, ptr(1234), nil}},
	}}.SVG())
	if got := svg.texts("legend-label"); !slices.Equal(got, []string{"Emploi", "Logement", "Santé"}) {
		t.Errorf("legend %q", got)
	}
	series := svg.find("series")
	if len(series) != 3 {
		t.Fatalf("%d series groups, want 3", len(series))
	}
	var points [3][]*node
	for i, s := range series {
		points[i] = s.find("point")
	}
	if len(points[0]) != 5 || len(points[1]) != 6 || len(points[2]) != 1 {
		t.Errorf("points per series %d, %d, %d; want 5, 6, 1 (one per value, none for nil)", len(points[0]), len(points[1]), len(points[2]))
	}
	// The gap at 2022 breaks Emploi into two lines; Santé's lone point has none.
	lines := func(s *node) (out []*node) {
		s.each(func(e *node) {
			if e.XMLName.Local == "polyline" {
				out = append(out, e)
			}
		})
		return out
	}
	if a, b, c := lines(series[0]), lines(series[1]), lines(series[2]); len(a) != 2 || len(b) != 1 || len(c) != 0 {
		t.Errorf("polylines per series %d, %d, %d; want 2, 1, 0", len(a), len(b), len(c))
	} else if a[0].attr("stroke") == b[0].attr("stroke") || a[0].attr("stroke-dasharray") == b[0].attr("stroke-dasharray") {
		t.Error("two series share a colour or dash pattern")
	}
	// Vertical positions are linear in the value, and 0 sits on the zero line.
	y0, y50, y100 := points[0][0].num(t, "cy"), points[0][1].num(t, "cy"), points[0][2].num(t, "cy")
	if !(y100 < y50 && y50 < y0) || !near(y50, (y0+y100)/2) {
		t.Errorf("cy of 0, 50, 100: %v, %v, %v", y0, y50, y100)
	}
	if zero := svg.find("zero"); len(zero) != 1 || !near(zero[0].num(t, "y1"), y0) {
		t.Errorf("zero line missing or not at the height of 0 (%v)", y0)
	}
	xs := []float64{}
	for _, p := range points[1] { // squares: x is the centre less 4
		xs = append(xs, p.num(t, "x")+4)
	}
	if !slices.IsSorted(xs) || !near(xs[1]-xs[0], xs[5]-xs[4]) {
		t.Errorf("years not evenly spaced left to right: %v", xs)
	}
	if got := points[2][0].Kids[0].Chars; got != "Santé, 2021 : 1\u202f234" {
		t.Errorf("point title %q", got)
	}
	desc := svg.Kids[1].Chars
	if !strings.Contains(desc, "Emploi, 2022 : masqué;") || !strings.Contains(desc, "Logement, 2024 : 60;") || strings.Contains(desc, "999") {
		t.Errorf("description %q", desc)
	}
}

func TestLineChartAxisIncludesZero(t *testing.T) {
	for name, vals := range map[string][]*float64{
		"positive": {ptr(50), ptr(100)},
		"negative": {ptr(-5), ptr(-2)},
		"zeros":    {ptr(0), ptr(0)},
		"one year": {ptr(7)},
	} {
		svg := parse(t, LineChart{Lang: cohesion.LangNL, X: []string{"2023", "2024"}[:len(vals)], Series: []Series{{"s", vals}}}.SVG())
		if len(svg.find("zero")) != 1 || !slices.Contains(svg.texts("tick"), "0") {
			t.Errorf("%s: no zero line labelled 0; ticks %q", name, svg.texts("tick"))
		}
		if n := len(svg.find("series")[0].find("point")); n != len(vals) {
			t.Errorf("%s: %d points, want %d", name, n, len(vals))
		}
	}
}

func TestLineChartWithoutValuesSaysSo(t *testing.T) {
	for name, ch := range map[string]LineChart{
		"no series": {X: years()},
		"no years":  {Series: []Series{{"s", []*float64{ptr(1)}}}},
		"all nil":   {X: years()[:2], Series: []Series{{"s", []*float64{nil, nil}}, {"t", nil}}},
	} {
		ch.Lang = cohesion.LangNL
		svg := parse(t, ch.SVG())
		if got := svg.texts("nodata"); !slices.Equal(got, []string{"geen gegevens"}) || len(svg.find("series")) != 0 {
			t.Errorf("%s: message %q, %d series drawn", name, got, len(svg.find("series")))
		}
	}
}

// Very large or very small values give tick labels wider than the plot; the chart must still
// be drawn, not loop for ever while thinning the year labels.
func TestLineChartFinishesAtExtremeMagnitudes(t *testing.T) {
	for _, v := range []float64{1e60, -1e60, 1e-80} {
		done := make(chan template.HTML, 1)
		go func() { done <- LineChart{X: years(), Series: []Series{{"s", []*float64{ptr(v), ptr(v / 2)}}}}.SVG() }()
		select {
		case s := <-done:
			if n := len(parse(t, s).find("series")[0].find("point")); n != 2 {
				t.Errorf("%g: %d points, want 2", v, n)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%g: LineChart.SVG did not return", v)
		}
	}
}
