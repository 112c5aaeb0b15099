// Package storetest prepares test databases: migrated, then filled from a SQL fixture.
package storetest

import (
	"context"
	"fmt"
	"os"

	"github.com/cohesio/cohesio/internal/store"
)

// MigrateAndLoad returns a setup function for pgtest.Main that migrates the template
// database and runs the SQL scripts at fixtures in it, in order.
func MigrateAndLoad(fixtures ...string) func(ctx context.Context, dsn string) error {
	return func(ctx context.Context, dsn string) error {
		var script []byte
		for _, f := range fixtures {
			b, err := os.ReadFile(f)
			if err != nil {
				return fmt.Errorf("read fixture: %w", err)
			}
			script = append(append(script, b...), '\n')
		}
		if err := store.MigrateURL(ctx, dsn); err != nil {
			return err
		}
		st, err := store.Open(ctx, dsn, store.Options{MaxConns: 2})
		if err != nil {
			return err
		}
		defer st.Close()
		return st.Load(ctx, func(ctx context.Context, l *store.Loader) error { return l.ExecScript(ctx, string(script)) })
	}
}
