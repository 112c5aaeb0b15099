package store

import (
	"context"
	"fmt"

	"github.com/uptrace/bun/migrate"

	"github.com/cohesio/cohesio/migrations"
)

// migrationLockKey identifies Cohesio's session advisory lock. A session lock, unlike bun's
// lock-table row, is released by PostgreSQL when a crashed migrator's connection goes away.
const migrationLockKey = 0x636f6865 // "cohe"

// MigrationStatus is one migration and whether it is applied.
type MigrationStatus struct {
	Name    string
	Comment string
	Applied bool
}

func (s *Store) migrator() (*migrate.Migrator, error) {
	ms, err := migrations.All()
	if err != nil {
		return nil, err
	}
	// Mark a migration applied only after it ran, so that a failed one is retried.
	return migrate.NewMigrator(s.db, ms, migrate.WithMarkAppliedOnSuccess(true)), nil
}

// withMigrationLock runs fn while holding the advisory lock, so that replicas starting
// together migrate one after the other.
func (s *Store) withMigrationLock(ctx context.Context, fn func(m *migrate.Migrator) error) error {
	m, err := s.migrator()
	if err != nil {
		return err
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(?)", migrationLockKey); err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(?)", migrationLockKey)
	if err := m.Init(ctx); err != nil {
		return fmt.Errorf("init migration tables: %w", err)
	}
	return fn(m)
}

// Migrate applies every pending migration and returns the names it applied.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	return s.runMigrations(ctx, "migrate", (*migrate.Migrator).Migrate)
}

// Rollback reverts the last group of applied migrations and returns their names.
func (s *Store) Rollback(ctx context.Context) ([]string, error) {
	return s.runMigrations(ctx, "rollback", (*migrate.Migrator).Rollback)
}

func (s *Store) runMigrations(ctx context.Context, what string, run func(*migrate.Migrator, context.Context, ...migrate.MigrationOption) (*migrate.MigrationGroup, error)) ([]string, error) {
	var names []string
	err := s.withMigrationLock(ctx, func(m *migrate.Migrator) error {
		group, err := run(m, ctx)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		for _, mig := range group.Migrations {
			names = append(names, mig.Name)
		}
		return nil
	})
	return names, err
}

// Migrations lists every known migration with its status.
func (s *Store) Migrations(ctx context.Context) ([]MigrationStatus, error) {
	var out []MigrationStatus
	err := s.withMigrationLock(ctx, func(m *migrate.Migrator) error {
		ms, err := m.MigrationsWithStatus(ctx)
		if err != nil {
			return fmt.Errorf("migration status: %w", err)
		}
		for _, mig := range ms {
			out = append(out, MigrationStatus{Name: mig.Name, Comment: mig.Comment, Applied: mig.IsApplied()})
		}
		return nil
	})
	return out, err
}

// Pending counts the migrations not yet applied; readiness requires zero.
func (s *Store) Pending(ctx context.Context) (int, error) {
	m, err := s.migrator()
	if err != nil {
		return 0, err
	}
	missing, err := m.MissingMigrations(ctx)
	if err != nil {
		return 0, fmt.Errorf("pending migrations: %w", err)
	}
	return len(missing), nil
}

// MigrateURL opens dsn, applies every pending migration and closes it again; tests use it to
// prepare their template database.
func MigrateURL(ctx context.Context, dsn string) error {
	s, err := Open(ctx, dsn, Options{MaxConns: 2})
	if err != nil {
		return err
	}
	defer s.Close()
	_, err = s.Migrate(ctx)
	return err
}
