package tabular

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// These tests read the output back with parquet-go itself, which always
// builds. The independent check with Apache Arrow's reader is in
// parquet_arrow_test.go (build tag arrowreader, see there).

func openParquetGo(t *testing.T, data []byte) *parquet.File {
	t.Helper()
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("cannot open the output: %v", err)
	}
	return f
}

// readParquetGo returns the rows as Go values, nil for NULL, dates as
// "YYYY-MM-DD".
func readParquetGo(t *testing.T, f *parquet.File, cols []Column) [][]any {
	t.Helper()
	var out [][]any
	for _, rg := range f.RowGroups() {
		rows := rg.Rows()
		buf := make([]parquet.Row, 16)
		for {
			n, err := rows.ReadRows(buf)
			for _, r := range buf[:n] {
				vals := make([]any, len(cols))
				for _, v := range r {
					i := v.Column()
					if v.IsNull() {
						continue
					}
					switch cols[i].Type {
					case String:
						vals[i] = string(v.ByteArray())
					case Integer:
						vals[i] = v.Int64()
					case Number:
						vals[i] = v.Double()
					case Date:
						vals[i] = formatDays(int64(v.Int32()))
					case Boolean:
						vals[i] = v.Boolean()
					}
				}
				out = append(out, vals)
			}
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		rows.Close()
	}
	return out
}

// formatDays turns days since 1970-01-01 back into "YYYY-MM-DD" with the
// time package, independently of parseDate's arithmetic.
func formatDays(days int64) string {
	return time.Unix(days*86400, 0).UTC().Format(time.DateOnly)
}

func TestParquetSchemaFollowsColumnOrderAndTypes(t *testing.T) {
	f := openParquetGo(t, writeTable(t, Parquet, sampleColumns, sampleRows))
	want := map[Type]struct {
		kind    parquet.Kind
		logical string
	}{
		String:  {parquet.ByteArray, "STRING"},
		Integer: {parquet.Int64, "INT(64,true)"},
		Number:  {parquet.Double, ""},
		Date:    {parquet.Int32, "DATE"},
		Boolean: {parquet.Boolean, ""},
	}
	fields := f.Schema().Fields()
	if len(fields) != len(sampleColumns) {
		t.Fatalf("%d columns, want %d", len(fields), len(sampleColumns))
	}
	for i, c := range sampleColumns {
		fl, w := fields[i], want[c.Type]
		logical := ""
		if lt := fl.Type().LogicalType(); lt != nil {
			logical = lt.String()
		}
		if fl.Name() != c.Name || !fl.Optional() || fl.Type().Kind() != w.kind || logical != w.logical {
			t.Errorf("column %d = %s optional=%v %s %q, want %s optional=true %s %q",
				i, fl.Name(), fl.Optional(), fl.Type().Kind(), logical, c.Name, w.kind, w.logical)
		}
		if codec := f.Metadata().RowGroups[0].Columns[i].MetaData.Codec; codec != format.Zstd {
			t.Errorf("%s: compression %s, want ZSTD", c.Name, codec)
		}
	}
}

func TestParquetReadsBack(t *testing.T) {
	f := openParquetGo(t, writeTable(t, Parquet, sampleColumns, sampleRows))
	got := readParquetGo(t, f, sampleColumns)
	if len(got) != len(sampleRows) {
		t.Fatalf("%d rows, want %d", len(got), len(sampleRows))
	}
	for j, in := range sampleRows {
		for i, c := range sampleColumns {
			want := parquetExpected(c, in[i])
			if got[j][i] != want {
				t.Errorf("row %d %s = %#v, want %#v", j+1, c.Name, got[j][i], want)
			}
		}
	}
}

// parquetExpected is the Go value a sample value reads back as.
func parquetExpected(c Column, v []byte) any {
	if v == nil {
		return nil
	}
	switch c.Type {
	case Integer:
		n, _ := strconv.ParseInt(string(v), 10, 64)
		return n
	case Number:
		f, _ := strconv.ParseFloat(string(v), 64)
		return f
	case Boolean:
		b, _ := parseBool(v)
		return b
	}
	return string(v) // String, Date
}

// Memory stays flat because rows are flushed in row groups of bounded size.
func TestParquetFlushesRowGroups(t *testing.T) {
	defer func(n int64) { parquetRowGroupRows = n }(parquetRowGroupRows)
	parquetRowGroupRows = 2

	f := openParquetGo(t, writeTable(t, Parquet, sampleColumns, sampleRows))
	if got := len(f.RowGroups()); got != 3 {
		t.Errorf("%d row groups for 6 rows of at most 2, want 3", got)
	}
	got := readParquetGo(t, f, sampleColumns)
	for j, in := range sampleRows {
		if want := parquetExpected(sampleColumns[0], in[0]); got[j][0] != want {
			t.Errorf("row %d id = %v, want %v", j+1, got[j][0], want)
		}
	}
}

func TestParquetIsDeterministic(t *testing.T) {
	defer func(n int64) { parquetRowGroupRows = n }(parquetRowGroupRows)
	parquetRowGroupRows = 2

	first := writeTable(t, Parquet, sampleColumns, sampleRows)
	for range 5 {
		if again := writeTable(t, Parquet, sampleColumns, sampleRows); !bytes.Equal(first, again) {
			t.Fatal("writing the same rows twice gave different bytes")
		}
	}
}

func TestParquetEmptyTableHasSchema(t *testing.T) {
	f := openParquetGo(t, writeTable(t, Parquet, sampleColumns, nil))
	if f.NumRows() != 0 || len(f.Schema().Fields()) != len(sampleColumns) {
		t.Errorf("got %d rows and %d columns, want 0 and %d", f.NumRows(), len(f.Schema().Fields()), len(sampleColumns))
	}
}
