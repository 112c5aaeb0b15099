// Package migrations holds the numbered SQL migrations of the Cohesio schema, embedded in the
// binary. Files named *.tx.up.sql run inside a transaction.
package migrations

import (
	"embed"
	"fmt"

	"github.com/uptrace/bun/migrate"
)

//go:embed *.sql
var files embed.FS

// All returns the migrations, discovered from the embedded files.
func All() (*migrate.Migrations, error) {
	m := migrate.NewMigrations()
	if err := m.Discover(files); err != nil {
		return nil, fmt.Errorf("discover migrations: %w", err)
	}
	return m, nil
}
