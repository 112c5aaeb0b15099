package store

import (
	"context"
	"testing"

	"github.com/uptrace/bun"

	"github.com/cohesio/cohesio/internal/cohesion"
	"github.com/cohesio/cohesio/internal/pgtest"
)

// The read path uses pgx with real parameters rather than Bun, which writes arguments into
// the SQL text (so statements are never prepared). These two benchmarks run the same
// look-up both ways: go test -run '^$' -bench ByIDs ./internal/store/
func benchStore(b *testing.B) *Store {
	s, err := Open(context.Background(), pgtest.NewDatabase(b), Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

func BenchmarkByIDsPgx(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	for b.Loop() {
		got, err := ByIDs[cohesion.Operator](ctx, s, "Operator", []int64{1, 2, 3})
		if err != nil || len(got) != 3 {
			b.Fatal(err, len(got))
		}
	}
}

// operatorRow is what the Bun path would need: a tagged row struct beside the domain type.
type operatorRow struct {
	ID               int64
	EnterpriseNumber *string
	Name             string
	NameNl           *string
	Acronym          *string
	Kind             string
	Languages        []string `bun:",array"`
	Street           *string
	Postcode         *string
	Website          *string
	Description      *string
	Fictitious       bool
	LegalFormID      int64
	SeatCommuneID    *int64
	SourceID         int64
}

func BenchmarkByIDsBun(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	const q = "SELECT id, enterprise_number, name, name_nl, acronym, kind, languages, street, postcode, website, description, fictitious, legal_form_id, seat_commune_id, source_id FROM operator WHERE id IN (?)"
	for b.Loop() {
		var got []operatorRow
		if err := s.db.NewRaw(q, bun.In([]int64{1, 2, 3})).Scan(ctx, &got); err != nil || len(got) != 3 {
			b.Fatal(err, len(got))
		}
	}
}
