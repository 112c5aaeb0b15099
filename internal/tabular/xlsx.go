package tabular

import (
	"archive/zip"
	"bufio"
	"errors"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/klauspost/compress/flate"
	"github.com/xuri/excelize/v2"
)

// maxSheetRows is Excel's row limit per sheet, header included; a variable so
// tests can exercise the rollover to "data 2".
var maxSheetRows = 1_048_576

// excelEpochDays is 1899-12-30, Excel's day zero, in days since 1970-01-01.
const excelEpochDays = -25569

// excelFirstRealDay is 1900-03-01 in days since 1970-01-01. Excel believes
// 1900 was a leap year, so serial numbers are only right from here on.
const excelFirstRealDay = -25508

type xlsxWriter struct {
	dst         io.Writer
	f           *excelize.File
	cols        []Column
	sw          *excelize.StreamWriter
	sheets      int // data sheets created so far
	sheetRow    int // last row written on the current sheet, header included
	headerStyle int
	dateStyle   int
	cells       []any // reused for every row
	rows        int64
	closed      bool
}

func newXLSXWriter(w io.Writer, cols []Column) (*xlsxWriter, error) {
	f := excelize.NewFile()
	xw := &xlsxWriter{dst: w, f: f, cols: cols, cells: make([]any, len(cols))}
	err := f.SetDocProps(&excelize.DocProperties{Creator: "cohesio"})
	if err == nil {
		xw.headerStyle, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	}
	if err == nil {
		format := "yyyy-mm-dd"
		xw.dateStyle, err = f.NewStyle(&excelize.Style{CustomNumFmt: &format})
	}
	if err == nil {
		err = f.SetSheetName("Sheet1", "data")
	}
	if err == nil {
		err = xw.startSheet()
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return xw, nil
}

// startSheet opens the next data sheet and writes its header row.
func (xw *xlsxWriter) startSheet() error {
	xw.sheets++
	name := "data"
	if xw.sheets > 1 {
		name = "data " + strconv.Itoa(xw.sheets)
		if _, err := xw.f.NewSheet(name); err != nil {
			return err
		}
	}
	sw, err := xw.f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	xw.sw = sw
	// Wide enough that dates do not show as "########". Excelize prepends
	// each setting and Excel wants them by ascending column: go backwards.
	for i := len(xw.cols) - 1; i >= 0; i-- {
		width := float64(max(len(xw.cols[i].Name), 10) + 2)
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return err
		}
	}
	err = sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	if err != nil {
		return err
	}
	header := make([]any, len(xw.cols))
	for i, c := range xw.cols {
		header[i] = excelize.Cell{StyleID: xw.headerStyle, Value: c.Name}
	}
	xw.sheetRow = 1
	return sw.SetRow("A1", header)
}

func (xw *xlsxWriter) Write(row [][]byte) error {
	if xw.closed {
		return errClosed
	}
	rowNum := xw.rows + 1
	if err := checkRow(xw.cols, row, rowNum); err != nil {
		return err
	}
	// Convert before touching the sheet so a bad value cannot leave a
	// freshly started, empty "data N" sheet behind.
	for i, v := range row {
		if v == nil {
			continue // SetRow skips nil: an empty cell
		}
		switch xw.cols[i].Type {
		case String:
			// Excelize copies v into the sheet XML, truncated to Excel's
			// 32,767 characters per cell.
			xw.cells[i] = v
		case Integer:
			n, err := strconv.ParseInt(string(v), 10, 64)
			if err != nil {
				clear(xw.cells)
				return invalid(xw.cols[i], v, rowNum)
			}
			xw.cells[i] = n
		case Number:
			f, err := strconv.ParseFloat(string(v), 64)
			if err != nil {
				clear(xw.cells)
				return invalid(xw.cols[i], v, rowNum)
			}
			xw.cells[i] = f
		case Date:
			days, _ := parseDate(v)
			if days < excelFirstRealDay {
				// Excel has no correct serial number before 1900-03-01.
				xw.cells[i] = v
			} else {
				xw.cells[i] = excelize.Cell{StyleID: xw.dateStyle, Value: days - excelEpochDays}
			}
		case Boolean:
			xw.cells[i], _ = parseBool(v)
		}
	}
	if xw.sheetRow >= maxSheetRows {
		if err := xw.sw.Flush(); err != nil {
			return err
		}
		if err := xw.startSheet(); err != nil {
			return err
		}
	}
	xw.sheetRow++
	cell, err := excelize.CoordinatesToCellName(1, xw.sheetRow)
	if err == nil {
		err = xw.sw.SetRow(cell, xw.cells)
	}
	clear(xw.cells) // drop references to the caller's buffers
	if err != nil {
		return err
	}
	xw.rows++
	return nil
}

func (xw *xlsxWriter) Rows() int64 { return xw.rows }

func (xw *xlsxWriter) Close() error {
	if xw.closed {
		return nil
	}
	xw.closed = true
	defer xw.f.Close() // removes excelize's temporary files
	if err := xw.sw.Flush(); err != nil {
		return err
	}
	if err := xw.writeFieldsSheet(); err != nil {
		return err
	}
	// excelize would assemble the whole zip in memory and write its streamed
	// sheets in map order; sortedZip spools entries to a temporary file and
	// writes them to dst sorted by name, so the bytes are reproducible.
	zw := &sortedZip{dst: xw.dst}
	xw.f.ZipWriter = func(io.Writer) excelize.ZipWriter { return zw }
	_, err := xw.f.WriteToBuffer() // the buffer stays empty: zw writes to dst
	return errors.Join(err, zw.cleanup())
}

// writeFieldsSheet describes every column on the "fields" sheet, after the
// data sheets.
func (xw *xlsxWriter) writeFieldsSheet() error {
	const sheet = "fields"
	if _, err := xw.f.NewSheet(sheet); err != nil {
		return err
	}
	header := []any{"name", "type", "unit", "description", "description_fr", "description_nl"}
	if err := xw.f.SetSheetRow(sheet, "A1", &header); err != nil {
		return err
	}
	if err := xw.f.SetRowStyle(sheet, 1, 1, xw.headerStyle); err != nil {
		return err
	}
	for i, c := range xw.cols {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		values := []any{c.Name, c.Type.String(), c.Unit, c.Description, c.DescriptionFR, c.DescriptionNL}
		if err := xw.f.SetSheetRow(sheet, cell, &values); err != nil {
			return err
		}
	}
	if err := xw.f.SetColWidth(sheet, "A", "C", 16); err != nil {
		return err
	}
	return xw.f.SetColWidth(sheet, "D", "F", 60)
}

// sortedZip is an excelize.ZipWriter that compresses each entry into a
// spool file as excelize produces it, then writes the archive to dst with the
// entries sorted by name. Compression dominates XLSX time; klauspost's flate
// is about twice as fast as the standard library's at a similar size.
type sortedZip struct {
	dst     io.Writer
	spool   *os.File
	buf     *bufio.Writer // in front of spool
	size    int64         // bytes written to buf so far
	fw      *flate.Writer // compresses into spoolWriter{z}
	entries []zipEntry
	cur     *zipEntry
}

type zipEntry struct {
	name             string
	offset, compSize int64
	crc              uint32
	size             int64
}

type spoolWriter struct{ z *sortedZip }

func (w spoolWriter) Write(p []byte) (int, error) {
	n, err := w.z.buf.Write(p)
	w.z.size += int64(n)
	return n, err
}

func (z *sortedZip) Create(name string) (io.Writer, error) {
	if err := z.endEntry(); err != nil {
		return nil, err
	}
	if z.spool == nil {
		f, err := os.CreateTemp("", "tabular-xlsx-*")
		if err != nil {
			return nil, err
		}
		z.spool, z.buf = f, bufio.NewWriterSize(f, 64<<10)
		if z.fw, err = flate.NewWriter(spoolWriter{z}, flate.DefaultCompression); err != nil {
			return nil, err
		}
	} else {
		z.fw.Reset(spoolWriter{z})
	}
	z.entries = append(z.entries, zipEntry{name: name, offset: z.size})
	z.cur = &z.entries[len(z.entries)-1]
	return entryWriter{z}, nil
}

type entryWriter struct{ z *sortedZip }

func (w entryWriter) Write(p []byte) (int, error) {
	e := w.z.cur
	e.crc = crc32.Update(e.crc, crc32.IEEETable, p)
	e.size += int64(len(p))
	return w.z.fw.Write(p)
}

func (z *sortedZip) endEntry() error {
	if z.cur == nil {
		return nil
	}
	err := z.fw.Close()
	z.cur.compSize = z.size - z.cur.offset
	z.cur = nil
	return err
}

func (z *sortedZip) AddFS(fs.FS) error {
	return errors.New("tabular: AddFS not supported")
}

func (z *sortedZip) Close() error {
	if err := z.endEntry(); err != nil {
		return err
	}
	if z.buf != nil {
		if err := z.buf.Flush(); err != nil {
			return err
		}
	}
	slices.SortFunc(z.entries, func(a, b zipEntry) int { return strings.Compare(a.name, b.name) })
	zw := zip.NewWriter(z.dst)
	for _, e := range z.entries {
		w, err := zw.CreateRaw(&zip.FileHeader{
			Name:               e.name,
			Method:             zip.Deflate,
			CRC32:              e.crc,
			CompressedSize64:   uint64(e.compSize),
			UncompressedSize64: uint64(e.size),
		})
		if err != nil {
			return err
		}
		if _, err := io.Copy(w, io.NewSectionReader(z.spool, e.offset, e.compSize)); err != nil {
			return err
		}
	}
	return zw.Close()
}

// cleanup removes the spool file.
func (z *sortedZip) cleanup() error {
	if z.spool == nil {
		return nil
	}
	return errors.Join(z.spool.Close(), os.Remove(z.spool.Name()))
}
