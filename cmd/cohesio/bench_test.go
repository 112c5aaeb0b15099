package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

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

// The bench runs end to end (it checks that every workload's GraphQL answers, on both paths,
// and SQL answers, in both modes, agree before measuring), and --json prints one object per
// workload, client count, path and SQL mode.
func TestBenchJSON(t *testing.T) {
	out, err := runBenchCommand(t, "--database-url", benchDatabase(t), "--requests", "4", "--clients", "1,2", "--json")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	seen := map[string]bool{}
	// A path's GraphQL latency is one measurement, whatever the SQL mode beside it; an SQL
	// mode's latency is one measurement, whatever the path.
	graphqlP50 := map[string]float64{}
	sqlP50 := map[string]float64{}
	for _, line := range lines {
		var r map[string]any
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		for _, field := range []string{"workload", "kind", "clients", "path", "sql_mode", "requests", "graphql_p50_ms", "graphql_p95_ms", "sql_p50_ms", "sql_p95_ms", "ratio"} {
			if _, ok := r[field]; !ok {
				t.Errorf("%s: no %s", line, field)
			}
		}
		name, _ := r["workload"].(string)
		kind, _ := r["kind"].(string)
		clients, _ := r["clients"].(float64)
		path, _ := r["path"].(string)
		mode, _ := r["sql_mode"].(string)
		gp50, _ := r["graphql_p50_ms"].(float64)
		gp95, _ := r["graphql_p95_ms"].(float64)
		sp50, _ := r["sql_p50_ms"].(float64)
		sp95, _ := r["sql_p95_ms"].(float64)
		ratio, _ := r["ratio"].(float64)
		if path != "planned" && path != "resolvers" {
			t.Errorf("%s: path %q, want planned or resolvers", line, path)
		}
		if mode != "prepared" && mode != "simple" {
			t.Errorf("%s: sql_mode %q, want prepared or simple", line, mode)
		}
		if r["requests"] != 4.0 {
			t.Errorf("%s: requests %v, want 4", line, r["requests"])
		}
		if gp50 <= 0 || sp50 <= 0 || gp95 < gp50 || sp95 < sp50 {
			t.Errorf("%s: implausible latencies", line)
		}
		if math.Abs(ratio-gp50/sp50) > 0.01 {
			t.Errorf("%s: ratio %v, want graphql_p50 / sql_p50 = %.2f", line, ratio, gp50/sp50)
		}
		run := fmt.Sprintf("%s/%d", name, int(clients))
		if v, ok := graphqlP50[run+"/"+path]; ok && v != gp50 {
			t.Errorf("%s: graphql_p50_ms %v, %v on the line of the other SQL mode", line, gp50, v)
		}
		graphqlP50[run+"/"+path] = gp50
		if v, ok := sqlP50[run+"/"+mode]; ok && v != sp50 {
			t.Errorf("%s: sql_p50_ms %v, %v on the line of the other path", line, sp50, v)
		}
		sqlP50[run+"/"+mode] = sp50
		seen[fmt.Sprintf("%s/%s/%d/%s/%s", name, kind, int(clients), path, mode)] = true
	}
	for _, w := range []string{"lookup_operator/lookup", "report_commune_year/report", "report_programme_theme/report", "view_commune_operators/view"} {
		for _, clients := range []string{"1", "2"} {
			for _, path := range []string{"planned", "resolvers"} {
				for _, mode := range []string{"prepared", "simple"} {
					if want := w + "/" + clients + "/" + path + "/" + mode; !seen[want] {
						t.Errorf("no line for %s in:\n%s", want, out)
					}
				}
			}
		}
	}
	if len(lines) != 32 {
		t.Errorf("%d lines, want 32 (4 workloads × 2 client counts × 2 paths × 2 SQL modes):\n%s", len(lines), out)
	}
}

func TestBenchTable(t *testing.T) {
	dsn := benchDatabase(t)
	for _, tc := range []struct {
		path  string
		paths []string
	}{
		{"both", []string{"planned", "planned", "resolvers", "resolvers"}},
		{"resolvers", []string{"resolvers", "resolvers"}},
	} {
		out, err := runBenchCommand(t, "--database-url", dsn, "--requests", "2", "--clients", "3", "--workload", "lookup_operator", "--path", tc.path)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 1+len(tc.paths) || !strings.HasPrefix(lines[0], "workload") || !strings.Contains(lines[0], "graphql p50") ||
			!strings.Contains(lines[0], " path ") || !strings.Contains(lines[0], " sql mode ") {
			t.Fatalf("--path %s: want a header and %d rows, got:\n%s", tc.path, len(tc.paths), out)
		}
		for i, line := range lines[1:] {
			f := strings.Fields(line)
			mode := []string{"prepared", "simple"}[i%2]
			if len(f) < 6 || f[0] != "lookup_operator" || f[2] != "3" || f[3] != tc.paths[i] || f[4] != mode || !strings.Contains(line, " ms") {
				t.Errorf("--path %s: row %q, want lookup_operator at 3 clients, %s and %s", tc.path, line, tc.paths[i], mode)
			}
		}
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
		{[]string{"--path", "fast"}, "--path"},
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

// bench import generates valid new rows against the bench database, imports them in a dry run
// and a commit, and prints a line for each with rows/s and the peak RSS; a second run's rows
// are new again.
func TestBenchImport(t *testing.T) {
	dsn := benchDatabase(t)
	for run := 1; run <= 2; run++ {
		out, err := runBenchCommand(t, "import", "--database-url", dsn, "--rows", "3000", "--json")
		if err != nil {
			t.Fatalf("run %d: %v\n%s", run, err, out)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 2 {
			t.Fatalf("run %d: want 2 lines, got:\n%s", run, out)
		}
		for i, line := range lines {
			var r struct {
				Phase      string  `json:"phase"`
				Rows       int     `json:"rows"`
				RowsPerSec float64 `json:"rows_per_s"`
				PeakRSSMB  float64 `json:"peak_rss_mb"`
			}
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				t.Fatalf("%q: %v", line, err)
			}
			if want := []string{"dry-run", "commit"}[i]; r.Phase != want || r.Rows != 3000 || r.RowsPerSec <= 0 || r.PeakRSSMB <= 0 {
				t.Errorf("run %d: %s, want phase %s, 3000 rows, positive rows/s and peak RSS", run, line, want)
			}
		}
	}
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n, audited int
	err = conn.QueryRow(context.Background(), `SELECT count(*), count(*) FILTER (WHERE EXISTS (SELECT FROM audit_log a
		WHERE a.table_name = 'observation' AND a.row_id = o.id::text AND a.operation = 'INSERT'))
		FROM observation o JOIN source s ON s.id = o.source_id WHERE s.code = 'bench-import'`).Scan(&n, &audited)
	if err != nil {
		t.Fatal(err)
	}
	if n != 6000 || audited != 6000 {
		t.Errorf("%d observations written, %d of them audited; want 6000 (two runs of 3000)", n, audited)
	}
}

func TestBenchImportTable(t *testing.T) {
	out, err := runBenchCommand(t, "import", "--database-url", benchDatabase(t), "--rows", "100")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.Contains(lines[0], "rows/s") || !strings.Contains(lines[0], "peak RSS") ||
		!strings.HasPrefix(lines[1], "dry-run") || !strings.HasPrefix(lines[2], "commit") {
		t.Errorf("want a header, a dry-run and a commit line, got:\n%s", out)
	}
	if _, err := runBenchCommand(t, "import", "--database-url", "postgres://nowhere.invalid/x", "--rows", "0"); err == nil || !strings.Contains(err.Error(), "--rows") {
		t.Errorf("--rows 0: err = %v", err)
	}
}
