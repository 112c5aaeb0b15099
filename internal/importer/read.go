package importer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
)

// Format is the kind of file read.
type Format string

const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
)

// ContentType of the formats, for HTTP.
const (
	CSVContentType  = "text/csv"
	XLSXContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// Encoding names the character encoding a CSV file was read in.
const (
	UTF8        = "utf-8"
	Windows1252 = "windows-1252"
)

// errBadEncoding: the file is neither UTF-8 nor Windows-1252 text.
var errBadEncoding = errors.New("bad encoding: the file is neither UTF-8 nor Windows-1252 text (save it as CSV UTF-8 or as an Excel workbook)")

// records reads a table row by row: each record with the line (CSV) or row number (XLSX) it
// starts on. The slice is reused by the next call.
type records interface {
	next() ([]string, int, error)
	close() error
}

// sniffSize is how much of a file is looked at to choose its format, encoding and separator.
const sniffSize = 64 << 10

// open chooses the reader of a file: an XLSX workbook when it starts as a zip archive, CSV
// otherwise, its encoding and separator sniffed from its beginning.
func open(src io.Reader, format Format) (records, Format, string, rune, error) {
	br := bufio.NewReaderSize(src, sniffSize)
	head, err := br.Peek(sniffSize)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, "", "", 0, fmt.Errorf("read the file: %w", err)
	}
	if format == "" {
		format = CSV
		if bytes.HasPrefix(head, []byte("PK\x03\x04")) {
			format = XLSX
		}
	}
	if format == XLSX {
		r, err := openXLSX(br)
		return r, XLSX, "", 0, err
	}
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	enc := UTF8
	if !validUTF8Prefix(head, len(head) == sniffSize) {
		if !plausible1252(head) {
			return nil, CSV, "", 0, errBadEncoding
		}
		enc = Windows1252
	}
	sep := sniffSeparator(head)
	var text io.Reader = br
	if enc == Windows1252 {
		text = charmap.Windows1252.NewDecoder().Reader(br)
	} else if b, _ := br.Peek(3); bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		br.Discard(3) // the byte-order mark Excel writes in "CSV UTF-8"
	}
	cr := csv.NewReader(text)
	cr.Comma = sep
	cr.FieldsPerRecord = -1 // short rows are reported by the columns they lack
	cr.ReuseRecord = true
	cr.LazyQuotes = true
	return &csvRecords{r: cr}, CSV, enc, sep, nil
}

// validUTF8Prefix is utf8.Valid, except that a sequence cut by the end of a truncated
// prefix is not held against it.
func validUTF8Prefix(b []byte, truncated bool) bool {
	if truncated {
		for i := 0; i < utf8.UTFMax && len(b) > 0; i++ {
			if r, _ := utf8.DecodeLastRune(b); r != utf8.RuneError {
				break
			}
			b = b[:len(b)-1]
		}
	}
	return utf8.Valid(b)
}

// plausible1252 reports whether b can be Windows-1252 text: no NUL byte (binary files, UTF-16)
// and none of the five bytes the code page leaves undefined.
func plausible1252(b []byte) bool {
	for _, c := range b {
		switch c {
		case 0x00, 0x81, 0x8d, 0x8f, 0x90, 0x9d:
			return false
		}
	}
	return true
}

// sniffSeparator picks ';', ',' or tab, whichever the first line holds most of outside quotes.
// Spreadsheets saved in French or Dutch use ';', since ',' is their decimal separator.
func sniffSeparator(head []byte) rune {
	counts := map[byte]int{}
	quoted := false
	for _, c := range head {
		if c == '"' {
			quoted = !quoted
			continue
		}
		if quoted {
			continue
		}
		if c == '\n' {
			break
		}
		counts[c]++
	}
	best, sep := 0, ','
	for _, c := range []byte{';', ',', '\t'} {
		if counts[c] > best {
			best, sep = counts[c], rune(c)
		}
	}
	return sep
}

type csvRecords struct {
	r *csv.Reader
}

func (c *csvRecords) next() ([]string, int, error) {
	rec, err := c.r.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, pe.StartLine, fmt.Errorf("line %d: %w", pe.StartLine, pe.Err)
		}
		return nil, 0, err
	}
	line, _ := c.r.FieldPos(0)
	return rec, line, nil
}

func (c *csvRecords) close() error { return nil }

// xlsxRecords streams the rows of a workbook's first sheet. The workbook is held in memory
// (a zip archive must be read at random); its worksheet is streamed, from a temporary file
// when it is large.
type xlsxRecords struct {
	f    *excelize.File
	rows *excelize.Rows
	row  int
}

func openXLSX(r io.Reader) (records, error) {
	f, err := excelize.OpenReader(r)
	if err != nil {
		return nil, fmt.Errorf("read the workbook: %w", err)
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		f.Close()
		return nil, errors.New("read the workbook: it has no sheet")
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("read sheet %q: %w", sheets[0], err)
	}
	return &xlsxRecords{f: f, rows: rows}, nil
}

func (x *xlsxRecords) next() ([]string, int, error) {
	if !x.rows.Next() {
		if err := x.rows.Error(); err != nil {
			return nil, 0, fmt.Errorf("read the workbook: %w", err)
		}
		return nil, 0, io.EOF
	}
	x.row++
	// Raw values: dates come as Excel serials and numbers unformatted, whatever the cell's
	// display format.
	cols, err := x.rows.Columns(excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, x.row, fmt.Errorf("row %d: %w", x.row, err)
	}
	return cols, x.row, nil
}

func (x *xlsxRecords) close() error {
	x.rows.Close()
	return x.f.Close()
}

// separatorName is how a report names a separator.
func separatorName(r rune) string {
	if r == 0 {
		return ""
	}
	return strconv.QuoteRune(r)
}
