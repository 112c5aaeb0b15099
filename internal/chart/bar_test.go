package chart

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/cohesio/cohesio/internal/cohesion"
)

// near reports whether a and b agree to the two decimals coordinates are written with.
func near(a, b float64) bool { return math.Abs(a-b) <= 0.02 }

func TestBarLengthsAreProportionalFromOneZeroAxis(t *testing.T) {
	svg := parse(t, BarChart{Bars: []Bar{{"a", ptr(100), ""}, {"b", ptr(50), ""}, {"c", ptr(25), ""}}}.SVG())
	bars := svg.find("bar")
	if len(bars) != 3 {
		t.Fatalf("%d bars, want 3", len(bars))
	}
	w0, w1, w2 := bars[0].num(t, "width"), bars[1].num(t, "width"), bars[2].num(t, "width")
	if !near(w1, w0/2) || !near(w2, w0/4) {
		t.Errorf("widths %v, %v, %v; want 100:50:25", w0, w1, w2)
	}
	axis := svg.find("axis")[0].num(t, "x1")
	for _, b := range bars {
		if !near(b.num(t, "x"), axis) {
			t.Errorf("bar starts at %v, the zero axis is at %v", b.num(t, "x"), axis)
		}
	}
	if got := svg.texts("bar-value"); !slices.Equal(got, []string{"100", "50", "25"}) {
		t.Errorf("value labels %q", got)
	}
}

// Drawn numbers keep Number's narrow no-break space, so "1 234" cannot break across lines
// or be read as two numbers.
func TestDrawnNumbersKeepTheirSeparators(t *testing.T) {
	svg := parse(t, BarChart{Lang: cohesion.LangFR, Bars: []Bar{{"a\u00a0b", ptr(1234.5), ""}}}.SVG())
	if got := svg.texts("bar-value"); !slices.Equal(got, []string{"1\u202f234,5"}) {
		t.Errorf("value label %q, want %q", got, "1\u202f234,5")
	}
	if got := svg.texts("bar-label"); !slices.Equal(got, []string{"a\u00a0b"}) {
		t.Errorf("a no-break space in a label became %q", got)
	}
}

func TestNegativeBarsExtendLeftOfZero(t *testing.T) {
	svg := parse(t, BarChart{Bars: []Bar{{"gain", ptr(100), ""}, {"loss", ptr(-50), ""}}}.SVG())
	bars, axis := svg.find("bar"), svg.find("axis")[0].num(t, "x1")
	pos, neg := bars[0], bars[1]
	if !near(pos.num(t, "x"), axis) || !near(neg.num(t, "x")+neg.num(t, "width"), axis) {
		t.Errorf("positive bar at x=%v, negative bar ends at %v; both should meet the axis at %v",
			pos.num(t, "x"), neg.num(t, "x")+neg.num(t, "width"), axis)
	}
	if !near(neg.num(t, "width"), pos.num(t, "width")/2) {
		t.Errorf("-50 is %v long, 100 is %v", neg.num(t, "width"), pos.num(t, "width"))
	}
	if v := svg.find("bar-value")[1]; v.Chars != "-50" || v.attr("text-anchor") != "end" {
		t.Errorf("negative label %q anchored %q", v.Chars, v.attr("text-anchor"))
	}
}

func TestWithheldIsNeverDrawnAsZero(t *testing.T) {
	for lang, word := range map[cohesion.Lang]string{cohesion.LangFR: "masqué", cohesion.LangNL: "afgeschermd"} {
		svg := parse(t, BarChart{Lang: lang, Bars: []Bar{
			{"a", ptr(10), ""}, {"b", nil, ""}, {"c", ptr(0), ""}, {"d", ptr(math.NaN()), ""}}}.SVG())
		if n := len(svg.find("bar")); n != 2 {
			t.Errorf("%s: %d value bars, want 2 (a and c)", lang, n)
		}
		if got := svg.texts("bar-value"); !slices.Equal(got, []string{"10", "0"}) {
			t.Errorf("%s: value labels %q", lang, got)
		}
		if got := svg.texts("withheld-label"); !slices.Equal(got, []string{word, word}) {
			t.Errorf("%s: withheld labels %q, want %q twice", lang, got, word)
		}
		if n := len(svg.find("withheld")); n != 2 {
			t.Errorf("%s: %d withheld stubs, want 2", lang, n)
		}
		desc := svg.Kids[1].Chars
		sep := map[cohesion.Lang]string{cohesion.LangFR: " : ", cohesion.LangNL: ": "}[lang]
		for _, want := range []string{"a" + sep + "10;", "b" + sep + word + ";", "c" + sep + "0;", "d" + sep + word + "."} {
			if !strings.Contains(desc, want) {
				t.Errorf("%s: description %q lacks %q", lang, desc, want)
			}
		}
	}
}

func TestBarChartWithoutValuesSaysSo(t *testing.T) {
	for name, bars := range map[string][]Bar{
		"none":     nil,
		"withheld": {{"a", nil, ""}},
		"zeros":    {{"a", ptr(0), ""}, {"b", ptr(0), ""}},
		"negative": {{"a", ptr(-3), ""}, {"b", ptr(-1), ""}},
	} {
		svg := parse(t, BarChart{Title: name, Bars: bars}.SVG())
		nodata := svg.texts("nodata")
		switch name {
		case "none", "withheld":
			if !slices.Equal(nodata, []string{"pas de données"}) {
				t.Errorf("%s: no-data message %q", name, nodata)
			}
		default:
			if len(nodata) != 0 || len(svg.find("bar")) != len(bars) {
				t.Errorf("%s: %d bars and message %q", name, len(svg.find("bar")), nodata)
			}
		}
	}
}

func TestPairChartTargetAgainstRealised(t *testing.T) {
	svg := parse(t, PairChart{Title: "Objectifs", Unit: "projets", ALabel: "Objectif", BLabel: "Réalisé",
		Pairs: []Pair{{"Emploi", ptr(100), ptr(50)}, {"Logement", ptr(80), nil}}}.SVG())
	targets, done := svg.find("bar-0"), svg.find("bar-1")
	if len(targets) != 2 || len(done) != 1 {
		t.Fatalf("%d target and %d realised bars, want 2 and 1", len(targets), len(done))
	}
	if !near(done[0].num(t, "width"), targets[0].num(t, "width")/2) || !near(targets[1].num(t, "width"), targets[0].num(t, "width")*0.8) {
		t.Errorf("widths 100→%v, 50→%v, 80→%v", targets[0].attr("width"), done[0].attr("width"), targets[1].attr("width"))
	}
	if targets[0].attr("fill") == done[0].attr("fill") {
		t.Error("target and realised bars share a colour")
	}
	if done[0].num(t, "y") <= targets[0].num(t, "y") {
		t.Error("the realised bar should be drawn below its target")
	}
	if got := svg.texts("legend-label"); !slices.Equal(got, []string{"Objectif", "Réalisé"}) {
		t.Errorf("legend %q", got)
	}
	if got := svg.texts("withheld-label"); !slices.Equal(got, []string{"masqué"}) {
		t.Errorf("withheld labels %q", got)
	}
	desc := svg.Kids[1].Chars
	for _, want := range []string{"Emploi, Objectif : 100 projets", "Emploi, Réalisé : 50 projets", "Logement, Réalisé : masqué"} {
		if !strings.Contains(desc, want) {
			t.Errorf("description %q lacks %q", desc, want)
		}
	}
}
