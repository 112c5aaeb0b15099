// Package benchtest fills a test database with a small dataset that the bench workloads
// answer on. The synthetic generator's smallest dataset (scale 1, a million observations)
// takes some 15 seconds to load, too long for tests; this one loads in about a second.
package benchtest

import (
	"context"
	_ "embed"
	"fmt"

	"github.com/cohesio/cohesio/internal/demo"
	"github.com/cohesio/cohesio/internal/store"
)

//go:embed fixture.sql
var fixture string

// Load writes the demo dataset, then the bench fixture (fixture.sql), into an empty
// migrated database.
func Load(ctx context.Context, st *store.Store) error {
	if err := demo.Load(ctx, st); err != nil {
		return err
	}
	return st.Load(ctx, func(ctx context.Context, l *store.Loader) error {
		if err := l.ExecScript(ctx, fixture); err != nil {
			return fmt.Errorf("bench fixture: %w", err)
		}
		return nil
	})
}
