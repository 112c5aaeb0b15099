package importer

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Column is one column a kind of import reads. Its header may be written in French, Dutch or
// English, in any case and with or without accents.
type Column struct {
	// Key names the column in reports and in code (English).
	Key string
	// FR and NL are the headers of the templates.
	FR, NL string
	// Aliases are the other headers accepted (English first, then common variants).
	Aliases  []string
	Required bool
	// Choices is the controlled vocabulary of the column, if any: the template offers it as a
	// drop-down list.
	Choices []string
	// Hint says what the column holds, for the template's notes.
	Hint string
}

// headers lists every header the column accepts.
func (c Column) headers() []string { return append([]string{c.Key, c.FR, c.NL}, c.Aliases...) }

// fold lowers s, strips its accents and reduces everything but letters and digits to single
// spaces, so that "Numéro d'entreprise", "numero_d_entreprise" and "NUMERO D'ENTREPRISE" match.
func fold(s string) string {
	folded := s
	if !isASCII(s) { // most cells are: they need no Unicode normalization
		t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
		if f, _, err := transform.String(t, s); err == nil {
			folded = f
		}
	}
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(folded) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
			continue
		}
		space = true
	}
	return b.String()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// layout is where each column of a kind is in a file: its index, or -1 when absent.
type layout struct {
	index   []int
	headers []string // the file's header of each column, as written
}

// matchHeader maps the header row of a file to the columns of a kind. It returns the problems
// of the header: a required column missing, or a column given twice.
func matchHeader(cols []Column, header []string) (layout, []Problem) {
	byName := map[string]int{}
	for i, c := range cols {
		for _, h := range c.headers() {
			byName[fold(h)] = i
		}
	}
	l := layout{index: make([]int, len(cols)), headers: make([]string, len(cols))}
	for i := range l.index {
		l.index[i] = -1
	}
	var problems []Problem
	for pos, h := range header {
		i, ok := byName[fold(h)]
		if !ok {
			continue // columns of the user's own are left alone
		}
		if l.index[i] >= 0 {
			problems = append(problems, Problem{Line: 1, Column: h, Field: cols[i].Key,
				Reason: fmt.Sprintf("column %q is given twice (as %q and %q)", cols[i].Key, l.headers[i], h)})
			continue
		}
		l.index[i], l.headers[i] = pos, h
	}
	for i, c := range cols {
		if c.Required && l.index[i] < 0 {
			problems = append(problems, Problem{Line: 1, Column: c.FR, Field: c.Key,
				Reason: fmt.Sprintf("missing required column %q (%s / %s)", c.Key, c.FR, c.NL)})
		}
	}
	return l, problems
}

// isHeaderAgain reports whether rec is a second header row, as in the templates (FR then NL):
// every non-empty cell names the column found at its position in the first.
func isHeaderAgain(cols []Column, l layout, rec []string) bool {
	any := false
	for i, c := range cols {
		pos := l.index[i]
		if pos < 0 || pos >= len(rec) || strings.TrimSpace(rec[pos]) == "" {
			continue
		}
		matched := false
		for _, h := range c.headers() {
			if fold(h) == fold(rec[pos]) {
				matched = true
				break
			}
		}
		if !matched {
			return false
		}
		any = true
	}
	return any
}

// parseDecimal reads a number as people write it: "1234.5", "1234,5", "1 234,5", "1.234,5",
// "1,234.5". The last of '.' and ',' is the decimal mark when both appear. It returns the
// number in canonical form ("1234.5").
func parseDecimal(s string) (string, error) {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\u00a0' || r == '\u202f' || r == '\'' {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
	dot, comma := strings.LastIndexByte(s, '.'), strings.LastIndexByte(s, ',')
	switch {
	case dot >= 0 && comma >= 0 && comma > dot:
		s = strings.ReplaceAll(s, ".", "")
		s = strings.Replace(s, ",", ".", 1)
	case dot >= 0 && comma >= 0:
		s = strings.ReplaceAll(s, ",", "")
	case comma >= 0:
		if strings.Count(s, ",") > 1 {
			return "", fmt.Errorf("%q is not a number", s)
		}
		s = strings.Replace(s, ",", ".", 1)
	}
	if !numberPattern.MatchString(s) {
		return "", fmt.Errorf("%q is not a number", s)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return "", fmt.Errorf("%q is not a number", s)
	}
	if math.Abs(f) >= 1e16 {
		return "", fmt.Errorf("%s is too large", s)
	}
	return s, nil
}

// numberPattern is a decimal number, possibly in the scientific notation spreadsheets write
// for small or large numbers (1.5E-3); not the hex, infinities or underscores strconv takes.
var numberPattern = regexp.MustCompile(`^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$`)

// excelEpoch is day 0 of Excel's date serials (1900 system, with its leap-year bug).
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// parseDate reads a date as an Excel serial (45292), dd/mm/yyyy (also with '.' or '-', and
// one-digit days and months) or ISO yyyy-mm-dd.
func parseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(s, "-/") {
		if n < 1 || n > 2958465 || n != math.Trunc(n) {
			return time.Time{}, fmt.Errorf("%q is not a date (an Excel date serial is a whole number of days)", s)
		}
		return excelEpoch.AddDate(0, 0, int(n)), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2/1/2006", "2.1.2006", "2-1-2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date (dd/mm/yyyy, yyyy-mm-dd or an Excel date)", s)
}

// choose maps a value to its code in a controlled vocabulary: the code itself or one of its
// French or Dutch words, matched as headers are.
func choose(s string, words map[string]string) (string, bool) {
	if code, ok := words[s]; ok { // the code itself, the common case
		return code, true
	}
	code, ok := words[fold(s)]
	return code, ok
}

// vocabulary builds the words of choose: each code, and its synonyms.
func vocabulary(codes map[string][]string) map[string]string {
	out := map[string]string{}
	for code, words := range codes {
		out[fold(code)] = code
		for _, w := range words {
			out[fold(w)] = code
		}
	}
	return out
}
