package dataset

import (
	"context"
	"fmt"
	"io"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/store"
	"github.com/cohesio/cohesio/internal/tabular"
)

// Service exports the datasets of a catalogue from a store.
type Service struct {
	store     *store.Store
	catalogue *Catalogue
	threshold int
}

// NewService returns a service suppressing person counts below the store's threshold for
// roles that may not see small counts.
func NewService(s *store.Store, c *Catalogue) *Service {
	return &Service{store: s, catalogue: c, threshold: s.SuppressionThreshold()}
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
		// Suppressed outputs are written from the published cells only, as every other
		// output is (store.factBase): a combination of outputs then never gives back a
		// withheld count.
		Published: s.suppresses(r),
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

// rows passes the output rows of r to fn, suppression flag included: a person count the
// published cells withhold comes out empty, flagged.
func (s *Service) rows(ctx context.Context, r Request, fn func(row [][]byte) error) error {
	if r.Dataset.Suppression == nil {
		return s.store.Export(ctx, s.query(r), fn)
	}
	value := r.Dataset.fieldIndex(r.Dataset.Suppression.Value)
	var out [][]byte
	return s.store.Export(ctx, s.query(r), func(row [][]byte) error {
		out = append(append(out[:0], row...), valueFalse)
		if row[value] == nil {
			out[len(row)] = valueTrue
		}
		return fn(out)
	})
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
