package chart

import (
	"html/template"
	"math"
	"strings"

	"github.com/cohesio/cohesio/internal/cohesion"
)

// Series is one line of a LineChart: Values[i] belongs to X[i]; nil leaves a gap. Values past
// the end of X are ignored.
type Series struct {
	Name   string
	Values []*float64
}

// LineChart draws trends, e.g. over years: one line per series, each point marked, a legend,
// and a value axis that includes zero. Series differ by colour, dash and marker shape.
type LineChart struct {
	Title, Description, Unit string
	Lang                     cohesion.Lang
	ID                       string
	X                        []string
	Series                   []Series
}

const plotHeight = 220.0

// SVG draws the chart.
func (ch LineChart) SVG() template.HTML {
	c := &canvas{lang: ch.Lang}
	lo, hi, found := 0.0, 0.0, false
	for _, s := range ch.Series {
		for i, v := range s.Values[:min(len(s.Values), len(ch.X))] {
			c.datum(s.Name+", "+ch.X[i], v, ch.Unit)
			if x, ok := value(v); ok {
				lo, hi, found = min(lo, x), max(hi, x), true
			}
		}
	}
	y := c.header(ch.Title, ch.Unit)
	if !found {
		return c.svg("line", ch.ID, ch.Title, ch.Description, c.noData(y)+pad)
	}
	items := make([]swatch, len(ch.Series))
	for i, s := range ch.Series {
		items[i] = swatch{s.Name, palette[i%len(palette)], i}
	}
	top := c.legend(y, items) + 14

	// Value axis: steps of 1, 2 or 5 times a power of ten, about five ticks.
	if hi == lo {
		hi = 1
	}
	step := niceStep((hi - lo) / 5)
	tlo, thi := math.Floor(lo/step)*step, math.Ceil(hi/step)*step
	n := int(math.Round((thi - tlo) / step))
	ticks := make([]string, n+1)
	labelW := 0.0
	for k := range ticks {
		ticks[k] = format(tlo+float64(k)*step, decimals(step), c.lang)
		labelW = max(labelW, textWidth(ticks[k], 12))
	}
	left, right := pad+labelW+8, width-pad
	yOf := func(v float64) float64 { return top + (thi-v)/(thi-tlo)*plotHeight }
	c.WriteString(`<g class="axis">` + "\n")
	for k, t := range ticks {
		v := tlo + float64(k)*step
		stroke, class := grid, "gridline"
		if math.Abs(v) < step/2 {
			stroke, class = muted, "zero"
		}
		c.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1" class="%s"/>`+"\n", f(left), f(yOf(v)), f(right), f(yOf(v)), stroke, class)
		c.text(left-6, yOf(v)+4, 12, "end", "tick", muted, t, 20)
	}

	// Category axis: points inset from the ends; labels thinned to every k-th when crowded.
	inset := 16.0
	xOf := func(i int) float64 {
		if len(ch.X) == 1 {
			return (left + right) / 2
		}
		return left + inset + float64(i)*(right-left-2*inset)/float64(len(ch.X)-1)
	}
	slot := (right - left - 2*inset) / float64(max(len(ch.X)-1, 1))
	longest := 0.0
	for _, x := range ch.X {
		s, _ := fit(x, 12)
		longest = max(longest, textWidth(s, 12)+6)
	}
	every := 1 // bounded: wide tick labels can leave no room (slot <= 0)
	for every < len(ch.X) && float64(every)*slot < longest {
		every++
	}
	for i, x := range ch.X {
		if i%every == 0 {
			c.text(xOf(i), top+plotHeight+18, 12, "middle", "tick", muted, x, 12)
		}
	}
	c.WriteString("</g>\n")

	for si, s := range ch.Series {
		color := palette[si%len(palette)]
		c.printf(`<g class="series series-%d">`+"\n", si)
		vals := s.Values[:min(len(s.Values), len(ch.X))]
		var run []string // the points of the current unbroken stretch
		flush := func() {
			if len(run) > 1 {
				c.printf(`<polyline points="%s" fill="none" stroke="%s" stroke-width="2.5"%s/>`+"\n", strings.Join(run, " "), color, dash(si))
			}
			run = run[:0]
		}
		for i, v := range vals {
			if x, ok := value(v); ok {
				run = append(run, f(xOf(i))+","+f(yOf(x)))
			} else {
				flush()
			}
		}
		flush()
		for i, v := range vals {
			if x, ok := value(v); ok {
				c.marker(si, xOf(i), yOf(x), clean(s.Name)+", "+clean(ch.X[i])+c.sep()+valueText(v, ch.Unit, c.lang))
			}
		}
		c.WriteString("</g>\n")
	}
	return c.svg("line", ch.ID, ch.Title, ch.Description, top+plotHeight+28+pad)
}

// decimals is how many decimals the multiples of step need.
func decimals(step float64) int { return max(0, -int(math.Floor(math.Log10(step)+1e-9))) }

// niceStep rounds a raw step up to 1, 2 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if raw <= m*p*(1+1e-9) {
			return m * p
		}
	}
	return 10 * p
}

// dash is the dash pattern of series s, as an attribute.
func dash(s int) string {
	if d := []string{"", "7 4", "2 3", "9 3 2 3", "4 4"}[s%5]; d != "" {
		return ` stroke-dasharray="` + d + `"`
	}
	return ""
}

// marker draws the point of series s: circle, square, diamond or triangle, in turn.
func (c *canvas) marker(s int, x, y float64, title string) {
	fill := palette[s%len(palette)]
	attrs := `fill="` + fill + `" stroke="#fff" stroke-width="1" class="point"`
	tag := ""
	switch s % 4 {
	case 0:
		tag = "circle"
		c.printf(`<circle cx="%s" cy="%s" r="4.5" %s`, f(x), f(y), attrs)
	case 1:
		tag = "rect"
		c.printf(`<rect x="%s" y="%s" width="8" height="8" %s`, f(x-4), f(y-4), attrs)
	case 2:
		tag = "polygon"
		c.printf(`<polygon points="%s,%s %s,%s %s,%s %s,%s" %s`, f(x), f(y-5.5), f(x+5.5), f(y), f(x), f(y+5.5), f(x-5.5), f(y), attrs)
	default:
		tag = "polygon"
		c.printf(`<polygon points="%s,%s %s,%s %s,%s" %s`, f(x), f(y-5.5), f(x+5.5), f(y+4.5), f(x-5.5), f(y+4.5), attrs)
	}
	if title == "" {
		c.WriteString("/>\n")
		return
	}
	c.printf(`><title>%s</title></%s>`+"\n", esc(title), tag)
}
