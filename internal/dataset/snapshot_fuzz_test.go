package dataset

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// snapshotStream encodes a snapshot's canonical stream (before gzip) as CreateSnapshot does.
func snapshotStream(dataset string, threshold *int, fields []byte, rows [][][]byte) []byte {
	var buf bytes.Buffer
	enc := &encoder{w: bufio.NewWriter(&buf)}
	enc.header(dataset, threshold, fields)
	for _, row := range rows {
		if err := enc.row(row); err != nil {
			panic(err)
		}
	}
	if err := enc.w.Flush(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// decodeSnapshot reads a canonical stream as ExportSnapshot does, copying the rows out.
func decodeSnapshot(data []byte, columns int) (rows [][][]byte, err error) {
	dec := &decoder{r: bufio.NewReaderSize(bytes.NewReader(data), 64<<10), row: make([][]byte, columns), buf: make([]byte, 0, 4096)}
	if err := dec.header(); err != nil {
		return nil, err
	}
	for {
		row, err := dec.next()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return rows, err
		}
		out := make([][]byte, len(row))
		for i, v := range row {
			if v != nil {
				out[i] = append([]byte{}, v...)
			}
		}
		rows = append(rows, out)
	}
}

// A snapshot's content comes back from the database: whatever the bytes (a corrupted or
// truncated chunk), decoding them must end in an error or in rows, without a panic and without
// allocating much more than the bytes there are, whatever length a value claims.
func FuzzSnapshotDecoder(f *testing.F) {
	five := 5
	for _, s := range []struct {
		data    []byte
		columns byte
	}{
		{snapshotStream("operators", nil, []byte(`[{"name":"id"},{"name":"name"}]`), [][][]byte{{[]byte("1"), []byte("ASBL")}, {[]byte("2"), nil}, {[]byte(""), []byte("é")}}), 2},
		{snapshotStream("observations", &five, []byte(`[]`), [][][]byte{{nil, nil, []byte("3")}}), 3},
		{snapshotStream("x", nil, nil, nil), 1},
		{[]byte(snapshotMagic), 1},
		{[]byte(snapshotMagic[:10]), 1},
		{[]byte("cohesio-snapshot 2\n\x01\x01\x01"), 1},
		// A value claiming more bytes than follow.
		{append([]byte(snapshotMagic), 0x01, 0x01, 0x01, 0x05, 'a'), 1},
		// A varint longer than 64 bits.
		{append([]byte(snapshotMagic), 0x01, 0x01, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01), 1},
		// A row cut in the middle.
		{append(snapshotStream("x", nil, nil, [][][]byte{{[]byte("a"), []byte("b")}}), 0x02), 2},
	} {
		f.Add(s.data, s.columns)
	}
	f.Fuzz(func(t *testing.T, data []byte, columns byte) {
		n := 1 + int(columns%8) // a snapshot always has columns: with none, next never reaches the end
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		rows, err := func() (rows [][][]byte, err error) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("decoding %d bytes (%q) panicked: %v", len(data), clip(data), r)
				}
			}()
			return decodeSnapshot(data, n)
		}()
		runtime.ReadMemStats(&after)
		// The reader's buffers, the rows copied out (twice the data at most, with the slice
		// headers) and the value buffer growing by doubling.
		budget := 256<<10 + 16*uint64(len(data)) + 64*uint64(len(rows)*n)
		if got := after.TotalAlloc - before.TotalAlloc; got > budget {
			t.Fatalf("decoding %d bytes (%q) allocated %d bytes", len(data), clip(data), got)
		}
		if err != nil {
			var overflow bool
			if _, verr := binary.ReadUvarint(bytes.NewReader(bytes.Repeat([]byte{0xff}, 11))); verr != nil {
				overflow = err.Error() == verr.Error()
			}
			if !overflow && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) && err.Error() != "not a snapshot (bad header)" &&
				!strings.HasPrefix(err.Error(), "corrupt snapshot: ") {
				t.Fatalf("decoding %q: unexpected error %v", clip(data), err)
			}
			return
		}
		for _, row := range rows {
			if len(row) != n {
				t.Fatalf("a row of %d values, want %d", len(row), n)
			}
		}
		// Rows that were read encode into a stream that reads back the same.
		again, err := decodeSnapshot(snapshotStream("x", nil, nil, rows), n)
		if err != nil || !reflect.DeepEqual(again, rows) {
			t.Fatalf("%q read as %q, which encodes and reads back as %q, %v", clip(data), rows, again, err)
		}
	})
}

// Rows encoded then decoded come back the same, NULL (nil) and empty values kept apart, with
// whatever dataset name, threshold and fields the header holds.
func FuzzSnapshotRoundTrip(f *testing.F) {
	f.Add("operators", int64(-1), []byte(`[{"name":"id"}]`), []byte("\x01\x03abc\x00\x01\x00"), byte(2))
	f.Add("", int64(5), []byte(nil), []byte(nil), byte(0))
	f.Add("observations", int64(1<<40), []byte("\xff\x00"), bytes.Repeat([]byte{0x01, 0xff}, 20), byte(7))
	f.Fuzz(func(t *testing.T, dataset string, threshold int64, fields, values []byte, columns byte) {
		n := 1 + int(columns%8)
		var th *int
		if threshold >= 0 {
			v := int(threshold)
			th = &v
		}
		// values gives each value: a NULL, or a length then that many bytes (fewer at the end).
		var rows [][][]byte
		for len(values) > 0 {
			row := make([][]byte, n)
			for i := range row {
				if len(values) == 0 {
					break // the rest of the row is NULL
				}
				c := values[0]
				values = values[1:]
				if c%4 == 0 {
					continue
				}
				l := min(int(c/4), len(values))
				row[i], values = append([]byte{}, values[:l]...), values[l:]
			}
			rows = append(rows, row)
		}
		data := snapshotStream(dataset, th, fields, rows)
		got, err := decodeSnapshot(data, n)
		if err != nil {
			t.Fatalf("%q: %v", clip(data), err)
		}
		if len(got) != len(rows) {
			t.Fatalf("%d rows encoded, %d decoded", len(rows), len(got))
		}
		for r := range rows {
			for i := range rows[r] {
				want, have := rows[r][i], got[r][i]
				if (want == nil) != (have == nil) || !bytes.Equal(want, have) {
					t.Fatalf("row %d value %d: %q (NULL %v) decoded as %q (NULL %v)", r, i, want, want == nil, have, have == nil)
				}
			}
		}
		// The encoding is canonical: the same rows give the same bytes.
		if again := snapshotStream(dataset, th, fields, got); !bytes.Equal(again, data) {
			t.Fatalf("re-encoding the decoded rows changed the bytes")
		}
	})
}

func clip(b []byte) string {
	if len(b) > 200 {
		return fmt.Sprintf("%s... (%d bytes)", b[:200], len(b))
	}
	return string(b)
}
