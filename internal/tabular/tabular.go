// Package tabular writes one table of rows in the export formats offered for
// download: CSV, CSV for Excel (Belgian locale), XLSX, Parquet and NDJSON.
//
// Rows arrive as PostgreSQL text output, one []byte per column, nil for NULL;
// each writer validates the values of typed columns so that a bad value fails
// loudly instead of producing a file that other tools misread.
package tabular

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Type is a column's logical type (Frictionless Table Schema names).
type Type int

const (
	String Type = iota
	Integer
	Number
	Date
	Boolean
)

func (t Type) String() string {
	switch t {
	case String:
		return "string"
	case Integer:
		return "integer"
	case Number:
		return "number"
	case Date:
		return "date"
	case Boolean:
		return "boolean"
	}
	return "Type(" + strconv.Itoa(int(t)) + ")"
}

// Column describes one output column.
type Column struct {
	Name          string // snake_case header
	Type          Type
	Unit          string // e.g. "EUR", "persons"; may be empty
	Description   string // English
	DescriptionFR string
	DescriptionNL string
}

// Format names an export format; the values are the accepted ParseFormat inputs.
type Format string

const (
	CSV      Format = "csv"       // RFC 4180, UTF-8, comma, CRLF, header row
	CSVExcel Format = "csv-excel" // UTF-8 BOM, ';' separator, decimal comma, CRLF: opens correctly in Belgian (fr/nl) Excel
	XLSX     Format = "xlsx"
	Parquet  Format = "parquet"
	NDJSON   Format = "ndjson"
)

// Formats returns all supported formats.
func Formats() []Format {
	return []Format{CSV, CSVExcel, XLSX, Parquet, NDJSON}
}

// ParseFormat returns the format named s (case-insensitive).
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats() {
		if strings.EqualFold(s, string(f)) {
			return f, nil
		}
	}
	names := make([]string, 0, 5)
	for _, f := range Formats() {
		names = append(names, string(f))
	}
	return "", fmt.Errorf("tabular: unknown format %q (accepted: %s)", s, strings.Join(names, ", "))
}

// ContentType returns the media type to send with the format.
func (f Format) ContentType() string {
	switch f {
	case CSV, CSVExcel:
		return "text/csv; charset=utf-8; header=present"
	case XLSX:
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case Parquet:
		return "application/vnd.apache.parquet"
	case NDJSON:
		return "application/x-ndjson"
	}
	return "application/octet-stream"
}

// Extension returns the file name extension, without the leading dot.
// The Excel variant gets "excel.csv" so both CSVs can sit in one folder.
func (f Format) Extension() string {
	switch f {
	case CSV:
		return "csv"
	case CSVExcel:
		return "excel.csv"
	case XLSX:
		return "xlsx"
	case Parquet:
		return "parquet"
	case NDJSON:
		return "ndjson"
	}
	return ""
}

// Writer writes rows of one table.
type Writer interface {
	// Write appends one row: one value per column, in PostgreSQL's text output format
	// (integers "42", numbers "12.5" / "-0.25" / "1000", dates "2024-01-31", booleans "t"/"f",
	// strings as UTF-8), nil for NULL. The writer must not keep the slices after it returns
	// (the caller reuses the buffers).
	Write(row [][]byte) error
	// Rows is the number of rows written so far.
	Rows() int64
	// Close writes whatever the format needs at the end and flushes. It does not close the underlying io.Writer.
	Close() error
}

// NewWriter returns a Writer producing format f on w. Column names must be
// non-empty and unique (they become JSON keys and Parquet column names).
func NewWriter(w io.Writer, f Format, cols []Column) (Writer, error) {
	if len(cols) == 0 {
		return nil, errors.New("tabular: no columns")
	}
	seen := make(map[string]bool, len(cols))
	for _, c := range cols {
		if c.Name == "" {
			return nil, errors.New("tabular: column with empty name")
		}
		if seen[c.Name] {
			return nil, fmt.Errorf("tabular: duplicate column name %q", c.Name)
		}
		seen[c.Name] = true
		if c.Type < String || c.Type > Boolean {
			return nil, fmt.Errorf("tabular: column %q: unknown type %d", c.Name, int(c.Type))
		}
	}
	cols = slices.Clone(cols) // the caller may reuse its slice
	switch f {
	case CSV:
		return newCSVWriter(w, cols, ',', false)
	case CSVExcel:
		return newCSVWriter(w, cols, ';', true)
	case NDJSON:
		return newNDJSONWriter(w, cols), nil
	case XLSX:
		return newXLSXWriter(w, cols)
	case Parquet:
		return newParquetWriter(w, cols)
	}
	_, err := ParseFormat(string(f))
	return nil, err
}

var errClosed = errors.New("tabular: write after Close")

// checkRow validates every value of row against its column type before any
// byte is written, so a rejected row leaves the output untouched.
func checkRow(cols []Column, row [][]byte, rowNum int64) error {
	if len(row) != len(cols) {
		return fmt.Errorf("tabular: row %d has %d values, want %d", rowNum, len(row), len(cols))
	}
	for i, v := range row {
		if v == nil {
			continue
		}
		var ok bool
		switch cols[i].Type {
		case String:
			ok = true
		case Integer:
			ok = isInteger(v)
		case Number:
			ok = isNumber(v)
		case Date:
			_, ok = parseDate(v)
		case Boolean:
			_, ok = parseBool(v)
		}
		if !ok {
			return invalid(cols[i], v, rowNum)
		}
	}
	return nil
}

func invalid(c Column, v []byte, rowNum int64) error {
	return fmt.Errorf("tabular: row %d, column %q: invalid %s value %q", rowNum, c.Name, c.Type, v)
}

// isInteger accepts PostgreSQL's integer output, which is also a JSON integer:
// optional minus, no leading zeros.
func isInteger(b []byte) bool {
	if len(b) > 0 && b[0] == '-' {
		b = b[1:]
	}
	n := digits(b)
	return n == len(b) && n > 0 && (b[0] != '0' || n == 1)
}

// isNumber accepts the JSON number grammar, which covers PostgreSQL's numeric
// and float8 output except NaN and ±Infinity; those have no JSON or Excel
// representation, so they are rejected everywhere for consistency.
func isNumber(b []byte) bool {
	if len(b) > 0 && b[0] == '-' {
		b = b[1:]
	}
	n := digits(b)
	if n == 0 || (b[0] == '0' && n > 1) {
		return false
	}
	b = b[n:]
	if len(b) > 0 && b[0] == '.' {
		n = digits(b[1:])
		if n == 0 {
			return false
		}
		b = b[1+n:]
	}
	if len(b) > 0 && (b[0] == 'e' || b[0] == 'E') {
		b = b[1:]
		if len(b) > 0 && (b[0] == '+' || b[0] == '-') {
			b = b[1:]
		}
		n = digits(b)
		if n == 0 {
			return false
		}
		b = b[n:]
	}
	return len(b) == 0
}

func digits(b []byte) int {
	for i, c := range b {
		if c < '0' || c > '9' {
			return i
		}
	}
	return len(b)
}

// parseDate parses "YYYY-MM-DD" and returns days since 1970-01-01. Other
// PostgreSQL date outputs (infinity, BC, years past 9999) are rejected.
func parseDate(b []byte) (int64, bool) {
	if len(b) != 10 || b[4] != '-' || b[7] != '-' ||
		digits(b[:4]) != 4 || digits(b[5:7]) != 2 || digits(b[8:]) != 2 {
		return 0, false
	}
	y := int64(b[0]-'0')*1000 + int64(b[1]-'0')*100 + int64(b[2]-'0')*10 + int64(b[3]-'0')
	m := int64(b[5]-'0')*10 + int64(b[6]-'0')
	d := int64(b[8]-'0')*10 + int64(b[9]-'0')
	if m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m) {
		return 0, false
	}
	return daysFromCivil(y, m, d), true
}

func daysInMonth(y, m int64) int64 {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil is Howard Hinnant's days_from_civil: proleptic Gregorian
// date to days since 1970-01-01, without going through time.Time.
func daysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 { // January or February of year 0000
		era = (y - 399) / 400
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// parseBool accepts PostgreSQL's "t"/"f" and also "true"/"false".
func parseBool(b []byte) (value, ok bool) {
	switch string(b) {
	case "t", "true":
		return true, true
	case "f", "false":
		return false, true
	}
	return false, false
}
