// Package synthetic generates a large, deterministic, entirely invented dataset on top of the
// reference data (communes, vocabularies, programmes, indicators), for performance work:
// load tests, query plans, export and report benchmarks.
//
// Everything is written in one transaction through COPY, rows are produced on the fly so that
// memory stays flat, and the same seed and scale give the same rows byte for byte.
package synthetic

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cohesio/cohesio/internal/store"
)

// Options configures Generate.
type Options struct {
	// Scale multiplies the sizes: 1 = about 2,000 operators, 20,000 projects and 1,000,000
	// observations. 0 means 1.
	Scale int
	// Seed selects the data: the same seed and scale give the same data.
	Seed uint64
	// Years is the number of years covered, ending in 2024. 0 means 10 (2015-2024).
	Years int
	// Progress, when set, is called now and then during each table's COPY and once at its
	// end with done = total. Calls come one at a time, but not from the caller's goroutine.
	Progress func(table string, done, total int64)

	// divisor shrinks scale 1 for tests and benchmarks (0 or 1: the full size).
	divisor int
}

// Stats counts the rows Generate wrote.
type Stats struct {
	Source               string // code of the source row every generated row points to
	Operators            int64
	OperatorSectors      int64
	OperatorTerritories  int64
	Approvals            int64
	Projects             int64
	ProjectThemes        int64
	ProjectTargetPublics int64
	ProjectPartners      int64
	Observations         int64
	Needs                int64
	Elapsed              time.Duration
}

// Rows is the total number of rows written.
func (s Stats) Rows() int64 {
	return 1 + s.Operators + s.OperatorSectors + s.OperatorTerritories + s.Approvals + s.Projects +
		s.ProjectThemes + s.ProjectTargetPublics + s.ProjectPartners + s.Observations + s.Needs
}

// ErrNoReferenceData is returned when the database lacks the communes or vocabularies.
var ErrNoReferenceData = errors.New("the synthetic generator needs the reference data: run `cohesio seed demo` first")

// The data covers Years years up to lastYear; a fixed year rather than the clock keeps the
// output reproducible.
const lastYear = 2024

// Sizes at scale 1.
const (
	operatorsPerScale    = 2_000
	projectsPerScale     = 20_000
	observationsPerScale = 1_000_000
)

// Generate writes a synthetic dataset in one transaction: all of it or nothing.
func Generate(ctx context.Context, st *store.Store, opts Options) (Stats, error) {
	start := time.Now()
	if opts.Scale < 0 || opts.Years < 0 || opts.divisor < 0 {
		return Stats{}, errors.New("synthetic: scale and years must not be negative")
	}
	if opts.Scale == 0 {
		opts.Scale = 1
	}
	if opts.Years == 0 {
		opts.Years = 10
	}
	if opts.Years > 50 {
		return Stats{}, fmt.Errorf("synthetic: at most 50 years, not %d", opts.Years)
	}
	if opts.divisor == 0 {
		opts.divisor = 1
	}
	g := &generator{opts: opts, firstYear: lastYear - opts.Years + 1}
	g.stats.Source = sourceCode(opts)
	g.nOperators = max(1, operatorsPerScale*opts.Scale/opts.divisor)
	g.nProjects = max(1, projectsPerScale*opts.Scale/opts.divisor)
	g.nObservations = observationsPerScale * int64(opts.Scale) / int64(opts.divisor)

	err := st.Load(ctx, func(ctx context.Context, l *store.Loader) error {
		if err := g.loadReference(ctx, l); err != nil {
			return err
		}
		if err := g.numberRows(ctx, l); err != nil {
			return err
		}
		if err := g.write(ctx, l); err != nil {
			return err
		}
		for _, table := range []string{"source", "operator", "approval", "project", "observation", "need"} {
			if err := l.SyncSequence(ctx, table); err != nil {
				return err
			}
		}
		return l.Analyze(ctx)
	})
	if err != nil {
		return Stats{}, fmt.Errorf("synthetic: %w", err)
	}
	g.stats.Elapsed = time.Since(start)
	return g.stats, nil
}

// sourceCode names the source row after what produced the data.
func sourceCode(o Options) string {
	if o.divisor > 1 {
		return fmt.Sprintf("synthetic-s%d-d%d-seed%d", o.Scale, o.divisor, o.Seed)
	}
	return fmt.Sprintf("synthetic-s%d-seed%d", o.Scale, o.Seed)
}

// numberRows reads where each table's ids continue, so that the generator can give parents
// their ids and reference them from child rows without asking the database.
func (g *generator) numberRows(ctx context.Context, l *store.Loader) error {
	var err error
	for _, t := range []struct {
		table string
		base  *int64
	}{
		{"source", &g.sourceID},
		{"operator", &g.operatorBase},
		{"approval", &g.approvalBase},
		{"project", &g.projectBase},
		{"observation", &g.observationBase},
		{"need", &g.needBase},
	} {
		if *t.base, err = l.MaxID(ctx, t.table); err != nil {
			return err
		}
	}
	g.sourceID++
	return nil
}
