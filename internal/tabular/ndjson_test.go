package tabular

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
)

func TestNDJSONReadsBackWithEncodingJSON(t *testing.T) {
	data := writeTable(t, NDJSON, sampleColumns, sampleRows)
	if !bytes.HasSuffix(data, []byte("}\n")) {
		t.Fatalf("output does not end with a newline-terminated object: %q", data)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) != len(sampleRows) {
		t.Fatalf("got %d lines, want %d (one object per row, no header)", len(lines), len(sampleRows))
	}
	for r, line := range lines {
		dec := json.NewDecoder(strings.NewReader(line))
		dec.UseNumber()
		var got map[string]any
		if err := dec.Decode(&got); err != nil {
			t.Fatalf("line %d is not JSON: %v\n%s", r+1, err, line)
		}
		if len(got) != len(sampleColumns) {
			t.Errorf("line %d has %d keys, want %d", r+1, len(got), len(sampleColumns))
		}
		for i, c := range sampleColumns {
			in := sampleRows[r][i]
			var want any
			switch {
			case in == nil:
				want = nil
			case c.Type == Integer, c.Type == Number:
				want = json.Number(in)
			case c.Type == Boolean:
				want, _ = parseBool(in)
			default:
				want = string(in)
			}
			v, present := got[c.Name]
			if !present || v != want {
				t.Errorf("line %d %s = %#v (present %v), want %#v", r+1, c.Name, v, present, want)
			}
		}
		checkKeyOrder(t, line)
	}
}

// checkKeyOrder checks that the keys appear in column order.
func checkKeyOrder(t *testing.T, line string) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(line))
	dec.Token() // {
	for _, c := range sampleColumns {
		key, err := dec.Token()
		if err != nil || key != c.Name {
			t.Errorf("key %v (%v), want %q in %s", key, err, c.Name, line)
			return
		}
		var skip json.RawMessage
		dec.Decode(&skip)
	}
}

func TestNDJSONWritesTypedValues(t *testing.T) {
	data := writeTable(t, NDJSON, sampleColumns, sampleRows[:4])
	want := `{"id":1,"municipality":"Liège","amount":12.5,"reference_date":"2024-01-31","is_capital":true,"note":"Café \"Le Coq\", rue; étage 2"}` + "\n" +
		`{"id":-42,"municipality":"Zwevegem\nWest-Vlaanderen","amount":-0.25,"reference_date":"1900-03-01","is_capital":false,"note":"line one\r\nline two"}` + "\n" +
		`{"id":0,"municipality":"Ærø ë ç","amount":1000,"reference_date":"1999-12-31","is_capital":true,"note":""}` + "\n" +
		`{"id":7,"municipality":null,"amount":null,"reference_date":null,"is_capital":null,"note":null}` + "\n"
	if string(data) != want {
		t.Errorf("got\n%s\nwant\n%s", data, want)
	}
}

func TestNDJSONStringsAreEscapedLikeEncodingJSON(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{`quote " backslash \ slash /`, `quote " backslash \ slash /`},
		{"controls \x00 \x01 \x1f \x7f \b \f \t \n \r", "controls \x00 \x01 \x1f \x7f \b \f \t \n \r"},
		// Each invalid byte becomes U+FFFD, as encoding/json does.
		{"invalid \xff\xfe, truncated \xc3", "invalid \uFFFD\uFFFD, truncated \uFFFD"},
		{"separators \u2028 \u2029", "separators \u2028 \u2029"},
		{"accents é ë ç, flag 🇧🇪", "accents é ë ç, flag 🇧🇪"},
		{"<html> & stays readable", "<html> & stays readable"},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		bw := bufio.NewWriter(&buf)
		writeJSONString(bw, []byte(tt.in))
		bw.Flush()
		var got string
		if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
			t.Errorf("%q: invalid JSON %s: %v", tt.in, buf.Bytes(), err)
			continue
		}
		if got != tt.want {
			t.Errorf("round trip of %q = %q, want %q", tt.in, got, tt.want)
		}
		if bytes.ContainsAny(buf.Bytes(), "\u2028\u2029\n\r") {
			t.Errorf("%q: raw line separator in %q", tt.in, buf.Bytes())
		}
	}
}

func TestNDJSONWriteDoesNotAllocate(t *testing.T) {
	w, err := NewWriter(io.Discard, NDJSON, sampleColumns)
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
