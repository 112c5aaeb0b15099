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

//go:embed history.sql
var history string

// Load writes the demo dataset into an empty database: the reference data in one
// transaction, then a yearly reporting cycle made through the store's API (each step its own
// transaction, as in use), then the dates of that cycle's history.
func Load(ctx context.Context, st *store.Store) error {
	var r refs
	err := st.Load(ctx, func(ctx context.Context, l *store.Loader) error {
		if err := l.ExecScript(ctx, script); err != nil {
			return fmt.Errorf("demo dataset: %w", err)
		}
		var err error
		r, err = lookup(ctx, l)
		return err
	})
	if err != nil {
		return err
	}
	if err := runCycle(ctx, st, r); err != nil {
		return fmt.Errorf("demo reporting cycle: %w", err)
	}
	return st.Load(ctx, func(ctx context.Context, l *store.Loader) error {
		if err := l.ExecScript(ctx, history); err != nil {
			return fmt.Errorf("demo reporting history: %w", err)
		}
		return l.Analyze(ctx)
	})
}
