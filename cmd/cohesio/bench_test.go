package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/cohesio/cohesio/bench/benchtest"
	"github.com/cohesio/cohesio/internal/pgtest"
	"github.com/cohesio/cohesio/internal/store"
)

// benchDatabase returns a migrated test database holding the demo dataset and the bench
// fixture (a small dataset whose source is synthetic, so that bench does not load one).
func benchDatabase(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	st, err := store.Open(ctx, dsn, store.Options{MaxConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := benchtest.Load(ctx, st); err != nil {
		t.Fatal(err)
	}
	return dsn
}

// runBenchCommand runs `cohesio bench args...` and returns what it printed.
func runBenchCommand(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	app := newApp()
	app.Writer = &out
	err := app.Run(context.Background(), append([]string{"cohesio", "bench"}, args...))
	return out.String(), err
}

// The bench runs end to end (it checks that every workload's GraphQL and SQL answers agree
// before measuring), and --json prints one object per workload and client count.
func TestBenchJSON(t *testing.T) {
	out, err := runBenchCommand(t, "--database-url", benchDatabase(t), "--requests", "4", "--clients", "1,2", "--json")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	seen := map[string]bool{}
	for _, line := range lines {
		var r map[string]any
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		for _, field := range []string{"workload", "kind", "clients", "requests", "graphql_p50_ms", "graphql_p95_ms", "sql_p50_ms", "sql_p95_ms", "ratio"} {
			if _, ok := r[field]; !ok {
				t.Errorf("%s: no %s", line, field)
			}
		}
		name, _ := r["workload"].(string)
		kind, _ := r["kind"].(string)
		clients, _ := r["clients"].(float64)
		gp50, _ := r["graphql_p50_ms"].(float64)
		gp95, _ := r["graphql_p95_ms"].(float64)
		sp50, _ := r["sql_p50_ms"].(float64)
		sp95, _ := r["sql_p95_ms"].(float64)
		ratio, _ := r["ratio"].(float64)
		if r["requests"] != 4.0 {
			t.Errorf("%s: requests %v, want 4", line, r["requests"])
		}
		if gp50 <= 0 || sp50 <= 0 || gp95 < gp50 || sp95 < sp50 {
			t.Errorf("%s: implausible latencies", line)
		}
		if math.Abs(ratio-gp50/sp50) > 0.01 {
			t.Errorf("%s: ratio %v, want graphql_p50 / sql_p50 = %.2f", line, ratio, gp50/sp50)
		}
		seen[name+"/"+kind+"/"+strings.Repeat("c", int(clients))] = true
	}
	for _, want := range []string{
		"lookup_operator/lookup/c", "lookup_operator/lookup/cc",
		"report_commune_year/report/c", "report_commune_year/report/cc",
		"report_programme_theme/report/c", "report_programme_theme/report/cc",
		"view_commune_operators/view/c", "view_commune_operators/view/cc",
	} {
		if !seen[want] {
			t.Errorf("no line for %s in:\n%s", want, out)
		}
	}
	if len(lines) != 8 {
		t.Errorf("%d lines, want 8:\n%s", len(lines), out)
	}
}

func TestBenchTable(t *testing.T) {
	out, err := runBenchCommand(t, "--database-url", benchDatabase(t), "--requests", "2", "--clients", "3", "--workload", "lookup_operator")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "workload") || !strings.Contains(lines[0], "graphql p50") ||
		!strings.HasPrefix(lines[1], "lookup_operator") || !strings.Contains(lines[1], " ms") {
		t.Errorf("want a header and one row, got:\n%s", out)
	}
}

func TestBenchRejectsBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--workload", "nope"}, "no workload \"nope\""},
		{[]string{"--clients", "1,x"}, "--clients"},
		{[]string{"--clients", "0"}, "--clients"},
		{[]string{"--duration", "0s"}, "--duration or --requests"},
	} {
		// Flags are checked before the database is opened: no database is needed.
		_, err := runBenchCommand(t, append(tc.args, "--database-url", "postgres://nowhere.invalid/x")...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want %q", tc.args, err, tc.want)
		}
	}
}

// bench loads the synthetic dataset only into a database that holds none.
func TestSyntheticSources(t *testing.T) {
	ctx := context.Background()
	demoOnly := pgtest.NewDatabase(t)
	st, err := store.Open(ctx, demoOnly, store.Options{MaxConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := loadDemo(ctx, &database{Store: st}); err != nil {
		t.Fatal(err)
	}
	for dsn, want := range map[string]string{demoOnly: "", benchDatabase(t): "bench-fixture"} {
		got, err := syntheticSources(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(got, ",") != want {
			t.Errorf("synthetic sources %q, want %q", got, want)
		}
	}
}
