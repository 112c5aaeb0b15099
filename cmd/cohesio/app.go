package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/cohesio/cohesio/internal/pglocal"
	"github.com/cohesio/cohesio/internal/store"
)

func newApp() *cli.Command {
	return &cli.Command{
		Name:  "cohesio",
		Usage: "the GraphQL data platform of the Brussels social-cohesion sector",
		Description: "With no DATABASE_URL, cohesio runs a private PostgreSQL from the server binaries\n" +
			"installed on this machine, in --data-dir.",
		Commands: []*cli.Command{serveCommand(), migrateCommand(), seedCommand(), exportCommand(), importCommand(), reportCommand(), benchCommand(), tokenCommand(), codegenCommand()},
	}
}

// Flags shared by every command that needs the database.
var (
	databaseURLFlag = &cli.StringFlag{
		Name:    "database-url",
		Usage:   "PostgreSQL URL of an external server; disables the embedded one",
		Sources: cli.EnvVars("DATABASE_URL"),
	}
	dataDirFlag = &cli.StringFlag{
		Name:    "data-dir",
		Usage:   "where the embedded PostgreSQL cluster lives",
		Value:   defaultDataDir(),
		Sources: cli.EnvVars("COHESIO_DATA_DIR"),
	}
)

// defaultDataDir is under the user's state directory. The embedded server runs as an
// unprivileged user when we are root, and root's home is usually closed to others, so root
// gets the system state directory instead.
func defaultDataDir() string {
	if os.Geteuid() == 0 {
		return "/var/lib/cohesio/pgdata"
	}
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "cohesio", "pgdata")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "state", "cohesio", "pgdata")
	}
	return filepath.Join(os.TempDir(), "cohesio", "pgdata")
}

// database is an open store and what must be stopped with it.
type database struct {
	*store.Store
	cluster *pglocal.Cluster
}

// openDatabase connects to DATABASE_URL, or starts the embedded cluster and creates the
// cohesio database in it on first use.
func openDatabase(ctx context.Context, c *cli.Command, opts store.Options) (*database, error) {
	return openDatabaseBeside(ctx, c, opts, false)
}

// openDatabaseBeside is openDatabase; with attach, an embedded cluster that a running
// `cohesio serve` holds is used through its socket (as the user that server's PostgreSQL runs
// as, or root) instead of being refused, and left running on Close.
func openDatabaseBeside(ctx context.Context, c *cli.Command, opts store.Options, attach bool) (*database, error) {
	dsn := c.String(databaseURLFlag.Name)
	db := &database{}
	if dsn == "" {
		start := time.Now()
		cluster, err := pglocal.Start(ctx, pglocal.Options{DataDir: c.String(dataDirFlag.Name), Logger: slog.Default(), Attach: attach})
		if err != nil {
			return nil, err
		}
		db.cluster = cluster
		if err := store.EnsureDatabase(ctx, cluster.DSN("postgres"), "cohesio"); err != nil {
			db.Close()
			return nil, err
		}
		dsn = cluster.DSN("cohesio")
		slog.Info("embedded PostgreSQL ready", "data_dir", c.String(dataDirFlag.Name), "took", time.Since(start).Round(time.Millisecond))
	}
	st, err := store.Open(ctx, dsn, opts)
	if err != nil {
		db.Close()
		return nil, err
	}
	db.Store = st
	return db, nil
}

// Close closes the store and stops the embedded cluster, if any.
func (db *database) Close() {
	if db.Store != nil {
		db.Store.Close()
	}
	if db.cluster != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := db.cluster.Stop(ctx); err != nil {
			slog.Error("stop embedded PostgreSQL", "err", err)
		}
	}
}

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }
