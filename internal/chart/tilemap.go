package chart

import (
	"html"
	"html/template"
	"math"
	"slices"

	"github.com/cohesio/cohesio/internal/cohesion"
)

// Commune is a commune of the Brussels-Capital Region and its cell on the tile map's grid
// (6 columns, 4 rows). The grid keeps the communes' rough relative positions, nothing more.
type Commune struct {
	NIS              string
	NameFr, NameNl   string
	ShortFr, ShortNl string // fit on a tile
	Row, Col         int
}

// Name returns the commune's name in lang (French unless Dutch is asked).
func (c Commune) Name(lang cohesion.Lang) string {
	if lang == cohesion.LangNL {
		return c.NameNl
	}
	return c.NameFr
}

//	0          1           2             3             4             5
//
// 0                Ganshoren   Jette         Bruxelles     Evere
// 1     Berchem    Koekelberg  Molenbeek     Saint-Josse   Schaerbeek    Woluwe-St-Lambert
// 2                Anderlecht  Saint-Gilles  Ixelles       Etterbeek     Woluwe-St-Pierre
// 3                            Forest        Uccle         Watermael     Auderghem
var communes = []Commune{
	{"21001", "Anderlecht", "Anderlecht", "Anderlecht", "Anderlecht", 2, 1},
	{"21002", "Auderghem", "Oudergem", "Auderghem", "Oudergem", 3, 5},
	{"21003", "Berchem-Sainte-Agathe", "Sint-Agatha-Berchem", "Berchem-S.-A.", "St-A.-Berchem", 1, 0},
	{"21004", "Bruxelles", "Brussel", "Bruxelles", "Brussel", 0, 3},
	{"21005", "Etterbeek", "Etterbeek", "Etterbeek", "Etterbeek", 2, 4},
	{"21006", "Evere", "Evere", "Evere", "Evere", 0, 4},
	{"21007", "Forest", "Vorst", "Forest", "Vorst", 3, 2},
	{"21008", "Ganshoren", "Ganshoren", "Ganshoren", "Ganshoren", 0, 1},
	{"21009", "Ixelles", "Elsene", "Ixelles", "Elsene", 2, 3},
	{"21010", "Jette", "Jette", "Jette", "Jette", 0, 2},
	{"21011", "Koekelberg", "Koekelberg", "Koekelberg", "Koekelberg", 1, 1},
	{"21012", "Molenbeek-Saint-Jean", "Sint-Jans-Molenbeek", "Molenbeek", "Molenbeek", 1, 2},
	{"21013", "Saint-Gilles", "Sint-Gillis", "Saint-Gilles", "Sint-Gillis", 2, 2},
	{"21014", "Saint-Josse-ten-Noode", "Sint-Joost-ten-Node", "Saint-Josse", "Sint-Joost", 1, 3},
	{"21015", "Schaerbeek", "Schaarbeek", "Schaerbeek", "Schaarbeek", 1, 4},
	{"21016", "Uccle", "Ukkel", "Uccle", "Ukkel", 3, 3},
	{"21017", "Watermael-Boitsfort", "Watermaal-Bosvoorde", "Watermael-B.", "Watermaal-B.", 3, 4},
	{"21018", "Woluwe-Saint-Lambert", "Sint-Lambrechts-Woluwe", "Woluwe-S.-L.", "St-L.-Woluwe", 1, 5},
	{"21019", "Woluwe-Saint-Pierre", "Sint-Pieters-Woluwe", "Woluwe-S.-P.", "St-P.-Woluwe", 2, 5},
}

// Communes returns the 19 communes in NIS order, with their tile positions.
func Communes() []Commune { return slices.Clone(communes) }

// TileMap draws one square tile per commune, coloured by its value in five classes of equal
// width on round bounds (a single-hue blue ramp). A commune whose value is nil is withheld, one
// absent from Values has no data: both are hatched. Keys other than the 19 NIS codes are
// ignored. The chart says, visibly, that the map is schematic: there is no open boundary file
// to draw real outlines from, and none is invented.
type TileMap struct {
	Title, Description, Unit string
	Lang                     cohesion.Lang
	ID                       string
	Values                   map[string]*float64 // NIS code -> value
	Href                     func(nis string) string
}

var ramp = []string{"#eff3ff", "#bdd7e7", "#6baed6", "#2171b5", "#08306b"}

const (
	tile    = 96.0
	tileGap = 6.0
)

// SVG draws the map.
func (ch TileMap) SVG() template.HTML {
	c := &canvas{lang: ch.Lang}
	w := wordsFor(ch.Lang)
	lo, hi, found := math.Inf(1), math.Inf(-1), false
	for _, m := range communes {
		v, present := ch.Values[m.NIS]
		if x, ok := value(v); ok {
			lo, hi, found = min(lo, x), max(hi, x), true
		}
		if present {
			c.datum(m.Name(ch.Lang), v, ch.Unit)
		} else {
			c.data = append(c.data, m.Name(ch.Lang)+c.sep()+w.noData)
		}
	}
	// Five classes [lo+k*step, lo+(k+1)*step), the last one closed; one class when all agree.
	step, classes := 0.0, 1
	if found && hi > lo {
		classes = 5
		for step = niceStep((hi - lo) / 5); math.Floor(lo/step)*step+5*step < hi; {
			step = niceStep(step * 1.01)
		}
		lo = math.Floor(lo/step) * step
	}
	class := func(x float64) int {
		if classes == 1 {
			return 2
		}
		return min(4, int(math.Floor((x-lo)/step+1e-9))) // 0.3/0.1 is 2.999…
	}

	y := c.header(ch.Title, ch.Unit)
	left := (width - 6*tile - 5*tileGap) / 2
	for i, m := range communes {
		x0, y0 := left+float64(m.Col)*(tile+tileGap), y+float64(m.Row)*(tile+tileGap)
		linked := ch.Href != nil && c.link(ch.Href(m.NIS))
		v, present := ch.Values[m.NIS]
		x, ok := value(v)
		fill, kind, color, shown := hatch(), "withheld", ink, w.withheld
		switch {
		case ok:
			k := class(x)
			fill, kind, shown = ramp[k], "tile-c"+string(rune('0'+k)), Number(x, ch.Lang)
			if k >= 3 {
				color = "#fff"
			}
		case !present:
			kind, shown = "missing", w.noData
		}
		c.printf(`<g class="tile %s" data-nis="%s">`, kind, m.NIS)
		c.printf(`<title>%s</title>`+"\n", html.EscapeString(c.data[i]))
		c.printf(`<rect x="%s" y="%s" width="%s" height="%s" rx="4" fill="%s" stroke="#8c8c8c" stroke-width="1"/>`+"\n", f(x0), f(y0), f(tile), f(tile), fill)
		short := m.ShortFr
		if ch.Lang == cohesion.LangNL {
			short = m.ShortNl
		}
		tileText(c, x0+tile/2, y0+24, 12, false, ok, color, "tile-label", short)
		size := 12.0
		if ok {
			size = 18
		}
		tileText(c, x0+tile/2, y0+60, size, ok, ok, color, "tile-value", shown)
		c.WriteString("</g>\n")
		if linked {
			c.WriteString("</a>\n")
		}
	}
	y += 4*tile + 3*tileGap + 6
	items := []swatch{{w.missing, hatch(), -1}}
	switch {
	case classes == 1 && found:
		items = append([]swatch{{Number(hi, ch.Lang), ramp[2], -1}}, items...)
	case found:
		var ranges []swatch
		for k := range 5 {
			a, b := lo+float64(k)*step, lo+float64(k+1)*step
			ranges = append(ranges, swatch{format(a, decimals(step), ch.Lang) + " – " + format(b, decimals(step), ch.Lang), ramp[k], -1})
		}
		items = append(ranges, items...)
	default:
		y = c.noData(y-8) - 12
	}
	y = c.legend(y, items)
	c.printf(`<text x="%s" y="%s" font-size="12" font-style="italic" class="chart-note" fill="%s">%s</text>`+"\n", f(pad), f(y+16), muted, esc(w.note))
	return c.svg("tilemap", ch.ID, ch.Title, ch.Description, y+16+pad)
}

// tileText writes a centred line on a tile, shrunk to fit its width; on a hatched tile it
// stands on a white band so the stripes do not cross it (a stroked halo would print the text
// twice in a PDF's text layer).
func tileText(c *canvas, x, y, size float64, bold, plain bool, color, class, s string) {
	s, _ = fit(s, 16)
	size = min(size, (tile-8)/max(textWidth(s, 1), 1))
	attrs := ""
	if bold {
		attrs += ` font-weight="bold"`
	}
	if !plain {
		c.printf(`<rect x="%s" y="%s" width="%s" height="%s" fill="#fff"/>`+"\n", f(x-tile/2+4), f(y-size-1), f(tile-8), f(size+6))
	}
	c.printf(`<text x="%s" y="%s" font-size="%s" text-anchor="middle" class="%s" fill="%s"%s>%s</text>`+"\n",
		f(x), f(y), f(size), class, color, attrs, html.EscapeString(s))
}
