package chart

import (
	"encoding/xml"
	"html/template"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/cohesio/cohesio/internal/cohesion"
)

// node is an element of a parsed chart, for asserting on what the SVG says.
type node struct {
	XMLName xml.Name
	Attr    []xml.Attr `xml:",any,attr"`
	Chars   string     `xml:",chardata"`
	Kids    []*node    `xml:",any"`
}

// parse fails the test unless s is one well-formed XML element.
func parse(t *testing.T, s template.HTML) *node {
	t.Helper()
	var n node
	if err := xml.Unmarshal([]byte(s), &n); err != nil {
		t.Fatalf("not well-formed XML: %v\n%s", err, s)
	}
	return &n
}

func (n *node) attr(name string) string {
	for _, a := range n.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func (n *node) num(t *testing.T, name string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(n.attr(name), 64)
	if err != nil {
		t.Fatalf("<%s %s=%q>: %v", n.XMLName.Local, name, n.attr(name), err)
	}
	return v
}

// find returns, in document order, the elements that have class among their classes.
func (n *node) find(class string) []*node {
	var out []*node
	var walk func(*node)
	walk = func(n *node) {
		for _, c := range strings.Fields(n.attr("class")) {
			if c == class {
				out = append(out, n)
				break
			}
		}
		for _, k := range n.Kids {
			walk(k)
		}
	}
	walk(n)
	return out
}

// texts returns the direct text of each element with class.
func (n *node) texts(class string) []string {
	var out []string
	for _, e := range n.find(class) {
		out = append(out, e.Chars)
	}
	return out
}

// each visits n and every element below it.
func (n *node) each(fn func(*node)) {
	fn(n)
	for _, k := range n.Kids {
		k.each(fn)
	}
}

func ptr(v float64) *float64 { return &v }

// charts returns one chart of every kind with the given title and description.
func charts(title, desc string, lang cohesion.Lang) map[string]template.HTML {
	return map[string]template.HTML{
		"bar":  BarChart{Title: title, Description: desc, Lang: lang, Bars: []Bar{{"A", ptr(3), ""}, {"B", nil, ""}}}.SVG(),
		"pair": PairChart{Title: title, Description: desc, Lang: lang, ALabel: "x", BLabel: "y", Pairs: []Pair{{"A", ptr(1), ptr(2)}}}.SVG(),
		"line": LineChart{Title: title, Description: desc, Lang: lang, X: []string{"2023", "2024"},
			Series: []Series{{"S", []*float64{ptr(1), ptr(2)}}}}.SVG(),
		"tilemap": TileMap{Title: title, Description: desc, Lang: lang, Values: map[string]*float64{"21004": ptr(5)}}.SVG(),
	}
}

func TestEveryChartIsALabelledImage(t *testing.T) {
	for _, lang := range []cohesion.Lang{cohesion.LangFR, cohesion.LangNL} {
		for kind, s := range charts("Projets par commune", "Nombre de projets en 2024.", lang) {
			svg := parse(t, s)
			ids := map[string]*node{}
			svg.each(func(e *node) {
				if id := e.attr("id"); id != "" {
					if ids[id] != nil {
						t.Errorf("%s: id %q used twice", kind, id)
					}
					ids[id] = e
				}
			})
			if svg.XMLName.Local != "svg" || svg.attr("role") != "img" || !strings.Contains(svg.attr("class"), "chart-"+kind) {
				t.Errorf("%s: root <%s role=%q class=%q>", kind, svg.XMLName.Local, svg.attr("role"), svg.attr("class"))
			}
			refs := strings.Fields(svg.attr("aria-labelledby"))
			if len(refs) != 2 || ids[refs[0]] == nil || ids[refs[1]] == nil {
				t.Fatalf("%s: aria-labelledby=%q does not name two elements", kind, svg.attr("aria-labelledby"))
			}
			title, desc := ids[refs[0]], ids[refs[1]]
			if title.XMLName.Local != "title" || title.Chars != "Projets par commune" {
				t.Errorf("%s: labelled by <%s>%s", kind, title.XMLName.Local, title.Chars)
			}
			if desc.XMLName.Local != "desc" || !strings.HasPrefix(desc.Chars, "Nombre de projets en 2024. ") {
				t.Errorf("%s: described by <%s>%s", kind, desc.XMLName.Local, desc.Chars)
			}
			svg.each(func(e *node) { // every hatch fill points at a pattern of this chart
				if ref, ok := strings.CutPrefix(e.attr("fill"), "url(#"); ok && ids[strings.TrimSuffix(ref, ")")] == nil {
					t.Errorf("%s: fill %q refers to nothing", kind, e.attr("fill"))
				}
			})
			if s != charts("Projets par commune", "Nombre de projets en 2024.", lang)[kind] {
				t.Errorf("%s: two renderings of the same chart differ", kind)
			}
		}
	}
}

func TestIDsAreUniqueOnAPage(t *testing.T) {
	a := BarChart{Title: "T", Bars: []Bar{{"A", ptr(1), ""}}}
	b := a
	b.Bars = []Bar{{"A", ptr(2), ""}}
	c1, c2 := a, a
	c1.ID, c2.ID = "first", `second"><script>x</script>`
	page := parse(t, "<div>"+a.SVG()+b.SVG()+c1.SVG()+c2.SVG()+"</div>")
	seen := map[string]bool{}
	page.each(func(e *node) {
		if id := e.attr("id"); id != "" {
			if seen[id] {
				t.Errorf("id %q appears twice on the page", id)
			}
			seen[id] = true
		}
		if e.XMLName.Local == "script" {
			t.Error("the ID option injected a <script> element")
		}
	})
	if !seen["first-t"] || !seen["secondscriptxscript-t"] {
		t.Errorf("caller ids not used as given (sanitised): %v", seen)
	}
}

func TestCallerTextStaysText(t *testing.T) {
	evil := `<script>alert("x")</script> & 'q'` + "\x00"
	want := `<script>alert("x")</script> & 'q'`
	for kind, s := range map[string]template.HTML{
		"bar":  BarChart{Title: evil, Description: evil, Unit: evil, Bars: []Bar{{evil, ptr(1), ""}}}.SVG(),
		"pair": PairChart{Title: evil, ALabel: evil, BLabel: evil, Pairs: []Pair{{evil, ptr(1), nil}}}.SVG(),
		"line": LineChart{Title: evil, X: []string{evil, "b"}, Series: []Series{{evil, []*float64{ptr(1), ptr(2)}}}}.SVG(),
		"tilemap": TileMap{Title: evil, Description: evil, Unit: evil, Values: map[string]*float64{"21001": ptr(1)},
			Href: func(string) string { return "javascript:alert(1)" }}.SVG(),
	} {
		svg := parse(t, s)
		found := false
		svg.each(func(e *node) {
			if e.XMLName.Local == "script" || e.XMLName.Local == "a" {
				t.Errorf("%s: caller text produced an <%s> element", kind, e.XMLName.Local)
			}
			found = found || strings.Contains(e.Chars, want)
		})
		if !found || svg.Kids[0].Chars != want {
			t.Errorf("%s: the label is not kept as literal text; title is %q", kind, svg.Kids[0].Chars)
		}
	}
}

func TestSafeLinksMakeAGroup(t *testing.T) {
	svg := parse(t, BarChart{Bars: []Bar{{"A", ptr(1), "/fr/commune/21001?x=1&y=2"}, {"B", ptr(2), "javascript:alert(1)"}}}.SVG())
	var hrefs []string
	svg.each(func(e *node) {
		if e.XMLName.Local == "a" {
			hrefs = append(hrefs, e.attr("href"))
		}
	})
	if svg.attr("role") != "group" || len(hrefs) != 1 || hrefs[0] != "/fr/commune/21001?x=1&y=2" {
		t.Errorf("role %q, links %q; want a group with only the relative link", svg.attr("role"), hrefs)
	}
}

func TestNumber(t *testing.T) {
	const nnbsp = "\u202f"
	for _, c := range []struct {
		v      float64
		fr, nl string
	}{
		{0, "0", "0"},
		{7, "7", "7"},
		{999, "999", "999"},
		{1234, "1" + nnbsp + "234", "1.234"},
		{-1234567.5, "-1" + nnbsp + "234" + nnbsp + "567,5", "-1.234.567,5"},
		{12.25, "12,3", "12,3"},    // half away from zero, on the decimal form
		{-12.25, "-12,3", "-12,3"}, // ... on both sides
		{12.04, "12", "12"},        // a zero decimal is dropped
		{999.96, "1" + nnbsp + "000", "1.000"},
		{0.043, "0,043", "0,043"}, // small values keep two significant digits
		{0.0996, "0,1", "0,1"},
		{-0.00001, "-0,00001", "-0,00001"},
		{math.Copysign(0, -1), "0", "0"},
		{math.NaN(), "–", "–"},
		{math.Inf(-1), "–", "–"},
	} {
		if got := Number(c.v, cohesion.LangFR); got != c.fr {
			t.Errorf("Number(%v, fr) = %q, want %q", c.v, got, c.fr)
		}
		if got := Number(c.v, cohesion.LangNL); got != c.nl {
			t.Errorf("Number(%v, nl) = %q, want %q", c.v, got, c.nl)
		}
	}
	if got := Number(1234.5, ""); got != "1"+nnbsp+"234,5" {
		t.Errorf("an unknown language should read as French, got %q", got)
	}
}
