package tabular

import (
	"bufio"
	"bytes"
	"io"
)

// csvWriter writes RFC 4180 CSV by hand: encoding/csv would cost an
// allocation per row and cannot write a decimal comma.
type csvWriter struct {
	bw           *bufio.Writer
	cols         []Column
	sep          byte
	decimalComma bool // Excel variant: Number values use ',' as decimal mark
	rows         int64
	closed       bool
}

func newCSVWriter(w io.Writer, cols []Column, sep byte, excel bool) (*csvWriter, error) {
	cw := &csvWriter{bw: bufio.NewWriterSize(w, 64<<10), cols: cols, sep: sep, decimalComma: excel}
	if excel {
		// The BOM is what makes Excel read the file as UTF-8 instead of the
		// ANSI code page.
		cw.bw.WriteString("\uFEFF")
	}
	for i, c := range cols {
		if i > 0 {
			cw.bw.WriteByte(sep)
		}
		cw.writeString([]byte(c.Name))
	}
	_, err := cw.bw.WriteString("\r\n")
	return cw, err
}

// formulaStart lists the first characters that make Excel read a cell as a formula.
var formulaStart = []byte("=+-@\t\r")

func (cw *csvWriter) Write(row [][]byte) error {
	if cw.closed {
		return errClosed
	}
	if err := checkRow(cw.cols, row, cw.rows+1); err != nil {
		return err
	}
	bw := cw.bw
	for i, v := range row {
		if i > 0 {
			bw.WriteByte(cw.sep)
		}
		if v == nil {
			continue
		}
		switch cw.cols[i].Type {
		case String:
			if cw.decimalComma && len(v) > 0 && bytes.IndexByte(formulaStart, v[0]) >= 0 {
				// Excel would run "=…", "+…", "-…" or "@…" as a formula (CSV injection): an
				// apostrophe makes it text. Only the variant made for Excel does this.
				cw.writeString(append([]byte{'\''}, v...))
				continue
			}
			cw.writeString(v)
		case Boolean:
			if b, _ := parseBool(v); b {
				bw.WriteString("true")
			} else {
				bw.WriteString("false")
			}
		case Number:
			if cw.decimalComma {
				// Validated as a JSON number: the only '.' is the decimal mark.
				if j := bytes.IndexByte(v, '.'); j >= 0 {
					bw.Write(v[:j])
					bw.WriteByte(',')
					v = v[j+1:]
				}
			}
			bw.Write(v)
		default: // Integer, Date: validated, nothing to quote
			bw.Write(v)
		}
	}
	// bufio.Writer keeps the first error; reporting it here is enough.
	if _, err := bw.WriteString("\r\n"); err != nil {
		return err
	}
	cw.rows++
	return nil
}

// writeString writes v, quoted only if it contains the separator, a quote or
// a line break.
func (cw *csvWriter) writeString(v []byte) {
	quote := false
	for _, c := range v {
		if c == cw.sep || c == '"' || c == '\r' || c == '\n' {
			quote = true
			break
		}
	}
	if !quote {
		cw.bw.Write(v)
		return
	}
	cw.bw.WriteByte('"')
	for {
		j := bytes.IndexByte(v, '"')
		if j < 0 {
			break
		}
		cw.bw.Write(v[:j+1])
		cw.bw.WriteByte('"')
		v = v[j+1:]
	}
	cw.bw.Write(v)
	cw.bw.WriteByte('"')
}

func (cw *csvWriter) Rows() int64 { return cw.rows }

func (cw *csvWriter) Close() error {
	if cw.closed {
		return nil
	}
	cw.closed = true
	return cw.bw.Flush()
}
