package importer

import (
	"testing"
	"time"
)

func TestParseDecimalReadsNumbersAsPeopleWriteThem(t *testing.T) {
	for in, want := range map[string]string{"12": "12", "12,5": "12.5", "1 234,5": "1234.5", "1.234,5": "1234.5",
		"1,234.5": "1234.5", "-3": "-3", "1.5E-3": "1.5E-3", "1\u00a0000": "1000"} {
		if got, err := parseDecimal(in); err != nil || got != want {
			t.Errorf("parseDecimal(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"abc", "1,2,3", "0x10", "inf", "NaN", "1_000", "", "1e20"} {
		if got, err := parseDecimal(in); err == nil {
			t.Errorf("parseDecimal(%q) = %q, want an error", in, got)
		}
	}
}

func TestParseDateReadsSerialsAndBothOrders(t *testing.T) {
	want := time.Date(2025, 1, 31, 0, 0, 0, 0, time.UTC)
	for _, in := range []string{"45688", "31/01/2025", "31/1/2025", "31.01.2025", "2025-01-31"} {
		if got, err := parseDate(in); err != nil || !got.Equal(want) {
			t.Errorf("parseDate(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"31/13/2025", "45688.5", "01/31/2025", "tomorrow", "0"} {
		if _, err := parseDate(in); err == nil {
			t.Errorf("parseDate(%q): want an error", in)
		}
	}
}

func TestHeadersMatchWhateverTheCaseAndAccents(t *testing.T) {
	for _, h := range []string{"Début de période", "DEBUT DE PERIODE", "debut_de_periode", "Begin periode", "period start"} {
		l, problems := matchHeader(observationColumns, []string{h})
		if l.index[5] != 0 {
			t.Errorf("%q is not period_start", h)
		}
		if len(problems) == 0 {
			t.Errorf("the missing required columns are reported")
		}
	}
}

func TestSeparatorIsSniffedOutsideQuotes(t *testing.T) {
	for in, want := range map[string]rune{"a;b;c\n1,5;2;3": ';', "a,b,c\n": ',', "\"a;b\",c,d\n": ',', "a\tb\n": '\t'} {
		if got := sniffSeparator([]byte(in)); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}
