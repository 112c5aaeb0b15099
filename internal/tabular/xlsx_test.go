package tabular

import (
	"bytes"
	"slices"
	"strconv"
	"testing"

	"github.com/thedatashed/xlsxreader"
)

func openXLSX(t *testing.T, data []byte) *xlsxreader.XlsxFile {
	t.Helper()
	xl, err := xlsxreader.NewReader(data)
	if err != nil {
		t.Fatalf("xlsxreader cannot open the output: %v", err)
	}
	return xl
}

// readSheet returns the sheet's rows as cells keyed by column index.
func readSheet(t *testing.T, xl *xlsxreader.XlsxFile, sheet string) []map[int]xlsxreader.Cell {
	t.Helper()
	var rows []map[int]xlsxreader.Cell
	for r := range xl.ReadRows(sheet) {
		if r.Error != nil {
			t.Fatalf("sheet %q row %d: %v", sheet, r.Index, r.Error)
		}
		if r.Index != len(rows)+1 {
			t.Fatalf("sheet %q: row %d follows row %d", sheet, r.Index, len(rows))
		}
		cells := map[int]xlsxreader.Cell{}
		for _, c := range r.Cells {
			cells[c.ColumnIndex()] = c
		}
		rows = append(rows, cells)
	}
	return rows
}

func checkHeader(t *testing.T, sheet string, header map[int]xlsxreader.Cell) {
	t.Helper()
	for i, c := range sampleColumns {
		if got := header[i]; got.Value != c.Name || got.Type != xlsxreader.TypeString {
			t.Errorf("sheet %q header %d = %q (%s), want %q", sheet, i, got.Value, got.Type, c.Name)
		}
	}
}

func TestXLSXReadsBackWithTypedCells(t *testing.T) {
	xl := openXLSX(t, writeTable(t, XLSX, sampleColumns, sampleRows))
	if want := []string{"data", "fields"}; !slices.Equal(xl.Sheets, want) {
		t.Fatalf("sheets = %q, want %q", xl.Sheets, want)
	}
	rows := readSheet(t, xl, "data")
	if len(rows) != 1+len(sampleRows) {
		t.Fatalf("got %d rows, want header + %d", len(rows), len(sampleRows))
	}
	checkHeader(t, "data", rows[0])
	for r, in := range sampleRows {
		for i, c := range sampleColumns {
			cell, present := rows[r+1][i]
			v := in[i]
			if v == nil {
				if present {
					t.Errorf("row %d %s: NULL written as %q", r+1, c.Name, cell.Value)
				}
				continue
			}
			if !present {
				t.Errorf("row %d %s: cell missing, want %q", r+1, c.Name, v)
				continue
			}
			checkXLSXCell(t, r+1, c, v, cell)
		}
	}
}

func checkXLSXCell(t *testing.T, r int, c Column, in []byte, cell xlsxreader.Cell) {
	t.Helper()
	wantType, ok := xlsxreader.TypeString, true
	switch c.Type {
	case String:
		ok = cell.Value == string(in)
	case Integer:
		wantType = xlsxreader.TypeNumerical
		ok = cell.Value == string(in)
	case Number:
		wantType = xlsxreader.TypeNumerical
		want, _ := strconv.ParseFloat(string(in), 64)
		got, err := strconv.ParseFloat(cell.Value, 64)
		ok = err == nil && got == want
	case Date:
		// Excel's calendar is wrong before 1900-03-01: such dates stay text.
		if string(in) >= "1900-03-01" {
			wantType = xlsxreader.TypeDateTime
		}
		ok = cell.Value == string(in)
	case Boolean:
		wantType = xlsxreader.TypeBoolean
		b, _ := parseBool(in)
		ok = cell.Value == map[bool]string{true: "1", false: "0"}[b]
	}
	if !ok || cell.Type != wantType {
		t.Errorf("row %d %s = %q (%s), want %q (%s)", r, c.Name, cell.Value, cell.Type, in, wantType)
	}
}

func TestXLSXFieldsSheetDescribesColumns(t *testing.T) {
	xl := openXLSX(t, writeTable(t, XLSX, sampleColumns, sampleRows))
	rows := readSheet(t, xl, "fields")
	want := [][]string{{"name", "type", "unit", "description", "description_fr", "description_nl"}}
	for _, c := range sampleColumns {
		want = append(want, []string{c.Name, c.Type.String(), c.Unit, c.Description, c.DescriptionFR, c.DescriptionNL})
	}
	if len(rows) != len(want) {
		t.Fatalf("fields sheet has %d rows, want %d", len(rows), len(want))
	}
	for r := range want {
		for i, w := range want[r] {
			if got := rows[r][i].Value; got != w {
				t.Errorf("fields row %d col %d = %q, want %q", r+1, i, got, w)
			}
		}
	}
	if rows[3][2].Value != "EUR" {
		t.Errorf("amount unit = %q, want EUR", rows[3][2].Value)
	}
}

func TestXLSXContinuesOnNewSheetWhenFull(t *testing.T) {
	defer func(n int) { maxSheetRows = n }(maxSheetRows)
	maxSheetRows = 3 // header + 2 data rows per sheet

	xl := openXLSX(t, writeTable(t, XLSX, sampleColumns, sampleRows[:5]))
	if want := []string{"data", "data 2", "data 3", "fields"}; !slices.Equal(xl.Sheets, want) {
		t.Fatalf("sheets = %q, want %q", xl.Sheets, want)
	}
	next := 0
	for _, sheet := range []string{"data", "data 2", "data 3"} {
		rows := readSheet(t, xl, sheet)
		checkHeader(t, sheet, rows[0])
		for _, cells := range rows[1:] {
			if got, want := cells[0].Value, string(sampleRows[next][0]); got != want {
				t.Errorf("sheet %q: id %q, want %q", sheet, got, want)
			}
			next++
		}
	}
	if next != 5 {
		t.Errorf("read %d data rows, want 5", next)
	}
}

func TestXLSXExactlyFullSheetDoesNotStartAnother(t *testing.T) {
	defer func(n int) { maxSheetRows = n }(maxSheetRows)
	maxSheetRows = 3

	xl := openXLSX(t, writeTable(t, XLSX, sampleColumns, sampleRows[:4]))
	if want := []string{"data", "data 2", "fields"}; !slices.Equal(xl.Sheets, want) {
		t.Errorf("sheets = %q, want %q", xl.Sheets, want)
	}
}

// Snapshots promise byte-identical re-downloads. Several streamed sheets are
// the case to watch: excelize keeps them in a map.
func TestXLSXIsDeterministic(t *testing.T) {
	defer func(n int) { maxSheetRows = n }(maxSheetRows)
	maxSheetRows = 2

	first := writeTable(t, XLSX, sampleColumns, sampleRows)
	for range 5 {
		if again := writeTable(t, XLSX, sampleColumns, sampleRows); !bytes.Equal(first, again) {
			t.Fatal("writing the same rows twice gave different bytes")
		}
	}
}

func TestXLSXEmptyTableHasHeader(t *testing.T) {
	xl := openXLSX(t, writeTable(t, XLSX, sampleColumns, nil))
	rows := readSheet(t, xl, "data")
	if len(rows) != 1 {
		t.Fatalf("got %d rows, want the header only", len(rows))
	}
	checkHeader(t, "data", rows[0])
}
