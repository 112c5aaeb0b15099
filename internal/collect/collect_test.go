package collect

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/cohesion"
)

func ptr[T any](v T) *T { return &v }

func num(s string) *decimal.Decimal { return ptr(decimal.RequireFromString(s)) }

// grid is a small operator template: part A once, part B per site, the social activation
// grid's sum and a consistency rule.
func grid() Template {
	return Template{ID: 7, Code: "grid", Version: 1, Audience: ForOperators, ProgrammeID: 1,
		PeriodStart: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), PeriodEnd: time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC),
		TitleFr: "Grille", TitleNl: "Rooster",
		Sections: []Section{
			{Key: "a", LabelFr: "Volet A", LabelNl: "Deel A", Repeat: Once, Questions: []Question{
				{Key: "a.summary", Kind: Text, LabelFr: "Résumé", LabelNl: "Samenvatting", Required: true},
				{Key: "a.partners", Kind: YesNo, LabelFr: "Partenaires ?", LabelNl: "Partners?"},
				{Key: "a.partners-list", Kind: Text, LabelFr: "Lesquels", LabelNl: "Welke", Required: true,
					AskedWhen: &Condition{Key: "a.partners", Equals: "true"}},
				{Key: "g.2-1", Kind: Number, LabelFr: "2.1", LabelNl: "2.1", Min: num("0"), Max: num("2")},
				{Key: "g.2-2", Kind: Number, LabelFr: "2.2", LabelNl: "2.2"},
				{Key: "g.2-3", Kind: Number, LabelFr: "2.3", LabelNl: "2.3"},
			}},
			{Key: "b", LabelFr: "Volet B", LabelNl: "Deel B", Repeat: PerSite, Questions: []Question{
				{Key: "b.people", Kind: Indicator, IndicatorID: ptr(int64(3)), IndicatorUnit: "persons", LabelFr: "Personnes", LabelNl: "Personen", Required: true},
				{Key: "b.women", Kind: Number, LabelFr: "Femmes", LabelNl: "Vrouwen"},
				{Key: "b.level", Kind: SingleChoice, LabelFr: "Niveau", LabelNl: "Niveau",
					Options: []Option{{"a1", "A1", "A1"}, {"a2", "A2", "A2"}}},
			}},
		},
		Rules: []Rule{
			{Key: "grid-sum", Kind: SumAtMost, Questions: []string{"g.2-1", "g.2-2", "g.2-3"}, Threshold: num("2"), LabelFr: "Grille", LabelNl: "Rooster"},
			{Key: "women-in-total", Kind: NotAbove, Questions: []string{"b.women", "b.people"}, LabelFr: "Femmes ≤ total", LabelNl: "Vrouwen ≤ totaal"},
		},
	}
}

func TestTemplateValidationNamesTheElement(t *testing.T) {
	if err := ptr(grid()).Validate(); err != nil {
		t.Fatalf("the grid is a valid template: %v", err)
	}
	tests := []struct {
		field  string
		change func(*Template)
	}{
		{"sections[0].questions[1].key", func(t *Template) { t.Sections[0].Questions[1].Key = "a.summary" }},
		{"sections[1].questions[2].options", func(t *Template) { t.Sections[1].Questions[2].Options = nil }},
		{"sections[0].questions[2].askedWhen", func(t *Template) { t.Sections[0].Questions[2].AskedWhen.Equals = "maybe" }},
		{"sections[0].questions[0].indicator", func(t *Template) { t.Sections[0].Questions[0].IndicatorID = ptr(int64(1)) }},
		{"rules[0].questions", func(t *Template) { t.Rules[0].Questions[0] = "a.summary" }},
		{"rules[1]", func(t *Template) { t.Rules[1].Questions = append(t.Rules[1].Questions, "g.2-1") }},
		{"sections", func(t *Template) { t.Audience = ForCoordinations }},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			tpl := grid()
			tt.change(&tpl)
			var inv *cohesion.InvalidError
			if err := tpl.Validate(); !errors.As(err, &inv) || inv.Field != tt.field {
				t.Fatalf("got %v, want an error on %s", err, tt.field)
			}
		})
	}
}

func TestSavedAnswersMustFitTheirQuestion(t *testing.T) {
	tpl := grid()
	sites := []int64{10, 11}
	ok := []Answer{
		{QuestionKey: "a.summary", Value: Value{Text: ptr("fine")}},
		{QuestionKey: "b.level", SiteID: ptr(int64(11)), Value: Value{Choices: []string{"a2"}}},
		{QuestionKey: "g.2-1", Value: Value{Number: num("5")}}, // out of range, but a partial save may be
		{QuestionKey: "a.summary"}, // clears it
	}
	for _, a := range ok {
		if err := tpl.CheckAnswer("answers[0]", a, sites); err != nil {
			t.Errorf("%+v: %v", a, err)
		}
	}
	bad := []struct {
		a     Answer
		field string
	}{
		{Answer{QuestionKey: "nope", Value: Value{Text: ptr("x")}}, "answers[0].question"},
		{Answer{QuestionKey: "a.summary", Value: Value{Number: num("1")}}, "answers[0]"},
		{Answer{QuestionKey: "b.people", Value: Value{Number: num("1")}}, "answers[0].site"},
		{Answer{QuestionKey: "b.people", SiteID: ptr(int64(99)), Value: Value{Number: num("1")}}, "answers[0].site"},
		{Answer{QuestionKey: "a.summary", SiteID: ptr(int64(10)), Value: Value{Text: ptr("x")}}, "answers[0].site"},
		{Answer{QuestionKey: "b.level", SiteID: ptr(int64(10)), Value: Value{Choices: []string{"b1"}}}, "answers[0].choices"},
		{Answer{QuestionKey: "b.level", SiteID: ptr(int64(10)), Value: Value{Choices: []string{"a1", "a2"}}}, "answers[0].choices"},
	}
	for _, tt := range bad {
		var inv *cohesion.InvalidError
		if err := tpl.CheckAnswer("answers[0]", tt.a, sites); !errors.As(err, &inv) || inv.Field != tt.field {
			t.Errorf("%+v: got %v, want an error on %s", tt.a, err, tt.field)
		}
	}
}

func TestCheckListsEveryProblemAtOnce(t *testing.T) {
	tpl := grid()
	sites := []int64{10, 11}
	answers := []Answer{
		{QuestionKey: "a.partners", Value: Value{Bool: ptr(true)}}, // so a.partners-list is required
		{QuestionKey: "g.2-1", Value: Value{Number: num("1.5")}},
		{QuestionKey: "g.2-2", Value: Value{Number: num("0.5")}},
		{QuestionKey: "g.2-3", Value: Value{Number: num("0.5")}},
		{QuestionKey: "b.people", SiteID: ptr(int64(10)), Value: Value{Number: num("12")}},
		{QuestionKey: "b.women", SiteID: ptr(int64(10)), Value: Value{Number: num("13")}},
		{QuestionKey: "b.people", SiteID: ptr(int64(11)), Value: Value{Number: num("2.5")}},
	}
	var got []string
	for _, p := range tpl.Check(answers, sites) {
		site := ""
		if p.SiteID != nil {
			site = fmt.Sprintf("@%d", *p.SiteID)
		}
		got = append(got, p.QuestionKey+site+":"+p.Rule)
		if p.QuestionLabel == "" || p.Message == "" {
			t.Errorf("%+v names no label or message", p)
		}
	}
	want := []string{"a.summary:required", "a.partners-list:required", "b.people@11:whole", "g.2-1:grid-sum", "b.women@10:women-in-total"}
	if !slices.Equal(got, want) {
		t.Fatalf("problems\n got %v\nwant %v", got, want)
	}

	answers = append(answers[1:], Answer{QuestionKey: "a.summary", Value: Value{Text: ptr("ok")}},
		Answer{QuestionKey: "a.partners-list", Value: Value{Text: ptr("not asked any more")}})
	answers[1].Number = num("0") // the grid now sums to 2
	answers[4].Number = num("12")
	answers[5].Number = num("3")
	got = nil
	for _, p := range tpl.Check(answers, sites) {
		got = append(got, p.QuestionKey+":"+p.Rule)
	}
	if want := []string{"a.partners-list:asked_when"}; !slices.Equal(got, want) {
		t.Fatalf("an answer to a question not asked is a problem: got %v, want %v", got, want)
	}
}

func TestReviseCopiesAndChangesAVersion(t *testing.T) {
	tpl := grid()
	changed := tpl.Sections[0].Questions[0]
	changed.LabelFr = "Résumé de l'année"
	next, err := tpl.Revise(Revision{PeriodStart: tpl.PeriodStart.AddDate(1, 0, 0), PeriodEnd: tpl.PeriodEnd.AddDate(1, 0, 0),
		Change: []Question{changed}, Retire: []string{"a.partners", "g.2-2"},
		Add: []Addition{{Section: "b", Question: Question{Key: "b.stay", Kind: Number, LabelFr: "Durée", LabelNl: "Duur", Unit: ptr("months")}}}})
	if err != nil {
		t.Fatal(err)
	}
	if next.Version != 2 || *next.BasedOnID != tpl.ID || next.PeriodStart.Year() != 2025 {
		t.Errorf("version %d based on %v for %v", next.Version, next.BasedOnID, next.PeriodStart)
	}
	q, _, _ := next.Question("a.summary")
	if q.LabelFr != "Résumé de l'année" {
		t.Errorf("changed label %q", q.LabelFr)
	}
	if _, _, ok := next.Question("a.partners"); ok {
		t.Error("a retired question is still asked")
	}
	if q, _, _ := next.Question("a.partners-list"); q.AskedWhen != nil {
		t.Error("a question conditional on a retired one must be asked always")
	}
	if len(next.Rules) != 1 || next.Rules[0].Key != "women-in-total" {
		t.Errorf("rules on retired questions stay: %+v", next.Rules)
	}
	if _, s, ok := next.Question("b.stay"); !ok || s.Key != "b" {
		t.Error("the added question is not in section b")
	}
	if q, _, _ := tpl.Question("a.summary"); q.LabelFr != "Résumé" || len(tpl.Rules) != 2 || len(tpl.Sections[0].Questions) != 6 {
		t.Error("revising changed the original version")
	}
	var inv *cohesion.InvalidError
	if _, err := tpl.Revise(Revision{PeriodStart: tpl.PeriodStart, PeriodEnd: tpl.PeriodEnd, Retire: []string{"gone"}}); !errors.As(err, &inv) || inv.Field != "retire[0]" {
		t.Errorf("retiring an unknown question: %v", err)
	}
}

func TestTransitionsByRoleAndState(t *testing.T) {
	op, commune, other := int64(1), int64(20), int64(21)
	report := Owner{OperatorID: &op, CommuneID: &commune}
	principals := map[string]access.Principal{
		"owner":       {Role: access.Operator, OperatorID: &op},
		"operator":    {Role: access.Operator, OperatorID: &other},
		"coordinator": {Role: access.Coordinator, CommuneID: &commune},
		"elsewhere":   {Role: access.Coordinator, CommuneID: &other},
		"admin":       {Role: access.Admin},
		"analyst":     {Role: access.Analyst},
		"researcher":  {Role: access.Researcher},
	}
	// allowed[action][status] = who may, and the status reached.
	reporters, reviewers := []string{"owner", "admin"}, []string{"coordinator", "admin"}
	allowed := map[Action]map[Status]move{
		Create:    {"": {reporters, Draft}},
		Save:      {Draft: {reporters, Draft}, Returned: {reporters, Returned}, Reopened: {reporters, Reopened}},
		Submit:    {Draft: {reporters, Submitted}, Returned: {reporters, Resubmitted}, Reopened: {reporters, Resubmitted}},
		Return:    {Submitted: {reviewers, Returned}, Resubmitted: {reviewers, Returned}},
		Recommend: {Submitted: {reviewers, Submitted}, Resubmitted: {reviewers, Resubmitted}},
		Validate:  {Submitted: {[]string{"admin"}, Validated}, Resubmitted: {[]string{"admin"}, Validated}},
		Reopen:    {Validated: {[]string{"admin"}, Reopened}},
	}
	statuses := []Status{"", Draft, Submitted, Returned, Resubmitted, Validated, Reopened}
	for _, a := range []Action{Create, Save, Submit, Return, Recommend, Validate, Reopen} {
		for _, from := range statuses {
			for name, p := range principals {
				to, err := Transition(p, a, from, report)
				m, stateOK := allowed[a][from]
				roleOK := slices.Contains(allowedWho(allowed[a]), name)
				switch {
				case !roleOK && !errors.Is(err, access.ErrForbidden):
					t.Errorf("%s %s a %q report: got %v, want forbidden", name, a, from, err)
				case roleOK && !stateOK && !errors.Is(err, cohesion.ErrInvalid):
					t.Errorf("%s %s a %q report: got %v, want a status error", name, a, from, err)
				case roleOK && stateOK && (err != nil || to != m.to):
					t.Errorf("%s %s a %q report: got %q, %v; want %q", name, a, from, to, err, m.to)
				}
			}
		}
	}
}

// move is who may make a transition, and the status it reaches.
type move struct {
	who []string
	to  Status
}

// allowedWho is everyone allowed an action in some status.
func allowedWho(m map[Status]move) []string {
	var out []string
	for _, mv := range m {
		out = append(out, mv.who...)
	}
	return out
}

func TestCoordinationReportsAreWrittenByTheirCommunesCoordinator(t *testing.T) {
	coord, commune := int64(5), int64(20)
	report := Owner{CoordinationID: &coord, CommuneID: &commune}
	coordinator := access.Principal{Role: access.Coordinator, CommuneID: &commune}
	if _, err := Transition(coordinator, Submit, Draft, report); err != nil {
		t.Errorf("the commune's coordinator submits its coordination's report: %v", err)
	}
	for _, a := range []Action{Return, Recommend, Validate} {
		if _, err := Transition(coordinator, a, Submitted, report); !errors.Is(err, access.ErrForbidden) {
			t.Errorf("a coordinator does not %s its own report: %v", a, err)
		}
	}
	if _, err := Transition(access.Principal{Role: access.Admin}, Return, Submitted, report); err != nil {
		t.Errorf("the administration returns a coordination's report: %v", err)
	}
}
