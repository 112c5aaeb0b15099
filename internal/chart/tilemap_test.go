package chart

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/cohesio/cohesio/internal/cohesion"
)

func TestCommunesAreTheNineteen(t *testing.T) {
	cs := Communes()
	if len(cs) != 19 {
		t.Fatalf("%d communes, want 19", len(cs))
	}
	nis, cells := map[string]bool{}, map[[2]int]string{}
	for i, c := range cs {
		if want := fmt.Sprintf("210%02d", i+1); c.NIS != want {
			t.Errorf("commune %d has NIS %q, want %q (NIS order)", i, c.NIS, want)
		}
		if nis[c.NIS] {
			t.Errorf("NIS %s twice", c.NIS)
		}
		nis[c.NIS] = true
		if c.Row < 0 || c.Row > 3 || c.Col < 0 || c.Col > 5 {
			t.Errorf("%s at (%d, %d), outside the 4×6 grid", c.NameFr, c.Row, c.Col)
		}
		if other, ok := cells[[2]int{c.Row, c.Col}]; ok {
			t.Errorf("%s and %s share a tile", other, c.NameFr)
		}
		cells[[2]int{c.Row, c.Col}] = c.NameFr
		if c.NameFr == "" || c.NameNl == "" || c.ShortFr == "" || c.ShortNl == "" {
			t.Errorf("%s lacks a name: %+v", c.NIS, c)
		}
		if c.Name(cohesion.LangFR) != c.NameFr || c.Name(cohesion.LangNL) != c.NameNl {
			t.Errorf("%s: Name picks the wrong language", c.NIS)
		}
	}
	if cs[3].NameFr != "Bruxelles" || cs[3].NameNl != "Brussel" {
		t.Errorf("21004 is %s / %s", cs[3].NameFr, cs[3].NameNl)
	}
	cs[0].NameFr = "changed"
	if Communes()[0].NameFr != "Anderlecht" {
		t.Error("Communes returns the package's own slice")
	}
}

// tiles returns the map's tiles by NIS code.
func tiles(t *testing.T, svg *node) map[string]*node {
	t.Helper()
	out := map[string]*node{}
	for _, g := range svg.find("tile") {
		if g.XMLName.Local == "g" {
			out[g.attr("data-nis")] = g
		}
	}
	if len(out) != 19 {
		t.Fatalf("%d tiles, want 19", len(out))
	}
	return out
}

func TestTileMapTellsWithheldFromNoData(t *testing.T) {
	for _, c := range []struct {
		lang                        cohesion.Lang
		withheld, noData, sep, brux string
	}{
		{cohesion.LangFR, "masqué", "pas de données", " : ", "Bruxelles"},
		{cohesion.LangNL, "afgeschermd", "geen gegevens", ": ", "Brussel"},
	} {
		svg := parse(t, TileMap{Lang: c.lang, Values: map[string]*float64{
			"21004": ptr(10), "21001": nil, "21009": ptr(math.NaN()), "99999": ptr(5)}}.SVG())
		ts := tiles(t, svg)
		for nis, want := range map[string]struct{ class, text string }{
			"21001": {"withheld", c.withheld}, "21009": {"withheld", c.withheld},
			"21002": {"missing", c.noData}, "21004": {"tile-c2", "10"},
		} {
			g := ts[nis]
			if !strings.Contains(" "+g.attr("class")+" ", " "+want.class+" ") || g.texts("tile-value")[0] != want.text {
				t.Errorf("%s %s: class %q, text %q; want %s, %q", c.lang, nis, g.attr("class"), g.texts("tile-value"), want.class, want.text)
			}
		}
		desc := svg.Kids[1].Chars
		for _, want := range []string{"Anderlecht" + c.sep + c.withheld + ";", c.brux + c.sep + "10;", "Jette" + c.sep + c.noData + ";"} {
			if !strings.Contains(desc, want) {
				t.Errorf("%s: description %q lacks %q", c.lang, desc, want)
			}
		}
		if got := ts["21001"].Kids[0]; got.XMLName.Local != "title" || got.Chars != "Anderlecht"+c.sep+c.withheld {
			t.Errorf("%s: tile title %q", c.lang, got.Chars)
		}
		if legend := svg.texts("legend-label"); len(legend) != 2 || legend[0] != "10" { // one class, then the hatch
			t.Errorf("%s: legend %q; the unknown code 99999 must be ignored", c.lang, legend)
		}
	}
}

func TestTileMapClassesAreMonotonic(t *testing.T) {
	values := map[string]*float64{}
	for i, c := range Communes() {
		values[c.NIS] = ptr(float64(i*i) * 1.5) // 0 to 486, unevenly spread
	}
	values["21019"] = nil
	svg := parse(t, TileMap{Lang: cohesion.LangFR, Values: values}.SVG())
	num := strings.NewReplacer("\u202f", "", ",", ".")
	var lo, hi []float64
	for _, l := range svg.texts("legend-label")[:5] {
		a, b, ok := strings.Cut(l, " – ")
		x, err1 := strconv.ParseFloat(num.Replace(a), 64)
		y, err2 := strconv.ParseFloat(num.Replace(b), 64)
		if !ok || err1 != nil || err2 != nil || x >= y {
			t.Fatalf("legend entry %q is not an increasing range", l)
		}
		if len(hi) > 0 && x != hi[len(hi)-1] {
			t.Errorf("legend range %q does not start where the previous one ended", l)
		}
		lo, hi = append(lo, x), append(hi, y)
	}
	var swatches []string
	for _, e := range svg.find("legend")[0].Kids {
		if e.XMLName.Local == "rect" {
			swatches = append(swatches, e.attr("fill"))
		}
	}
	prev := -1
	for i, c := range Communes()[:18] {
		g, v := tiles(t, svg)[c.NIS], float64(i*i)*1.5
		k := strings.Index(g.attr("class"), "tile-c")
		if k < 0 {
			t.Fatalf("%s (%v) has no class: %q", c.NIS, v, g.attr("class"))
		}
		class := int(g.attr("class")[k+6] - '0')
		if class < prev || v < lo[class] || v > hi[class] {
			t.Errorf("%v is in class %d (%v – %v), after class %d", v, class, lo[class], hi[class], prev)
		}
		if fill := g.Kids[1].attr("fill"); fill != swatches[class] {
			t.Errorf("%v: tile fill %s, legend swatch %s", v, fill, swatches[class])
		}
		prev = class
	}
	if prev != 4 || lo[0] > 0 {
		t.Errorf("classes run %v–%v and the top value is in class %d", lo[0], hi[4], prev)
	}
}

func TestTileMapSaysItIsSchematic(t *testing.T) {
	for lang, want := range map[cohesion.Lang]string{cohesion.LangFR: "Carte schématique", cohesion.LangNL: "Schematische kaart"} {
		svg := parse(t, TileMap{Lang: lang}.SVG())
		if note := svg.texts("chart-note"); len(note) != 1 || !strings.HasPrefix(note[0], want) {
			t.Errorf("%s: note %q", lang, note)
		}
		for nis, g := range tiles(t, svg) {
			if !strings.Contains(g.attr("class"), "missing") {
				t.Errorf("%s: with no values, tile %s is %q", lang, nis, g.attr("class"))
			}
		}
		if len(svg.texts("nodata")) != 1 {
			t.Errorf("%s: an empty map does not say it has no data", lang)
		}
	}
}
