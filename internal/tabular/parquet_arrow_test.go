// Independent read-back of the Parquet output with Apache Arrow's reader: a different
// implementation than the writer's.

package tabular

import (
	"bytes"
	"testing"
	"time"

	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/schema"
)

func openArrowParquet(t *testing.T, data []byte) *file.Reader {
	t.Helper()
	r, err := file.NewParquetReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("arrow-go cannot open the output: %v", err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// readArrowParquet returns the rows as Go values, nil for NULL, dates as
// "YYYY-MM-DD", using arrow-go's low-level column chunk readers.
func readArrowParquet(t *testing.T, r *file.Reader) [][]any {
	t.Helper()
	var rows [][]any
	for g := 0; g < r.NumRowGroups(); g++ {
		rg := r.RowGroup(g)
		n := rg.NumRows()
		cols := make([][]any, rg.NumColumns())
		for i := range cols {
			cr, err := rg.Column(i)
			if err != nil {
				t.Fatal(err)
			}
			switch cr := cr.(type) {
			case *file.ByteArrayColumnChunkReader:
				cols[i] = readBatch(t, cr, n, func(v pq.ByteArray) any { return string(v) })
			case *file.Int64ColumnChunkReader:
				cols[i] = readBatch(t, cr, n, func(v int64) any { return v })
			case *file.Float64ColumnChunkReader:
				cols[i] = readBatch(t, cr, n, func(v float64) any { return v })
			case *file.Int32ColumnChunkReader:
				cols[i] = readBatch(t, cr, n, func(v int32) any {
					return time.Unix(int64(v)*86400, 0).UTC().Format(time.DateOnly)
				})
			case *file.BooleanColumnChunkReader:
				cols[i] = readBatch(t, cr, n, func(v bool) any { return v })
			default:
				t.Fatalf("column %d: unexpected reader %T", i, cr)
			}
		}
		for j := range n {
			row := make([]any, len(cols))
			for i := range cols {
				row[i] = cols[i][j]
			}
			rows = append(rows, row)
		}
	}
	return rows
}

type batchReader[T any] interface {
	ReadBatch(batchSize int64, values []T, defLvls, repLvls []int16) (total int64, valuesRead int, err error)
}

// readBatch reads n values of an optional column; values come back dense and
// the definition levels say which rows are NULL.
func readBatch[T any](t *testing.T, cr batchReader[T], n int64, conv func(T) any) []any {
	t.Helper()
	values, defs := make([]T, n), make([]int16, n)
	total, _, err := cr.ReadBatch(n, values, defs, nil)
	if err != nil || total != n {
		t.Fatalf("read %d of %d values: %v", total, n, err)
	}
	out, k := make([]any, n), 0
	for j := range out {
		if defs[j] == 1 {
			out[j] = conv(values[k])
			k++
		}
	}
	return out
}

func TestParquetArrowSeesSpecifiedColumnTypes(t *testing.T) {
	r := openArrowParquet(t, writeTable(t, Parquet, sampleColumns, sampleRows))
	sc := r.MetaData().Schema
	if sc.NumColumns() != len(sampleColumns) {
		t.Fatalf("%d columns, want %d", sc.NumColumns(), len(sampleColumns))
	}
	want := map[Type]struct {
		physical pq.Type
		logical  schema.LogicalType
	}{
		String:  {pq.Types.ByteArray, schema.StringLogicalType{}},
		Integer: {pq.Types.Int64, schema.NewIntLogicalType(64, true)},
		Number:  {pq.Types.Double, schema.NoLogicalType{}},
		Date:    {pq.Types.Int32, schema.DateLogicalType{}},
		Boolean: {pq.Types.Boolean, schema.NoLogicalType{}},
	}
	for i, c := range sampleColumns {
		col, w := sc.Column(i), want[c.Type]
		if col.Name() != c.Name {
			t.Errorf("column %d is %q, want %q", i, col.Name(), c.Name)
		}
		if col.PhysicalType() != w.physical {
			t.Errorf("%s: physical type %s, want %s", c.Name, col.PhysicalType(), w.physical)
		}
		if !col.LogicalType().Equals(w.logical) {
			t.Errorf("%s: logical type %s, want %s", c.Name, col.LogicalType(), w.logical)
		}
		if col.MaxDefinitionLevel() != 1 || col.MaxRepetitionLevel() != 0 {
			t.Errorf("%s: not a flat optional column", c.Name)
		}
		chunk, err := r.MetaData().RowGroup(0).ColumnChunk(i)
		if err != nil {
			t.Fatal(err)
		}
		if chunk.Compression() != compress.Codecs.Zstd {
			t.Errorf("%s: compression %s, want zstd", c.Name, chunk.Compression())
		}
	}
}

func TestParquetArrowReadsBackValues(t *testing.T) {
	defer func(n int64) { parquetRowGroupRows = n }(parquetRowGroupRows)
	parquetRowGroupRows = 4 // two row groups

	r := openArrowParquet(t, writeTable(t, Parquet, sampleColumns, sampleRows))
	if r.NumRowGroups() != 2 {
		t.Errorf("%d row groups, want 2", r.NumRowGroups())
	}
	got := readArrowParquet(t, r)
	if len(got) != len(sampleRows) {
		t.Fatalf("%d rows, want %d", len(got), len(sampleRows))
	}
	for j, in := range sampleRows {
		for i, c := range sampleColumns {
			if want := parquetExpected(c, in[i]); got[j][i] != want {
				t.Errorf("row %d %s = %#v, want %#v", j+1, c.Name, got[j][i], want)
			}
		}
	}
}
