// Package chart draws small, accessible SVG charts on the server, for pages rendered with
// html/template and for the PDFs Chromium prints from them. There is no JavaScript.
//
// Every chart's SVG method returns one complete <svg> element as template.HTML. All text that
// comes from the caller is escaped (and characters XML forbids are dropped), and links accept
// only relative, http, https and mailto addresses, so the result is safe to embed as it is.
// The output is byte-for-byte deterministic: the same chart gives the same bytes.
//
// Accessibility: the element carries a <title> and a <desc> (the caller's description followed
// by every value, so a screen reader hears the data), role="img" and aria-labelledby pointing at
// both. A chart with links uses role="group" instead, since an image hides its children, links
// included, from assistive technology. The ids derive from a hash of the chart, so two
// different charts on a page never clash; set ID when the same chart appears twice.
//
// Sizes: the viewBox is 640 units wide and the element has width and height in pixels, so one
// unit is one CSS pixel at natural size (font sizes 11 to 18). Pages should add
// `svg.chart { max-width: 100%; height: auto }`. Colours are presentation attributes and every
// part has a class name (chart, chart-title, bar, withheld, series, point, tile, legend, ...),
// so a print stylesheet can restyle them.
//
// Values are *float64: nil (or NaN, ±Inf) means withheld, e.g. a person count below the
// suppression threshold, or missing. Bars start at zero: negative values extend left of the
// zero axis, and the value axis of a line chart always includes zero. Numbers are written by
// Number in the chart's language.
package chart

import (
	"fmt"
	"hash/fnv"
	"html"
	"html/template"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cohesio/cohesio/internal/cohesion"
)

const (
	width    = 640.0
	pad      = 12.0
	fontSize = 13.0
	ink      = "#1a1a1a" // text
	muted    = "#595959" // secondary text, axes (7:1 on white)
	grid     = "#d9d9d9"
	idMark   = "\x00" // stands for the chart's id until the body is hashed; clean drops it from text
)

// palette: Okabe-Ito colours that keep at least 3:1 contrast on white and stay apart for the
// common colour-vision deficiencies; lines also differ by dash and marker shape.
var palette = []string{"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#595959"}

// words are the chart's fixed texts in one language.
type words struct {
	withheld, noData, unit, note, missing string
	decimal, group                        string
}

var vocab = map[cohesion.Lang]words{
	cohesion.LangFR: {"masqué", "pas de données", "Unité : ", "Carte schématique : une tuile par commune, pas les limites réelles",
		"masqué ou pas de données", ",", "\u202f"},
	cohesion.LangNL: {"afgeschermd", "geen gegevens", "Eenheid: ", "Schematische kaart: één tegel per gemeente, geen echte grenzen",
		"afgeschermd of geen gegevens", ",", "."},
}

// wordsFor falls back to French, the sector's first language, for an unknown or empty Lang.
func wordsFor(lang cohesion.Lang) words {
	if w, ok := vocab[lang]; ok {
		return w
	}
	return vocab[cohesion.LangFR]
}

// Number writes v the way readers of lang expect (Unicode CLDR, as browsers do): French
// "-1 234 567,5" with a narrow no-break space (U+202F) between thousands, Dutch (Belgium)
// "-1.234.567,5", both with a decimal comma. It keeps at most one decimal, rounding half away
// from zero on the shortest decimal form of v (12.25 gives "12,3"), and drops a zero decimal;
// a non-zero value below 0.1 keeps two significant digits instead ("0,043"), so it does not
// read as zero. NaN and infinities give "–".
func Number(v float64, lang cohesion.Lang) string {
	dec := 1
	if a := math.Abs(v); a != 0 && a < 0.1 {
		dec = min(12, 1-int(math.Floor(math.Log10(a))))
	}
	return format(v, dec, lang)
}

// format writes v rounded to dec decimals, trailing zeros dropped.
func format(v float64, dec int, lang cohesion.Lang) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "–"
	}
	s := strconv.FormatFloat(v, 'f', -1, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	ip, fp, _ := strings.Cut(s, ".")
	if len(fp) > dec {
		digits := []byte(ip + fp[:dec])
		if fp[dec] >= '5' {
			i := len(digits) - 1
			for ; i >= 0 && digits[i] == '9'; i-- {
				digits[i] = '0'
			}
			if i < 0 {
				digits = append([]byte{'1'}, digits...)
			} else {
				digits[i]++
			}
		}
		ip, fp = string(digits[:len(digits)-dec]), string(digits[len(digits)-dec:])
	}
	fp = strings.TrimRight(fp, "0")
	if strings.Trim(ip, "0") == "" && fp == "" {
		return "0" // never "-0"
	}
	w := wordsFor(lang)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range ip {
		if i > 0 && (len(ip)-i)%3 == 0 {
			b.WriteString(w.group)
		}
		b.WriteRune(r)
	}
	if fp != "" {
		b.WriteString(w.decimal + fp)
	}
	return b.String()
}

// value returns *v when it is a finite number.
func value(v *float64) (float64, bool) {
	if v == nil || math.IsNaN(*v) || math.IsInf(*v, 0) {
		return 0, false
	}
	return *v, true
}

// valueText is a value as read in the description: the number and unit, or the withheld word.
func valueText(v *float64, unit string, lang cohesion.Lang) string {
	x, ok := value(v)
	if !ok {
		return wordsFor(lang).withheld
	}
	if unit == "" {
		return Number(x, lang)
	}
	return Number(x, lang) + " " + clean(unit)
}

// clean makes s fit for XML text on one line: invalid UTF-8 replaced, control characters
// (which XML 1.0 forbids, and idMark) turned into spaces, runs of spaces collapsed. Only the
// ASCII space is collapsed: no-break spaces, such as the one Number puts between thousands
// in French, are kept.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == 0xFFFE || r == 0xFFFF {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == ' ' }), " ")
}

// esc cleans and escapes s for text or a quoted attribute.
func esc(s string) string { return html.EscapeString(clean(s)) }

// textWidth estimates the width of s at size; 0.6 em a character errs on the wide side for
// the usual sans-serif fonts, so estimated layouts do not overlap.
func textWidth(s string, size float64) float64 {
	return float64(utf8.RuneCountInString(s)) * size * 0.6
}

// fit cuts s to at most n characters, ending with an ellipsis when it had to cut.
func fit(s string, n int) (string, bool) {
	s = clean(s)
	if n < 1 || utf8.RuneCountInString(s) <= n {
		return s, false
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…", true
}

// safeURL accepts relative addresses and http, https and mailto ones; html/template would
// refuse the others (javascript: and the like), and so does this package.
func safeURL(u string) (string, bool) {
	u = clean(u)
	if u == "" {
		return "", false
	}
	if i := strings.IndexAny(u, ":/?#"); i >= 0 && u[i] == ':' {
		switch strings.ToLower(u[:i]) {
		case "http", "https", "mailto":
		default:
			return "", false
		}
	}
	return u, true
}

// f writes a coordinate: at most two decimals, deterministic.
func f(v float64) string {
	s := strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
	if s == "-0" {
		return "0"
	}
	return s
}

// canvas collects a chart's body; the frame around it is written by svg.
type canvas struct {
	strings.Builder
	lang  cohesion.Lang
	links bool
	data  []string // "label: value" for the description
}

func (c *canvas) printf(format string, a ...any) { fmt.Fprintf(c, format, a...) }

// text writes one line of text; the full text goes into a <title> child when it was cut.
func (c *canvas) text(x, y, size float64, anchor, class, fill, s string, maxChars int) {
	shown, cut := fit(s, maxChars)
	c.printf(`<text x="%s" y="%s" font-size="%s" text-anchor="%s" class="%s" fill="%s">%s`,
		f(x), f(y), f(size), anchor, class, fill, html.EscapeString(shown))
	if cut {
		c.printf(`<title>%s</title>`, esc(s))
	}
	c.WriteString("</text>\n")
}

// link opens an <a> when href is safe and reports whether it did.
func (c *canvas) link(href string) bool {
	u, ok := safeURL(href)
	if ok {
		c.links = true
		c.printf(`<a href="%s">`, html.EscapeString(u))
	}
	return ok
}

// datum records a value for the description.
func (c *canvas) datum(label string, v *float64, unit string) {
	c.data = append(c.data, clean(label)+c.sep()+valueText(v, unit, c.lang))
}

// sep is the colon between a label and its value: French puts a space before it.
func (c *canvas) sep() string {
	if c.lang == cohesion.LangNL {
		return ": "
	}
	return " : "
}

// header writes the title (up to two lines) and the unit, and returns the y below them.
func (c *canvas) header(title, unit string) float64 {
	y := pad
	for _, line := range wrap(clean(title), 64) {
		y += 20
		c.text(pad, y, 16, "start", "chart-title", ink, line, 1000)
	}
	if unit != "" {
		y += 18
		c.text(pad, y, 12, "start", "chart-unit", muted, wordsFor(c.lang).unit+unit, 80)
	}
	return y + 10
}

// wrap splits s into two lines at most, of about n characters each; the second one is cut.
func wrap(s string, n int) []string {
	var out []string
	for _, w := range strings.Fields(s) {
		if k := len(out) - 1; k == 1 || k == 0 && utf8.RuneCountInString(out[0]+" "+w) <= n {
			out[k] += " " + w
		} else {
			out = append(out, w)
		}
	}
	for i := range out {
		out[i], _ = fit(out[i], n)
	}
	return out
}

// noData writes the "no data" message at y and returns the y below it.
func (c *canvas) noData(y float64) float64 {
	c.text(width/2, y+30, 14, "middle", "nodata", muted, wordsFor(c.lang).noData, 80)
	return y + 50
}

// hatch is the fill of withheld and missing values, defined once per chart.
func hatch() string { return "url(#" + idMark + "-hatch)" }

// svg wraps the body in the <svg> element with its title, description and pattern.
func (c *canvas) svg(kind, id, title, desc string, height float64) template.HTML {
	height = math.Ceil(height)
	body := c.String()
	d := clean(desc)
	if len(c.data) > 0 {
		if d != "" && !strings.HasSuffix(d, ".") {
			d += "."
		}
		d = strings.TrimSpace(d + " " + strings.Join(c.data, "; ") + ".")
	} else {
		d = strings.TrimSpace(d + " " + wordsFor(c.lang).noData + ".")
	}
	if id = sanitizeID(id); id == "" {
		h := fnv.New64a()
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s", kind, title, d, body)
		id = fmt.Sprintf("chart-%016x", h.Sum64())
	}
	role := "img"
	if c.links {
		role = "group"
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-%s" role="%s" aria-labelledby="%s-t %s-d" viewBox="0 0 %s %s" width="%s" height="%s" font-family="sans-serif">`+"\n",
		kind, role, id, id, f(width), f(height), f(width), f(height))
	fmt.Fprintf(&b, `<title id="%s-t">%s</title>`+"\n", id, esc(title))
	fmt.Fprintf(&b, `<desc id="%s-d">%s</desc>`+"\n", id, html.EscapeString(d))
	fmt.Fprintf(&b, `<defs><pattern id="%s-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">`+
		`<rect width="6" height="6" fill="#f2f2f2"/><line x1="0" y1="0" x2="0" y2="6" stroke="#8c8c8c" stroke-width="2"/></pattern></defs>`+"\n", id)
	b.WriteString(strings.ReplaceAll(body, idMark, id))
	b.WriteString("</svg>")
	return template.HTML(b.String())
}

// sanitizeID keeps the letters, digits, '-' and '_' of a caller's id.
func sanitizeID(id string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return r
		}
		return -1
	}, id)
}

// swatch is a legend entry.
type swatch struct {
	name   string
	fill   string
	series int // -1 for a filled square, else the line style of that series
}

// legend writes entries in rows that fit the width and returns the y below them.
func (c *canvas) legend(y float64, items []swatch) float64 {
	c.WriteString(`<g class="legend">` + "\n")
	x := pad
	y += 14
	for _, it := range items {
		name, _ := fit(it.name, 40)
		gap := 30.0
		if it.series < 0 {
			gap = 20
		}
		w := gap + textWidth(name, 12) + 16
		if x > pad && x+w > width-pad {
			x, y = pad, y+20
		}
		if it.series < 0 {
			c.printf(`<rect x="%s" y="%s" width="14" height="14" fill="%s" stroke="%s" stroke-width="0.5"/>`+"\n", f(x), f(y-11), it.fill, muted)
		} else {
			c.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="2.5"%s/>`+"\n", f(x), f(y-4), f(x+24), f(y-4), it.fill, dash(it.series))
			c.marker(it.series, x+12, y-4, "")
		}
		c.text(x+gap, y, 12, "start", "legend-label", ink, it.name, 40)
		x += w
	}
	c.WriteString("</g>\n")
	return y + 12
}
