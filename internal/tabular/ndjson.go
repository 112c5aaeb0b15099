package tabular

import (
	"bufio"
	"bytes"
	"io"
	"unicode/utf8"
)

// ndjsonWriter writes one JSON object per line by hand: encoding/json would
// need a map or struct per row and reorder or allocate.
type ndjsonWriter struct {
	bw     *bufio.Writer
	cols   []Column
	keys   [][]byte // `{"name":` for the first column, `,"name":` after
	rows   int64
	closed bool
}

func newNDJSONWriter(w io.Writer, cols []Column) *ndjsonWriter {
	nw := &ndjsonWriter{bw: bufio.NewWriterSize(w, 64<<10), cols: cols, keys: make([][]byte, len(cols))}
	for i, c := range cols {
		k := []byte{','}
		if i == 0 {
			k[0] = '{'
		}
		k = appendJSONString(k, []byte(c.Name))
		nw.keys[i] = append(k, ':')
	}
	return nw
}

func (nw *ndjsonWriter) Write(row [][]byte) error {
	if nw.closed {
		return errClosed
	}
	if err := checkRow(nw.cols, row, nw.rows+1); err != nil {
		return err
	}
	bw := nw.bw
	for i, v := range row {
		bw.Write(nw.keys[i])
		if v == nil {
			bw.WriteString("null")
			continue
		}
		switch nw.cols[i].Type {
		case Integer, Number:
			bw.Write(v) // validated: already JSON number text
		case Boolean:
			if b, _ := parseBool(v); b {
				bw.WriteString("true")
			} else {
				bw.WriteString("false")
			}
		case Date:
			bw.WriteByte('"')
			bw.Write(v)
			bw.WriteByte('"')
		default:
			writeJSONString(bw, v)
		}
	}
	if _, err := bw.WriteString("}\n"); err != nil {
		return err
	}
	nw.rows++
	return nil
}

func (nw *ndjsonWriter) Rows() int64 { return nw.rows }

func (nw *ndjsonWriter) Close() error {
	if nw.closed {
		return nil
	}
	nw.closed = true
	return nw.bw.Flush()
}

const hexDigits = "0123456789abcdef"

// writeJSONString writes s as a JSON string the way encoding/json does:
// control characters escaped, invalid UTF-8 replaced by U+FFFD, and U+2028 /
// U+2029 escaped so the output is also safe to embed in JavaScript.
func writeJSONString(bw *bufio.Writer, s []byte) {
	bw.WriteByte('"')
	start := 0 // s[start:i] is pending, needing no escape
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			bw.Write(s[start:i])
			switch c {
			case '"', '\\':
				bw.WriteByte('\\')
				bw.WriteByte(c)
			case '\n':
				bw.WriteString(`\n`)
			case '\r':
				bw.WriteString(`\r`)
			case '\t':
				bw.WriteString(`\t`)
			default:
				bw.WriteString(`\u00`)
				bw.WriteByte(hexDigits[c>>4])
				bw.WriteByte(hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			bw.Write(s[start:i])
			bw.WriteString(`\ufffd`)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			bw.Write(s[start:i])
			bw.WriteString(`\u202`)
			bw.WriteByte(hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	bw.Write(s[start:])
	bw.WriteByte('"')
}

// appendJSONString is writeJSONString for building the column keys once.
func appendJSONString(dst, s []byte) []byte {
	var buf bytes.Buffer
	bw := bufio.NewWriter(&buf)
	writeJSONString(bw, s)
	bw.Flush()
	return append(dst, buf.Bytes()...)
}
