package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cohesio/cohesio/internal/cohesion"
	"github.com/cohesio/cohesio/internal/store"
)

// The analyses are checked against small datasets added to the fixture by each test; the
// expected results are worked out by hand in the comments.

// exec runs a SQL script in the test's database.
func exec(t *testing.T, st *store.Store, script string) {
	t.Helper()
	err := st.Load(context.Background(), func(ctx context.Context, l *store.Loader) error { return l.ExecScript(ctx, script) })
	if err != nil {
		t.Fatal(err)
	}
}

// idsOf maps the codes (or names) of rows of table to their ids.
func idsOf(t *testing.T, st *store.Store, table, key string) map[string]int64 {
	t.Helper()
	var out map[string]int64
	err := st.Load(context.Background(), func(ctx context.Context, l *store.Loader) error {
		var err error
		out, err = l.IDsByKey(ctx, table, key)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func dec(s string) *decimal.Decimal {
	d := decimal.RequireFromString(s)
	return &d
}

func decString(d *decimal.Decimal) string {
	if d == nil {
		return "null"
	}
	return d.String()
}

func intString(n *int32) string {
	if n == nil {
		return "null"
	}
	return fmt.Sprint(*n)
}

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func isInvalid(err error) bool { return errors.Is(err, cohesion.ErrInvalid) }

// The commune 21004 (Bruxelles) with a quartier, inside a test bassin; needs and projects
// chosen so that every status of the concordance occurs. The fixture's own projects are in
// other communes, so a filter on 21004 isolates these rows.
const concordanceData = `
INSERT INTO territory (code, kind, name_fr, name_nl, parent_id, nis_code, source_id)
  SELECT '21004', 'commune', 'Bruxelles', 'Brussel', id, '21004', 1 FROM territory WHERE code = 'BXL';
INSERT INTO territory (code, kind, name_fr, name_nl, parent_id, source_id)
  SELECT 'bxl-marolles', 'quartier', 'Marolles', 'Marollen', id, 1 FROM territory WHERE code = '21004';
INSERT INTO territory (code, kind, name_fr, name_nl, parent_id, source_id)
  SELECT 'bassin-test', 'bassin', 'Bassin test', 'Testbassin', id, 1 FROM territory WHERE code = 'BXL';
INSERT INTO territory_group_member (group_id, member_id)
  SELECT g.id, m.id FROM territory g, territory m WHERE g.code = 'bassin-test' AND m.code = '21004';
INSERT INTO theme (code, label_fr, label_nl) VALUES ('seniors', 'Seniors', 'Senioren');
INSERT INTO need (territory_id, theme_id, period_start, period_end, severity, evidence, source_id)
  SELECT t.id, th.id, x.s::date, x.e::date, x.sev, x.ev, 1 FROM (VALUES
    ('bxl-marolles', 'housing', '2022-01-01', '2023-12-31', 3, 'N1: in the quartier, rolls up to the commune'),
    ('21004', 'housing', '2023-01-01', '2023-12-31', 2, 'N2'),
    ('21004', 'seniors', '2022-01-01', '2022-12-31', 4, 'N3: nobody addresses it'),
    ('21004', 'digital_exclusion', '2022-01-01', '2022-12-31', 1, 'N4')) AS x(t, th, s, e, sev, ev)
  JOIN territory t ON t.code = x.t JOIN theme th ON th.code = x.th;
INSERT INTO project (code, operator_id, programme_id, territory_id, title, start_date, end_date, budget, source_id)
  SELECT x.code, x.op, 1, t.id, x.code, x.s::date, x.e::date, x.b, 1 FROM (VALUES
    ('P1', 1, 'bxl-marolles', '2022-03-01', '2022-12-31', 1000),
    ('P2', 2, '21004', '2023-01-01', '2023-12-31', 2000),
    ('P3', 2, 'bxl-marolles', '2023-06-01', '2024-06-30', NULL),
    ('P4', 3, '21004', '2021-01-01', '2022-06-30', 500)) AS x(code, op, t, s, e, b)
  JOIN territory t ON t.code = x.t;
INSERT INTO project_theme (project_id, theme_id)
  SELECT p.id, th.id FROM (VALUES ('P1', 'housing'), ('P2', 'housing'), ('P3', 'housing'), ('P4', 'digital_exclusion')) AS x(p, th)
  JOIN project p ON p.code = x.p JOIN theme th ON th.code = x.th;
`

func TestConcordance(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	exec(t, st, concordanceData)
	territories := idsOf(t, st, "territory", "code")
	themes := idsOf(t, st, "theme", "code")
	codeOf := func(m map[string]int64, id int64) string {
		for k, v := range m {
			if v == id {
				return k
			}
		}
		return fmt.Sprint(id)
	}
	show := func(rows []store.ConcordanceRow) []string {
		var out []string
		for _, r := range rows {
			out = append(out, fmt.Sprintf("%s %s %d needs=%d sev=%s projects=%d operators=%d budget=%s %s",
				codeOf(territories, r.TerritoryID), codeOf(themes, r.ThemeID), r.Year, r.NeedCount, intString(r.MaxSeverity),
				r.ProjectCount, r.OperatorCount, decString(r.Budget), r.Status))
		}
		return out
	}
	only := func(code string) store.Filter {
		return store.Filter{Conds: []store.Cond{{Field: "code", Op: "eq", Value: code}}}
	}
	tests := []struct {
		name string
		args store.ConcordanceArgs
		want []string
	}{
		{
			// 2022: N4 and P4 (2021-2022); N1 and P1, both in the quartier; N3 alone.
			// 2023: N1 and N2 (max severity 3) with P2 and P3 of the same operator (P3 has no
			// budget). 2024: P3 alone. 2021 (P4) is before fromYear.
			name: "commune level, quartier rolled up",
			args: store.ConcordanceArgs{Level: cohesion.TerritoryCommune, FromYear: ptr(2022), ToYear: ptr(2024), Territory: only("21004"), LowActivityBelow: 2},
			want: []string{
				"21004 digital_exclusion 2022 needs=1 sev=1 projects=1 operators=1 budget=500 low_activity",
				"21004 housing 2022 needs=1 sev=3 projects=1 operators=1 budget=1000 low_activity",
				"21004 housing 2023 needs=2 sev=3 projects=2 operators=1 budget=2000 matched",
				"21004 housing 2024 needs=0 sev=null projects=1 operators=1 budget=null activity_without_need",
				"21004 seniors 2022 needs=1 sev=4 projects=0 operators=0 budget=null need_without_activity",
			},
		},
		{
			name: "a lower threshold turns low activity into a match",
			args: store.ConcordanceArgs{Level: cohesion.TerritoryCommune, FromYear: ptr(2022), ToYear: ptr(2022), Territory: only("21004"), LowActivityBelow: 1},
			want: []string{
				"21004 digital_exclusion 2022 needs=1 sev=1 projects=1 operators=1 budget=500 matched",
				"21004 housing 2022 needs=1 sev=3 projects=1 operators=1 budget=1000 matched",
				"21004 seniors 2022 needs=1 sev=4 projects=0 operators=0 budget=null need_without_activity",
			},
		},
		{
			// Only the quartier's own facts: N1 (2022-2023), P1 (2022), P3 (2023-2024).
			name: "quartier level within a commune",
			args: store.ConcordanceArgs{Level: cohesion.TerritoryQuartier, FromYear: ptr(2022), ToYear: ptr(2024), Territory: only("21004"), LowActivityBelow: 2},
			want: []string{
				"bxl-marolles housing 2022 needs=1 sev=3 projects=1 operators=1 budget=1000 low_activity",
				"bxl-marolles housing 2023 needs=1 sev=3 projects=1 operators=1 budget=null low_activity",
				"bxl-marolles housing 2024 needs=0 sev=null projects=1 operators=1 budget=null activity_without_need",
			},
		},
		{
			// 21004 reaches the region twice (as its child and through the bassin): its facts
			// count once. The fixture's projects start in 2024, after toYear.
			name: "region level counts a fact reached by two paths once",
			args: store.ConcordanceArgs{Level: cohesion.TerritoryRegion, FromYear: ptr(2023), ToYear: ptr(2023), LowActivityBelow: 2},
			want: []string{
				"BXL housing 2023 needs=2 sev=3 projects=2 operators=1 budget=2000 matched",
			},
		},
		{
			name: "bassin level through territory_group_member",
			args: store.ConcordanceArgs{Level: cohesion.TerritoryBassin, FromYear: ptr(2023), ToYear: ptr(2023), LowActivityBelow: 2},
			want: []string{
				"bassin-test housing 2023 needs=2 sev=3 projects=2 operators=1 budget=2000 matched",
			},
		},
		{
			name: "only the needs nobody addresses",
			args: store.ConcordanceArgs{Level: cohesion.TerritoryCommune, FromYear: ptr(2022), ToYear: ptr(2024), Territory: only("21004"), LowActivityBelow: 2,
				Status: []string{"need_without_activity"}},
			want: []string{
				"21004 seniors 2022 needs=1 sev=4 projects=0 operators=0 budget=null need_without_activity",
			},
		},
		{
			// The fixture's open-ended projects in Schaerbeek (2024-) run to toYear.
			name: "open-ended projects run to toYear",
			args: store.ConcordanceArgs{Level: cohesion.TerritoryCommune, FromYear: ptr(2030), ToYear: ptr(2031), Territory: only("21015"), LowActivityBelow: 2},
			want: []string{
				"21015 digital_exclusion 2030 needs=0 sev=null projects=1 operators=1 budget=8000 activity_without_need",
				"21015 digital_exclusion 2031 needs=0 sev=null projects=1 operators=1 budget=8000 activity_without_need",
				"21015 housing 2030 needs=0 sev=null projects=1 operators=1 budget=null activity_without_need",
				"21015 housing 2031 needs=0 sev=null projects=1 operators=1 budget=null activity_without_need",
			},
		},
		{
			// The filter goes through the read API's builder: a relation works as anywhere.
			name: "filter through a relation keeps the parts of the matching territories",
			args: store.ConcordanceArgs{Level: cohesion.TerritoryQuartier, FromYear: ptr(2024), ToYear: ptr(2024), LowActivityBelow: 2,
				Territory: store.Filter{Rels: []store.RelFilter{{Relation: "parent", Filter: only("BXL")}}}},
			want: []string{
				"bxl-marolles housing 2024 needs=0 sev=null projects=1 operators=1 budget=null activity_without_need",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := store.Concordance(ctx, st, tt.args)
			if err != nil {
				t.Fatal(err)
			}
			if got := show(rows); !slices.Equal(got, tt.want) {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}

	t.Run("fromYear after toYear is refused", func(t *testing.T) {
		_, err := store.Concordance(ctx, st, store.ConcordanceArgs{Level: cohesion.TerritoryCommune, FromYear: ptr(2025), ToYear: ptr(2024)})
		if !isInvalid(err) {
			t.Errorf("err = %v, want invalid", err)
		}
	})
}

func TestCoherence(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	// Programme cs-2024 links to policy other-1 itself (complementarity) and through two of its
	// projects (overlap twice, tension once); programme p2 links to other-2.
	exec(t, st, `
INSERT INTO authority (code, name_fr, name_nl, level, source_id) VALUES ('eu', 'Union européenne', 'Europese Unie', 'eu', 1);
INSERT INTO policy (code, authority_id, name_fr, name_nl, source_id) VALUES
  ('other-1', (SELECT id FROM authority WHERE code = 'eu'), 'Autre 1', 'Ander 1', 1),
  ('other-2', 1, 'Autre 2', 'Ander 2', 1);
INSERT INTO programme (code, policy_id, funder_id, name_fr, name_nl, start_date, source_id) VALUES ('p2', 1, 1, 'P2', 'P2', '2020-01-01', 1);
INSERT INTO transversal_link (programme_id, project_id, policy_id, relation, note, source_id) VALUES
  (1, NULL, (SELECT id FROM policy WHERE code = 'other-1'), 'complementarity', 'L1', 1),
  (NULL, 1, (SELECT id FROM policy WHERE code = 'other-1'), 'overlap', 'L2', 1),
  (NULL, 2, (SELECT id FROM policy WHERE code = 'other-1'), 'overlap', 'L3', 1),
  (NULL, 2, (SELECT id FROM policy WHERE code = 'other-1'), 'tension', 'L4', 1),
  ((SELECT id FROM programme WHERE code = 'p2'), NULL, (SELECT id FROM policy WHERE code = 'other-2'), 'double_financing_risk', 'L5', 1);
`)
	links := idsOf(t, st, "transversal_link", "note")
	cells, err := store.Coherence(ctx, st, store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cells) != 2 {
		t.Fatalf("got %d cells, want 2: %+v", len(cells), cells)
	}
	c := cells[0]
	wantRel := []cohesion.LinkRelation{cohesion.RelationComplementarity, cohesion.RelationOverlap, cohesion.RelationTension}
	wantLinks := []int64{links["L1"], links["L2"], links["L3"], links["L4"]}
	if c.ProgrammeID != 1 || c.AuthorityLevel != cohesion.LevelEU || !slices.Equal(c.Relations, wantRel) || !slices.Equal(c.LinkIDs, wantLinks) {
		t.Errorf("cs-2024 x other-1 = %+v, want EU, relations %v, links %v", c, wantRel, wantLinks)
	}
	if c := cells[1]; c.AuthorityLevel != cohesion.LevelCommunityCommission || !slices.Equal(c.LinkIDs, []int64{links["L5"]}) {
		t.Errorf("p2 x other-2 = %+v", c)
	}

	only, err := store.Coherence(ctx, st, store.Filter{Conds: []store.Cond{{Field: "code", Op: "eq", Value: "p2"}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(only) != 1 || !slices.Equal(only[0].Relations, []cohesion.LinkRelation{cohesion.RelationDoubleFinancingRisk}) {
		t.Errorf("filtered on p2: %+v", only)
	}
}

// Fixture projects: 1 (operator 1, no theme), 2 (operator 1, digital_exclusion), 3 (operator 2,
// housing), 4 (operator 3, no theme); all under cs-2024 from 2024-01-01, open-ended.
const overlapData = `
INSERT INTO programme (code, policy_id, funder_id, name_fr, name_nl, start_date, source_id) VALUES ('other', 1, 1, 'Autre', 'Ander', '2020-01-01', 1);
INSERT INTO target_public (code, label_fr, label_nl) VALUES ('newcomers', 'Primo-arrivants', 'Nieuwkomers');
INSERT INTO project (code, operator_id, programme_id, territory_id, title, start_date, end_date, source_id)
  SELECT x.code, x.op, p.id, 2, x.code, x.s::date, x.e::date, 1 FROM (VALUES
    ('Q1', 1, 'other', '2025-01-01', '2025-06-30'),
    ('Q2', 1, 'other', '2020-01-01', '2023-12-31'),
    ('Q3', 2, 'other', '2024-06-01', NULL),
    ('Q4', 3, 'other', '2023-01-01', '2024-12-31'),
    ('Q5', 1, 'cs-2024', '2024-01-01', NULL)) AS x(code, op, prog, s, e)
  JOIN programme p ON p.code = x.prog;
INSERT INTO project_theme (project_id, theme_id)
  SELECT p.id, th.id FROM (VALUES ('Q1', 'digital_exclusion'), ('Q2', 'digital_exclusion'), ('Q3', 'housing'), ('Q5', 'digital_exclusion')) AS x(p, th)
  JOIN project p ON p.code = x.p JOIN theme th ON th.code = x.th;
INSERT INTO project_target_public (project_id, target_public_id)
  SELECT p.id, tp.id FROM project p, target_public tp WHERE (p.code = 'Q4' OR p.title = 'Alphabétisation') AND tp.code = 'newcomers';
`

func TestFundingOverlaps(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	exec(t, st, overlapData)
	projects := idsOf(t, st, "project", "code")
	themes := idsOf(t, st, "theme", "code")
	publics := idsOf(t, st, "target_public", "code")
	// Expected, by operator name:
	//  CPAS de Schaerbeek: 3 and Q3 share housing, both open-ended: from 2024-06-01, no end.
	//  Lire et Écrire Molenbeek: 4 and Q4 share only the public newcomers: 2024-01-01 to 2024-12-31.
	//  Maison des Écoles: 2 and Q1 share digital_exclusion: 2025-01-01 to 2025-06-30.
	//  Maison des Écoles: Q1 and Q5 (cs-2024, open-ended) share digital_exclusion too.
	// Not pairs: 2 and Q2 (different periods: Q2 ends before 2 starts), Q1 and Q2 (same
	// programme), 2 and Q5 (same programme, overlapping, same theme), 1 and Q1 (overlapping
	// under two programmes, but nothing shared).
	type pair struct {
		a, b       int64
		start, end string
		themes     []int64
		publics    []int64
	}
	all := []pair{
		{projects["Q3"], 3, "2024-06-01", "", []int64{themes["housing"]}, nil},
		{4, projects["Q4"], "2024-01-01", "2024-12-31", nil, []int64{publics["newcomers"]}},
		{2, projects["Q1"], "2025-01-01", "2025-06-30", []int64{themes["digital_exclusion"]}, nil},
		{projects["Q1"], projects["Q5"], "2025-01-01", "2025-06-30", []int64{themes["digital_exclusion"]}, nil},
	}
	// Pairs are ordered (smaller id first).
	for i := range all {
		if all[i].a > all[i].b {
			all[i].a, all[i].b = all[i].b, all[i].a
		}
	}
	show := func(ps []store.FundingOverlap) []string {
		var out []string
		for _, p := range ps {
			end := ""
			if p.OverlapEnd != nil {
				end = p.OverlapEnd.Format(time.DateOnly)
			}
			out = append(out, fmt.Sprintf("%d-%d %s..%s themes=%v publics=%v", p.ProjectID, p.OtherProjectID, p.OverlapStart.Format(time.DateOnly), end, p.ThemeIDs, p.TargetPublicIDs))
		}
		return out
	}
	want := func(ps ...pair) []string {
		var out []string
		for _, p := range ps {
			out = append(out, fmt.Sprintf("%d-%d %s..%s themes=%v publics=%v", p.a, p.b, p.start, p.end, orEmpty(p.themes), orEmpty(p.publics)))
		}
		return out
	}
	tests := []struct {
		name string
		args store.FundingOverlapArgs
		want []string
	}{
		{"every pair", store.FundingOverlapArgs{}, want(all...)},
		{"overlapping a period after 2 and Q1 ended", store.FundingOverlapArgs{From: ptr(day("2025-07-01"))}, want(all[0])},
		{"overlapping a period before Q3 began", store.FundingOverlapArgs{To: ptr(day("2024-03-01"))}, want(all[1])},
		{"of public operators", store.FundingOverlapArgs{Operator: store.Filter{Conds: []store.Cond{{Field: "kind", Op: "eq", Value: "public"}}}}, want(all[0])},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := store.FundingOverlaps(ctx, st, tt.args)
			if err != nil {
				t.Fatal(err)
			}
			if g := show(got); !slices.Equal(g, tt.want) {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(g, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
	t.Run("operator of the pair", func(t *testing.T) {
		got, err := store.FundingOverlaps(ctx, st, store.FundingOverlapArgs{})
		if err != nil {
			t.Fatal(err)
		}
		var ops []int64
		for _, p := range got {
			ops = append(ops, p.OperatorID)
		}
		if !slices.Equal(ops, []int64{2, 3, 1, 1}) {
			t.Errorf("operators %v, want 2, 3, 1, 1 (by name)", ops)
		}
	})
}

func orEmpty(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

// Operators 1 (Maison des Écoles), 2 (CPAS de Schaerbeek), 3 (Lire et Écrire Molenbeek) and a
// new one, 4, in coordination A; coordination B has 3 and 4 only.
const networkData = `
INSERT INTO operator (name, legal_form_id, kind, source_id) VALUES ('Zéro Partenaire', 1, 'associative', 1);
INSERT INTO coordination (code, name, territory_id, source_id) VALUES ('coord-a', 'A', 2, 1), ('coord-b', 'B', 3, 1);
INSERT INTO coordination_member (coordination_id, operator_id)
  SELECT c.id, x.op FROM (VALUES ('coord-a', 1), ('coord-a', 2), ('coord-a', 3), ('coord-a', 4), ('coord-b', 3), ('coord-b', 4)) AS x(c, op)
  JOIN coordination c ON c.code = x.c;
INSERT INTO working_group (coordination_id, kind, name, source_id)
  SELECT id, 'working_group', x.name, 1 FROM coordination, (VALUES ('GT A'), ('GT B')) AS x(name) WHERE code = 'coord-a';
INSERT INTO working_group_member (working_group_id, operator_id)
  SELECT w.id, x.op FROM (VALUES ('GT A', 1), ('GT A', 2), ('GT B', 1), ('GT B', 2), ('GT B', 3)) AS x(w, op)
  JOIN working_group w ON w.name = x.w;
-- Project 1 (carrier 1) with partner 3; project 3 (carrier 2) with partners 1 and 3.
INSERT INTO project_partner (project_id, operator_id) VALUES (1, 3), (3, 1), (3, 3);
`

func TestNetwork(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	exec(t, st, networkData)
	show := func(nodes []store.NetworkNode, ties []store.NetworkTie) string {
		var parts []string
		for _, n := range nodes {
			parts = append(parts, fmt.Sprintf("%d:%d", n.OperatorID, n.PartnerCount))
		}
		for _, t := range ties {
			parts = append(parts, fmt.Sprintf("%d-%d wg=%d pj=%d", t.OperatorID, t.PartnerID, t.SharedWorkingGroups, t.SharedProjects))
		}
		return strings.Join(parts, ", ")
	}
	tests := []struct {
		name string
		args store.NetworkArgs
		want string
	}{
		// 1-2: GT A and GT B, project 3. 1-3: GT B, projects 1 and 3. 2-3: GT B, project 3.
		// Operator 4 works with no one. Nodes by partners then name (CPAS, Lire, Maison, Zéro);
		// ties by weight then names (Maison-CPAS 3, Maison-Lire 3, CPAS-Lire 2).
		{"all operators", store.NetworkArgs{}, "2:2, 3:2, 1:2, 4:0, 1-2 wg=2 pj=1, 1-3 wg=1 pj=2, 2-3 wg=1 pj=1"},
		{"coordination A", store.NetworkArgs{Coordination: store.Filter{Conds: []store.Cond{{Field: "code", Op: "eq", Value: "coord-a"}}}},
			"2:2, 3:2, 1:2, 4:0, 1-2 wg=2 pj=1, 1-3 wg=1 pj=2, 2-3 wg=1 pj=1"},
		// Coordination B: operators 3 and 4, no body, no project between them.
		{"coordination B", store.NetworkArgs{Coordination: store.Filter{Conds: []store.Cond{{Field: "code", Op: "eq", Value: "coord-b"}}}}, "3:0, 4:0"},
		// The projects start in 2024: none is active in 2023.
		// Weights 2, 1, 1: CPAS-Lire comes before Maison-Lire by name.
		{"projects of 2023 only", store.NetworkArgs{Year: ptr(2023)}, "2:2, 3:2, 1:2, 4:0, 1-2 wg=2 pj=0, 2-3 wg=1 pj=0, 1-3 wg=1 pj=0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nodes, ties, err := store.Network(ctx, st, tt.args)
			if err != nil {
				t.Fatal(err)
			}
			if got := show(nodes, ties); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// One rule of each kind, each with a subject that breaks it and one that keeps it.
const rulesData = `
INSERT INTO operator (name, legal_form_id, kind, source_id) VALUES ('Service public test', 2, 'public', 1);
INSERT INTO coordination (code, name, territory_id, source_id) VALUES ('coord-a', 'A', 2, 1), ('coord-b', 'B', 3, 1);
INSERT INTO working_group (coordination_id, kind, name, source_id)
  SELECT c.id, x.kind, x.name, 1 FROM (VALUES ('coord-a', 'steering_committee', 'SC A'), ('coord-b', 'steering_committee', 'SC B'),
    ('coord-a', 'working_group', 'GT A'), ('coord-a', 'working_group', 'GT B'), ('coord-a', 'working_group', 'GT C')) AS x(c, kind, name)
  JOIN coordination c ON c.code = x.c;
-- SC A met 6 times in 2023 and 5 times in 2024; GT A met in 2025, when SC A did not meet.
-- SC B never met: its coordination recorded no meeting, so nothing is known of its years.
INSERT INTO meeting (working_group_id, year, source_id)
  SELECT w.id, x.y, 1 FROM (VALUES ('SC A', 2023, 6), ('SC A', 2024, 5), ('GT A', 2025, 1)) AS x(w, y, n)
  JOIN working_group w ON w.name = x.w CROSS JOIN generate_series(1, x.n);
-- GT A: 1 associative, 1 public. GT B: 2 associative, 2 public. GT C: no member recorded.
INSERT INTO working_group_member (working_group_id, operator_id)
  SELECT w.id, x.op FROM (VALUES ('GT A', 1), ('GT A', 2), ('GT B', 1), ('GT B', 2), ('GT B', 3), ('GT B', 4)) AS x(w, op)
  JOIN working_group w ON w.name = x.w;
-- Indicator total with children c1 and c2, for project 1 in 2024: targets 10 < 6 + 5,
-- realised 10 = 5 + 5 (a rejected 7 and a breakdown by gender do not count).
INSERT INTO disaggregation (dimension, code, label_fr, label_nl) VALUES ('gender', 'women', 'Femmes', 'Vrouwen');
INSERT INTO indicator (code, programme_id, label_fr, label_nl, unit, aggregation, source_id) VALUES
  ('total', 1, 'Total', 'Totaal', 'persons', 'sum', 1), ('c1', 1, 'C1', 'C1', 'persons', 'sum', 1), ('c2', 1, 'C2', 'C2', 'persons', 'sum', 1);
UPDATE indicator SET parent_id = (SELECT id FROM indicator WHERE code = 'total') WHERE code IN ('c1', 'c2');
INSERT INTO observation (indicator_id, project_id, period_start, period_end, granularity, kind, value, status, disaggregation_id, source_id)
  SELECT i.id, 1, '2024-01-01', '2024-12-31', 'year', x.kind, x.v, x.status, d.id, 1 FROM (VALUES
    ('total', 'target', 10, 'validated', NULL), ('c1', 'target', 6, 'validated', NULL), ('c2', 'target', 5, 'validated', NULL),
    ('total', 'realised', 10, 'validated', NULL), ('c1', 'realised', 5, 'validated', NULL), ('c2', 'realised', 5, 'validated', NULL),
    ('c2', 'realised', 7, 'rejected', NULL), ('c1', 'realised', 9, 'validated', 'women')) AS x(code, kind, v, status, dis)
  JOIN indicator i ON i.code = x.code LEFT JOIN disaggregation d ON d.code = x.dis;
INSERT INTO rule (code, label_fr, label_nl, kind, threshold, programme_id, coordination_id, working_group_kind, source_id) VALUES
  ('a-meetings', 'Six réunions', 'Zes vergaderingen', 'min_meetings_per_year', 6, NULL, NULL, 'steering_committee', 1),
  ('b-members', 'Trois membres', 'Drie leden', 'min_group_members', 3, NULL, (SELECT id FROM coordination WHERE code = 'coord-a'), 'working_group', 1),
  ('c-public', 'Deux publics', 'Twee openbare', 'min_public_members', 2, NULL, NULL, 'working_group', 1),
  ('d-associative', 'Deux associations', 'Twee verenigingen', 'min_associative_members', 2, NULL, NULL, 'working_group', 1),
  ('e-budget', 'Au plus 16 000 EUR', 'Hoogstens 16 000 EUR', 'max_project_budget', 16000, 1, NULL, NULL, 1),
  ('f-children', 'Enfants sous le parent', 'Kinderen onder de ouder', 'children_within_parent', NULL, 1, NULL, NULL, 1);
`

func TestRuleViolations(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	exec(t, st, rulesData)
	groups := idsOf(t, st, "working_group", "name")
	rules, err := store.Rules(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	ruleCode := map[int64]string{}
	var codes []string
	for _, r := range rules {
		ruleCode[r.ID] = r.Code
		codes = append(codes, r.Code)
	}
	if want := []string{"a-meetings", "b-members", "c-public", "d-associative", "e-budget", "f-children"}; !slices.Equal(codes, want) {
		t.Fatalf("rules %v, want %v", codes, want)
	}
	if r := rules[4]; r.Kind != cohesion.RuleMaxProjectBudget || !r.Threshold.Equal(*dec("16000")) || r.ProgrammeID == nil || r.Label(cohesion.LangNL) != "Hoogstens 16 000 EUR" {
		t.Errorf("budget rule read back as %+v", r)
	}
	if r := rules[5]; r.Threshold != nil {
		t.Errorf("children rule has threshold %v, want none", r.Threshold)
	}

	show := func(vs []store.RuleViolation) []string {
		var out []string
		for _, v := range vs {
			out = append(out, fmt.Sprintf("%s %s:%s year=%s observed=%s threshold=%s", ruleCode[v.RuleID], v.SubjectType, v.SubjectLabel,
				intString(v.Year), v.Observed.String(), v.Threshold.String()))
		}
		return out
	}
	all, err := store.RuleViolations(ctx, st, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		// SC A: 6 meetings in 2023 keep the rule; 5 in 2024 and none in 2025 (a year GT A met) break it.
		"a-meetings WorkingGroup:SC A year=2024 observed=5 threshold=6",
		"a-meetings WorkingGroup:SC A year=2025 observed=0 threshold=6",
		// GT A has 2 members, GT B 4; GT C has none recorded and is not judged.
		"b-members WorkingGroup:GT A year=null observed=2 threshold=3",
		"c-public WorkingGroup:GT A year=null observed=1 threshold=2",
		"d-associative WorkingGroup:GT A year=null observed=1 threshold=2",
		// Project 4 (20,000) breaks the cap, project 1 (15,000.50) and 2 (8,000) keep it.
		"e-budget Project:Alphabétisation year=null observed=20000 threshold=16000",
		// Targets: 6 + 5 > 10. Realised: 5 + 5 = 10 keeps the rule.
		"f-children Observation:total, target, 2024-01-01 to 2024-12-31, École de devoirs year=null observed=11 threshold=10",
	}
	if got := show(all); !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if v := all[0]; v.SubjectID != groups["SC A"] || !strings.Contains(v.Evidence, "5 meeting(s) recorded in 2024") || !strings.Contains(v.Evidence, "Test fixture") {
		t.Errorf("evidence %q for subject %d", v.Evidence, v.SubjectID)
	}
	if v := all[6]; !strings.Contains(v.Evidence, "c1 = 6, c2 = 5") {
		t.Errorf("children evidence %q", v.Evidence)
	}

	t.Run("one rule, one year", func(t *testing.T) {
		got, err := store.RuleViolations(ctx, st, ptr("a-meetings"), ptr(2024))
		if err != nil {
			t.Fatal(err)
		}
		if g := show(got); !slices.Equal(g, want[:1]) {
			t.Errorf("got %q, want %q", g, want[:1])
		}
		got, err = store.RuleViolations(ctx, st, ptr("a-meetings"), ptr(2023))
		if err != nil || len(got) != 0 {
			t.Errorf("2023: %v, %v; want no violation", got, err)
		}
	})

	t.Run("a rule scoped to another coordination sees nothing", func(t *testing.T) {
		exec(t, st, `UPDATE rule SET coordination_id = (SELECT id FROM coordination WHERE code = 'coord-b') WHERE code = 'b-members'`)
		got, err := store.RuleViolations(ctx, st, ptr("b-members"), nil)
		if err != nil || len(got) != 0 {
			t.Errorf("got %v, %v; want no violation", show(got), err)
		}
	})

	t.Run("the table refuses malformed rules", func(t *testing.T) {
		for name, values := range map[string]string{
			"a count without threshold":  `('x1', 'x', 'x', 'min_group_members', NULL, NULL, 1)`,
			"a children rule with one":   `('x2', 'x', 'x', 'children_within_parent', 5, NULL, 1)`,
			"a programme on a body rule": `('x3', 'x', 'x', 'min_group_members', 5, 1, 1)`,
			"an unknown kind":            `('x4', 'x', 'x', 'max_meetings', 5, NULL, 1)`,
		} {
			err := st.Load(ctx, func(ctx context.Context, l *store.Loader) error {
				return l.ExecScript(ctx, `INSERT INTO rule (code, label_fr, label_nl, kind, threshold, programme_id, source_id) VALUES `+values)
			})
			if err == nil {
				t.Errorf("%s was accepted", name)
			}
		}
	})
}
