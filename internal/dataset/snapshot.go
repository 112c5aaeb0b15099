package dataset

import (
	"bufio"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/store"
	"github.com/cohesio/cohesio/internal/tabular"
)

// Snapshot is a frozen export, as the store keeps it.
type Snapshot = store.Snapshot

// ErrForbidden: the caller's role may not read this.
var ErrForbidden = access.ErrForbidden

// A snapshot's content is a canonical encoding of its rows: a header line, the dataset's
// name, the suppression applied and the columns as JSON, then each value as a uvarint
// (0 for NULL, else length+1) followed by its bytes. Its SHA-256 is the snapshot's id; it is
// stored gzipped in chunks of chunkSize.
const (
	snapshotMagic = "cohesio-snapshot 1\n"
	chunkSize     = 1 << 20
)

// CreateSnapshot freezes the rows of r. Freezing the same content again returns the existing
// snapshot, with created false. filter is the client's filter as given, kept for the record.
func (s *Service) CreateSnapshot(ctx context.Context, r Request, filter json.RawMessage) (snap *Snapshot, created bool, err error) {
	if err := r.Role.CheckSnapshot(); err != nil {
		return nil, false, err
	}
	if len(filter) == 0 {
		filter = json.RawMessage("{}")
	}
	stmt, err := s.store.ExportStatement(s.query(r))
	if err != nil {
		return nil, false, err
	}
	cols := r.Dataset.Columns()
	fields, err := json.Marshal(cols)
	if err != nil {
		return nil, false, fmt.Errorf("snapshot fields: %w", err)
	}
	var threshold *int
	if s.suppresses(r) {
		threshold = &s.threshold
	}
	// Spool the compressed rows to a file: the id is the hash of the whole content, and it
	// must be known before the first chunk is stored.
	tmp, err := os.CreateTemp("", "cohesio-snapshot-*")
	if err != nil {
		return nil, false, fmt.Errorf("snapshot: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	hash := sha256.New()
	gz := gzip.NewWriter(tmp)
	enc := &encoder{w: bufio.NewWriterSize(io.MultiWriter(hash, gz), 64<<10)}
	enc.header(r.Dataset.Name, threshold, fields)
	var rows int64
	err = s.rows(ctx, r, progress(r.Progress, func(row [][]byte) error {
		rows++
		return enc.row(row)
	}))
	if err == nil {
		err = enc.w.Flush()
	}
	if err == nil {
		err = gz.Close()
	}
	if err == nil {
		_, err = tmp.Seek(0, io.SeekStart)
	}
	if err != nil {
		return nil, false, fmt.Errorf("snapshot %s: %w", r.Dataset.Name, err)
	}
	snap = &Snapshot{
		ID:                   hex.EncodeToString(hash.Sum(nil)),
		Dataset:              r.Dataset.Name,
		Filter:               filter,
		Query:                stmt,
		Fields:               fields,
		RowCount:             rows,
		SuppressionThreshold: threshold,
	}
	buf := make([]byte, chunkSize)
	return s.store.SaveSnapshot(ctx, snap, func() ([]byte, error) {
		n, err := io.ReadFull(tmp, buf)
		if n > 0 {
			return buf[:n], nil
		}
		if err == io.EOF {
			return nil, nil
		}
		return nil, fmt.Errorf("snapshot spool: %w", err)
	})
}

// SnapshotColumns returns the columns a snapshot was taken with.
func SnapshotColumns(snap *Snapshot) ([]tabular.Column, error) {
	var cols []tabular.Column
	if err := json.Unmarshal(snap.Fields, &cols); err != nil {
		return nil, fmt.Errorf("snapshot %s fields: %w", snap.ID, err)
	}
	return cols, nil
}

// Readable tells whether role may download snap: a snapshot holding unsuppressed person
// counts is for the roles that see them.
func (s *Service) Readable(snap *Snapshot, role access.Role) bool {
	if snap.SuppressionThreshold != nil || role.SeesSmallCounts() {
		return true
	}
	d := s.catalogue.Dataset(snap.Dataset)
	return d != nil && d.Suppression == nil
}

// Snapshot returns the snapshot with that id, if role may read it.
func (s *Service) Snapshot(ctx context.Context, id string, role access.Role) (*Snapshot, error) {
	snap, err := s.store.SnapshotByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !s.Readable(snap, role) {
		return nil, fmt.Errorf("snapshot %s holds unsuppressed person counts, which the %s role may not read: %w", id, role, ErrForbidden)
	}
	return snap, nil
}

// Snapshots lists the snapshots of a dataset (all when empty) that role may read.
func (s *Service) Snapshots(ctx context.Context, dataset string, role access.Role) ([]*Snapshot, error) {
	all, err := s.store.Snapshots(ctx, dataset)
	if err != nil {
		return nil, err
	}
	var out []*Snapshot
	for _, snap := range all {
		if s.Readable(snap, role) {
			out = append(out, snap)
		}
	}
	return out, nil
}

// ExportSnapshot writes the rows of a snapshot in format f: the same bytes every time, whatever
// happened to the live data since.
func (s *Service) ExportSnapshot(ctx context.Context, snap *Snapshot, w io.Writer, f tabular.Format) (int64, error) {
	cols, err := SnapshotColumns(snap)
	if err != nil {
		return 0, err
	}
	if len(cols) == 0 {
		return 0, fmt.Errorf("snapshot %s has no columns", snap.ID)
	}
	tw, err := tabular.NewWriter(w, f, cols)
	if err != nil {
		return 0, err
	}
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(s.store.SnapshotChunks(ctx, snap.ID, func(data []byte) error {
			_, err := pw.Write(data)
			return err
		}))
	}()
	defer pr.Close()
	gz, err := gzip.NewReader(pr)
	if err != nil {
		return 0, fmt.Errorf("snapshot %s: %w", snap.ID, err)
	}
	dec := &decoder{r: bufio.NewReaderSize(gz, 64<<10), row: make([][]byte, len(cols)), buf: make([]byte, 0, 4096)}
	if err := dec.header(); err != nil {
		return 0, fmt.Errorf("snapshot %s: %w", snap.ID, err)
	}
	for {
		row, err := dec.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return tw.Rows(), fmt.Errorf("snapshot %s: %w", snap.ID, err)
		}
		if err := tw.Write(row); err != nil {
			return tw.Rows(), err
		}
	}
	if tw.Rows() != snap.RowCount {
		return tw.Rows(), fmt.Errorf("snapshot %s: read %d rows, expected %d", snap.ID, tw.Rows(), snap.RowCount)
	}
	return tw.Rows(), tw.Close()
}

type encoder struct {
	w   *bufio.Writer
	buf [binary.MaxVarintLen64]byte
}

func (e *encoder) bytes(b []byte, null bool) error {
	n := uint64(0)
	if !null {
		n = uint64(len(b)) + 1
	}
	if _, err := e.w.Write(e.buf[:binary.PutUvarint(e.buf[:], n)]); err != nil {
		return err
	}
	_, err := e.w.Write(b)
	return err
}

func (e *encoder) header(dataset string, threshold *int, fields []byte) {
	e.w.WriteString(snapshotMagic)
	e.bytes([]byte(dataset), false)
	suppression := "none"
	if threshold != nil {
		suppression = fmt.Sprint(*threshold)
	}
	e.bytes([]byte(suppression), false)
	e.bytes(fields, false)
}

func (e *encoder) row(row [][]byte) error {
	for _, v := range row {
		if err := e.bytes(v, v == nil); err != nil {
			return err
		}
	}
	return nil
}

type decoder struct {
	r   *bufio.Reader
	row [][]byte
	buf []byte
}

func (d *decoder) header() error {
	magic := make([]byte, len(snapshotMagic))
	if _, err := io.ReadFull(d.r, magic); err != nil || string(magic) != snapshotMagic {
		return fmt.Errorf("not a snapshot (bad header)")
	}
	for range 3 {
		if _, err := d.value(); err != nil {
			return err
		}
	}
	return nil
}

// maxValue bounds one value of a snapshot: a corrupt length must fail, not allocate.
const maxValue = 64 << 20

// value reads one value; it stays valid until the next row is read. Its buffer grows only as
// its bytes actually arrive, so a corrupt length cannot claim memory that is not there.
func (d *decoder) value() ([]byte, error) {
	n, err := binary.ReadUvarint(d.r)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, nil
	}
	if n-1 > maxValue {
		return nil, fmt.Errorf("corrupt snapshot: a value of %d bytes", n-1)
	}
	start := len(d.buf)
	for left := int(n - 1); left > 0; {
		chunk := min(left, 64<<10)
		at := len(d.buf)
		d.buf = append(d.buf, make([]byte, chunk)...)
		if _, err := io.ReadFull(d.r, d.buf[at:]); err != nil {
			return nil, io.ErrUnexpectedEOF
		}
		left -= chunk
	}
	return d.buf[start:len(d.buf):len(d.buf)], nil
}

func (d *decoder) next() ([][]byte, error) {
	d.buf = d.buf[:0]
	for i := range d.row {
		v, err := d.value()
		if err == io.EOF && i == 0 {
			return nil, io.EOF
		}
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		d.row[i] = v
	}
	return d.row, nil
}
