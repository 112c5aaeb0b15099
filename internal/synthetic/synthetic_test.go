package synthetic

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx" for the checks

	"github.com/cohesio/cohesio/internal/cohesion"
	"github.com/cohesio/cohesio/internal/pgtest"
	"github.com/cohesio/cohesio/internal/store"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, store.MigrateURL)) }

// referenceSQL is a minimal stand-in for the demo dataset's reference data.
const referenceSQL = `
INSERT INTO source (id, code, kind, title) VALUES (1, 'test-reference', 'illustrative', 'Test reference data');
INSERT INTO territory (id, code, kind, name_fr, name_nl, source_id) VALUES (1, 'BE-BRU', 'region', 'Région de Bruxelles-Capitale', 'Brussels Hoofdstedelijk Gewest', 1);
INSERT INTO territory (id, code, kind, name_fr, name_nl, parent_id, nis_code, postcodes, population, population_date, source_id)
SELECT n - 20999, 'commune-' || n, 'commune', 'Commune ' || n, 'Gemeente ' || n, 1, n::text,
       CASE n WHEN 21004 THEN '{1000,1020,1120,1130}'::text[] ELSE ARRAY[(1000 + (n - 21000) * 10)::text] END,
       20000 + (n - 21000) * 5000, '2020-01-01', 1
FROM generate_series(21001, 21019) AS n;
INSERT INTO theme (code, label_fr, label_nl) VALUES
  ('school_support', 'Soutien scolaire', 'Schoolondersteuning'),
  ('literacy', 'Alphabétisation', 'Alfabetisering'),
  ('newcomers', 'Primo-arrivants', 'Nieuwkomers'),
  ('housing', 'Logement', 'Huisvesting'),
  ('digital', 'Fracture numérique', 'Digitale kloof');
INSERT INTO target_public (code, label_fr, label_nl) VALUES
  ('youth', 'Jeunes', 'Jongeren'), ('seniors', 'Seniors', 'Senioren'), ('newcomers', 'Primo-arrivants', 'Nieuwkomers');
INSERT INTO sector (code, label_fr, label_nl) VALUES
  ('social', 'Action sociale', 'Sociale actie'), ('health', 'Santé', 'Gezondheid'),
  ('education', 'Éducation', 'Onderwijs'), ('employment', 'Emploi', 'Werk');
INSERT INTO legal_form (code, label_fr, label_nl, is_public) VALUES
  ('asbl', 'ASBL', 'VZW', false), ('association_de_fait', 'Association de fait', 'Feitelijke vereniging', false),
  ('srl', 'SRL', 'BV', false), ('cpas', 'CPAS', 'OCMW', true), ('commune', 'Commune', 'Gemeente', true);
INSERT INTO authority (id, code, name_fr, name_nl, level, source_id) VALUES
  (1, 'cocof', 'Commission communautaire française', 'Franse Gemeenschapscommissie', 'community_commission', 1);
INSERT INTO policy (id, code, authority_id, name_fr, name_nl, source_id) VALUES
  (1, 'cohesion-2018', 1, 'Décret cohésion sociale', 'Decreet sociale cohesie', 1);
INSERT INTO programme (id, code, policy_id, funder_id, name_fr, name_nl, start_date, source_id) VALUES
  (1, 'pcs', 1, 1, 'Programme communal', 'Gemeentelijk programma', '2016-01-01', 1),
  (2, 'activation', 1, 1, 'Activation sociale', 'Sociale activering', '2015-01-01', 1),
  (3, 'cracs', 1, 1, 'Subside CRACS', 'Subsidie CRACS', '2016-01-01', 1);
INSERT INTO programme_axis (programme_id, code, name_fr, name_nl) VALUES
  (1, '1', 'Soutien scolaire', 'Schoolondersteuning'), (1, '2', 'FLE et alphabétisation', 'NT2 en alfabetisering'),
  (1, '3', 'Primo-arrivants', 'Nieuwkomers'), (1, '4', 'Vivre ensemble', 'Samenleven'),
  (2, '1', 'Insertion', 'Inschakeling'), (2, '2', 'Transition', 'Overgang');
INSERT INTO indicator (id, code, programme_id, label_fr, label_nl, unit, aggregation, source_id) VALUES
  (1, 'participants', NULL, 'Participants', 'Deelnemers', 'persons', 'sum', 1),
  (2, 'activities', NULL, 'Activités', 'Activiteiten', 'actions', 'sum', 1),
  (3, 'spent', NULL, 'Dépenses', 'Uitgaven', 'eur', 'sum', 1),
  (4, 'pcs.hours', 1, 'Heures', 'Uren', 'hours', 'sum', 1),
  (5, 'activation.assessments', 2, 'Bilans sociaux', 'Sociale balansen', 'files', 'sum', 1),
  (6, 'activation.fte', 2, 'ETP', 'VTE', 'fte', 'average', 1),
  (8, 'cracs.coverage', 3, 'Couverture', 'Dekking', 'percent', 'average', 1);
INSERT INTO indicator (id, code, programme_id, label_fr, label_nl, unit, aggregation, numerator_id, denominator_id, source_id) VALUES
  (7, 'activation.per_fte', 2, 'Actions par ETP', 'Acties per VTE', 'count', 'ratio', 5, 6, 1);
SELECT setval(pg_get_serial_sequence(t, 'id'), 100) FROM unnest(ARRAY['source', 'territory', 'authority', 'policy', 'programme', 'indicator']) AS t;
`

const (
	testThemes = 5
	testYears  = 10
)

// newDatabase returns a fresh migrated database, with the reference data when asked.
func newDatabase(t testing.TB, reference bool) (*store.Store, *sql.DB) {
	t.Helper()
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	st, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if reference {
		if err := st.Load(ctx, func(ctx context.Context, l *store.Loader) error {
			return l.ExecScript(ctx, referenceSQL)
		}); err != nil {
			t.Fatal(err)
		}
	}
	return st, db
}

func generate(t testing.TB, st *store.Store, opts Options) Stats {
	t.Helper()
	stats, err := Generate(context.Background(), st, opts)
	if err != nil {
		t.Fatal(err)
	}
	return stats
}

func queryInt(t testing.TB, db *sql.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// generatedTables lists what Generate writes, each with the order that identifies a row.
var generatedTables = []struct{ name, order string }{
	{"source", "id"},
	{"operator", "id"},
	{"operator_sector", "operator_id, sector_id"},
	{"operator_territory", "operator_id, territory_id"},
	{"approval", "id"},
	{"project", "id"},
	{"project_theme", "project_id, theme_id"},
	{"project_target_public", "project_id, target_public_id"},
	{"project_partner", "project_id, operator_id"},
	{"observation", "id"},
	{"need", "id"},
}

func TestGenerateCounts(t *testing.T) {
	st, db := newDatabase(t, true)
	var calls int
	stats := generate(t, st, Options{Seed: 42, divisor: 20, Progress: func(string, int64, int64) { calls++ }})

	if stats.Source != "synthetic-s1-d20-seed42" {
		t.Errorf("source code = %q", stats.Source)
	}
	sourceID := queryInt(t, db, "SELECT id FROM source WHERE code = $1 AND kind = 'synthetic'", stats.Source)
	want := map[string]int64{
		"operator":              stats.Operators,
		"operator_sector":       stats.OperatorSectors,
		"operator_territory":    stats.OperatorTerritories,
		"approval":              stats.Approvals,
		"project":               stats.Projects,
		"project_theme":         stats.ProjectThemes,
		"project_target_public": stats.ProjectTargetPublics,
		"project_partner":       stats.ProjectPartners,
		"observation":           stats.Observations,
		"need":                  stats.Needs,
	}
	for table, n := range want {
		if got := queryInt(t, db, "SELECT count(*) FROM "+table); got != n || n == 0 {
			t.Errorf("%s: %d rows, stats say %d", table, got, n)
		}
	}
	for _, table := range []string{"operator", "approval", "project", "observation", "need"} {
		if n := queryInt(t, db, "SELECT count(*) FROM "+table+" WHERE source_id <> $1", sourceID); n != 0 {
			t.Errorf("%s: %d rows not from the synthetic source", table, n)
		}
	}

	// The sizes asked for: scale 1 divided by 20.
	if stats.Operators != 100 || stats.Projects != 1000 || stats.Needs != 19*testThemes*testYears {
		t.Errorf("operators %d, projects %d, needs %d", stats.Operators, stats.Projects, stats.Needs)
	}
	if o := stats.Observations; o < 45_000 || o > 55_000 {
		t.Errorf("observations = %d, want about 50,000", o)
	}
	if calls == 0 {
		t.Error("Progress was never called")
	}

	checks := []struct{ name, query string }{
		{"operators not fictitious", "SELECT count(*) FROM operator WHERE NOT fictitious"},
		{"operators without approval", "SELECT count(*) FROM operator o WHERE NOT EXISTS (SELECT FROM approval a WHERE a.operator_id = o.id)"},
		{"operator serving its own seat", "SELECT count(*) FROM operator_territory ot JOIN operator o ON o.id = ot.operator_id WHERE ot.territory_id = o.seat_commune_id"},
		{"projects outside 2015-2024", "SELECT count(*) FROM project WHERE start_date < '2015-01-01' OR end_date > '2024-12-31'"},
		{"projects of a programme the operator has no approval for",
			"SELECT count(*) FROM project p WHERE NOT EXISTS (SELECT FROM approval a WHERE a.operator_id = p.operator_id AND a.programme_id = p.programme_id)"},
		{"projects in a non-commune", "SELECT count(*) FROM project p JOIN territory t ON t.id = p.territory_id WHERE t.kind <> 'commune'"},
		{"projects without theme", "SELECT count(*) FROM project p WHERE NOT EXISTS (SELECT FROM project_theme pt WHERE pt.project_id = p.id)"},
		{"partner = owner", "SELECT count(*) FROM project_partner pp JOIN project p ON p.id = pp.project_id WHERE pp.operator_id = p.operator_id"},
		{"observations outside their project", `SELECT count(*) FROM observation o JOIN project p ON p.id = o.project_id
			WHERE o.period_start < date_trunc('year', p.start_date) OR o.period_end < p.start_date
			OR o.period_end > coalesce(p.end_date, '2024-12-31')`},
		{"observations of another programme's indicator", `SELECT count(*) FROM observation o JOIN project p ON p.id = o.project_id
			JOIN indicator i ON i.id = o.indicator_id WHERE i.programme_id <> p.programme_id`},
		{"targets without realised", `SELECT count(*) FROM observation t WHERE t.kind = 'target' AND NOT EXISTS (
			SELECT FROM observation r WHERE r.kind = 'realised' AND r.indicator_id = t.indicator_id AND r.period_start = t.period_start
			AND r.project_id IS NOT DISTINCT FROM t.project_id AND r.operator_id IS NOT DISTINCT FROM t.operator_id
			AND r.territory_id IS NOT DISTINCT FROM t.territory_id)`},
		{"percentages above 100", "SELECT count(*) FROM observation WHERE indicator_id = 8 AND value > 100"},
	}
	for _, c := range checks {
		if n := queryInt(t, db, c.query); n != 0 {
			t.Errorf("%s: %d", c.name, n)
		}
	}

	// The mix: mostly projects, some operators and communes; the usual kinds, periods and statuses.
	for _, c := range []struct {
		name     string
		query    string
		min, max float64 // share of the observations
	}{
		{"project subjects", "SELECT count(*) FROM observation WHERE project_id IS NOT NULL", 0.75, 0.95},
		{"operator subjects", "SELECT count(*) FROM observation WHERE operator_id IS NOT NULL", 0.05, 0.15},
		{"commune subjects", "SELECT count(*) FROM observation WHERE territory_id IS NOT NULL", 0.005, 0.06},
		{"baselines", "SELECT count(*) FROM observation WHERE kind = 'baseline'", 0.001, 0.05},
		{"quarters", "SELECT count(*) FROM observation WHERE granularity = 'quarter'", 0.3, 0.8},
		{"validated", "SELECT count(*) FROM observation WHERE status = 'validated'", 0.85, 1},
	} {
		share := float64(queryInt(t, db, c.query)) / float64(stats.Observations)
		if share < c.min || share > c.max {
			t.Errorf("%s: %.3f of the observations, want %.3f to %.3f", c.name, share, c.min, c.max)
		}
	}

	// The identity sequences continue after the generated ids.
	var id int64
	if err := db.QueryRow("INSERT INTO source (code, kind, title) VALUES ('after', 'document', 'After') RETURNING id").Scan(&id); err != nil {
		t.Fatal(err)
	}
	if id <= sourceID {
		t.Errorf("new source id %d, want above %d", id, sourceID)
	}
}

func TestEnterpriseNumbers(t *testing.T) {
	st, db := newDatabase(t, true)
	stats := generate(t, st, Options{Seed: 7, divisor: 4})
	rows, err := db.Query("SELECT enterprise_number FROM operator")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var missing int64
	for rows.Next() {
		var n sql.NullString
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		if !n.Valid {
			missing++
		} else if !cohesion.ValidEnterpriseNumber(n.String) {
			t.Errorf("invalid enterprise number %q", n.String)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if share := float64(missing) / float64(stats.Operators); share < 0.07 || share > 0.13 {
		t.Errorf("%d of %d operators without a number, want about 10%%", missing, stats.Operators)
	}
	// Those without a number are associations de fait.
	if n := queryInt(t, db, `SELECT count(*) FROM operator o JOIN legal_form f ON f.id = o.legal_form_id
		WHERE (o.enterprise_number IS NULL) <> (f.code = 'association_de_fait')`); n != 0 {
		t.Errorf("%d operators with a number and no legal personality, or the reverse", n)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM operator o JOIN legal_form f ON f.id = o.legal_form_id
		WHERE (o.kind = 'public') <> f.is_public`); n != 0 {
		t.Errorf("%d operators whose kind contradicts their legal form", n)
	}
}

// fingerprint returns an md5 of every generated table, rows in the order of their key.
func fingerprint(t testing.TB, db *sql.DB) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, tb := range generatedTables {
		var sum string
		q := fmt.Sprintf("SELECT coalesce(md5(string_agg(t::text, E'\\n' ORDER BY %s)), '') FROM %s t", tb.order, tb.name)
		if err := db.QueryRow(q).Scan(&sum); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		out[tb.name] = sum
	}
	return out
}

func TestGenerateIsDeterministic(t *testing.T) {
	opts := Options{Seed: 42, divisor: 50}
	var sums []map[string]string
	for _, seed := range []uint64{42, 42, 43} {
		st, db := newDatabase(t, true)
		opts.Seed = seed
		generate(t, st, opts)
		sums = append(sums, fingerprint(t, db))
	}
	for _, tb := range generatedTables {
		if sums[0][tb.name] != sums[1][tb.name] {
			t.Errorf("%s differs between two runs with the same seed", tb.name)
		}
		if sums[0][tb.name] == sums[2][tb.name] {
			t.Errorf("%s is the same with another seed", tb.name)
		}
	}
}

func TestGenerateNeedsReferenceData(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		setup string
	}{
		{"empty database", ""},
		{"communes only", referenceSQL[:strings.Index(referenceSQL, "INSERT INTO theme")]},
		{"no programme", referenceSQL[:strings.Index(referenceSQL, "INSERT INTO programme ")]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, db := newDatabase(t, false)
			if tc.setup != "" {
				if err := st.Load(ctx, func(ctx context.Context, l *store.Loader) error {
					return l.ExecScript(ctx, tc.setup)
				}); err != nil {
					t.Fatal(err)
				}
			}
			_, err := Generate(ctx, st, Options{Seed: 1, divisor: 100})
			if !errors.Is(err, ErrNoReferenceData) || !strings.Contains(err.Error(), "run `cohesio seed demo` first") {
				t.Fatalf("err = %v, want ErrNoReferenceData", err)
			}
			for _, tb := range generatedTables {
				if n := queryInt(t, db, "SELECT count(*) FROM "+tb.name+" WHERE "+strings.Split(tb.order, ",")[0]+" > 100"); n != 0 {
					t.Errorf("%s: %d rows written", tb.name, n)
				}
			}
		})
	}
}

func TestGenerateTwiceSameSeed(t *testing.T) {
	st, db := newDatabase(t, true)
	opts := Options{Seed: 5, divisor: 100}
	first := generate(t, st, opts)
	_, err := Generate(context.Background(), st, opts)
	if err == nil || !strings.Contains(err.Error(), "already loaded") {
		t.Fatalf("second load: err = %v, want already loaded", err)
	}
	if n := queryInt(t, db, "SELECT count(*) FROM operator"); n != first.Operators {
		t.Errorf("%d operators after the failed load, want %d", n, first.Operators)
	}
	// Another seed adds to the same database.
	second := generate(t, st, Options{Seed: 6, divisor: 100})
	if n := queryInt(t, db, "SELECT count(*) FROM operator"); n != first.Operators+second.Operators {
		t.Errorf("%d operators after two loads, want %d", n, first.Operators+second.Operators)
	}
}

// BenchmarkGenerate loads a tenth of scale 1 (200 operators, 2,000 projects, 100,000
// observations) into a fresh database per iteration.
func BenchmarkGenerate(b *testing.B) {
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		st, _ := newDatabase(b, true)
		b.StartTimer()
		stats := generate(b, st, Options{Seed: uint64(i), divisor: 10})
		b.ReportMetric(float64(stats.Observations)/stats.Elapsed.Seconds(), "observations/s")
	}
}
