// Package store is the only package that speaks SQL. It opens the databases, applies the
// migrations, loads bulk data and answers the read API's queries.
package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/cohesio/cohesio/internal/catalog"
	"github.com/cohesio/cohesio/internal/disclosure"
)

// Store reads and writes the Cohesio database. Read-only operations may go to a replica.
type Store struct {
	catalog *catalog.Catalog
	// published is the catalog of the read API for roles that may not see small person counts.
	published *catalog.Catalog
	// threshold is the smallest person count published as is (cohesio.suppression_threshold
	// of every connection): the one threshold of every output.
	threshold int
	db        *bun.DB       // primary, as the owner: migrations, bulk loads, snapshots, writes
	pool      *pgxpool.Pool // primary, as the request's principal: the read path, with real parameters
	read      *pgxpool.Pool // read-only operations; the primary when no replica is configured
	// owner holds Bun's connections. database/sql keeps connections of its own, so they must
	// never carry a request's principal: writes that need it set it per transaction.
	owner *pgxpool.Pool
	// templates caches report template versions (int64 → *collect.Template): a version never
	// changes once made, and ids are never reused, so one read in a transaction that rolled
	// back is never asked for again.
	templates sync.Map
}

// Options configures Open.
type Options struct {
	// ReadDSN, when set, is a streaming replica used for read-only operations.
	ReadDSN string
	// MaxConns caps the connections of each pool (0: pgxpool's default).
	MaxConns int32
	// Tracer, when set, sees every statement (tests count them with it).
	Tracer pgx.QueryTracer
	// StatementTimeout, when set, makes PostgreSQL stop any statement running longer: a second
	// wall behind the request timeout, for work whose client went away.
	StatementTimeout time.Duration
	// SuppressionThreshold is the smallest person count the read API shows to roles below
	// analyst (default 5).
	SuppressionThreshold int
}

// Open connects to PostgreSQL at dsn and checks that it answers.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	if opts.SuppressionThreshold <= 0 {
		opts.SuppressionThreshold = disclosure.DefaultThreshold
	}
	cat, err := catalog.Default()
	if err != nil {
		return nil, err
	}
	published, err := catalog.Published()
	if err != nil {
		return nil, err
	}
	pool, err := openPool(ctx, dsn, opts, true)
	if err != nil {
		return nil, err
	}
	owner, err := openPool(ctx, dsn, opts, false)
	if err != nil {
		pool.Close()
		return nil, err
	}
	s := &Store{catalog: cat, published: published, pool: pool, read: pool, owner: owner, threshold: opts.SuppressionThreshold}
	s.db = bun.NewDB(stdlib.OpenDBFromPool(owner), pgdialect.New())
	if opts.ReadDSN != "" {
		read, err := openPool(ctx, opts.ReadDSN, opts, true)
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("read replica: %w", err)
		}
		s.read = read
	}
	return s, nil
}

// openPool connects to dsn. A pool that serves requests (asPrincipal) switches each
// connection it hands out to the request's principal, for row-level security.
func openPool(ctx context.Context, dsn string, opts Options, asPrincipal bool) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("parse database URL: %w", err)
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	cfg.ConnConfig.Tracer = opts.Tracer
	cfg.ConnConfig.RuntimeParams["cohesio.suppression_threshold"] = strconv.Itoa(opts.SuppressionThreshold)
	if asPrincipal {
		cfg.PrepareConn = preparePrincipal
	} else {
		// Bun writes values into the statement's text, so every write is a new text: caching
		// prepared statements would only grow memory, on both sides.
		cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeExec
	}
	if opts.StatementTimeout > 0 {
		cfg.ConnConfig.RuntimeParams["statement_timeout"] = strconv.FormatInt(opts.StatementTimeout.Milliseconds(), 10)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	return pool, nil
}

func (s *Store) readPool() *pgxpool.Pool { return s.read }

// SuppressionThreshold is the smallest person count that roles below analyst read as is.
func (s *Store) SuppressionThreshold() int { return s.threshold }

// Close closes every connection.
func (s *Store) Close() error {
	err := s.db.Close()
	s.owner.Close()
	s.pool.Close()
	if s.read != s.pool {
		s.read.Close()
	}
	return err
}

// Ping checks that the primary answers.
func (s *Store) Ping(ctx context.Context) error {
	return s.pool.Ping(ctx)
}

// Transact runs fn in a transaction on the primary: committed when fn returns nil, rolled back
// on error or panic.
func (s *Store) Transact(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	return s.db.RunInTx(ctx, &sql.TxOptions{}, fn)
}
