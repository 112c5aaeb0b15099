// Package store is the only package that speaks SQL. It opens the databases, applies the
// migrations, loads bulk data and answers the read API's queries.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
)

// Store reads and writes the Cohesio database. Read-only operations may go to a replica.
type Store struct {
	db   *bun.DB // primary: writes and reads
	read *bun.DB // read-only operations; the primary when no replica is configured
}

// Options configures Open.
type Options struct {
	// ReadDSN, when set, is a streaming replica used for read-only operations.
	ReadDSN string
	// MaxConns caps the connections of each pool (0: database/sql's default).
	MaxConns int
}

// Open connects to PostgreSQL at dsn and checks that it answers.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	db, err := openDB(ctx, dsn, opts.MaxConns)
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, read: db}
	if opts.ReadDSN != "" {
		read, err := openDB(ctx, opts.ReadDSN, opts.MaxConns)
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("read replica: %w", err)
		}
		s.read = read
	}
	return s, nil
}

func openDB(ctx context.Context, dsn string, maxConns int) (*bun.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("parse database URL: %w", err)
	}
	sqldb := stdlib.OpenDB(*cfg)
	if maxConns > 0 {
		sqldb.SetMaxOpenConns(maxConns)
		sqldb.SetMaxIdleConns(maxConns)
	}
	db := bun.NewDB(sqldb, pgdialect.New())
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	return db, nil
}

// Close closes every connection.
func (s *Store) Close() error {
	err := s.db.Close()
	if s.read != s.db {
		err = errors.Join(err, s.read.Close())
	}
	return err
}

// Ping checks that the primary answers.
func (s *Store) Ping(ctx context.Context) error {
	return s.db.PingContext(ctx)
}

// Transact runs fn in a transaction on the primary: committed when fn returns nil, rolled back
// on error or panic.
func (s *Store) Transact(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	return s.db.RunInTx(ctx, &sql.TxOptions{}, fn)
}
