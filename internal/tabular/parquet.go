package tabular

import (
	"io"
	"reflect"
	"strconv"
	"strings"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/encoding"
)

// parquetRowGroupRows bounds memory: parquet-go buffers a whole row group
// before writing it out. A variable so tests can see several row groups.
var parquetRowGroupRows int64 = 64 << 10

type parquetWriter struct {
	pw     *parquet.Writer
	cols   []Column
	row    parquet.Row    // reused for every Write
	rowBuf [1]parquet.Row // lets WriteRows take row without allocating
	rows   int64
	closed bool
}

func newParquetWriter(w io.Writer, cols []Column) (*parquetWriter, error) {
	group := make(orderedGroup, len(cols))
	for i, c := range cols {
		var node parquet.Node
		switch c.Type {
		case String:
			// Dictionary encoding: exported tables repeat labels and codes a lot.
			node = parquet.Encoded(parquet.String(), &parquet.RLEDictionary)
		case Integer:
			node = parquet.Int(64)
		case Number:
			node = parquet.Leaf(parquet.DoubleType)
		case Date:
			node = parquet.Date()
		case Boolean:
			node = parquet.Leaf(parquet.BooleanType)
		}
		group[i] = &orderedField{Node: parquet.Optional(node), name: c.Name}
	}
	schema := parquet.NewSchema("schema", group)
	pw := parquet.NewWriter(w, schema,
		parquet.Compression(&parquet.Zstd),
		parquet.MaxRowsPerRowGroup(parquetRowGroupRows),
	)
	return &parquetWriter{pw: pw, cols: cols, row: make(parquet.Row, len(cols))}, nil
}

func (p *parquetWriter) Write(row [][]byte) error {
	if p.closed {
		return errClosed
	}
	rowNum := p.rows + 1
	if err := checkRow(p.cols, row, rowNum); err != nil {
		return err
	}
	for i, v := range row {
		if v == nil {
			p.row[i] = parquet.Value{}.Level(0, 0, i)
			continue
		}
		var val parquet.Value
		switch p.cols[i].Type {
		case String:
			// The column buffer copies the bytes during WriteRows, so v is
			// not retained.
			val = parquet.ByteArrayValue(v)
		case Integer:
			n, err := strconv.ParseInt(string(v), 10, 64)
			if err != nil {
				return invalid(p.cols[i], v, rowNum)
			}
			val = parquet.Int64Value(n)
		case Number:
			f, err := strconv.ParseFloat(string(v), 64)
			if err != nil {
				return invalid(p.cols[i], v, rowNum)
			}
			val = parquet.DoubleValue(f)
		case Date:
			days, _ := parseDate(v)
			val = parquet.Int32Value(int32(days))
		case Boolean:
			b, _ := parseBool(v)
			val = parquet.BooleanValue(b)
		}
		p.row[i] = val.Level(0, 1, i)
	}
	p.rowBuf[0] = p.row
	_, err := p.pw.WriteRows(p.rowBuf[:])
	clear(p.row) // drop references to the caller's buffers
	if err != nil {
		return err
	}
	p.rows++
	return nil
}

func (p *parquetWriter) Rows() int64 { return p.rows }

func (p *parquetWriter) Close() error {
	if p.closed {
		return nil
	}
	p.closed = true
	return p.pw.Close()
}

// orderedGroup is a parquet group node that keeps the columns in the given
// order; parquet.Group is a map and sorts its fields by name.
type orderedGroup []parquet.Field

func (g orderedGroup) ID() int                     { return 0 }
func (g orderedGroup) Type() parquet.Type          { return parquet.Group{}.Type() }
func (g orderedGroup) Optional() bool              { return false }
func (g orderedGroup) Repeated() bool              { return false }
func (g orderedGroup) Required() bool              { return true }
func (g orderedGroup) Leaf() bool                  { return false }
func (g orderedGroup) Fields() []parquet.Field     { return g }
func (g orderedGroup) Encoding() encoding.Encoding { return nil }
func (g orderedGroup) Compression() compress.Codec { return nil }
func (g orderedGroup) String() string              { return parquet.NewSchema("", g).String() }
func (g orderedGroup) GoType() reflect.Type        { return goStructOf(g) }

// goStructOf mirrors what parquet-go does for its own groups; only reflection
// based code paths use it, the writer above does not.
func goStructOf(fields []parquet.Field) reflect.Type {
	sf := make([]reflect.StructField, len(fields))
	for i, f := range fields {
		sf[i] = reflect.StructField{
			Name: "C" + strconv.Itoa(i),
			Type: f.GoType(),
			Tag:  reflect.StructTag(`parquet:` + strconv.Quote(strings.ReplaceAll(f.Name(), ",", "_"))),
		}
	}
	return reflect.StructOf(sf)
}

type orderedField struct {
	parquet.Node
	name string
}

func (f *orderedField) Name() string { return f.name }

// Value is only used when writing Go values by reflection, which this
// package does not do.
func (f *orderedField) Value(base reflect.Value) reflect.Value {
	if base.Kind() == reflect.Map {
		return base.MapIndex(reflect.ValueOf(f.name))
	}
	return reflect.Value{}
}
