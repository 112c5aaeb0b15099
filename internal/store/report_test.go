package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cohesio/cohesio/internal/cohesion"
	"github.com/cohesio/cohesio/internal/pgtest"
	"github.com/cohesio/cohesio/internal/report"
	"github.com/cohesio/cohesio/internal/store"
)

// runReport validates and runs a report on st, failing the test on error.
func runReport(t *testing.T, st *store.Store, req report.Request) *report.Result {
	t.Helper()
	res, err := tryReport(st, req)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func tryReport(st *store.Store, req report.Request) (*report.Result, error) {
	ctx := context.Background()
	if req.Limit == 0 {
		req.Limit = 100
	}
	if req.Totals == "" {
		req.Totals = report.NoTotals
	}
	var codes []string
	for _, m := range req.Measures {
		codes = append(codes, m.Indicator)
	}
	infos, err := st.IndicatorsByCode(ctx, codes, cohesion.LangFR)
	if err != nil {
		return nil, err
	}
	if err := req.Validate(infos); err != nil {
		return nil, err
	}
	return st.Report(ctx, &req)
}

// table renders a result as "key|key=value,value" lines, totals marked with "*".
func table(res *report.Result) string {
	var lines []string
	for _, r := range res.Rows {
		var keys, vals []string
		for _, k := range r.Keys {
			if k.Code == nil {
				keys = append(keys, "*")
			} else {
				keys = append(keys, *k.Code)
			}
		}
		for _, c := range r.Cells {
			v := "null"
			if c.Value != nil {
				v = c.Value.String()
			}
			if c.Previous != nil {
				v += fmt.Sprintf(" (prev %s, %s, %s%%)", c.Previous, c.Change, c.ChangePercent)
			}
			vals = append(vals, v)
		}
		lines = append(lines, strings.Join(keys, "|")+"="+strings.Join(vals, ","))
	}
	return strings.Join(lines, "\n")
}

func load(t *testing.T, st *store.Store, script string) {
	t.Helper()
	if err := st.Load(context.Background(), func(ctx context.Context, l *store.Loader) error { return l.ExecScript(ctx, script) }); err != nil {
		t.Fatal(err)
	}
}

func TestReportMeasuresAndDimensions(t *testing.T) {
	st := open(t)
	// Fixture: projects 1 (Schaerbeek, 15000.50, theme -), 2 (Schaerbeek, 8000, digital),
	// 3 (Schaerbeek, no budget, housing), 4 (Molenbeek, 20000); operators 1, 1, 2, 3.
	// Indicator "pupils" on project 1 in 2024: target 40, realised 37.
	load(t, st, `
		INSERT INTO indicator (code, label_fr, label_nl, unit, aggregation, source_id) VALUES
		 ('actions', 'Actions', 'Acties', 'actions', 'sum', 1), ('fte', 'ETP', 'VTE', 'fte', 'sum', 1),
		 ('pupils.girls', 'Filles', 'Meisjes', 'persons', 'sum', 1);
		INSERT INTO indicator (code, label_fr, label_nl, unit, aggregation, numerator_id, denominator_id, source_id)
		 SELECT 'actions_per_fte', 'Actions par ETP', 'Acties per VTE', 'actions', 'ratio', a.id, f.id, 1 FROM indicator a, indicator f WHERE a.code = 'actions' AND f.code = 'fte';
		UPDATE indicator SET parent_id = (SELECT id FROM indicator WHERE code = 'pupils') WHERE code = 'pupils.girls';
		INSERT INTO observation (indicator_id, project_id, period_start, period_end, granularity, kind, value, source_id)
		 SELECT i.id, x.p, x.s::date, x.e::date, 'year', x.k, x.v, 1 FROM (VALUES
		  ('actions', 1, '2024-01-01', '2024-12-31', 'realised', 300), ('fte', 1, '2024-01-01', '2024-12-31', 'realised', 2),
		  ('actions', 4, '2024-01-01', '2024-12-31', 'realised', 100), ('fte', 4, '2024-01-01', '2024-12-31', 'realised', 3),
		  ('pupils', 1, '2023-01-01', '2023-12-31', 'realised', 30), ('pupils.girls', 1, '2024-01-01', '2024-12-31', 'realised', 20),
		  ('pupils', 1, '2024-01-01', '2024-12-31', 'baseline', 5)) AS x(code, p, s, e, k, v)
		 JOIN indicator i ON i.code = x.code;
		INSERT INTO observation (indicator_id, project_id, period_start, period_end, granularity, kind, value, status, source_id)
		 SELECT id, 1, '2024-01-01', '2024-12-31', 'year', 'realised', 1000, 'draft', 1 FROM indicator WHERE code = 'pupils';
		INSERT INTO coordination (code, name, territory_id, source_id) VALUES ('cass', 'CASS', 2, 1), ('other', 'Other', 3, 1);
		INSERT INTO event (coordination_id, title, held_on, participant_count, source_id) VALUES
		 (1, 'Visit', '2022-03-31', 13, 1), (1, 'Morning', '2022-06-02', 12, 1), (1, 'Visit', '2022-06-30', 7, 1), (2, 'Elsewhere', '2022-06-30', 99, 1);`)
	commune := report.Dimension{Kind: report.Territory}
	year := report.Dimension{Kind: report.Period}
	tests := []struct {
		name string
		req  report.Request
		want string
	}{
		{"budgets and projects by commune, with subtotals; communes without facts are absent",
			report.Request{Measures: []report.Measure{{Kind: report.Budget}, {Kind: report.ProjectCount}, {Kind: report.OperatorCount}}, Dimensions: []report.Dimension{commune}, Totals: report.Subtotals},
			"21012=20000,1,1\n21015=23000.5,3,2\n*=43000.5,4,3"},
		{"the region rolls its communes up",
			report.Request{Measures: []report.Measure{{Kind: report.ProjectCount}}, Dimensions: []report.Dimension{{Kind: report.Territory, TerritoryLevel: cohesion.TerritoryRegion}}},
			"BXL=4"},
		{"achievement rate: realised over target, drafts left out",
			report.Request{Measures: []report.Measure{{Kind: report.AchievementRate, Indicator: "pupils"}, {Kind: report.Sum, Indicator: "pupils", ValueKind: cohesion.ObservationTarget}}, Dimensions: []report.Dimension{year}},
			"2023=null,null\n2024=92.5,40"},
		{"a ratio indicator is sum(numerator) / sum(denominator), not an average of ratios",
			report.Request{Measures: []report.Measure{{Kind: report.Value, Indicator: "actions_per_fte"}}},
			"=80"},
		{"the ratio per commune",
			report.Request{Measures: []report.Measure{{Kind: report.Value, Indicator: "actions_per_fte"}}, Dimensions: []report.Dimension{commune}},
			"21012=33.3333\n21015=150"},
		{"previous period comparison",
			report.Request{Measures: []report.Measure{{Kind: report.Sum, Indicator: "pupils"}}, Dimensions: []report.Dimension{year}, Compare: true},
			"2023=30\n2024=37 (prev 30, 7, 23.33%)"},
		{"a comparison from the middle of a period keeps that period and compares it with the one before",
			report.Request{Measures: []report.Measure{{Kind: report.Sum, Indicator: "pupils"}}, Dimensions: []report.Dimension{year}, Compare: true,
				Filter: report.Filter{From: ptr(time.Date(2024, 6, 15, 0, 0, 0, 0, time.UTC))}},
			"2024=37 (prev 30, 7, 23.33%)"},
		{"children roll up into their parent",
			report.Request{Measures: []report.Measure{{Kind: report.Sum}}, Dimensions: []report.Dimension{{Kind: report.Indicator, RollUp: true}}},
			"actions=400\nfte=5\npupils=87"},
		{"without roll-up each indicator stands alone",
			report.Request{Measures: []report.Measure{{Kind: report.Sum}}, Dimensions: []report.Dimension{{Kind: report.Indicator}}},
			"actions=400\nfte=5\npupils=67\npupils.girls=20"},
		{"projects per 1,000 inhabitants of each commune",
			report.Request{Measures: []report.Measure{{Kind: report.ProjectCount, PerMille: true}}, Dimensions: []report.Dimension{commune}},
			"21012=0.0102\n21015=0.0226"},
		{"operators by theme: projects without a theme fall in no row",
			report.Request{Measures: []report.Measure{{Kind: report.OperatorCount}}, Dimensions: []report.Dimension{{Kind: report.Theme}}},
			"digital_exclusion=1\nhousing=1"},
		{"two facts in one report, ordered by a measure",
			report.Request{Measures: []report.Measure{{Kind: report.ProjectCount, Alias: "projects"}, {Kind: report.ObservationCount, Indicator: "pupils"}}, Dimensions: []report.Dimension{commune}, Order: []report.Order{{By: "projects", Desc: true}}},
			"21015=3,2\n21012=1,0"},
		{"ordered by a measure that is not the first",
			report.Request{Measures: []report.Measure{{Kind: report.Budget}, {Kind: report.ProjectCount, Alias: "projects"}}, Dimensions: []report.Dimension{commune}, Order: []report.Order{{By: "projects", Desc: true}}},
			"21015=23000.5,3\n21012=20000,1"},
		{"event participants by month of one coordination",
			report.Request{Measures: []report.Measure{{Kind: report.Participants}, {Kind: report.EventCount}}, Dimensions: []report.Dimension{{Kind: report.Period, Grain: report.Month}},
				Filter: report.Filter{Coordination: &store.Filter{Conds: []store.Cond{{Field: "code", Op: "eq", Value: "cass"}}}}, Totals: report.GrandTotal},
			"2022-03=13,1\n2022-06=19,2\n*=32,3"},
		{"filters: a period and a relation",
			report.Request{Measures: []report.Measure{{Kind: report.Sum, Indicator: "actions"}}, Filter: report.Filter{From: ptr(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)),
				Operator: &store.Filter{Conds: []store.Cond{{Field: "kind", Op: "eq", Value: "associative"}}}}},
			"=400"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := table(runReport(t, st, tt.req)); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// Every dimension, each with a measure whose answer is computed by hand from the fixture.
func TestReportDimensions(t *testing.T) {
	st := open(t)
	load(t, st, `
		UPDATE programme SET year_start_month = 9;
		INSERT INTO sector (code, label_fr, label_nl) VALUES ('education', 'Éducation', 'Onderwijs');
		INSERT INTO operator_sector (operator_id, sector_id) VALUES (1, 1), (3, 1);
		INSERT INTO target_public (code, label_fr, label_nl) VALUES ('children', 'Enfants', 'Kinderen');
		INSERT INTO project_target_public (project_id, target_public_id) VALUES (1, 1);
		INSERT INTO territory (code, kind, name_fr, name_nl, parent_id, source_id) VALUES ('bassin-x', 'bassin', 'Bassin X', 'Bassin X', 1, 1);
		INSERT INTO territory_group_member (group_id, member_id) SELECT id, 2 FROM territory WHERE code = 'bassin-x';
		INSERT INTO disaggregation (dimension, code, label_fr, label_nl) VALUES ('gender', 'f', 'Femmes', 'Vrouwen'), ('gender', 'm', 'Hommes', 'Mannen');
		INSERT INTO indicator (code, label_fr, label_nl, unit, aggregation, source_id) VALUES
		 ('waiting', 'Attente', 'Wachttijd', 'minutes', 'average', 1), ('staff', 'Personnel', 'Personeel', 'fte', 'last', 1);
		INSERT INTO observation (indicator_id, project_id, period_start, period_end, granularity, kind, value, disaggregation_id, source_id)
		 SELECT i.id, x.p, x.s::date, x.e::date, 'year', 'realised', x.v, d.id, 1 FROM (VALUES
		  ('pupils', 1, '2024-01-01', '2024-12-31', 20, 'f'), ('pupils', 1, '2024-01-01', '2024-12-31', 17, 'm'),
		  ('pupils', 1, '2023-01-01', '2023-12-31', 30, NULL),
		  ('waiting', 1, '2024-01-01', '2024-12-31', 20, NULL), ('waiting', 4, '2024-01-01', '2024-12-31', 30, NULL),
		  ('staff', 1, '2023-01-01', '2023-12-31', 2, NULL), ('staff', 1, '2024-01-01', '2024-12-31', 3, NULL)) AS x(code, p, s, e, v, g)
		 JOIN indicator i ON i.code = x.code LEFT JOIN disaggregation d ON d.code = x.g;`)
	projects := []report.Measure{{Kind: report.ProjectCount}}
	tests := []struct {
		name string
		req  report.Request
		want string
	}{
		{"programme", report.Request{Measures: projects, Dimensions: []report.Dimension{{Kind: report.Programme}}}, "cs-2024=4"},
		{"policy", report.Request{Measures: projects, Dimensions: []report.Dimension{{Kind: report.Policy}}}, "decree-2018=4"},
		{"funder", report.Request{Measures: projects, Dimensions: []report.Dimension{{Kind: report.Funder}}}, "cocof=4"},
		{"funder level", report.Request{Measures: projects, Dimensions: []report.Dimension{{Kind: report.FunderLevel}}}, "community_commission=4"},
		{"operator kind", report.Request{Measures: projects, Dimensions: []report.Dimension{{Kind: report.OperatorKind}}}, "associative=3\npublic=1"},
		{"legal form", report.Request{Measures: projects, Dimensions: []report.Dimension{{Kind: report.LegalForm}}}, "asbl=3\ncpas=1"},
		{"sector", report.Request{Measures: projects, Dimensions: []report.Dimension{{Kind: report.Sector}}}, "education=3"},
		{"target public", report.Request{Measures: projects, Dimensions: []report.Dimension{{Kind: report.TargetPublic}}}, "children=1"},
		{"axis", report.Request{Measures: projects, Dimensions: []report.Dimension{{Kind: report.Axis}}}, "cs-2024:1=2"},
		{"bassin", report.Request{Measures: projects, Dimensions: []report.Dimension{{Kind: report.Territory, TerritoryLevel: cohesion.TerritoryBassin}}}, "bassin-x=3"},
		{"quarters within the filter's dates", report.Request{Measures: projects, Dimensions: []report.Dimension{{Kind: report.Period, Grain: report.Quarter}},
			Filter: report.Filter{From: ptr(time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC)), To: ptr(time.Date(2024, 9, 30, 0, 0, 0, 0, time.UTC))}}, "2024-Q2=4\n2024-Q3=4"},
		{"school years start in September", report.Request{Measures: []report.Measure{{Kind: report.Sum, Indicator: "pupils"}}, Dimensions: []report.Dimension{{Kind: report.Period, Grain: report.SchoolYear}}},
			"2022-2023=30\n2023-2024=37"},
		{"programme years start in the programme's month", report.Request{Measures: []report.Measure{{Kind: report.Sum, Indicator: "pupils"}}, Dimensions: []report.Dimension{{Kind: report.Period, Grain: report.ProgrammeYear}}},
			"2022-2023=30\n2023-2024=37"},
		{"a breakdown, whose rows stay out of the totals", report.Request{Measures: []report.Measure{{Kind: report.Sum, Indicator: "pupils"}}, Dimensions: []report.Dimension{{Kind: report.Disaggregation, Breakdown: "gender"}}},
			"f=20\nm=17"},
		{"avg, min and max", report.Request{Measures: []report.Measure{{Kind: report.Avg, Indicator: "waiting"}, {Kind: report.Min, Indicator: "waiting"}, {Kind: report.Max, Indicator: "waiting"}}}, "=25,20,30"},
		{"an average indicator's value", report.Request{Measures: []report.Measure{{Kind: report.Value, Indicator: "waiting"}}}, "=25"},
		{"a 'last' indicator's value is the latest", report.Request{Measures: []report.Measure{{Kind: report.Value, Indicator: "staff"}}}, "=3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := table(runReport(t, st, tt.req)); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// The dimensions that follow the relational model are labelled with their entity's FR or NL
// name or label; the ones with a code list, by the code list.
func TestReportDimensionLabels(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	st, err := store.Open(context.Background(), dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	db, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close(context.Background()) })
	load(t, st, `
		INSERT INTO sector (code, label_fr, label_nl) VALUES ('education', 'Éducation', 'Onderwijs');
		INSERT INTO operator_sector (operator_id, sector_id) VALUES (1, 1);
		INSERT INTO theme (code, label_fr, label_nl) VALUES ('reading', 'Lecture', 'Lezen');
		INSERT INTO project_theme (project_id, theme_id) SELECT 1, id FROM theme WHERE code = 'reading';`)
	label := func(sql, code string) string {
		var out string
		if err := db.QueryRow(context.Background(), sql, code).Scan(&out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	tests := []struct {
		kind   report.DimensionKind
		fr, nl string // SQL of the expected labels of a code
	}{
		{report.Programme, "SELECT name_fr FROM programme WHERE code = $1", "SELECT name_nl FROM programme WHERE code = $1"},
		{report.Policy, "SELECT name_fr FROM policy WHERE code = $1", "SELECT name_nl FROM policy WHERE code = $1"},
		{report.Funder, "SELECT name_fr FROM authority WHERE code = $1", "SELECT name_nl FROM authority WHERE code = $1"},
		{report.LegalForm, "SELECT label_fr FROM legal_form WHERE code = $1", "SELECT label_nl FROM legal_form WHERE code = $1"},
		{report.Sector, "SELECT label_fr FROM sector WHERE code = $1", "SELECT label_nl FROM sector WHERE code = $1"},
		{report.Theme, "SELECT label_fr FROM theme WHERE code = $1", "SELECT label_nl FROM theme WHERE code = $1"},
		{report.OperatorKind, "", ""},
		{report.FunderLevel, "", ""},
	}
	for _, tt := range tests {
		for _, lang := range []cohesion.Lang{cohesion.LangFR, cohesion.LangNL} {
			res := runReport(t, st, report.Request{Measures: []report.Measure{{Kind: report.ProjectCount}}, Dimensions: []report.Dimension{{Kind: tt.kind}}, Lang: lang})
			if len(res.Rows) == 0 {
				t.Fatalf("%s: no rows", tt.kind)
			}
			for _, r := range res.Rows {
				k := r.Keys[0]
				want := map[cohesion.Lang]string{cohesion.LangFR: tt.fr, cohesion.LangNL: tt.nl}[lang]
				switch {
				case k.Code == nil:
					t.Fatalf("%s %s: a row without key", tt.kind, lang)
				case want == "" && k.Label != nil:
					t.Errorf("%s %s: %s labelled %q, want the code list's label (report.CodeLabel)", tt.kind, lang, *k.Code, *k.Label)
				case want != "" && (k.Label == nil || *k.Label != label(want, *k.Code)):
					t.Errorf("%s %s: %s labelled %v, want %q", tt.kind, lang, *k.Code, k.Label, label(want, *k.Code))
				}
			}
		}
	}
}

func TestReportRejectsRequestsThatMakeNoSense(t *testing.T) {
	st := open(t)
	tests := []struct {
		name  string
		req   report.Request
		field string
	}{
		{"no measure", report.Request{}, "measures"},
		{"unknown indicator", report.Request{Measures: []report.Measure{{Kind: report.Sum, Indicator: "nope"}}}, "measures[0].indicator"},
		{"a sum without indicator", report.Request{Measures: []report.Measure{{Kind: report.Sum}}}, "measures[0].indicator"},
		{"a value without indicator, even by indicator", report.Request{Measures: []report.Measure{{Kind: report.Value}}, Dimensions: []report.Dimension{{Kind: report.Indicator}}}, "measures[0].indicator"},
		{"budgets split by period", report.Request{Measures: []report.Measure{{Kind: report.Budget}}, Dimensions: []report.Dimension{{Kind: report.Period}}}, "measures[0]"},
		{"projects split by indicator", report.Request{Measures: []report.Measure{{Kind: report.ProjectCount}}, Dimensions: []report.Dimension{{Kind: report.Indicator}}}, "measures[0]"},
		{"events split by programme", report.Request{Measures: []report.Measure{{Kind: report.Participants}}, Dimensions: []report.Dimension{{Kind: report.Programme}}}, "measures[0]"},
		{"a dimension twice", report.Request{Measures: []report.Measure{{Kind: report.ProjectCount}}, Dimensions: []report.Dimension{{Kind: report.Theme}, {Kind: report.Theme}}}, "dimensions[1]"},
		{"comparison without period", report.Request{Measures: []report.Measure{{Kind: report.ProjectCount}}, Compare: true}, "compareWithPreviousPeriod"},
		{"order by something absent", report.Request{Measures: []report.Measure{{Kind: report.ProjectCount}}, Order: []report.Order{{By: "THEME"}}}, "orderBy[0].by"},
		{"too many rows", report.Request{Measures: []report.Measure{{Kind: report.ProjectCount}}, Limit: 1_000_000}, "limit"},
		{"budget totals over themes would count projects twice", report.Request{Measures: []report.Measure{{Kind: report.Budget}}, Dimensions: []report.Dimension{{Kind: report.Theme}}, Totals: report.GrandTotal}, "measures[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tryReport(st, tt.req)
			var inv *cohesion.InvalidError
			if !errors.As(err, &inv) || inv.Field != tt.field {
				t.Errorf("error %v, want an InvalidError on %s", err, tt.field)
			}
		})
	}
}
