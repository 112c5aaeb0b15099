package chart

import (
	"html/template"

	"github.com/cohesio/cohesio/internal/cohesion"
)

// Bar is one row of a BarChart. A nil Value is withheld (a suppressed small count) or
// missing: it is drawn as a hatched stub with the withheld word, never as a number.
type Bar struct {
	Label string
	Value *float64
	Href  string // optional link of the row
}

// BarChart draws horizontal bars: labels on the left, values at the bar ends, one row each.
type BarChart struct {
	Title, Description, Unit string
	Lang                     cohesion.Lang
	ID                       string // optional; derived from the chart when empty
	Bars                     []Bar
}

// SVG draws the chart.
func (ch BarChart) SVG() template.HTML {
	c := &canvas{lang: ch.Lang}
	rows := make([]hrow, len(ch.Bars))
	for i, b := range ch.Bars {
		rows[i] = hrow{label: b.Label, href: b.Href, values: []*float64{b.Value}}
		c.datum(b.Label, b.Value, ch.Unit)
	}
	y := c.header(ch.Title, ch.Unit)
	y = c.hbars(y, rows, palette[:1])
	return c.svg("bar", ch.ID, ch.Title, ch.Description, y+pad)
}

// Pair is one row of a PairChart, e.g. an indicator's target (A) and realised value (B).
type Pair struct {
	Label string
	A, B  *float64
}

// PairChart draws two bars a row, A above B, with a legend naming them.
type PairChart struct {
	Title, Description, Unit string
	Lang                     cohesion.Lang
	ID                       string
	ALabel, BLabel           string
	Pairs                    []Pair
}

// SVG draws the chart.
func (ch PairChart) SVG() template.HTML {
	c := &canvas{lang: ch.Lang}
	rows := make([]hrow, len(ch.Pairs))
	for i, p := range ch.Pairs {
		rows[i] = hrow{label: p.Label, values: []*float64{p.A, p.B}}
		c.datum(p.Label+", "+ch.ALabel, p.A, ch.Unit)
		c.datum(p.Label+", "+ch.BLabel, p.B, ch.Unit)
	}
	y := c.header(ch.Title, ch.Unit)
	if hasValue(rows) {
		y = c.legend(y, []swatch{{ch.ALabel, palette[0], -1}, {ch.BLabel, palette[1], -1}}) + 6
	}
	y = c.hbars(y, rows, palette[:2])
	return c.svg("pair", ch.ID, ch.Title, ch.Description, y+pad)
}

// hrow is a row of horizontal bars: one per colour.
type hrow struct {
	label, href string
	values      []*float64
}

func hasValue(rows []hrow) bool {
	for _, r := range rows {
		for _, v := range r.values {
			if _, ok := value(v); ok {
				return true
			}
		}
	}
	return false
}

const (
	labelRight = pad + 188 // labels end here, right-aligned
	plotLeft   = labelRight + 8
	stub       = 18.0 // width of a withheld stub
)

// hbars draws rows of bars from y and returns the y below them. The scale runs from
// min(0, values) to max(0, values); room for the value texts is kept at both ends.
func (c *canvas) hbars(y float64, rows []hrow, colors []string) float64 {
	if !hasValue(rows) {
		return c.noData(y)
	}
	k := float64(len(colors))
	barH := 16.0
	if k > 1 {
		barH = 12
	}
	rowH := k*barH + (k-1)*2 + 8
	lo, hi, neg, pos := 0.0, 0.0, 0.0, 0.0
	label := func(v *float64) (string, float64, bool) {
		if x, ok := value(v); ok {
			s := Number(x, c.lang)
			return s, textWidth(s, 12) + 6, x < 0
		}
		s := wordsFor(c.lang).withheld
		return s, stub + textWidth(s, 12) + 8, false
	}
	for _, r := range rows {
		for _, v := range r.values {
			if x, ok := value(v); ok {
				lo, hi = min(lo, x), max(hi, x)
			}
			if _, w, isNeg := label(v); isNeg {
				neg = max(neg, w)
			} else {
				pos = max(pos, w)
			}
		}
	}
	avail := max(width-pad-plotLeft-neg-pos, 40)
	span := hi - lo
	if span == 0 {
		span = 1
	}
	xOf := func(v float64) float64 { return plotLeft + neg + (v-lo)/span*avail }
	x0 := xOf(0)
	for i, r := range rows {
		top := y + float64(i)*rowH
		linked := r.href != "" && c.link(r.href)
		c.WriteString(`<g class="row">` + "\n")
		c.text(labelRight, top+rowH/2+4.5, fontSize, "end", "bar-label", ink, r.label, 24)
		for j, v := range r.values {
			by := top + 4 + float64(j)*(barH+2)
			s, _, _ := label(v)
			if x, ok := value(v); ok {
				xv := xOf(x)
				c.printf(`<rect x="%s" y="%s" width="%s" height="%s" fill="%s" class="bar bar-%d"/>`+"\n",
					f(min(x0, xv)), f(by), f(max(x0, xv)-min(x0, xv)), f(barH), colors[j], j)
				tx, anchor := xv+4, "start"
				if x < 0 {
					tx, anchor = xv-4, "end"
				}
				c.text(tx, by+barH/2+4, 12, anchor, "bar-value", ink, s, 40)
				continue
			}
			c.printf(`<rect x="%s" y="%s" width="%s" height="%s" fill="%s" stroke="%s" stroke-width="0.5" class="withheld"/>`+"\n",
				f(x0), f(by), f(stub), f(barH), hatch(), muted)
			c.text(x0+stub+4, by+barH/2+4, 12, "start", "withheld-label", muted, s, 40)
		}
		c.WriteString("</g>\n")
		if linked {
			c.WriteString("</a>\n")
		}
	}
	end := y + float64(len(rows))*rowH
	c.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1" class="axis"/>`+"\n", f(x0), f(y), f(x0), f(end), muted)
	return end
}
