package tabular

import (
	"bytes"
	"encoding/csv"
	"io"
	"strings"
	"testing"
)

// csvExpected is how a sample value reads back from CSV: NULL is an empty
// field, booleans are true/false, everything else is the text as given.
func csvExpected(c Column, v []byte, decimalComma bool) string {
	switch {
	case v == nil:
		return ""
	case c.Type == Boolean:
		if b, _ := parseBool(v); b {
			return "true"
		}
		return "false"
	case c.Type == Number && decimalComma:
		return strings.Replace(string(v), ".", ",", 1)
	case c.Type == String:
		// encoding/csv turns CRLF inside a quoted field into LF; the raw
		// bytes are checked separately.
		return strings.ReplaceAll(string(v), "\r\n", "\n")
	}
	return string(v)
}

func readCSV(t *testing.T, data []byte, comma rune) [][]string {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = comma
	records, err := r.ReadAll()
	if err != nil {
		t.Fatalf("encoding/csv cannot read the output: %v\n%s", err, data)
	}
	return records
}

func checkCSVRecords(t *testing.T, records [][]string, decimalComma bool) {
	t.Helper()
	if len(records) != 1+len(sampleRows) {
		t.Fatalf("got %d records, want header + %d rows", len(records), len(sampleRows))
	}
	for i, c := range sampleColumns {
		if records[0][i] != c.Name {
			t.Errorf("header[%d] = %q, want %q", i, records[0][i], c.Name)
		}
	}
	for r, in := range sampleRows {
		for i, c := range sampleColumns {
			want := csvExpected(c, in[i], decimalComma)
			if got := records[r+1][i]; got != want {
				t.Errorf("row %d %s = %q, want %q", r+1, c.Name, got, want)
			}
		}
	}
}

func TestCSVReadsBackWithEncodingCSV(t *testing.T) {
	data := writeTable(t, CSV, sampleColumns, sampleRows)
	checkCSVRecords(t, readCSV(t, data, ','), false)
}

func TestCSVQuotesOnlyWhenNeededAndEndsLinesWithCRLF(t *testing.T) {
	data := string(writeTable(t, CSV, sampleColumns, sampleRows))
	lines := []string{
		"id,municipality,amount,reference_date,is_capital,note\r\n",
		`1,Liège,12.5,2024-01-31,true,"Café ""Le Coq"", rue; étage 2"` + "\r\n",
		"-42,\"Zwevegem\nWest-Vlaanderen\",-0.25,1900-03-01,false,\"line one\r\nline two\"\r\n",
		"0,Ærø ë ç,1000,1999-12-31,true,\r\n",
		"7,,,,,\r\n",
		"9000000000,Tab\tand \\ backslash,1.5e-07,2000-02-29,false,ends with a space \r\n",
		`8,Brussel-Bruxelles; BXL,3,1831-07-21,true,"""quoted"""` + "\r\n",
	}
	if want := strings.Join(lines, ""); data != want {
		t.Errorf("got\n%q\nwant\n%q", data, want)
	}
}

func TestCSVExcelStartsWithBOMAndUsesSemicolonAndDecimalComma(t *testing.T) {
	data := writeTable(t, CSVExcel, sampleColumns, sampleRows)
	body, ok := bytes.CutPrefix(data, []byte("\xEF\xBB\xBF"))
	if !ok {
		t.Fatalf("output does not start with the UTF-8 BOM: %q", data[:min(len(data), 8)])
	}
	checkCSVRecords(t, readCSV(t, body, ';'), true)

	s := string(body)
	for _, want := range []string{
		"id;municipality;amount;reference_date;is_capital;note\r\n",
		"1;Liège;12,5;2024-01-31;true;\"Café \"\"Le Coq\"\", rue; étage 2\"\r\n",
		"-42;", ";-0,25;1900-03-01;false;",
		"9000000000;Tab\tand \\ backslash;1,5e-07;",
		`8;"Brussel-Bruxelles; BXL";3;1831-07-21;true;"""quoted"""` + "\r\n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	// Accents are plain UTF-8, not Latin-1 or escaped.
	if !bytes.Contains(body, []byte("Ærø \xC3\xAB \xC3\xA7")) {
		t.Errorf("accents not written as UTF-8")
	}
}

func TestCSVExcelDoesNotQuoteCommas(t *testing.T) {
	cols := []Column{{Name: "label", Type: String}}
	data := writeTable(t, CSVExcel, cols, [][][]byte{row("a, b")})
	if want := "\uFEFFlabel\r\na, b\r\n"; string(data) != want {
		t.Errorf("got %q, want %q", data, want)
	}
}

func TestCSVHeaderOnlyForEmptyTable(t *testing.T) {
	data := writeTable(t, CSV, sampleColumns[:2], nil)
	if want := "id,municipality\r\n"; string(data) != want {
		t.Errorf("got %q, want %q", data, want)
	}
}

func TestCSVWriteDoesNotAllocate(t *testing.T) {
	w, err := NewWriter(io.Discard, CSVExcel, sampleColumns)
	if err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(1000, func() {
		for _, r := range sampleRows {
			if err := w.Write(r); err != nil {
				t.Fatal(err)
			}
		}
	})
	if allocs != 0 {
		t.Errorf("Write allocates %.1f times per %d rows", allocs, len(sampleRows))
	}
}

func TestCSVExcelKeepsFormulasAsText(t *testing.T) {
	cols := []Column{{Name: "note", Type: String}, {Name: "n", Type: Number}}
	rows := [][][]byte{{[]byte("=HYPERLINK(\"http://x\")"), []byte("-2.5")}, {[]byte("@SUM(A1)"), nil}, {[]byte("ok"), nil}}
	for f, want := range map[Format]string{
		CSVExcel: "\uFEFFnote;n\r\n\"'=HYPERLINK(\"\"http://x\"\")\";-2,5\r\n'@SUM(A1);\r\nok;\r\n",
		CSV:      "note,n\r\n\"=HYPERLINK(\"\"http://x\"\")\",-2.5\r\n@SUM(A1),\r\nok,\r\n",
	} {
		var buf bytes.Buffer
		w, err := NewWriter(&buf, f, cols)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if err := w.Write(r); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if buf.String() != want {
			t.Errorf("%s:\n%q\nwant\n%q", f, buf.String(), want)
		}
	}
}
