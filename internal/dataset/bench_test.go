package dataset_test

import (
	"context"
	"io"
	"testing"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/dataset"
	"github.com/cohesio/cohesio/internal/tabular"
)

// BenchmarkExport writes 100,000 observations in each format, from PostgreSQL to io.Discard.
// The full-scale figure (1,000,000 rows, peak memory) comes from `cohesio bench exports`.
func BenchmarkExport(b *testing.B) {
	e := setup(b)
	e.exec(b, `INSERT INTO observation (indicator_id, project_id, period_start, period_end, granularity, kind, value, disaggregation_id, source_id)
		SELECT 1, 1 + n % 4, date '2000-01-01' + n / 3, date '2000-01-01' + n / 3, 'range', 'realised', n % 50, nullif(n % 3, 0), 1
		FROM generate_series(1, 100000) AS n`)
	d := e.svc.Catalogue().Dataset("observations")
	for _, role := range []access.Role{access.Analyst, access.Public} {
		for _, f := range tabular.Formats() {
			if role == access.Public && f != tabular.CSV {
				continue
			}
			b.Run(string(f)+"/"+string(role), func(b *testing.B) {
				b.ReportAllocs()
				var rows int64
				for b.Loop() {
					n, err := e.svc.Export(context.Background(), dataset.Request{Dataset: d, Role: role}, io.Discard, f)
					if err != nil {
						b.Fatal(err)
					}
					rows += n
				}
				b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
			})
		}
	}
}
