package tabular

import (
	"bytes"
	"strings"
	"testing"
)

// sampleColumns and sampleRows make up the table every format test writes and
// reads back: all types, NULLs, accents, quotes, commas, semicolons and line
// breaks inside strings, negative, fractional and exponent numbers, a leap
// day and a date before Excel's calendar starts.
var sampleColumns = []Column{
	{Name: "id", Type: Integer, Description: "Row identifier", DescriptionFR: "Identifiant", DescriptionNL: "Identificatie"},
	{Name: "municipality", Type: String, Description: "Municipality", DescriptionFR: "Commune", DescriptionNL: "Gemeente"},
	{Name: "amount", Type: Number, Unit: "EUR", Description: "Amount spent", DescriptionFR: "Montant dépensé", DescriptionNL: "Uitgegeven bedrag"},
	{Name: "reference_date", Type: Date, Description: "Reference date"},
	{Name: "is_capital", Type: Boolean, Description: "Capital city"},
	{Name: "note", Type: String},
}

var sampleRows = [][][]byte{
	row("1", "Liège", "12.5", "2024-01-31", "t", `Café "Le Coq", rue; étage 2`),
	row("-42", "Zwevegem\nWest-Vlaanderen", "-0.25", "1900-03-01", "f", "line one\r\nline two"),
	row("0", "Ærø ë ç", "1000", "1999-12-31", "t", ""),
	{[]byte("7"), nil, nil, nil, nil, nil},
	row("9000000000", "Tab\tand \\ backslash", "1.5e-07", "2000-02-29", "f", "ends with a space "),
	row("8", "Brussel-Bruxelles; BXL", "3", "1831-07-21", "t", `"quoted"`),
}

func row(values ...string) [][]byte {
	r := make([][]byte, len(values))
	for i, v := range values {
		r[i] = []byte(v)
	}
	return r
}

// writeTable writes rows in format f and returns the output. Each row goes
// through one reused buffer that is overwritten after Write returns, as the
// real caller does, so a writer keeping references would write garbage.
func writeTable(t testing.TB, f Format, cols []Column, rows [][][]byte) []byte {
	t.Helper()
	var out bytes.Buffer
	w, err := NewWriter(&out, f, cols)
	if err != nil {
		t.Fatalf("NewWriter(%s): %v", f, err)
	}
	var arena []byte
	reused := make([][]byte, len(cols))
	for _, r := range rows {
		arena = arena[:0]
		for _, v := range r {
			arena = append(arena, v...)
		}
		off := 0
		for i, v := range r {
			if v == nil {
				reused[i] = nil
				continue
			}
			reused[i] = arena[off : off+len(v) : off+len(v)]
			off += len(v)
		}
		if err := w.Write(reused); err != nil {
			t.Fatalf("Write(%s): %v", f, err)
		}
		for i := range arena {
			arena[i] = 'X'
		}
	}
	if got, want := w.Rows(), int64(len(rows)); got != want {
		t.Errorf("%s: Rows() = %d, want %d", f, got, want)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close(%s): %v", f, err)
	}
	return out.Bytes()
}

func TestFormatsAreListedInOrder(t *testing.T) {
	got := Formats()
	want := []Format{CSV, CSVExcel, XLSX, Parquet, NDJSON}
	if len(got) != len(want) {
		t.Fatalf("Formats() = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Formats() = %v, want %v", got, want)
		}
	}
}

func TestParseFormatAcceptsEachFormatName(t *testing.T) {
	for _, f := range Formats() {
		got, err := ParseFormat(string(f))
		if err != nil || got != f {
			t.Errorf("ParseFormat(%q) = %q, %v", f, got, err)
		}
	}
	if got, err := ParseFormat("XLSX"); err != nil || got != XLSX {
		t.Errorf(`ParseFormat("XLSX") = %q, %v; want case-insensitive match`, got, err)
	}
}

func TestParseFormatErrorNamesAcceptedValues(t *testing.T) {
	_, err := ParseFormat("xls")
	if err == nil {
		t.Fatal(`ParseFormat("xls") succeeded`)
	}
	for _, f := range Formats() {
		if !strings.Contains(err.Error(), string(f)) {
			t.Errorf("error %q does not name %q", err, f)
		}
	}
}

func TestFormatContentTypeAndExtension(t *testing.T) {
	tests := []struct {
		f           Format
		contentType string
		ext         string
	}{
		{CSV, "text/csv; charset=utf-8; header=present", "csv"},
		{CSVExcel, "text/csv; charset=utf-8; header=present", "excel.csv"},
		{XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"},
		{Parquet, "application/vnd.apache.parquet", "parquet"},
		{NDJSON, "application/x-ndjson", "ndjson"},
	}
	for _, tt := range tests {
		if got := tt.f.ContentType(); got != tt.contentType {
			t.Errorf("%s.ContentType() = %q, want %q", tt.f, got, tt.contentType)
		}
		if got := tt.f.Extension(); got != tt.ext {
			t.Errorf("%s.Extension() = %q, want %q", tt.f, got, tt.ext)
		}
	}
}

func TestTypeStringUsesTableSchemaNames(t *testing.T) {
	want := map[Type]string{String: "string", Integer: "integer", Number: "number", Date: "date", Boolean: "boolean"}
	for typ, name := range want {
		if got := typ.String(); got != name {
			t.Errorf("Type(%d).String() = %q, want %q", int(typ), got, name)
		}
	}
}

func TestNewWriterRejectsBadColumns(t *testing.T) {
	tests := map[string][]Column{
		"no columns":     nil,
		"empty name":     {{Name: "", Type: String}},
		"duplicate name": {{Name: "a", Type: String}, {Name: "a", Type: Integer}},
		"unknown type":   {{Name: "a", Type: Type(42)}},
	}
	for name, cols := range tests {
		for _, f := range Formats() {
			if _, err := NewWriter(&bytes.Buffer{}, f, cols); err == nil {
				t.Errorf("%s: NewWriter(%s) accepted %s", name, f, name)
			}
		}
	}
	if _, err := NewWriter(&bytes.Buffer{}, Format("xls"), sampleColumns); err == nil {
		t.Error("NewWriter accepted unknown format")
	}
}

// Invalid values are reported with the column name and the value, the row is
// not written, and the writer stays usable.
func TestInvalidValueIsRejectedNamingColumnAndValue(t *testing.T) {
	cols := []Column{
		{Name: "count", Type: Integer},
		{Name: "ratio", Type: Number},
		{Name: "day", Type: Date},
		{Name: "flag", Type: Boolean},
	}
	good := row("1", "0.5", "2024-01-31", "t")
	bad := []struct {
		column, value string
		row           [][]byte
	}{
		{"count", "12.5", row("12.5", "0.5", "2024-01-31", "t")},
		{"count", "1e3", row("1e3", "0.5", "2024-01-31", "t")},
		{"count", "007", row("007", "0.5", "2024-01-31", "t")},
		{"ratio", "1,5", row("1", "1,5", "2024-01-31", "t")},
		{"ratio", "NaN", row("1", "NaN", "2024-01-31", "t")},
		{"ratio", "Infinity", row("1", "Infinity", "2024-01-31", "t")},
		{"ratio", ".5", row("1", ".5", "2024-01-31", "t")},
		{"day", "2023-02-29", row("1", "0.5", "2023-02-29", "t")},
		{"day", "infinity", row("1", "0.5", "infinity", "t")},
		{"day", "31/01/2024", row("1", "0.5", "31/01/2024", "t")},
		{"flag", "yes", row("1", "0.5", "2024-01-31", "yes")},
	}
	for _, f := range Formats() {
		for _, b := range bad {
			w, err := NewWriter(&bytes.Buffer{}, f, cols)
			if err != nil {
				t.Fatal(err)
			}
			if err := w.Write(good); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			err = w.Write(b.row)
			if err == nil {
				t.Errorf("%s: %s %q accepted", f, b.column, b.value)
				continue
			}
			if !strings.Contains(err.Error(), `"`+b.column+`"`) || !strings.Contains(err.Error(), `"`+b.value+`"`) {
				t.Errorf("%s: error %q does not name column %q and value %q", f, err, b.column, b.value)
			}
			if err := w.Write(good); err != nil {
				t.Errorf("%s: write after rejected row: %v", f, err)
			}
			if got := w.Rows(); got != 2 {
				t.Errorf("%s: Rows() = %d, want 2", f, got)
			}
			if err := w.Close(); err != nil {
				t.Errorf("%s: Close: %v", f, err)
			}
		}
	}
}

func TestWrongNumberOfValuesIsRejected(t *testing.T) {
	for _, f := range Formats() {
		w, err := NewWriter(&bytes.Buffer{}, f, sampleColumns)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Write(row("1", "x")); err == nil {
			t.Errorf("%s: short row accepted", f)
		}
		w.Close()
	}
}

// Integers are 64-bit in XLSX and Parquet; the text formats pass them through.
func TestIntegerBeyondInt64(t *testing.T) {
	cols := []Column{{Name: "big", Type: Integer}}
	huge := row("99999999999999999999")
	for _, f := range Formats() {
		w, err := NewWriter(&bytes.Buffer{}, f, cols)
		if err != nil {
			t.Fatal(err)
		}
		err = w.Write(huge)
		switch f {
		case XLSX, Parquet:
			if err == nil || !strings.Contains(err.Error(), `"big"`) {
				t.Errorf("%s: got %v, want an error naming the column", f, err)
			}
		default:
			if err != nil {
				t.Errorf("%s: %v", f, err)
			}
		}
		w.Close()
	}
}

func TestWriteAfterCloseFails(t *testing.T) {
	for _, f := range Formats() {
		w, err := NewWriter(&bytes.Buffer{}, f, sampleColumns)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatalf("%s: Close: %v", f, err)
		}
		if err := w.Write(sampleRows[0]); err == nil {
			t.Errorf("%s: Write after Close succeeded", f)
		}
		if err := w.Close(); err != nil {
			t.Errorf("%s: second Close: %v", f, err)
		}
	}
}

func TestParseDateCountsDaysSinceUnixEpoch(t *testing.T) {
	tests := map[string]int64{
		"1970-01-01": 0,
		"1970-01-02": 1,
		"1969-12-31": -1,
		"2000-02-29": 11016,
		"2024-01-31": 19753,
		"1899-12-30": -25569,
		"0000-01-01": -719528,
		"9999-12-31": 2932896,
	}
	for in, want := range tests {
		got, ok := parseDate([]byte(in))
		if !ok || got != want {
			t.Errorf("parseDate(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
}
