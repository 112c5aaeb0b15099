package server_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/cohesio/cohesio/internal/store"
)

// The analyses of the annual evaluation, end to end: GraphQL request, one statement per
// analysis, the objects they name loaded in batches.

// analysesData adds to the fixture: commune 21004 with a quartier, needs and projects there;
// a second programme funding operator 1 again; a coordination with a steering committee, two
// working groups and partnerships; transversal links; and one rule of several kinds.
const analysesData = `
INSERT INTO territory (code, kind, name_fr, name_nl, parent_id, nis_code, source_id)
  SELECT '21004', 'commune', 'Bruxelles', 'Brussel', id, '21004', 1 FROM territory WHERE code = 'BXL';
INSERT INTO territory (code, kind, name_fr, name_nl, parent_id, source_id)
  SELECT 'bxl-marolles', 'quartier', 'Marolles', 'Marollen', id, 1 FROM territory WHERE code = '21004';
INSERT INTO need (territory_id, theme_id, period_start, period_end, severity, evidence, source_id)
  SELECT t.id, th.id, '2022-01-01', '2022-12-31', x.sev, 'test', 1 FROM (VALUES ('bxl-marolles', 'housing', 3), ('21004', 'digital_exclusion', 2)) AS x(t, th, sev)
  JOIN territory t ON t.code = x.t JOIN theme th ON th.code = x.th;
INSERT INTO programme (code, policy_id, funder_id, name_fr, name_nl, start_date, source_id) VALUES ('other', 1, 1, 'Autre', 'Ander', '2020-01-01', 1);
INSERT INTO project (code, operator_id, programme_id, territory_id, title, start_date, end_date, budget, source_id)
  SELECT x.code, x.op, p.id, t.id, x.title, x.s::date, x.e::date, x.b, 1 FROM (VALUES
    ('P1', 1, 'cs-2024', 'bxl-marolles', 'Logement Marolles', '2022-01-01', '2022-12-31', 1000),
    ('Q1', 1, 'other', '21015', 'Numérique bis', '2025-01-01', '2025-06-30', 25000)) AS x(code, op, prog, t, title, s, e, b)
  JOIN programme p ON p.code = x.prog JOIN territory t ON t.code = x.t;
INSERT INTO project_theme (project_id, theme_id)
  SELECT p.id, th.id FROM (VALUES ('P1', 'housing'), ('Q1', 'digital_exclusion')) AS x(p, th)
  JOIN project p ON p.code = x.p JOIN theme th ON th.code = x.th;
INSERT INTO operator (name, legal_form_id, kind, source_id) VALUES ('Zéro Partenaire', 1, 'associative', 1);
INSERT INTO coordination (code, name, territory_id, source_id) VALUES ('coord-a', 'A', 2, 1);
INSERT INTO coordination_member (coordination_id, operator_id) SELECT id, op FROM coordination, generate_series(1, 4) AS op;
INSERT INTO working_group (coordination_id, kind, name, source_id)
  SELECT id, x.kind, x.name, 1 FROM coordination, (VALUES ('steering_committee', 'Comité A'), ('working_group', 'GT A')) AS x(kind, name);
INSERT INTO working_group_member (working_group_id, operator_id)
  SELECT w.id, x.op FROM (VALUES ('Comité A', 1), ('Comité A', 2), ('GT A', 1), ('GT A', 2), ('GT A', 3)) AS x(w, op)
  JOIN working_group w ON w.name = x.w;
INSERT INTO project_partner (project_id, operator_id) VALUES (3, 1);
INSERT INTO meeting (working_group_id, year, source_id) SELECT id, 2022, 1 FROM working_group, generate_series(1, 5) WHERE name = 'Comité A';
INSERT INTO authority (code, name_fr, name_nl, level, source_id) VALUES ('eu', 'Union européenne', 'Europese Unie', 'eu', 1);
INSERT INTO policy (code, authority_id, name_fr, name_nl, source_id) SELECT 'esf', id, 'FSE+', 'ESF+', 1 FROM authority WHERE code = 'eu';
INSERT INTO transversal_link (programme_id, project_id, policy_id, relation, note, source_id)
  SELECT x.prog, x.proj, p.id, x.rel, x.note, 1 FROM policy p, (VALUES
    (1, NULL, 'complementarity', 'programme link'), (NULL, 2, 'double_financing_risk', 'project link')) AS x(prog, proj, rel, note)
  WHERE p.code = 'esf';
INSERT INTO rule (code, label_fr, label_nl, kind, threshold, programme_id, working_group_kind, source_id) VALUES
  ('committee-meetings', 'Six réunions par an', 'Zes vergaderingen per jaar', 'min_meetings_per_year', 6, NULL, 'steering_committee', 1),
  ('group-members', 'Trois membres', 'Drie leden', 'min_group_members', 3, NULL, 'working_group', 1),
  ('budget-cap', 'Au plus 18 000 EUR', 'Hoogstens 18 000 EUR', 'max_project_budget', 18000, 1, NULL, 1);
`

func newAnalysesAPI(t *testing.T) *api {
	t.Helper()
	a := newAPI(t)
	err := a.store.Load(context.Background(), func(ctx context.Context, l *store.Loader) error { return l.ExecScript(ctx, analysesData) })
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// statementsFor runs q and returns how many statements it took.
func (a *api) statementsFor(q string, vars map[string]any, out any) int64 {
	a.t.Helper()
	before := a.statements.n.Load()
	a.query(q, vars, out)
	return a.statements.n.Load() - before
}

func TestConcordanceQuery(t *testing.T) {
	a := newAnalysesAPI(t)
	var data struct {
		Concordance []struct {
			Territory struct {
				Code   string
				Parent struct{ Code string }
			}
			Theme struct {
				Code  string
				Label string
			}
			Year          int
			NeedCount     int
			MaxSeverity   *int
			ProjectCount  int
			OperatorCount int
			Budget        *string
			Status        string
		}
	}
	// Default level COMMUNE and lowActivityBelow 2: the need of the quartier counts for 21004.
	n := a.statementsFor(`query($t: TerritoryFilter) { concordance(fromYear: 2022, toYear: 2022, territory: $t) {
		territory { code parent { code } } theme { code label(lang: NL) } year needCount maxSeverity projectCount operatorCount budget status } }`,
		map[string]any{"t": map[string]any{"code": map[string]any{"eq": "21004"}}}, &data)
	var got []string
	for _, r := range data.Concordance {
		budget := "null"
		if r.Budget != nil {
			budget = *r.Budget
		}
		got = append(got, strings.Join([]string{r.Territory.Code, r.Territory.Parent.Code, r.Theme.Code, r.Theme.Label, itoa(r.Year),
			itoa(r.NeedCount), itoa(r.ProjectCount), itoa(r.OperatorCount), budget, r.Status}, " "))
	}
	want := []string{
		"21004 BXL digital_exclusion Digitale kloof 2022 1 0 0 null NEED_WITHOUT_ACTIVITY",
		"21004 BXL housing Huisvesting 2022 1 1 1 1000 LOW_ACTIVITY",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The analysis, its territories, their parents, its themes.
	if n != 4 {
		t.Errorf("%d statements, want 4", n)
	}
}

func TestCoherenceQuery(t *testing.T) {
	a := newAnalysesAPI(t)
	var data struct {
		Coherence []struct {
			Programme      struct{ Code string }
			Policy         struct{ Code string }
			AuthorityLevel string
			Relations      []string
			Links          []struct {
				Note    string
				Project *struct{ Title string }
			}
		}
	}
	a.query(`{ coherence(programme: {code: {eq: "cs-2024"}}) { programme { code } policy { code } authorityLevel relations links { note project { title } } } }`, nil, &data)
	if len(data.Coherence) != 1 {
		t.Fatalf("got %+v, want one cell", data.Coherence)
	}
	c := data.Coherence[0]
	if c.Programme.Code != "cs-2024" || c.Policy.Code != "esf" || c.AuthorityLevel != "EU" ||
		!slices.Equal(c.Relations, []string{"COMPLEMENTARITY", "DOUBLE_FINANCING_RISK"}) || len(c.Links) != 2 {
		t.Errorf("got %+v", c)
	}
	// One link from the programme itself, one from its project "Permanence numérique".
	for _, l := range c.Links {
		if (l.Note == "project link") != (l.Project != nil && l.Project.Title == "Permanence numérique") {
			t.Errorf("link %+v", l)
		}
	}
}

func TestFundingOverlapsQuery(t *testing.T) {
	a := newAnalysesAPI(t)
	var data struct {
		FundingOverlaps []struct {
			Operator     struct{ Name string }
			Project      struct{ Title string }
			OtherProject struct {
				Title     string
				Programme struct{ Code string }
			}
			OverlapStart        string
			OverlapEnd          *string
			SharedThemes        []struct{ Code string }
			SharedTargetPublics []struct{ Code string }
		}
	}
	// Operator 1: "Permanence numérique" (cs-2024, 2024-, digital exclusion) and Q1 (other
	// programme, first half of 2025, same theme). P1 ended in 2022.
	n := a.statementsFor(`{ fundingOverlaps(from: "2024-01-01") { operator { name } project { title } otherProject { title programme { code } }
		overlapStart overlapEnd sharedThemes { code } sharedTargetPublics { code } } }`, nil, &data)
	if len(data.FundingOverlaps) != 1 {
		t.Fatalf("got %+v, want one pair", data.FundingOverlaps)
	}
	o := data.FundingOverlaps[0]
	if o.Operator.Name != "Maison des Écoles" || o.Project.Title != "Permanence numérique" || o.OtherProject.Title != "Numérique bis" ||
		o.OtherProject.Programme.Code != "other" || o.OverlapStart != "2025-01-01" || o.OverlapEnd == nil || *o.OverlapEnd != "2025-06-30" ||
		len(o.SharedThemes) != 1 || o.SharedThemes[0].Code != "digital_exclusion" || len(o.SharedTargetPublics) != 0 {
		t.Errorf("got %+v", o)
	}
	// The analysis, operators, projects, their programmes, themes (no public to load).
	if n != 5 {
		t.Errorf("%d statements, want 5", n)
	}

	var none struct{ FundingOverlaps []any }
	a.query(`{ fundingOverlaps(to: "2024-12-31") { overlapStart } }`, nil, &none)
	if len(none.FundingOverlaps) != 0 {
		t.Errorf("before 2025: %v, want none", none.FundingOverlaps)
	}
}

func TestNetworkQuery(t *testing.T) {
	a := newAnalysesAPI(t)
	var data struct {
		Network struct {
			Nodes []struct {
				Operator     struct{ Name string }
				PartnerCount int
				Isolated     bool
			}
			Ties []struct {
				Operator            struct{ Name string }
				Partner             struct{ Name string }
				SharedWorkingGroups int
				SharedProjects      int
				Weight              int
			}
		}
	}
	a.query(`{ network(coordination: {code: {eq: "coord-a"}}) { nodes { operator { name } partnerCount isolated }
		ties { operator { name } partner { name } sharedWorkingGroups sharedProjects weight } } }`, nil, &data)
	var nodes, ties []string
	for _, n := range data.Network.Nodes {
		nodes = append(nodes, n.Operator.Name+" "+itoa(n.PartnerCount)+" "+map[bool]string{true: "isolated", false: "connected"}[n.Isolated])
	}
	for _, t := range data.Network.Ties {
		ties = append(ties, strings.Join([]string{t.Operator.Name, t.Partner.Name, itoa(t.SharedWorkingGroups), itoa(t.SharedProjects), itoa(t.Weight)}, " / "))
	}
	// Maison (1) and CPAS (2) sit in both bodies and share project 3 (CPAS carrier, Maison
	// partner); Lire (3) sits in GT A with both; Zéro (4) is only a member of the coordination.
	wantNodes := []string{"CPAS de Schaerbeek 2 connected", "Lire et Écrire Molenbeek 2 connected", "Maison des Écoles 2 connected", "Zéro Partenaire 0 isolated"}
	wantTies := []string{
		"Maison des Écoles / CPAS de Schaerbeek / 2 / 1 / 3",
		"CPAS de Schaerbeek / Lire et Écrire Molenbeek / 1 / 0 / 1",
		"Maison des Écoles / Lire et Écrire Molenbeek / 1 / 0 / 1",
	}
	if !slices.Equal(nodes, wantNodes) || !slices.Equal(ties, wantTies) {
		t.Errorf("nodes %q\nwant  %q\nties %q\nwant %q", nodes, wantNodes, ties, wantTies)
	}
}

func TestRulesAndViolationsQuery(t *testing.T) {
	a := newAnalysesAPI(t)
	var rules struct {
		Rules []struct {
			Code             string
			Label            string
			Kind             string
			Threshold        *string
			Programme        *struct{ Code string }
			WorkingGroupKind *string
			Source           struct{ Code string }
		}
	}
	n := a.statementsFor(`{ rules { code label(lang: NL) kind threshold programme { code } workingGroupKind source { code } } }`, nil, &rules)
	if len(rules.Rules) != 3 {
		t.Fatalf("got %+v", rules.Rules)
	}
	if r := rules.Rules[0]; r.Code != "budget-cap" || r.Label != "Hoogstens 18 000 EUR" || r.Kind != "MAX_PROJECT_BUDGET" ||
		r.Threshold == nil || *r.Threshold != "18000" || r.Programme == nil || r.Programme.Code != "cs-2024" || r.Source.Code != "test" {
		t.Errorf("first rule %+v", r)
	}
	if r := rules.Rules[1]; r.WorkingGroupKind == nil || *r.WorkingGroupKind != "STEERING_COMMITTEE" || r.Programme != nil {
		t.Errorf("second rule %+v", r)
	}
	// The rules, then their programmes and sources, each for all rules at once.
	if n != 3 {
		t.Errorf("%d statements, want 3", n)
	}

	var data struct {
		RuleViolations []struct {
			Rule struct {
				Code   string
				Source struct{ Title string }
			}
			Subject      json.RawMessage
			SubjectLabel string
			Year         *int
			Observed     string
			Threshold    string
			Evidence     string
		}
	}
	a.query(`{ ruleViolations { rule { code source { title } } subject { __typename id ... on WorkingGroup { name coordination { code } }
		... on Project { title budget } } subjectLabel year observed threshold evidence } }`, nil, &data)
	var got []string
	for _, v := range data.RuleViolations {
		year := "-"
		if v.Year != nil {
			year = itoa(*v.Year)
		}
		got = append(got, strings.Join([]string{v.Rule.Code, v.SubjectLabel, year, v.Observed, v.Threshold}, " "))
	}
	// Project 4 (20,000) is over the cap; the committee met 5 times in 2022; GT A has 3 members.
	want := []string{"budget-cap Alphabétisation - 20000 18000", "committee-meetings Comité A 2022 5 6"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	var subject struct {
		Typename     string `json:"__typename"`
		ID           string
		Name         string
		Coordination struct{ Code string }
	}
	if err := json.Unmarshal(data.RuleViolations[1].Subject, &subject); err != nil {
		t.Fatal(err)
	}
	if subject.Typename != "WorkingGroup" || subject.Name != "Comité A" || subject.Coordination.Code != "coord-a" || subject.ID == "" {
		t.Errorf("subject %+v", subject)
	}
	if v := data.RuleViolations[1]; !strings.Contains(v.Evidence, "5 meeting(s) recorded in 2022") || v.Rule.Source.Title != "Test fixture" {
		t.Errorf("violation %+v", v)
	}

	// The subject is a node: node(id:) finds it again.
	var node struct {
		Node struct{ Name string }
	}
	a.query(`query($id: ID!) { node(id: $id) { ... on WorkingGroup { name } } }`, map[string]any{"id": subject.ID}, &node)
	if node.Node.Name != "Comité A" {
		t.Errorf("node(id: %s) = %+v", subject.ID, node)
	}

	var filtered struct{ RuleViolations []struct{ Year *int } }
	a.query(`{ ruleViolations(rule: "committee-meetings", year: 2023) { year } }`, nil, &filtered)
	if len(filtered.RuleViolations) != 0 {
		t.Errorf("2023: %+v, want none (meetings were recorded for 2022 only)", filtered.RuleViolations)
	}
}

func TestAnalysesRefuseBadArguments(t *testing.T) {
	a := newAnalysesAPI(t)
	tests := []struct {
		name, query, field string
	}{
		{"unknown rule", `{ ruleViolations(rule: "nope") { evidence } }`, "rule"},
		{"years upside down", `{ concordance(fromYear: 2025, toYear: 2024) { year } }`, "fromYear"},
		{"period upside down", `{ fundingOverlaps(from: "2025-01-01", to: "2024-01-01") { overlapStart } }`, "from"},
		{"id of another type in a filter", `{ coherence(programme: {id: {eq: "VGhlbWU6MQ"}}) { relations } }`, "filter.id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := a.raw(tt.query, nil)
			if len(resp.Errors) != 1 {
				t.Fatalf("errors %+v, want one", resp.Errors)
			}
			if e := resp.Errors[0]; e.Extensions["code"] != "BAD_USER_INPUT" || e.Extensions["field"] != tt.field {
				t.Errorf("error %+v, want BAD_USER_INPUT on %s", e, tt.field)
			}
		})
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
