package plan

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/cohesio/cohesio/internal/catalog"
	"github.com/cohesio/cohesio/internal/store"
)

// errShape: the rows hold something the resolvers would answer differently (a NULL in a
// non-null field...): the root field goes to the resolvers.
var errShape = errors.New("plan: unexpected value, left to the resolvers")

// Write appends the JSON of the root field, read from rows, to buf.
func (r *Root) Write(buf *bytes.Buffer, rows *store.PlanRows) error {
	w := writer{buf: buf, rows: rows}
	if r.conn != nil {
		start, end := rows.Page(r.Many, 0)
		return w.conn(r.conn, 0, start, end, rows.Total(r.Many, 0))
	}
	start, end := rows.Page(r.Many, 0)
	if start == end {
		buf.WriteString("null")
		return nil
	}
	return w.object(r.obj, r.Many, start)
}

type writer struct {
	buf  *bytes.Buffer
	rows *store.PlanRows
	tmp  []byte
}

// conn writes the page [start, end) of c, under record parent of the enclosing set.
func (w *writer) conn(c *connW, parent, start, end int, total []byte) error {
	b := w.buf
	m := c.m
	b.WriteByte('{')
	for i := range c.fields {
		fd := &c.fields[i]
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(fd.key)
		switch fd.kind {
		case fTypename:
			writeQuoted(b, fd.typename)
		case fTotal:
			if total == nil {
				b.WriteByte('0')
			} else {
				b.Write(total)
			}
		case fNodes:
			b.WriteByte('[')
			for rec := start; rec < end; rec++ {
				if rec > start {
					b.WriteByte(',')
				}
				if err := w.object(fd.obj, m, rec); err != nil {
					return err
				}
			}
			b.WriteByte(']')
		case fEdges:
			b.WriteByte('[')
			for rec := start; rec < end; rec++ {
				if rec > start {
					b.WriteByte(',')
				}
				b.WriteByte('{')
				for j := range fd.sub {
					sub := &fd.sub[j]
					if j > 0 {
						b.WriteByte(',')
					}
					b.WriteString(sub.key)
					switch sub.kind {
					case fTypename:
						writeQuoted(b, sub.typename)
					case fCursor:
						cur, err := w.rows.Cursor(m, rec)
						if err != nil {
							return err
						}
						writeQuoted(b, cur)
					case fNode:
						if err := w.object(sub.obj, m, rec); err != nil {
							return err
						}
					}
				}
				b.WriteByte('}')
			}
			b.WriteByte(']')
		case fAggregate:
			b.WriteByte('{')
			for j := range fd.sub {
				sub := &fd.sub[j]
				if j > 0 {
					b.WriteByte(',')
				}
				b.WriteString(sub.key)
				if sub.kind == fTypename {
					writeQuoted(b, sub.typename)
					continue
				}
				if err := w.aggregate(sub, w.rows.Aggregate(m, parent, sub.i)); err != nil {
					return err
				}
			}
			b.WriteByte('}')
		case fPageInfo:
			hasNext, hasPrev := w.rows.PageInfo(m, parent)
			b.WriteByte('{')
			for j := range fd.sub {
				sub := &fd.sub[j]
				if j > 0 {
					b.WriteByte(',')
				}
				b.WriteString(sub.key)
				switch sub.kind {
				case fTypename:
					writeQuoted(b, sub.typename)
				case fHasNext:
					writeBool(b, hasNext)
				case fHasPrev:
					writeBool(b, hasPrev)
				case fStart, fEnd:
					if start == end {
						b.WriteString("null")
						break
					}
					rec := start
					if sub.kind == fEnd {
						rec = end - 1
					}
					cur, err := w.rows.Cursor(m, rec)
					if err != nil {
						return err
					}
					writeQuoted(b, cur)
				}
			}
			b.WriteByte('}')
		}
	}
	b.WriteByte('}')
	return nil
}

func writeBool(b *bytes.Buffer, v bool) {
	if v {
		b.WriteString("true")
	} else {
		b.WriteString("false")
	}
}

// object writes record rec of m as o; for a to-one object, the record is its holder's.
func (w *writer) object(o *objW, m *store.PlanMany, rec int) error {
	b := w.buf
	b.WriteByte('{')
	for i := range o.fields {
		fd := &o.fields[i]
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(fd.key)
		switch fd.kind {
		case fTypename:
			writeQuoted(b, fd.typename)
		case fID:
			v := w.rows.Value(m, rec, o.po.Col(fd.i))
			if v == nil {
				return errShape
			}
			// catalog.GlobalID: base64url("Type:id"), unpadded.
			w.tmp = append(append(append(w.tmp[:0], fd.typename...), ':'), v...)
			b.WriteByte('"')
			n := base64.RawURLEncoding.EncodedLen(len(w.tmp))
			b.Grow(n)
			dst := b.AvailableBuffer()[:n]
			base64.RawURLEncoding.Encode(dst, w.tmp)
			b.Write(dst)
			b.WriteByte('"')
		case fScalar:
			if err := w.scalar(fd, w.rows.Value(m, rec, o.po.Col(fd.i))); err != nil {
				return err
			}
		case fByLang:
			v := w.rows.Value(m, rec, o.po.Col(fd.i))
			if fd.nl >= 0 {
				if nl := w.rows.Value(m, rec, o.po.Col(fd.nl)); len(nl) > 0 {
					v = nl
				}
			}
			if err := w.scalar(fd, v); err != nil {
				return err
			}
		case fToOne:
			if w.rows.Value(m, rec, fd.obj.po.IDCol()) == nil {
				if fd.nonNull {
					return errShape
				}
				b.WriteString("null")
				break
			}
			if err := w.object(fd.obj, m, rec); err != nil {
				return err
			}
		case fConn:
			start, end := w.rows.Page(fd.conn.m, rec)
			if err := w.conn(fd.conn, rec, start, end, w.rows.Total(fd.conn.m, rec)); err != nil {
				return err
			}
		}
	}
	b.WriteByte('}')
	return nil
}

// aggregate writes an aggregate's numeric text as model.Aggregate and the Int and Decimal
// marshallers write it: counts as integers, the others as exact decimal strings or null.
func (w *writer) aggregate(fd *field, v []byte) error {
	if v == nil {
		if fd.kind == fAggInt {
			w.buf.WriteByte('0')
		} else {
			w.buf.WriteString("null")
		}
		return nil
	}
	d, err := decimal.NewFromString(string(v))
	if err != nil {
		return err
	}
	if fd.kind == fAggInt {
		w.buf.Write(strconv.AppendInt(w.tmp[:0], int64(int32(d.IntPart())), 10))
		return nil
	}
	writeQuoted(w.buf, d.String())
	return nil
}

// scalar writes a column's text value as the generated marshallers write the Go value the
// resolvers scan it into.
func (w *writer) scalar(fd *field, v []byte) error {
	b := w.buf
	f := fd.f
	if v == nil {
		switch {
		case f.Kind == catalog.KindStringList && fd.nonNull:
			b.WriteString("[]") // a nil []string marshals as an empty non-null list
			return nil
		case fd.nonNull:
			return errShape
		}
		b.WriteString("null")
		return nil
	}
	switch f.Kind {
	case catalog.KindString:
		writeQuotedBytes(b, v)
	case catalog.KindInt:
		b.Write(v)
	case catalog.KindBool:
		writeBool(b, len(v) > 0 && v[0] == 't')
	case catalog.KindDate:
		if len(v) != 10 || v[4] != '-' || v[7] != '-' {
			return errShape
		}
		b.WriteByte('"')
		b.Write(v)
		b.WriteByte('"')
	case catalog.KindDecimal:
		b.WriteByte('"')
		if err := writeDecimal(b, v); err != nil {
			return err
		}
		b.WriteByte('"')
	case catalog.KindEnum:
		known := false
		for _, x := range f.Enum {
			if x == string(v) {
				known = true
				break
			}
		}
		b.WriteByte('"')
		if known {
			for _, c := range v {
				if 'a' <= c && c <= 'z' {
					c -= 'a' - 'A'
				}
				b.WriteByte(c)
			}
		}
		b.WriteByte('"')
	case catalog.KindStringList:
		return writeTextArray(b, v)
	default:
		return errShape
	}
	return nil
}

// writeDecimal writes PostgreSQL's numeric text as decimal.Decimal.String() would: trailing
// fractional zeros dropped. Plain digits take the fast path.
func writeDecimal(b *bytes.Buffer, v []byte) error {
	plain := len(v) > 0
	dot := -1
	for i, c := range v {
		switch {
		case c >= '0' && c <= '9':
		case c == '.' && dot < 0:
			dot = i
		case c == '-' && i == 0:
		default:
			plain = false
		}
	}
	if !plain || (v[0] == '-' && len(v) == 1) {
		d, err := decimal.NewFromString(string(v))
		if err != nil {
			return errShape
		}
		b.WriteString(d.String())
		return nil
	}
	if dot >= 0 {
		end := len(v)
		for end > dot+1 && v[end-1] == '0' {
			end--
		}
		if end == dot+1 {
			end = dot
		}
		v = v[:end]
	}
	if string(v) == "-0" {
		v = v[1:] // PostgreSQL writes no negative zero; decimal would not either
	}
	b.Write(v)
	return nil
}

// writeTextArray writes a PostgreSQL text[] literal ({a,"b c"}) as a JSON list of strings.
func writeTextArray(b *bytes.Buffer, v []byte) error {
	if len(v) < 2 || v[0] != '{' || v[len(v)-1] != '}' {
		return errShape
	}
	v = v[1 : len(v)-1]
	b.WriteByte('[')
	var elem []byte
	for n := 0; len(v) > 0; n++ {
		if n > 0 {
			if v[0] != ',' {
				return errShape
			}
			v = v[1:]
			b.WriteByte(',')
		}
		elem = elem[:0]
		if len(v) > 0 && v[0] == '"' {
			i := 1
			for ; i < len(v) && v[i] != '"'; i++ {
				if v[i] == '\\' {
					i++
				}
				if i < len(v) {
					elem = append(elem, v[i])
				}
			}
			if i >= len(v) {
				return errShape
			}
			v = v[i+1:]
		} else {
			i := 0
			for i < len(v) && v[i] != ',' {
				i++
			}
			elem = append(elem, v[:i]...)
			v = v[i:]
			if string(elem) == "NULL" || len(elem) == 0 || bytes.ContainsAny(elem, "{}\"") {
				return errShape
			}
		}
		writeQuotedBytes(b, elem)
	}
	b.WriteByte(']')
	return nil
}

const hex = "0123456789ABCDEF"

// writeQuoted and writeQuotedBytes write a string as graphql.MarshalString does: only
// control characters, backslash and quote are escaped (bytes of multi-byte UTF-8 sequences
// are never below 0x80, so a byte-wise scan escapes exactly what the rune-wise one does).
func writeQuoted(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '\\' && c != '"' {
			continue
		}
		b.WriteString(s[start:i])
		escape(b, c)
		start = i + 1
	}
	b.WriteString(s[start:])
	b.WriteByte('"')
}

func writeQuotedBytes(b *bytes.Buffer, s []byte) {
	b.WriteByte('"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '\\' && c != '"' {
			continue
		}
		b.Write(s[start:i])
		escape(b, c)
		start = i + 1
	}
	b.Write(s[start:])
	b.WriteByte('"')
}

func escape(b *bytes.Buffer, c byte) {
	switch c {
	case '\t':
		b.WriteString(`\t`)
	case '\r':
		b.WriteString(`\r`)
	case '\n':
		b.WriteString(`\n`)
	case '\\':
		b.WriteString(`\\`)
	case '"':
		b.WriteString(`\"`)
	default:
		b.WriteString(`\u00`)
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&0xf])
	}
}
