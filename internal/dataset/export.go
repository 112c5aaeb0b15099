package dataset

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/disclosure"
	"github.com/cohesio/cohesio/internal/store"
	"github.com/cohesio/cohesio/internal/tabular"
)

// Service exports the datasets of a catalogue from a store.
type Service struct {
	store     *store.Store
	catalogue *Catalogue
	threshold int
}

// NewService returns a service suppressing person counts below threshold (disclosure's
// default when threshold <= 0) for roles that may not see small counts.
func NewService(s *store.Store, c *Catalogue, threshold int) *Service {
	if threshold <= 0 {
		threshold = disclosure.DefaultThreshold
	}
	return &Service{store: s, catalogue: c, threshold: threshold}
}

// Catalogue returns the datasets the service publishes.
func (s *Service) Catalogue() *Catalogue { return s.catalogue }

// Licence is the licence of every dataset.
func (s *Service) Licence() *License { l := licence; return &l }

// Threshold is the smallest person count published as is to roles below analyst.
func (s *Service) Threshold() int { return s.threshold }

// Request says what to export and for whom.
type Request struct {
	Dataset *Dataset
	// Filter is the client's filter, on the dataset's entity, as in the read API.
	Filter Filter
	Role   access.Role
	// Progress, when set, is told the number of rows written so far, now and then.
	Progress func(rows int64)
}

// suppresses tells whether the request's output withholds small person counts.
func (s *Service) suppresses(r Request) bool {
	return r.Dataset.Suppression != nil && !r.Role.SeesSmallCounts()
}

func (s *Service) query(r Request) store.ExportQuery {
	d := r.Dataset
	q := store.ExportQuery{
		Entity: d.Entity,
		Filter: Filter{And: []Filter{d.Published, r.Filter}},
		Order:  paths(d.Order...),
	}
	for _, f := range d.Fields {
		q.Columns = append(q.Columns, splitPath(f.Path))
	}
	return q
}

// Coverage is the extent of a dataset's rows.
type Coverage = store.Coverage

// Coverages measures the rows of each request (number, dates, territories, sources) in one
// statement.
func (s *Service) Coverages(ctx context.Context, rs []Request) ([]Coverage, error) {
	qs := make([]store.CoverageQuery, len(rs))
	for i, r := range rs {
		d := r.Dataset
		qs[i] = store.CoverageQuery{ExportQuery: s.query(r), From: splitPath(d.From), To: splitPath(d.To), Place: splitPath(d.Place)}
	}
	return s.store.Coverages(ctx, qs)
}

// Count returns the number of rows an export of r writes.
func (s *Service) Count(ctx context.Context, r Request) (int64, error) {
	c, err := s.Coverages(ctx, []Request{r})
	if err != nil {
		return 0, err
	}
	return c[0].Rows, nil
}

// Export writes the rows of r to w in format f and returns how many it wrote. Rows stream
// from the database to w: memory does not grow with the size of the dataset.
func (s *Service) Export(ctx context.Context, r Request, w io.Writer, f tabular.Format) (int64, error) {
	tw, err := tabular.NewWriter(w, f, r.Dataset.Columns())
	if err != nil {
		return 0, err
	}
	err = s.rows(ctx, r, progress(r.Progress, tw.Write))
	if err != nil {
		return tw.Rows(), err
	}
	if err := tw.Close(); err != nil {
		return tw.Rows(), fmt.Errorf("export %s: %w", r.Dataset.Name, err)
	}
	if r.Progress != nil {
		r.Progress(tw.Rows())
	}
	return tw.Rows(), nil
}

// rows passes the output rows of r to fn, suppression flag included.
func (s *Service) rows(ctx context.Context, r Request, fn func(row [][]byte) error) error {
	if r.Dataset.Suppression == nil {
		return s.store.Export(ctx, s.query(r), fn)
	}
	sp := newSuppressor(r.Dataset, s.threshold, s.suppresses(r), fn)
	if err := s.store.Export(ctx, s.query(r), sp.write); err != nil {
		return err
	}
	return sp.flush()
}

// progress wraps fn to report the row count every 10,000 rows.
func progress(report func(int64), fn func([][]byte) error) func([][]byte) error {
	if report == nil {
		return fn
	}
	var n int64
	return func(row [][]byte) error {
		n++
		if n%10000 == 0 {
			report(n)
		}
		return fn(row)
	}
}

var (
	valueTrue  = []byte("t")
	valueFalse = []byte("f")
)

// suppressor holds back the rows of one group (consecutive rows with the same group key),
// decides which of their values to withhold, then passes them on with the suppression flag.
type suppressor struct {
	apply                  bool
	threshold              float64
	next                   func([][]byte) error
	group                  []int // field indexes of the group key
	dimension, value, unit int

	rows  [][][]byte // the buffered group, copied
	arena []byte
	out   [][]byte
}

func newSuppressor(d *Dataset, threshold int, apply bool, next func([][]byte) error) *suppressor {
	s := d.Suppression
	sp := &suppressor{apply: apply, threshold: float64(threshold), next: next,
		dimension: d.fieldIndex(s.Dimension), value: d.fieldIndex(s.Value), unit: d.fieldIndex(s.Unit)}
	for _, g := range s.Group {
		sp.group = append(sp.group, d.fieldIndex(g))
	}
	return sp
}

func (sp *suppressor) write(row [][]byte) error {
	if !sp.apply {
		return sp.emit(row, false)
	}
	if len(sp.rows) > 0 && !sp.sameGroup(sp.rows[0], row) {
		if err := sp.flush(); err != nil {
			return err
		}
	}
	// Copy: the store reuses row's buffers. Values are appended to one arena per group; a
	// row keeps slices into it, so the arena is only reset after the group is flushed.
	cp := make([][]byte, len(row))
	for i, v := range row {
		if v != nil {
			start := len(sp.arena)
			sp.arena = append(sp.arena, v...)
			cp[i] = sp.arena[start:len(sp.arena):len(sp.arena)]
		}
	}
	sp.rows = append(sp.rows, cp)
	return nil
}

func (sp *suppressor) sameGroup(a, b [][]byte) bool {
	for _, i := range sp.group {
		if (a[i] == nil) != (b[i] == nil) || string(a[i]) != string(b[i]) {
			return false
		}
	}
	return true
}

// flush decides the suppression of the buffered group and passes its rows on.
func (sp *suppressor) flush() error {
	if len(sp.rows) == 0 {
		return nil
	}
	values := make([]float64, len(sp.rows))
	sensitive := make([]bool, len(sp.rows))
	total := -1
	var breakdowns [][]int
	byDimension := map[string]int{}
	for i, row := range sp.rows {
		v, err := strconv.ParseFloat(string(row[sp.value]), 64)
		if err != nil {
			return fmt.Errorf("suppression: value %q: %w", row[sp.value], err)
		}
		values[i], sensitive[i] = v, string(row[sp.unit]) == "persons"
		switch dim := row[sp.dimension]; {
		case dim == nil && total < 0:
			total = i
		case dim != nil:
			k, ok := byDimension[string(dim)]
			if !ok {
				k = len(breakdowns)
				byDimension[string(dim)] = k
				breakdowns = append(breakdowns, nil)
			}
			breakdowns[k] = append(breakdowns[k], i)
		}
	}
	withheld := disclosure.Suppress(disclosure.Group(values, sensitive, total, breakdowns), sp.threshold)
	for i, row := range sp.rows {
		if err := sp.emit(row, withheld[i]); err != nil {
			return err
		}
	}
	sp.rows, sp.arena = sp.rows[:0], sp.arena[:0]
	return nil
}

func (sp *suppressor) emit(row [][]byte, withhold bool) error {
	sp.out = append(append(sp.out[:0], row...), valueFalse)
	if withhold {
		sp.out[sp.value], sp.out[len(row)] = nil, valueTrue
	}
	return sp.next(sp.out)
}
