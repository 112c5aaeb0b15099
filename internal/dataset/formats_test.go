package dataset_test

// Every export format, read back with a reader that is not ours, must hold the same table.
// Cells are normalised to the text PostgreSQL prints (NULL as ""), so one expected table
// serves all five formats.

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/schema"
	"github.com/thedatashed/xlsxreader"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/dataset"
	"github.com/cohesio/cohesio/internal/tabular"
)

var (
	projectsHeader = []string{"id", "code", "title", "operator_id", "operator", "programme", "axis",
		"territory", "territory_name", "start_date", "end_date", "budget", "source"}
	observationsHeader = []string{"id", "indicator", "unit", "project_id", "operator_id", "coordination",
		"territory", "period_start", "period_end", "granularity", "kind", "breakdown_dimension", "breakdown",
		"value", "source", "suppressed"}
)

// columnTypes are the types of the non-string columns of both datasets, written down here
// rather than taken from the catalogue, so that a wrongly typed column shows as a wrong cell.
var columnTypes = map[string]tabular.Type{
	"id": tabular.Integer, "operator_id": tabular.Integer, "project_id": tabular.Integer,
	"start_date": tabular.Date, "end_date": tabular.Date, "period_start": tabular.Date, "period_end": tabular.Date,
	"budget": tabular.Number, "value": tabular.Number,
	"suppressed": tabular.Boolean,
}

func columnType(name string) tabular.Type {
	if t, ok := columnTypes[name]; ok {
		return t
	}
	return tabular.String
}

func TestEveryFormatHoldsWhatTheDatabaseHolds(t *testing.T) {
	e := setup(t)
	// Projects: the database itself, queried without the export code.
	projects := append([][]string{projectsHeader}, e.query(t, `
		SELECT p.id::text, p.code, p.title, p.operator_id::text, o.name, pr.code, a.code, t.code, t.name_fr,
		       p.start_date::text, p.end_date::text, trim_scale(p.budget)::text, s.code
		FROM project p JOIN operator o ON o.id = p.operator_id JOIN programme pr ON pr.id = p.programme_id
		LEFT JOIN programme_axis a ON a.id = p.axis_id JOIN territory t ON t.id = p.territory_id
		JOIN source s ON s.id = p.source_id ORDER BY p.id`)...)
	// Observations: suppression is computed in Go, not SQL, so the reference is the CSV export,
	// once it is checked to withhold what the fixture says.
	observations := e.export(t, "observations", access.Public, dataset.Filter{})
	checkWithheld(t, observations)

	readers := map[tabular.Format]func(*testing.T, []byte) [][]string{
		tabular.CSV:      readCSV,
		tabular.CSVExcel: readExcelCSV,
		tabular.XLSX:     readXLSX,
		tabular.Parquet:  readParquet,
		tabular.NDJSON:   readNDJSON,
	}
	for _, c := range []struct {
		dataset string
		role    access.Role
		want    [][]string
	}{
		{"projects", access.Analyst, projects},
		{"observations", access.Public, observations},
	} {
		for _, f := range tabular.Formats() {
			t.Run(c.dataset+"/"+string(f), func(t *testing.T) {
				read := readers[f]
				if read == nil {
					t.Fatalf("no independent reader for format %s", f)
				}
				var buf bytes.Buffer
				req := dataset.Request{Dataset: e.svc.Catalogue().Dataset(c.dataset), Role: c.role}
				n, err := e.svc.Export(context.Background(), req, &buf, f)
				if err != nil {
					t.Fatalf("%s: export %s: %v", f, c.dataset, err)
				}
				if want := int64(len(c.want) - 1); n != want {
					t.Errorf("%s: export reports %d rows, want %d", f, n, want)
				}
				compareTables(t, string(f), read(t, buf.Bytes()), c.want)
			})
		}
	}
}

// checkWithheld checks the public observations CSV against the fixture: of project 1's 12
// participants, the 3 women and the 2 minors are under 5, and the 9 men and 10 adults go with
// them since the total minus them gives the small counts away. Nothing else is withheld.
func checkWithheld(t *testing.T, records [][]string) {
	t.Helper()
	if len(records) == 0 || !slices.Equal(records[0], observationsHeader) {
		t.Fatalf("observations CSV header = %v, want %v", records[:min(len(records), 1)], observationsHeader)
	}
	col := map[string]int{}
	for i, name := range records[0] {
		col[name] = i
	}
	withheld := map[string]bool{}
	for i, r := range records[1:] {
		value, suppressed := r[col["value"]], r[col["suppressed"]]
		switch {
		case suppressed == "true" && value == "":
			withheld[r[col["project_id"]]+" "+r[col["indicator"]]+" "+r[col["breakdown"]]] = true
		case suppressed == "false" && value != "":
		default:
			t.Errorf("observations CSV row %d: value %q with suppressed %q", i+1, value, suppressed)
		}
	}
	want := map[string]bool{"1 participants f": true, "1 participants m": true, "1 participants 0-17": true, "1 participants 18+": true}
	if !maps.Equal(withheld, want) {
		t.Errorf("withheld (project indicator breakdown) = %v, want %v", withheld, want)
	}
}

// compareTables reports every cell of got that differs from want, header included.
func compareTables(t *testing.T, format string, got, want [][]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d rows, want %d (header included)", format, len(got), len(want))
	}
	header := want[0]
	for r := range min(len(got), len(want)) {
		row := "header"
		if r > 0 {
			row = fmt.Sprintf("row %d (id %s)", r, want[r][0])
		}
		if len(got[r]) != len(want[r]) {
			t.Errorf("%s %s: %d columns %q, want %d %q", format, row, len(got[r]), got[r], len(want[r]), want[r])
			continue
		}
		for c := range want[r] {
			if got[r][c] != want[r][c] {
				t.Errorf("%s %s column %s = %q, want %q", format, row, header[c], got[r][c], want[r][c])
			}
		}
	}
}

// formatFloat writes a float as PostgreSQL writes the numeric it came from: no exponent, no
// trailing zeros (the values are trim_scale'd).
func formatFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// isDate tells whether s is an ISO date as PostgreSQL prints it.
func isDate(s string) bool {
	d, err := time.Parse(time.DateOnly, s)
	return err == nil && d.Format(time.DateOnly) == s
}

func readCSV(t *testing.T, data []byte) [][]string {
	t.Helper()
	records, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatalf("csv: %v", err)
	}
	return records
}

// readExcelCSV reads the Belgian Excel variant: BOM, ';' and a decimal comma.
func readExcelCSV(t *testing.T, data []byte) [][]string {
	t.Helper()
	data, ok := bytes.CutPrefix(data, []byte("\uFEFF"))
	if !ok {
		t.Errorf("csv-excel: no UTF-8 byte order mark; Excel would read the file as ANSI")
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = ';'
	records, err := r.ReadAll()
	if err != nil || len(records) == 0 {
		t.Fatalf("csv-excel: %d records, %v", len(records), err)
	}
	for i, rec := range records[1:] {
		for c, v := range rec {
			if columnType(records[0][c]) != tabular.Number {
				continue
			}
			if strings.Contains(v, ".") {
				t.Errorf("csv-excel row %d column %s: %q has a decimal point, want a decimal comma", i+1, records[0][c], v)
			}
			rec[c] = strings.Replace(v, ",", ".", 1)
		}
	}
	return records
}

// readNDJSON takes the header from the keys of the first object, in order, and checks every
// other line has the same keys in the same order.
func readNDJSON(t *testing.T, data []byte) [][]string {
	t.Helper()
	lines := strings.Split(string(data), "\n")
	if lines[len(lines)-1] != "" {
		t.Errorf("ndjson: the last line has no newline")
	}
	var table [][]string
	for i, line := range lines[:len(lines)-1] {
		keys, values := ndjsonObject(t, i+1, line)
		if len(table) == 0 {
			table = append(table, keys)
		} else if !slices.Equal(keys, table[0]) {
			t.Errorf("ndjson row %d: keys %q, want %q", i+1, keys, table[0])
		}
		table = append(table, values)
	}
	return table
}

// ndjsonObject decodes one line, which must be exactly one JSON object of scalars, and returns
// its keys in order and its values as text; each value must have its column's JSON type.
func ndjsonObject(t *testing.T, row int, line string) (keys, values []string) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(line))
	dec.UseNumber() // keep numbers as written, not rounded through float64
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("ndjson row %d: not a JSON object: %s", row, line)
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			t.Fatalf("ndjson row %d: %v", row, err)
		}
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("ndjson row %d column %v: %v", row, key, err)
		}
		name := key.(string)
		text, ok := jsonText(columnType(name), tok)
		if !ok {
			t.Errorf("ndjson row %d column %s: %#v is not a JSON %s", row, name, tok, columnType(name))
		}
		if _, nested := tok.(json.Delim); nested {
			t.Fatalf("ndjson row %d column %s: nested value", row, name)
		}
		keys, values = append(keys, name), append(values, text)
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		t.Fatalf("ndjson row %d: object not closed: %s", row, line)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		t.Errorf("ndjson row %d: more than one value on the line: %s", row, line)
	}
	return keys, values
}

// jsonText returns the text of a JSON scalar and whether its JSON type suits the column:
// numbers for integers and numbers, true/false for booleans, strings otherwise, null anywhere.
func jsonText(typ tabular.Type, tok json.Token) (string, bool) {
	switch v := tok.(type) {
	case nil:
		return "", true
	case string:
		return v, typ == tabular.String || typ == tabular.Date && isDate(v)
	case bool:
		return strconv.FormatBool(v), typ == tabular.Boolean
	case json.Number:
		switch typ {
		case tabular.Integer:
			_, err := v.Int64()
			return v.String(), err == nil
		case tabular.Number:
			return v.String(), true
		}
		return v.String(), false
	}
	return fmt.Sprint(tok), false
}

// readXLSX reads the "data" sheet with xlsxreader, checking each cell's type: numbers for
// integers and numbers, booleans, and dates as serial numbers with a date format, which
// xlsxreader turns back into YYYY-MM-DD. The "fields" sheet must list the columns.
func readXLSX(t *testing.T, data []byte) [][]string {
	t.Helper()
	xl, err := xlsxreader.NewReader(data)
	if err != nil {
		t.Fatalf("xlsx: %v", err)
	}
	if want := []string{"data", "fields"}; !slices.Equal(xl.Sheets, want) {
		t.Fatalf("xlsx: sheets %q, want %q", xl.Sheets, want)
	}
	var table [][]string
	for r := range xl.ReadRows("data") {
		if r.Error != nil {
			t.Fatalf("xlsx sheet row %d: %v", r.Index, r.Error)
		}
		// xlsxreader skips rows without cells: a gap would be a lost row.
		if r.Index != len(table)+1 {
			t.Fatalf("xlsx: sheet row %d follows row %d", r.Index, len(table))
		}
		if len(table) == 0 {
			var header []string
			for _, c := range r.Cells {
				if c.ColumnIndex() != len(header) || c.Type != xlsxreader.TypeString {
					t.Errorf("xlsx header: cell %s%d = %q (%s)", c.Column, c.Row, c.Value, c.Type)
				}
				header = append(header, c.Value)
			}
			table = append(table, header)
			continue
		}
		header, row := table[0], make([]string, len(table[0]))
		for _, c := range r.Cells {
			i := c.ColumnIndex()
			if i >= len(header) {
				t.Errorf("xlsx row %d: cell %s%d = %q beyond the header", len(table), c.Column, c.Row, c.Value)
				continue
			}
			text, ok := xlsxText(columnType(header[i]), c)
			if !ok {
				t.Errorf("xlsx row %d column %s: %q is a %s cell, want a %s", len(table), header[i], c.Value, c.Type, columnType(header[i]))
			}
			row[i] = text
		}
		table = append(table, row)
	}
	checkFieldsSheet(t, xl, table[0])
	return table
}

func xlsxText(typ tabular.Type, c xlsxreader.Cell) (string, bool) {
	switch typ {
	case tabular.Integer:
		_, err := strconv.ParseInt(c.Value, 10, 64)
		return c.Value, c.Type == xlsxreader.TypeNumerical && err == nil
	case tabular.Number:
		f, err := strconv.ParseFloat(c.Value, 64)
		return formatFloat(f), c.Type == xlsxreader.TypeNumerical && err == nil
	case tabular.Date:
		// Every fixture date is after 1900-03-01, so the writer stores them all as serials.
		return c.Value, c.Type == xlsxreader.TypeDateTime && isDate(c.Value)
	case tabular.Boolean:
		text := map[string]string{"1": "true", "0": "false"}[c.Value]
		return text, c.Type == xlsxreader.TypeBoolean && text != ""
	}
	return c.Value, c.Type == xlsxreader.TypeString
}

// checkFieldsSheet checks the "fields" sheet names and types the data sheet's columns.
func checkFieldsSheet(t *testing.T, xl *xlsxreader.XlsxFile, header []string) {
	t.Helper()
	var names, types []string
	for r := range xl.ReadRows("fields") {
		if r.Error != nil {
			t.Fatalf("xlsx fields row %d: %v", r.Index, r.Error)
		}
		var name, typ string
		for _, c := range r.Cells {
			switch c.ColumnIndex() {
			case 0:
				name = c.Value
			case 1:
				typ = c.Value
			}
		}
		names, types = append(names, name), append(types, typ)
	}
	wantNames, wantTypes := []string{"name"}, []string{"type"}
	for _, name := range header {
		wantNames, wantTypes = append(wantNames, name), append(wantTypes, columnType(name).String())
	}
	if !slices.Equal(names, wantNames) || !slices.Equal(types, wantTypes) {
		t.Errorf("xlsx fields sheet: names %q types %q, want %q %q", names, types, wantNames, wantTypes)
	}
}

// parquetTypes are the physical and logical types each column type must have.
var parquetTypes = map[tabular.Type]struct {
	physical pq.Type
	logical  schema.LogicalType
}{
	tabular.String:  {pq.Types.ByteArray, schema.StringLogicalType{}},
	tabular.Integer: {pq.Types.Int64, schema.NewIntLogicalType(64, true)},
	tabular.Number:  {pq.Types.Double, schema.NoLogicalType{}},
	tabular.Date:    {pq.Types.Int32, schema.DateLogicalType{}},
	tabular.Boolean: {pq.Types.Boolean, schema.NoLogicalType{}},
}

// readParquet reads the file with Apache Arrow's low-level column readers, after checking the
// schema: one flat optional column per field, of its type's physical and logical type.
func readParquet(t *testing.T, data []byte) [][]string {
	t.Helper()
	r, err := file.NewParquetReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("parquet: %v", err)
	}
	defer r.Close()
	sc := r.MetaData().Schema
	header := make([]string, sc.NumColumns())
	for i := range header {
		col := sc.Column(i)
		header[i] = col.Name()
		want := parquetTypes[columnType(col.Name())]
		if col.PhysicalType() != want.physical || !col.LogicalType().Equals(want.logical) {
			t.Errorf("parquet column %s: %s / %s, want %s / %s", col.Name(), col.PhysicalType(), col.LogicalType(), want.physical, want.logical)
		}
		if col.MaxDefinitionLevel() != 1 || col.MaxRepetitionLevel() != 0 {
			t.Errorf("parquet column %s: not a flat optional column", col.Name())
		}
	}
	table := [][]string{header}
	for g := range r.NumRowGroups() {
		rg := r.RowGroup(g)
		n := rg.NumRows()
		cols := make([][]string, len(header))
		for i := range cols {
			cr, err := rg.Column(i)
			if err != nil {
				t.Fatalf("parquet column %s: %v", header[i], err)
			}
			switch cr := cr.(type) {
			case *file.ByteArrayColumnChunkReader:
				cols[i] = readColumn(t, cr, n, func(v pq.ByteArray) string { return string(v) })
			case *file.Int64ColumnChunkReader:
				cols[i] = readColumn(t, cr, n, func(v int64) string { return strconv.FormatInt(v, 10) })
			case *file.Float64ColumnChunkReader:
				cols[i] = readColumn(t, cr, n, formatFloat)
			case *file.Int32ColumnChunkReader: // a DATE: days since 1970-01-01
				cols[i] = readColumn(t, cr, n, func(v int32) string {
					return time.Unix(int64(v)*86400, 0).UTC().Format(time.DateOnly)
				})
			case *file.BooleanColumnChunkReader:
				cols[i] = readColumn(t, cr, n, strconv.FormatBool)
			default:
				t.Fatalf("parquet column %s: unexpected reader %T", header[i], cr)
			}
		}
		for j := range n {
			row := make([]string, len(cols))
			for i := range cols {
				row[i] = cols[i][j]
			}
			table = append(table, row)
		}
	}
	return table
}

type batchReader[T any] interface {
	ReadBatch(batchSize int64, values []T, defLvls, repLvls []int16) (total int64, valuesRead int, err error)
}

// readColumn reads the n values of an optional column chunk as text, "" for NULL. Values come
// back dense; the definition levels say which rows have one.
func readColumn[T any](t *testing.T, cr batchReader[T], n int64, text func(T) string) []string {
	t.Helper()
	values, defs := make([]T, n), make([]int16, n)
	var levels int64
	var dense int
	for levels < n {
		total, read, err := cr.ReadBatch(n-levels, values[dense:], defs[levels:], nil)
		if err != nil {
			t.Fatalf("parquet: %v", err)
		}
		if total == 0 {
			t.Fatalf("parquet: column chunk ends after %d of %d rows", levels, n)
		}
		levels, dense = levels+total, dense+read
	}
	out := make([]string, n)
	k := 0
	for j := range out {
		if defs[j] == 1 {
			out[j] = text(values[k])
			k++
		}
	}
	return out
}
