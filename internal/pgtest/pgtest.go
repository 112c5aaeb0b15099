// Package pgtest gives each test its own PostgreSQL database, cloned from a
// template database that the package's schema setup (migrations) built once
// per test binary. Cloning a small database takes milliseconds, so tests
// stay isolated without re-running migrations.
//
// Usage:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, migrate)) }
//
//	func TestX(t *testing.T) { dsn := pgtest.NewDatabase(t); ... }
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/cohesio/cohesio/internal/pglocal"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// server is the state shared by Main and NewDatabase.
type server struct {
	admin    *pgxpool.Pool
	baseDSN  string // admin DSN; others are derived by swapping the database
	template string
	prefix   string // database name prefix, unique per test binary run
	n        atomic.Int64

	cluster *pglocal.Cluster // nil with DATABASE_URL
	dataDir string

	mu      sync.Mutex
	created map[string]bool // databases not dropped yet
}

var current *server

// Main is called from a package's TestMain. It obtains a server
// (DATABASE_URL if set, otherwise an embedded Fast cluster in a temp dir on
// /dev/shm when it exists), creates a template database, runs setup(ctx,
// dsn) on it once (the caller passes its migration function), then runs the
// tests and cleans everything up (drops databases it created on an external
// server; stops the embedded cluster and removes its dir). It returns the
// exit code for os.Exit.
//
// setup must close every connection it opened before returning: CREATE
// DATABASE ... TEMPLATE fails while another session is connected to the
// template. Main terminates leftover sessions as a safety net.
func Main(m *testing.M, setup func(ctx context.Context, dsn string) error) int {
	flag.Parse() // testing.Verbose needs parsed flags; m.Run won't parse twice
	s, err := open(setup)
	if err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
		return 1
	}
	current = s
	code := m.Run()
	current = nil
	if err := s.close(); err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: cleanup: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// NewDatabase creates a fresh database from the template (CREATE DATABASE
// x TEMPLATE tpl), registers its drop in t.Cleanup, and returns its DSN.
// Fails the test (t.Fatal) — never skips — when no server is available.
// Close the connections to it in cleanups registered after this call (they
// run first); any left open are terminated by the drop.
func NewDatabase(t testing.TB) string {
	t.Helper()
	s := current
	if s == nil {
		t.Fatal("pgtest: no database server: call pgtest.Main from TestMain")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name := fmt.Sprintf("%s_%d", s.prefix, s.n.Add(1))
	if _, err := s.admin.Exec(ctx, "CREATE DATABASE "+ident(name)+" TEMPLATE "+ident(s.template)); err != nil {
		t.Fatalf("pgtest: create database %s: %v", name, err)
	}
	s.mu.Lock()
	s.created[name] = true
	s.mu.Unlock()
	t.Cleanup(func() {
		if err := s.drop(context.Background(), name); err != nil {
			t.Errorf("pgtest: %v", err)
		}
	})
	return withDatabase(s.baseDSN, name)
}

func open(setup func(ctx context.Context, dsn string) error) (_ *server, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	start := time.Now()
	s := &server{prefix: fmt.Sprintf("pgtest_%d_%s", os.Getpid(), randomHex(3)), created: map[string]bool{}}
	s.template = s.prefix + "_tpl"
	defer func() {
		if err != nil {
			s.close()
		}
	}()

	// The one place outside cmd/ that reads configuration from the
	// environment: tests have no command line of their own.
	if dsn := os.Getenv("DATABASE_URL"); dsn != "" {
		if _, err := pgx.ParseConfig(dsn); err != nil {
			return nil, fmt.Errorf("DATABASE_URL: %w", err)
		}
		s.baseDSN = dsn
	} else {
		base := tempBase()
		sweep(base)
		// The pid in the name lets a later run sweep this dir if we crash.
		if s.dataDir, err = os.MkdirTemp(base, fmt.Sprintf("%s%d-", dirPrefix, os.Getpid())); err != nil {
			return nil, fmt.Errorf("create data dir: %w", err)
		}
		log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
		s.cluster, err = pglocal.Start(ctx, pglocal.Options{DataDir: s.dataDir, Fast: true, Logger: log})
		if err != nil {
			return nil, fmt.Errorf("start embedded PostgreSQL: %w", err)
		}
		s.baseDSN = s.cluster.DSN("postgres")
	}
	if s.admin, err = pgxpool.New(ctx, s.baseDSN); err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	serverReady := time.Since(start)

	// template0 rather than template1: nobody can be connected to it, and it
	// has nothing a server admin may have added to template1.
	if _, err := s.admin.Exec(ctx, "CREATE DATABASE "+ident(s.template)+" TEMPLATE template0"); err != nil {
		return nil, fmt.Errorf("create template database: %w", err)
	}
	s.created[s.template] = true
	if err := setup(ctx, withDatabase(s.baseDSN, s.template)); err != nil {
		return nil, fmt.Errorf("set up template database: %w", err)
	}
	_, err = s.admin.Exec(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", s.template)
	if err != nil {
		return nil, fmt.Errorf("end sessions on the template: %w", err)
	}
	if testing.Verbose() {
		fmt.Fprintf(os.Stderr, "pgtest: server ready in %v, template set up in %v\n",
			serverReady.Round(time.Millisecond), (time.Since(start) - serverReady).Round(time.Millisecond))
	}
	return s, nil
}

// close drops what we created on an external server, or stops and removes
// the embedded cluster (dropping there would be wasted time).
func (s *server) close() error {
	var errs []error
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if s.cluster == nil && s.admin != nil {
		s.mu.Lock()
		names := make([]string, 0, len(s.created))
		for name := range s.created {
			names = append(names, name)
		}
		s.mu.Unlock()
		for _, name := range names {
			errs = append(errs, s.drop(ctx, name))
		}
	}
	if s.admin != nil {
		s.admin.Close()
	}
	if s.cluster != nil {
		errs = append(errs, s.cluster.Stop(ctx))
	}
	if s.dataDir != "" {
		if err := os.RemoveAll(s.dataDir); err != nil {
			errs = append(errs, fmt.Errorf("remove data dir: %w", err))
		}
	}
	return errors.Join(errs...)
}

// drop removes a database even if a test left connections to it open.
func (s *server) drop(ctx context.Context, name string) error {
	if _, err := s.admin.Exec(ctx, "DROP DATABASE IF EXISTS "+ident(name)+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	s.mu.Lock()
	delete(s.created, name)
	s.mu.Unlock()
	return nil
}

// withDatabase returns dsn with its database replaced by db. dsn is a URL
// or a keyword/value string, both of which pgx accepts.
func withDatabase(dsn, db string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		if u, err := url.Parse(dsn); err == nil {
			u.Path, u.RawPath = "/"+db, ""
			return u.String()
		}
	}
	return dsn + " dbname=" + db // the last setting wins; our names need no quoting
}

// dirPrefix names the embedded clusters' dirs: dirPrefix<pid>-<random>.
const dirPrefix = "cohesio-pgtest-"

// tempBase returns where the embedded cluster goes: /dev/shm (tmpfs, no
// disk I/O) when it has room (Docker's default is only 64 MB; a cluster
// takes ~40 MB plus ~8 MB per live test database), else the temp dir.
func tempBase() string {
	var st syscall.Statfs_t
	if err := syscall.Statfs("/dev/shm", &st); err == nil && uint64(st.Bavail)*uint64(st.Bsize) >= 1<<30 {
		return "/dev/shm"
	}
	return os.TempDir()
}

// sweep removes the cluster dirs of test binaries that died without
// cleaning up (panic, -timeout, kill -9); their postgres died with them
// (pglocal sets Pdeathsig). A dir whose pid is alive is left alone.
func sweep(base string) {
	dirs, _ := filepath.Glob(filepath.Join(base, dirPrefix+"*-*"))
	for _, dir := range dirs {
		pidText, _, _ := strings.Cut(strings.TrimPrefix(filepath.Base(dir), dirPrefix), "-")
		pid, err := strconv.Atoi(pidText)
		if err != nil || pid <= 0 {
			continue
		}
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			continue
		}
		// Line 5 of postmaster.pid is the dead server's socket dir.
		if b, err := os.ReadFile(filepath.Join(dir, "postmaster.pid")); err == nil {
			if lines := strings.Split(string(b), "\n"); len(lines) > 4 && strings.HasPrefix(lines[4], "/tmp/cohesio-pg-") {
				os.RemoveAll(lines[4])
			}
		}
		os.RemoveAll(dir)
	}
}

func ident(name string) string { return pgx.Identifier{name}.Sanitize() }

// randomHex tells apart test binaries with the same pid on different hosts
// sharing one server.
func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
