package dataset_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/catalog"
	"github.com/cohesio/cohesio/internal/dataset"
	"github.com/cohesio/cohesio/internal/pgtest"
	"github.com/cohesio/cohesio/internal/store"
	"github.com/cohesio/cohesio/internal/store/storetest"
	"github.com/cohesio/cohesio/internal/tabular"
)

func TestMain(m *testing.M) {
	os.Exit(pgtest.Main(m, storetest.MigrateAndLoad("../store/testdata/fixture.sql", "testdata/fixture.sql")))
}

type env struct {
	svc *dataset.Service
	st  *store.Store
	dsn string
}

func setup(t testing.TB) env { return setupWith(t, store.Options{}) }

func setupWith(t testing.TB, opts store.Options) env {
	t.Helper()
	dsn := pgtest.NewDatabase(t)
	st, err := store.Open(context.Background(), dsn, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	c, err := dataset.NewCatalogue(cat)
	if err != nil {
		t.Fatal(err)
	}
	return env{svc: dataset.NewService(st, c), st: st, dsn: dsn}
}

// export returns the export of a dataset as CSV records, header first.
func (e env) export(t *testing.T, name string, role access.Role, f dataset.Filter) [][]string {
	t.Helper()
	var buf bytes.Buffer
	d := e.svc.Catalogue().Dataset(name)
	if _, err := e.svc.Export(context.Background(), dataset.Request{Dataset: d, Role: role, Filter: f}, &buf, tabular.CSV); err != nil {
		t.Fatalf("export %s: %v", name, err)
	}
	records, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatalf("read back %s: %v", name, err)
	}
	return records
}

// query runs SQL written independently of the export code and returns its rows as text.
func (e env) query(t *testing.T, sql string) [][]string {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), e.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(context.Background(), sql)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]string
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			t.Fatal(err)
		}
		var rec []string
		for _, v := range vals {
			if v == nil {
				rec = append(rec, "")
			} else {
				rec = append(rec, v.(string))
			}
		}
		out = append(out, rec)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestEveryDatasetIsDescribedInThreeLanguages(t *testing.T) {
	e := setup(t)
	for _, d := range e.svc.Catalogue().Datasets() {
		if d.Title == "" || d.TitleFR == "" || d.TitleNL == "" || d.Description == "" {
			t.Errorf("%s: missing title or description", d.Name)
		}
		seen := map[string]bool{}
		for _, c := range d.Columns() {
			if seen[c.Name] {
				t.Errorf("%s: column %s twice", d.Name, c.Name)
			}
			seen[c.Name] = true
			if c.Description == "" || c.DescriptionFR == "" || c.DescriptionNL == "" {
				t.Errorf("%s.%s: missing a description", d.Name, c.Name)
			}
		}
	}
	if f := e.svc.Catalogue().Dataset("operators").Field("kind"); strings.Join(f.Enum, ",") != "public,associative,private" || f.Type != tabular.String || !f.Required {
		t.Errorf("operators.kind = %+v, want a required coded string", f)
	}
	if f := e.svc.Catalogue().Dataset("operators").Field("seat_commune_nis"); f.Required {
		t.Errorf("seat_commune_nis is reached through an optional relation: not required")
	}
}

func TestOperatorsExportEqualsTheDatabase(t *testing.T) {
	e := setup(t)
	got := e.export(t, "operators", access.Public, dataset.Filter{})
	want := e.query(t, `
		SELECT o.id::text, o.enterprise_number, o.name, o.name_nl, o.acronym, o.kind, lf.code,
		       array_to_string(o.languages, '|'), o.street, o.postcode, c.nis_code, c.name_fr, o.website,
		       CASE WHEN o.fictitious THEN 'true' ELSE 'false' END, s.code
		FROM operator o JOIN legal_form lf ON lf.id = o.legal_form_id
		LEFT JOIN territory c ON c.id = o.seat_commune_id JOIN source s ON s.id = o.source_id
		ORDER BY o.id`)
	if strings.Join(got[0], ",") != "id,enterprise_number,name,name_nl,acronym,kind,legal_form,languages,street,postcode,seat_commune_nis,seat_commune,website,fictitious,source" {
		t.Errorf("header = %v", got[0])
	}
	if !equalRecords(got[1:], want) {
		t.Errorf("export:\n%v\nwant:\n%v", got[1:], want)
	}
}

func TestExportAppliesTheReadAPIFilter(t *testing.T) {
	e := setup(t)
	f := dataset.Filter{Rels: []catalog.RelFilter{{Relation: "seatCommune", Filter: dataset.Filter{Conds: []catalog.Cond{{Field: "nisCode", Op: "eq", Value: "21012"}}}}}}
	got := e.export(t, "operators", access.Public, f)
	if len(got) != 2 || got[1][2] != "Lire et Écrire Molenbeek" {
		t.Errorf("operators of Molenbeek = %v", got)
	}
}

func TestProjectsExportKeepsDecimalsAndNulls(t *testing.T) {
	e := setup(t)
	got := e.export(t, "projects", access.Public, dataset.Filter{})
	want := e.query(t, `
		SELECT p.id::text, p.code, p.title, p.operator_id::text, o.name, pr.code, a.code, t.code, t.name_fr,
		       p.start_date::text, p.end_date::text, trim_scale(p.budget)::text, s.code
		FROM project p JOIN operator o ON o.id = p.operator_id JOIN programme pr ON pr.id = p.programme_id
		LEFT JOIN programme_axis a ON a.id = p.axis_id JOIN territory t ON t.id = p.territory_id
		JOIN source s ON s.id = p.source_id ORDER BY p.id`)
	if !equalRecords(got[1:], want) {
		t.Errorf("export:\n%v\nwant:\n%v", got[1:], want)
	}
	if got[1][11] != "15000.5" || got[3][11] != "" {
		t.Errorf("budgets = %q, %q; want 15000.5 and empty", got[1][11], got[3][11])
	}
}

func TestObservationsArePublishedOnlyWhenValidated(t *testing.T) {
	e := setup(t)
	for _, row := range e.export(t, "observations", access.Analyst, dataset.Filter{})[1:] {
		if row[3] == "2" {
			t.Errorf("the draft observation of project 2 was exported: %v", row)
		}
	}
}

// cells returns value and suppressed flag of the participants rows of project p, by breakdown.
func cells(t *testing.T, records [][]string, project string) map[string][2]string {
	t.Helper()
	h := map[string]int{}
	for i, name := range records[0] {
		h[name] = i
	}
	out := map[string][2]string{}
	for _, r := range records[1:] {
		if r[h["indicator"]] == "participants" && r[h["project_id"]] == project {
			key := r[h["breakdown"]]
			if key == "" {
				key = "total"
			}
			out[key] = [2]string{r[h["value"]], r[h["suppressed"]]}
		}
	}
	return out
}

func TestPublicExportsWithholdSmallPersonCountsAndWhatWouldRevealThem(t *testing.T) {
	e := setup(t)
	public := cells(t, e.export(t, "observations", access.Public, dataset.Filter{}), "1")
	want := map[string][2]string{
		"total": {"12", "false"},
		"f":     {"", "true"}, // 3 < 5
		"m":     {"", "true"}, // 12 - 9 would give the 3 away
		"0-17":  {"", "true"}, // 2 < 5
		"18+":   {"", "true"}, // 12 - 10 would give the 2 away
	}
	for k, w := range want {
		if public[k] != w {
			t.Errorf("public %s = %v, want %v", k, public[k], w)
		}
	}
	// No published total minus published parts recovers a withheld value: each breakdown
	// holds none or at least two withheld cells.
	for _, dim := range [][]string{{"f", "m"}, {"0-17", "18+"}} {
		withheld := 0
		for _, k := range dim {
			if public[k][1] == "true" {
				withheld++
			}
		}
		if withheld == 1 {
			t.Errorf("breakdown %v has exactly one withheld cell", dim)
		}
	}
	if large := cells(t, e.export(t, "observations", access.Researcher, dataset.Filter{}), "4"); large["f"] != [2]string{"22", "false"} || large["m"] != [2]string{"18", "false"} {
		t.Errorf("large counts must stay published: %v", large)
	}
	analyst := cells(t, e.export(t, "observations", access.Analyst, dataset.Filter{}), "1")
	if analyst["f"] != [2]string{"3", "false"} || analyst["m"] != [2]string{"9", "false"} {
		t.Errorf("analysts see every count: %v", analyst)
	}
	for _, r := range e.export(t, "observations", access.Public, dataset.Filter{}) {
		if r[1] == "sessions" && (r[13] != "2.5" || r[15] != "false") {
			t.Errorf("sessions are not people; their small value stays: %v", r)
		}
	}
}

func TestThresholdIsConfigurable(t *testing.T) {
	e := setupWith(t, store.Options{SuppressionThreshold: 20})
	svc := e.svc
	var buf bytes.Buffer
	d := svc.Catalogue().Dataset("observations")
	if _, err := svc.Export(context.Background(), dataset.Request{Dataset: d, Role: access.Public}, &buf, tabular.CSV); err != nil {
		t.Fatal(err)
	}
	records, _ := csv.NewReader(&buf).ReadAll()
	got := cells(t, records, "4") // 40 = 22 + 18: with a threshold of 20, the 18 goes, and the 22 with it (a breakdown goes whole)
	if got["m"][1] != "true" || got["f"][1] != "true" || got["total"][1] != "false" {
		t.Errorf("threshold 20: %v", got)
	}
}

func TestExportStopsWhenTheClientGoesAway(t *testing.T) {
	e := setup(t)
	e.exec(t, `INSERT INTO observation (indicator_id, project_id, period_start, period_end, granularity, kind, value, source_id)
		SELECT 3, 1, d, d, 'range', 'realised', 1, 1 FROM generate_series(1, 200000) AS n, LATERAL (SELECT date '2000-01-01' + n AS d) AS x`)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := &cancelOnWrite{cancel: cancel}
	d := e.svc.Catalogue().Dataset("observations")
	rows, err := e.svc.Export(ctx, dataset.Request{Dataset: d, Role: access.Analyst}, w, tabular.CSV)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("export after the client left: %d rows, err %v; want context.Canceled", rows, err)
	}
	if rows >= 200000 {
		t.Errorf("all %d rows were written", rows)
	}
	// The statement is cancelled in PostgreSQL, not left running.
	running := func() string {
		return e.query(t, `SELECT count(*)::text FROM pg_stat_activity WHERE state = 'active'
			AND pid <> pg_backend_pid() AND query LIKE 'SELECT %FROM "observation" AS t0%'`)[0][0]
	}
	deadline := time.Now().Add(2 * time.Second)
	for running() != "0" && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := running(); n != "0" {
		t.Errorf("%s export statements still running 2 s after the client left", n)
	}
}

type cancelOnWrite struct{ cancel func() }

func (c *cancelOnWrite) Write(p []byte) (int, error) {
	c.cancel()
	return len(p), nil
}

func (e env) conn(t testing.TB) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), e.dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func (e env) exec(t testing.TB, sql string) {
	t.Helper()
	if _, err := e.conn(t).Exec(context.Background(), sql); err != nil {
		t.Fatal(err)
	}
}

func TestCoverageIsMeasuredOnTheRows(t *testing.T) {
	e := setup(t)
	p, err := e.svc.Package(context.Background(), "cohesio-observations", "t", []*dataset.Dataset{e.svc.Catalogue().Dataset("observations")}, dataset.PackageOptions{BaseURL: "http://x", Role: access.Public})
	if err != nil {
		t.Fatal(err)
	}
	r := p.Resources[0]
	if r.Rows != 11 || *r.TemporalCoverage.Start != "2024-01-01" || *r.TemporalCoverage.End != "2024-12-31" {
		t.Errorf("rows %d, coverage %v..%v", r.Rows, *r.TemporalCoverage.Start, *r.TemporalCoverage.End)
	}
	if len(r.Sources) != 1 || r.Sources[0].Title != "Test fixture" {
		t.Errorf("sources = %+v", r.Sources)
	}
	if !r.Suppression.Applied || r.Suppression.Threshold != 5 || !strings.Contains(r.Suppression.Rule, "below 5") {
		t.Errorf("suppression = %+v", r.Suppression)
	}
	b, _ := json.Marshal(p)
	if !strings.Contains(string(b), `"path":"http://x/datasets/observations.csv"`) {
		t.Errorf("resource path missing: %s", b)
	}
}

func equalRecords(a, b [][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if strings.Join(a[i], "\x1f") != strings.Join(b[i], "\x1f") {
			return false
		}
	}
	return true
}
