package pgtest

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) {
	os.Exit(Main(m, func(ctx context.Context, dsn string) error {
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, "CREATE TABLE item (name text); INSERT INTO item VALUES ('from template')")
		return err
	}))
}

func connect(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func names(t *testing.T, conn *pgx.Conn) []string {
	t.Helper()
	rows, err := conn.Query(context.Background(), "SELECT name FROM item ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestDatabasesAreIndependent(t *testing.T) {
	ctx := context.Background()
	begin := time.Now()
	dsnA := NewDatabase(t)
	t.Logf("NewDatabase took %v", time.Since(begin))
	dsnB := NewDatabase(t)
	if dsnA == dsnB {
		t.Fatalf("same DSN twice: %s", dsnA)
	}
	a, b := connect(t, dsnA), connect(t, dsnB)

	for _, conn := range []*pgx.Conn{a, b} {
		if got := names(t, conn); len(got) != 1 || got[0] != "from template" {
			t.Fatalf("new database has %q, want the template's row", got)
		}
	}
	if _, err := a.Exec(ctx, "INSERT INTO item VALUES ('only in a')"); err != nil {
		t.Fatal(err)
	}
	if got := names(t, a); len(got) != 2 {
		t.Fatalf("a has %q, want 2 rows", got)
	}
	if got := names(t, b); len(got) != 1 {
		t.Fatalf("write in a visible in b: %q", got)
	}
}

func TestWithDatabase(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://postgres@/postgres?host=/tmp/cohesio-pg-1&port=5432&sslmode=disable": "postgres://postgres@/x_1?host=/tmp/cohesio-pg-1&port=5432&sslmode=disable",
		"postgresql://u:p@db.example:5433/app?sslmode=require":                           "postgresql://u:p@db.example:5433/x_1?sslmode=require",
		"postgres://localhost":             "postgres://localhost/x_1",
		"host=localhost dbname=app user=u": "host=localhost dbname=app user=u dbname=x_1",
	} {
		got := withDatabase(in, "x_1")
		if got != want {
			t.Errorf("withDatabase(%q) = %q, want %q", in, got, want)
		}
		cfg, err := pgx.ParseConfig(got)
		if err != nil || cfg.Database != "x_1" {
			t.Errorf("pgx reads %q as database %v (%v)", got, cfg, err)
		}
	}
}

// BenchmarkNewDatabase measures one clone of the template (what
// NewDatabase costs) and its drop (what its cleanup costs).
func BenchmarkNewDatabase(b *testing.B) {
	ctx := context.Background()
	s := current
	var create, drop time.Duration
	for b.Loop() {
		name := s.prefix + "_bench"
		t0 := time.Now()
		if _, err := s.admin.Exec(ctx, "CREATE DATABASE "+ident(name)+" TEMPLATE "+ident(s.template)); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := s.drop(ctx, name); err != nil {
			b.Fatal(err)
		}
		create, drop = create+t1.Sub(t0), drop+time.Since(t1)
	}
	b.ReportMetric(float64(create.Microseconds())/float64(b.N)/1000, "ms-create/op")
	b.ReportMetric(float64(drop.Microseconds())/float64(b.N)/1000, "ms-drop/op")
}
