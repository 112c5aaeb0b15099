package bench

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/cohesio/cohesio/bench/benchtest"
	"github.com/cohesio/cohesio/internal/pgtest"
	"github.com/cohesio/cohesio/internal/server"
	"github.com/cohesio/cohesio/internal/store"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, store.MigrateURL)) }

// newTarget serves the real HTTP handler over a fresh database holding the bench fixture, on
// both paths: the planned path, then the resolvers only.
func newTarget(t testing.TB) *Target {
	t.Helper()
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	st, err := store.Open(ctx, dsn, store.Options{MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := benchtest.Load(ctx, st); err != nil {
		t.Fatal(err)
	}
	target := &Target{HTTP: &http.Client{}}
	for _, path := range []string{PathPlanned, PathResolvers} {
		h, err := server.New(server.Config{Store: st, Logger: slog.New(slog.DiscardHandler), DisablePlanner: path == PathResolvers})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		target.Endpoints = append(target.Endpoints, Endpoint{Path: path, URL: srv.URL + "/graphql"})
	}
	t.Cleanup(target.HTTP.CloseIdleConnections)
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	target.DB = pool
	return target
}

func workloads(t testing.TB) []*Workload {
	t.Helper()
	all, err := Workloads()
	if err != nil {
		t.Fatal(err)
	}
	return all
}

func TestWorkloadFiles(t *testing.T) {
	want := map[string]string{
		"lookup_operator":        KindLookup,
		"report_commune_year":    KindReport,
		"report_programme_theme": KindReport,
		"view_commune_operators": KindView,
	}
	got := map[string]string{}
	for _, w := range workloads(t) {
		got[w.Name] = w.Kind
		if w.params == nil && w.paramsQuery == "" {
			t.Errorf("%s: no params", w.Name)
		}
	}
	if !maps.Equal(got, want) {
		t.Errorf("workloads %v, want %v", got, want)
	}
}

func TestParseWorkloadRejects(t *testing.T) {
	const doc = "# kind: view\nquery ($a: String!) { commune(nisCode: $a) { name } }"
	for _, tc := range []struct{ name, doc, sql, want string }{
		{"no kind", "query { x }", "SELECT 1", "kind"},
		{"unknown kind", "# kind: chart\nquery { x }", "SELECT 1", "kind"},
		{"params and variables differ", doc, "-- params: [\"a\", \"b\"]\nSELECT $1", "2 params for 1 GraphQL variables"},
		{"both params", doc, "-- params: [\"a\"]\n-- params-from: SELECT 1\nSELECT $1", "not both"},
		{"mutation", "# kind: view\nmutation { x }", "SELECT 1", "one query"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseWorkload("w", tc.doc, tc.sql)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one mentioning %q", err, tc.want)
			}
		})
	}
	w, err := parseWorkload("w", doc, "-- params: [21010]\nSELECT $1")
	if err != nil {
		t.Fatal(err)
	}
	if len(w.params) != 1 || w.params[0] != int64(21010) {
		t.Errorf("params = %#v, want [int64(21010)]", w.params)
	}
}

// Every workload's GraphQL and SQL answers agree on the fixture, and are not empty.
func TestEveryWorkloadAgrees(t *testing.T) {
	target := newTarget(t)
	ctx := context.Background()
	minRows := map[string]int{
		"lookup_operator":        1,
		"report_commune_year":    19 * 10, // every commune reports every year
		"report_programme_theme": 8 * 2,
		"view_commune_operators": 50, // a full page of operators, each with one row at least
	}
	for _, w := range workloads(t) {
		t.Run(w.Name, func(t *testing.T) {
			p, err := target.Prepare(ctx, w)
			if err != nil {
				t.Fatal(err)
			}
			rows, err := target.Check(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			if rows < minRows[w.Name] {
				t.Errorf("%d rows, want at least %d", rows, minRows[w.Name])
			}
			if w.Name == "lookup_operator" && (rows != 1 || !strings.HasPrefix(p.Params[0].(string), "03")) {
				t.Errorf("looked up %v (%d rows), want one operator of the fixture", p.Params, rows)
			}
		})
	}
}

// The check is honest: SQL that answers something slightly different is refused.
func TestCheckRefusesDifferentAnswers(t *testing.T) {
	target := newTarget(t)
	ctx := context.Background()
	byName := map[string]*Workload{}
	for _, w := range workloads(t) {
		byName[w.Name] = w
	}
	for _, tc := range []struct{ workload, old, new string }{
		{"report_commune_year", "o.status = 'validated'", "o.status IN ('validated', 'reviewed')"},
		{"report_commune_year", "GROUP BY 1, 2", "AND c.code <> '21004' GROUP BY 1, 2"},
		{"report_programme_theme", "100 * sum", "99 * sum"},
		{"view_commune_operators", "LIMIT 10\n", "LIMIT 9\n"},
		{"view_commune_operators", `ORDER BY o.name COLLATE "und-x-icu", o.id, p.id`, `ORDER BY o.name COLLATE "und-x-icu", o.id, p.id DESC`},
		{"view_commune_operators", "LEFT JOIN LATERAL", "JOIN LATERAL"},
		{"lookup_operator", "upper(o.kind)", "o.kind"},
	} {
		t.Run(tc.workload+": "+tc.new, func(t *testing.T) {
			w := *byName[tc.workload]
			if !strings.Contains(w.SQL, tc.old) {
				t.Fatalf("%q is not in %s.sql", tc.old, w.Name)
			}
			w.SQL = strings.Replace(w.SQL, tc.old, tc.new, 1)
			p, err := target.Prepare(ctx, &w)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := target.Check(ctx, p); err == nil || !strings.Contains(err.Error(), "answers differ") {
				t.Errorf("err = %v, want the answers to differ", err)
			}
		})
	}
}

func TestCheckRefusesEmptyAnswers(t *testing.T) {
	target := newTarget(t)
	lookup, err := Select(workloads(t), []string{"lookup_operator"})
	if err != nil {
		t.Fatal(err)
	}
	w := *lookup[0]
	w.params, w.paramsQuery = []any{"0000000097"}, "" // a valid number nobody has
	p, err := target.Prepare(context.Background(), &w)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := target.Check(context.Background(), p); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("err = %v, want an empty answer refused", err)
	}
	w.params, w.paramsQuery = nil, "SELECT min(enterprise_number) FROM operator WHERE false"
	if _, err := target.Prepare(context.Background(), &w); err == nil || !strings.Contains(err.Error(), "found nothing") {
		t.Errorf("err = %v, want params-from finding nothing refused", err)
	}
}

func TestFlattenLikeALeftJoin(t *testing.T) {
	doc, err := parser.ParseQuery(&ast.Source{Input: `{ a { nodes { name items { nodes { x y { z } } } } } }`})
	if err != nil {
		t.Fatal(err)
	}
	data := map[string]any{"a": map[string]any{"nodes": []any{
		map[string]any{"name": "one", "items": map[string]any{"nodes": []any{
			map[string]any{"x": "1", "y": map[string]any{"z": "p"}},
			map[string]any{"x": "2.50", "y": nil},
		}}},
		map[string]any{"name": "two", "items": map[string]any{"nodes": []any{}}},
	}}}
	got, err := flatten(doc.Operations[0].SelectionSet, data)
	if err != nil {
		t.Fatal(err)
	}
	s := func(t string) cell { return cell{text: t} }
	null := cell{null: true}
	want := answer{{s("one"), s("1"), s("p")}, {s("one"), s("2.5"), null}, {s("two"), null, null}}
	if err := compare(got, want); err != nil {
		t.Error(err)
	}
}

func TestReportRowsIgnoreEmptyValuesAndOrder(t *testing.T) {
	s := textCell
	null := cell{null: true}
	a := reportRows(answer{{s("b"), s("1")}, {s("a"), s("2")}, {s("c"), null}}, 1)
	b := reportRows(answer{{s("a"), s("2.00")}, {s("b"), s("1")}}, 1)
	if err := compare(a, b); err != nil {
		t.Error(err)
	}
	if err := compare(a, reportRows(answer{{s("a"), s("2")}, {s("b"), s("1.01")}}, 1)); err == nil {
		t.Error("1 and 1.01 compare equal")
	}
}

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	if p := percentile(d, 0.5); p != 50*time.Millisecond {
		t.Errorf("p50 = %v", p)
	}
	if p := percentile(d, 0.95); p != 95*time.Millisecond {
		t.Errorf("p95 = %v", p)
	}
	if p := percentile(d[:1], 0.95); p != time.Millisecond {
		t.Errorf("p95 of one = %v", p)
	}
}

func TestRunMeasuresEveryWorkloadAndClientCount(t *testing.T) {
	target := newTarget(t)
	var results []Result
	err := target.Run(context.Background(), workloads(t), Config{Clients: []int{1, 3}, Budget: Budget{Requests: 5}},
		func(r Result) error { results = append(results, r); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 32 {
		t.Fatalf("%d results, want 4 workloads × 2 client counts × 2 paths × 2 SQL modes", len(results))
	}
	for _, r := range results {
		if r.Requests != 5 || r.GraphQLP50 <= 0 || r.SQLP50 <= 0 || r.GraphQLP95 < r.GraphQLP50 || r.SQLP95 < r.SQLP50 || r.Ratio <= 0 {
			t.Errorf("implausible result %+v", r)
		}
	}
	// By workload, clients, path, then SQL mode.
	var order []string
	for _, r := range results[:8] {
		order = append(order, fmt.Sprintf("%s/%d/%s/%s", r.Workload, r.Clients, r.Path, r.SQLMode))
	}
	w := results[0].Workload
	want := []string{
		w + "/1/planned/prepared", w + "/1/planned/simple", w + "/1/resolvers/prepared", w + "/1/resolvers/simple",
		w + "/3/planned/prepared", w + "/3/planned/simple", w + "/3/resolvers/prepared", w + "/3/resolvers/simple",
	}
	if !slices.Equal(order, want) {
		t.Errorf("results in the order %v, want %v", order, want)
	}
	// A path's GraphQL latencies, and a mode's SQL latencies, are one measurement each.
	for i := 0; i < len(results); i += 4 {
		pp, ps, rp, rs := results[i], results[i+1], results[i+2], results[i+3]
		if pp.GraphQLP50 != ps.GraphQLP50 || rp.GraphQLP50 != rs.GraphQLP50 || pp.SQLP50 != rp.SQLP50 || ps.SQLP50 != rs.SQLP50 {
			t.Errorf("results of one measurement disagree: %+v", results[i:i+4])
		}
	}
}

// A target may measure one path only; its endpoints must be of known paths.
func TestRunOnePath(t *testing.T) {
	target := newTarget(t)
	lookup, err := Select(workloads(t), []string{"lookup_operator"})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{PathPlanned, PathResolvers} {
		one := *target
		one.Endpoints = slices.DeleteFunc(slices.Clone(target.Endpoints), func(e Endpoint) bool { return e.Path != path })
		var got []string
		err := one.Run(context.Background(), lookup, Config{Clients: []int{1}, Budget: Budget{Requests: 2}},
			func(r Result) error { got = append(got, r.Path+"/"+r.SQLMode); return nil })
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{path + "/prepared", path + "/simple"}; !slices.Equal(got, want) {
			t.Errorf("results %v, want %v", got, want)
		}
	}
	for _, endpoints := range [][]Endpoint{
		nil,
		{{Path: "fast", URL: target.Endpoints[0].URL}},
		{target.Endpoints[0], target.Endpoints[0]},
	} {
		bad := *target
		bad.Endpoints = endpoints
		err := bad.Run(context.Background(), lookup, Config{Clients: []int{1}, Budget: Budget{Requests: 1}},
			func(Result) error { return nil })
		if err == nil {
			t.Errorf("endpoints %v accepted", endpoints)
		}
	}
}

func TestRunWithDurationSendsAsManySQLRequests(t *testing.T) {
	target := newTarget(t)
	lookup, err := Select(workloads(t), []string{"lookup_operator"})
	if err != nil {
		t.Fatal(err)
	}
	var results []Result
	err = target.Run(context.Background(), lookup, Config{Clients: []int{2}, Budget: Budget{Duration: 200 * time.Millisecond}},
		func(r Result) error { results = append(results, r); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 4 {
		t.Fatalf("results %+v, want one per path and SQL mode", results)
	}
	for _, r := range results {
		if r.Requests < 10 {
			t.Errorf("result %+v, want many requests in 200 ms", r)
		}
	}
	if _, err := Select(workloads(t), []string{"nope"}); err == nil || !strings.Contains(err.Error(), "lookup_operator") {
		t.Errorf("err = %v, want the known workloads listed", err)
	}
}

// BenchmarkWorkloads runs each workload through GraphQL over HTTP on each path and through its
// hand-written SQL in each mode, on the bench fixture (cohesio bench measures the synthetic
// dataset).
func BenchmarkWorkloads(b *testing.B) {
	target := newTarget(b)
	ctx := context.Background()
	for _, w := range workloads(b) {
		p, err := target.Prepare(ctx, w)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := target.Check(ctx, p); err != nil {
			b.Fatal(err)
		}
		for _, e := range target.Endpoints {
			b.Run(w.Name+"/graphql-"+e.Path, func(b *testing.B) {
				for b.Loop() {
					if _, err := target.queryGraphQL(ctx, e, p, nil); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		for _, mode := range SQLModes {
			args, err := p.sqlArgs(mode)
			if err != nil {
				b.Fatal(err)
			}
			b.Run(w.Name+"/sql-"+mode, func(b *testing.B) {
				for b.Loop() {
					if err := target.querySQL(ctx, p, args, nil); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
