// Package demo holds the demo dataset, drawn from the public source documents of the sector
// and from public reference data. Every row cites its source; values no document gives cite
// the source "illustrative", and invented organisations are marked fictitious.
package demo

import (
	"context"
	_ "embed"
	"fmt"

	"github.com/cohesio/cohesio/internal/store"
)

//go:embed demo.sql
var script string

// Load writes the demo dataset into an empty database, in one transaction.
func Load(ctx context.Context, st *store.Store) error {
	return st.Load(ctx, func(ctx context.Context, l *store.Loader) error {
		if err := l.ExecScript(ctx, script); err != nil {
			return fmt.Errorf("demo dataset: %w", err)
		}
		return l.Analyze(ctx)
	})
}
