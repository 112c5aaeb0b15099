package store_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/cohesion"
	"github.com/cohesio/cohesio/internal/collect"
	"github.com/cohesio/cohesio/internal/store"
)

// In the fixture, operators 1 and 2 sit in Schaerbeek (territory 2), operator 3 in Molenbeek
// (territory 3); programme 1 has axis 1 and indicator 1 (pupils, persons).
var (
	operator1  = access.Principal{Role: access.Operator, Subject: "test:op1", OperatorID: id64(1)}
	operator3  = access.Principal{Role: access.Operator, Subject: "test:op3", OperatorID: id64(3)}
	schaerbeek = access.Principal{Role: access.Coordinator, Subject: "test:schaerbeek", CommuneID: id64(2)}
	molenbeek  = access.Principal{Role: access.Coordinator, Subject: "test:molenbeek", CommuneID: id64(3)}
	admin      = access.Principal{Role: access.Admin, Subject: "test:admin"}
	analyst    = access.Principal{Role: access.Analyst, Subject: "test:analyst"}
)

func id64(n int64) *int64 { return &n }

func as(p access.Principal) context.Context { return access.WithPrincipal(context.Background(), p) }

func date(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func num(s string) collect.Value  { return collect.Value{Number: ptr(decimal.RequireFromString(s))} }
func text(s string) collect.Value { return collect.Value{Text: &s} }
func yes(b bool) collect.Value    { return collect.Value{Bool: &b} }

func answer(key string, site *int64, v collect.Value) collect.Answer {
	return collect.Answer{QuestionKey: key, SiteID: site, Value: v}
}

// reportTemplate is a small operator report: part A once, part B per site with an indicator
// question, a conditional question and a consistency rule.
func reportTemplate() collect.Template {
	return collect.Template{Code: "report", Audience: collect.ForOperators, ProgrammeID: 1, AxisID: id64(1),
		PeriodStart: date("2025-01-01"), PeriodEnd: date("2025-12-31"), TitleFr: "Rapport", TitleNl: "Verslag",
		Sections: []collect.Section{
			{Key: "a", LabelFr: "Volet A", LabelNl: "Deel A", Repeat: collect.Once, Questions: []collect.Question{
				{Key: "a.summary", Kind: collect.Text, LabelFr: "Résumé", LabelNl: "Samenvatting", Required: true},
				{Key: "a.partners", Kind: collect.YesNo, LabelFr: "Partenaires ?", LabelNl: "Partners?"},
				{Key: "a.partners-list", Kind: collect.Text, LabelFr: "Lesquels", LabelNl: "Welke", Required: true,
					AskedWhen: &collect.Condition{Key: "a.partners", Equals: "true"}},
			}},
			{Key: "b", LabelFr: "Volet B", LabelNl: "Deel B", Repeat: collect.PerSite, Questions: []collect.Question{
				{Key: "b.pupils", Kind: collect.Indicator, IndicatorID: id64(1), LabelFr: "Élèves", LabelNl: "Leerlingen", Required: true},
				{Key: "b.girls", Kind: collect.Number, LabelFr: "Filles", LabelNl: "Meisjes"},
			}},
		},
		Rules: []collect.Rule{{Key: "girls-in-total", Kind: collect.NotAbove, Questions: []string{"b.girls", "b.pupils"},
			LabelFr: "Filles ≤ élèves", LabelNl: "Meisjes ≤ leerlingen"}},
	}
}

// cycle is a database with the report template, operators 1, 2 and 3 approved for axis 1 in
// 2025, operator 1 with two sites (1 and 2), and a campaign for 2025 due on due.
type cycle struct {
	st       *store.Store
	template int64
	campaign int64
}

func newCycle(t *testing.T, due string) cycle {
	t.Helper()
	st := open(t)
	err := st.Load(context.Background(), func(ctx context.Context, l *store.Loader) error {
		return l.ExecScript(ctx, `
			INSERT INTO approval (operator_id, programme_id, axis_id, start_date, status, source_id)
			  VALUES (1, 1, 1, '2024-01-01', 'granted', 1), (2, 1, 1, '2024-01-01', 'granted', 1), (3, 1, 1, '2024-01-01', 'granted', 1);
			INSERT INTO operator_site (operator_id, code, name, source_id) VALUES (1, 'north', 'Nord', 1), (1, 'south', 'Sud', 1);`)
	})
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := st.CreateTemplate(as(admin), nil, reportTemplate())
	if err != nil {
		t.Fatal(err)
	}
	camp, err := st.OpenCampaign(as(admin), nil, store.Campaign{Code: "report-2025", TemplateID: tpl.ID,
		PeriodStart: date("2025-01-01"), PeriodEnd: date("2025-12-31"), OpensOn: date("2025-01-01"), DueOn: date(due)})
	if err != nil {
		t.Fatal(err)
	}
	return cycle{st: st, template: tpl.ID, campaign: camp.ID}
}

// complete is operator 1's report, answered in full.
func complete(pupils string) []collect.Answer {
	return []collect.Answer{
		answer("a.summary", nil, text("Soutien scolaire à Schaerbeek")),
		answer("a.partners", nil, yes(false)),
		answer("b.pupils", id64(1), num(pupils)), answer("b.girls", id64(1), num("10")),
		answer("b.pupils", id64(2), num("15")),
	}
}

func (c cycle) submission(t *testing.T, id int64) *store.Submission {
	t.Helper()
	found, err := c.st.SubmissionsByID(as(admin), []int64{id})
	if err != nil {
		t.Fatal(err)
	}
	return found[id]
}

// count runs a count as the owner.
func (c cycle) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := c.st.DB().QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func mustResult(t *testing.T) func(store.Result, error) store.Result {
	return func(r store.Result, err error) store.Result {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
}

func TestASubmissionWalksTheWholeCycle(t *testing.T) {
	c := newCycle(t, "2099-03-31")
	must := mustResult(t)
	op := as(operator1)
	sub := must(c.st.CreateSubmission(op, nil, c.campaign, id64(1), nil))
	v := must(c.st.SaveAnswers(op, nil, sub.ID, sub.Version, complete("30")[:2])).Version

	// A submission missing answers is refused, naming every problem, and changes nothing.
	_, err := c.st.Decide(op, nil, sub.ID, store.Decision{Action: collect.Submit, Version: v})
	var check *collect.CheckError
	if !errors.As(err, &check) {
		t.Fatalf("submitting without part B: %v, want a check error", err)
	}
	var missing []string
	for _, p := range check.Problems {
		missing = append(missing, p.QuestionKey+"/"+p.Rule)
	}
	if want := []string{"b.pupils/required", "b.pupils/required"}; !slices.Equal(missing, want) {
		t.Errorf("problems %v, want %v (part B of each site)", missing, want)
	}
	if s := c.submission(t, sub.ID); s.Status != collect.Draft || s.Version != v || s.SubmittedAt != nil {
		t.Errorf("a failed submit changed the report: %+v", s)
	}

	v = must(c.st.SaveAnswers(op, nil, sub.ID, v, complete("30")[2:])).Version
	v = must(c.st.Decide(op, nil, sub.ID, store.Decision{Action: collect.Submit, Version: v})).Version

	// The coordinator of another commune does not even see it; the operator does not review.
	if _, err := c.st.Decide(as(molenbeek), nil, sub.ID, store.Decision{Action: collect.Return, Version: v, Reason: ptr("no")}); !errors.Is(err, cohesion.ErrNotFound) {
		t.Errorf("Molenbeek's coordinator returning a Schaerbeek report: %v, want not found", err)
	}
	if _, err := c.st.Decide(op, nil, sub.ID, store.Decision{Action: collect.Return, Version: v, Reason: ptr("no")}); !errors.Is(err, access.ErrForbidden) {
		t.Errorf("the operator returning its own report: %v, want forbidden", err)
	}
	if _, err := c.st.Decide(as(schaerbeek), nil, sub.ID, store.Decision{Action: collect.Validate, Version: v}); !errors.Is(err, access.ErrForbidden) {
		t.Errorf("the coordinator validating: %v, want forbidden", err)
	}

	// Returned with a comment on a question of site 2; the comment survives the next edit.
	v = must(c.st.Decide(as(schaerbeek), nil, sub.ID, store.Decision{Action: collect.Return, Version: v, Reason: ptr("Site sud à vérifier"),
		Comments: []store.Comment{{QuestionKey: ptr("b.pupils"), SiteID: id64(2), Body: "15 élèves, vraiment ?"}}})).Version
	v = must(c.st.SaveAnswers(op, nil, sub.ID, v, []collect.Answer{answer("b.pupils", id64(2), num("17"))})).Version
	v = must(c.st.Decide(op, nil, sub.ID, store.Decision{Action: collect.Submit, Version: v})).Version
	if s := c.submission(t, sub.ID); s.Status != collect.Resubmitted {
		t.Errorf("submitted after a return: %s, want resubmitted", s.Status)
	}
	comments, err := c.st.Comments(op, []int64{sub.ID})
	if err != nil {
		t.Fatal(err)
	}
	if cs := comments[sub.ID]; len(cs) != 1 || cs[0].Body != "15 élèves, vraiment ?" || *cs[0].QuestionKey != "b.pupils" || *cs[0].SiteID != 2 {
		t.Errorf("the operator reads the comments %+v", cs)
	}
	v = must(c.st.Decide(as(schaerbeek), nil, sub.ID, store.Decision{Action: collect.Recommend, Version: v})).Version

	// Before validation nothing is published.
	if n := c.count(t, "SELECT count(*) FROM observation WHERE submission_id = ?", sub.ID); n != 0 {
		t.Errorf("%d observations before validation", n)
	}
	v = must(c.st.Decide(as(admin), nil, sub.ID, store.Decision{Action: collect.Validate, Version: v})).Version
	if s := c.submission(t, sub.ID); s.Status != collect.Validated || !s.Recommended || s.ValidatedAt == nil {
		t.Errorf("validated: %+v", s)
	}
	published := func() map[int64]string {
		out := map[int64]string{}
		for id, status := range visibleObservations(t, c.st, access.Anonymous) {
			out[id] = status
		}
		return out
	}
	values := func() string {
		var out []string
		err := c.st.DB().NewSelect().Table("observation").ColumnExpr("concat(site_id, ':', value::int, ':', status)").
			Where("submission_id = ?", sub.ID).Order("site_id").Scan(context.Background(), &out)
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(out, " ")
	}
	if got := values(); got != "1:30:validated 2:17:validated" {
		t.Errorf("observations from the report: %s", got)
	}
	before := len(published())

	// Locked once validated; the administration reopens it with a reason.
	if _, err := c.st.SaveAnswers(op, nil, sub.ID, v, complete("31")); !errors.Is(err, cohesion.ErrInvalid) {
		t.Errorf("saving a validated report: %v, want invalid", err)
	}
	if _, err := c.st.Decide(as(admin), nil, sub.ID, store.Decision{Action: collect.Reopen, Version: v}); !errors.Is(err, cohesion.ErrInvalid) {
		t.Errorf("reopening without a reason: %v, want invalid", err)
	}
	v = must(c.st.Decide(as(admin), nil, sub.ID, store.Decision{Action: collect.Reopen, Version: v, Reason: ptr("Erreur de saisie")})).Version
	if got := values(); got != "1:30:submitted 2:17:submitted" {
		t.Errorf("a reopened report's observations are withdrawn: %s", got)
	}
	if n := len(published()); n != before-2 {
		t.Errorf("%d published observations while reopened, want %d", n, before-2)
	}
	v = must(c.st.SaveAnswers(op, nil, sub.ID, v, []collect.Answer{answer("b.pupils", id64(1), num("31")), answer("b.girls", id64(1), collect.Value{})})).Version
	v = must(c.st.Decide(op, nil, sub.ID, store.Decision{Action: collect.Submit, Version: v})).Version
	must(c.st.Decide(as(admin), nil, sub.ID, store.Decision{Action: collect.Validate, Version: v}))
	if got := values(); got != "1:31:validated 2:17:validated" {
		t.Errorf("re-validated observations, revised in place: %s", got)
	}

	events, err := c.st.Events(op, []int64{sub.ID})
	if err != nil {
		t.Fatal(err)
	}
	var trail []string
	for _, e := range events[sub.ID] {
		trail = append(trail, string(e.Action)+">"+string(e.To)+"@"+e.Role)
	}
	want := []string{"create>draft@operator", "submit>submitted@operator", "return>returned@coordinator", "submit>resubmitted@operator",
		"recommend>resubmitted@coordinator", "validate>validated@admin", "reopen>reopened@admin", "submit>resubmitted@operator", "validate>validated@admin"}
	if !slices.Equal(trail, want) {
		t.Errorf("events\n got %v\nwant %v", trail, want)
	}
	if e := events[sub.ID][6]; e.Reason == nil || *e.Reason != "Erreur de saisie" || *e.Subject != "test:admin" {
		t.Errorf("the reopening records who and why: %+v", e)
	}
}

// Every action in every state, by every role: only the cycle's own moves are allowed.
func TestForbiddenTransitionsChangeNothing(t *testing.T) {
	c := newCycle(t, "2099-03-31")
	must := mustResult(t)
	sub := must(c.st.CreateSubmission(as(operator1), nil, c.campaign, id64(1), nil))
	if _, err := c.st.CreateSubmission(as(operator3), nil, c.campaign, id64(1), nil); !errors.Is(err, access.ErrForbidden) {
		t.Errorf("operator 3 creating operator 1's report: %v, want forbidden", err)
	}
	if _, err := c.st.CreateSubmission(as(operator1), nil, c.campaign, id64(1), nil); !errors.Is(err, cohesion.ErrInvalid) {
		t.Errorf("a second report of operator 1: %v, want invalid", err)
	}
	later := mustResult(t)(c.st.OpenCampaign(as(admin), nil, store.Campaign{Code: "report-2025-late", TemplateID: c.template,
		PeriodStart: date("2025-01-01"), PeriodEnd: date("2025-12-31"), OpensOn: date("2099-01-01"), DueOn: date("2099-03-31")}))
	if _, err := c.st.CreateSubmission(as(operator1), nil, later.ID, id64(1), nil); !errors.Is(err, cohesion.ErrInvalid) || !strings.Contains(err.Error(), "2099-01-01") {
		t.Errorf("a report to a campaign not open yet: %v, want invalid naming the day it opens", err)
	}
	v := sub.Version
	for _, a := range []collect.Action{collect.Return, collect.Recommend, collect.Validate, collect.Reopen} {
		_, err := c.st.Decide(as(admin), nil, sub.ID, store.Decision{Action: a, Version: v, Reason: ptr("x")})
		if !errors.Is(err, cohesion.ErrInvalid) || !strings.Contains(err.Error(), "draft") {
			t.Errorf("%s a draft: %v, want invalid naming the state", a, err)
		}
	}
	for _, p := range []access.Principal{analyst, {Role: access.Researcher}, access.Anonymous, schaerbeek} {
		if _, err := c.st.SaveAnswers(as(p), nil, sub.ID, v, complete("30")); !errors.Is(err, cohesion.ErrNotFound) {
			t.Errorf("%s saving operator 1's draft: %v, want not found", p.Role, err)
		}
	}
	if s := c.submission(t, sub.ID); s.Version != v || s.Status != collect.Draft {
		t.Errorf("refused actions changed the report: %+v", s)
	}
	if n := c.count(t, "SELECT count(*) FROM submission_event WHERE submission_id = ?", sub.ID); n != 1 {
		t.Errorf("%d events, want only the creation", n)
	}
}

func TestAStaleSaveIsAConflict(t *testing.T) {
	c := newCycle(t, "2099-03-31")
	must := mustResult(t)
	op := as(operator1)
	sub := must(c.st.CreateSubmission(op, nil, c.campaign, id64(1), nil))
	first := must(c.st.SaveAnswers(op, nil, sub.ID, sub.Version, []collect.Answer{answer("a.summary", nil, text("one"))}))
	_, err := c.st.SaveAnswers(op, nil, sub.ID, sub.Version, []collect.Answer{answer("a.summary", nil, text("two"))})
	var conflict *cohesion.ConflictError
	if !errors.As(err, &conflict) || conflict.Current != first.Version || conflict.Sent != sub.Version {
		t.Fatalf("a save on version %d after version %d: %v, want a conflict", sub.Version, first.Version, err)
	}
	answers, err := c.st.Answers(op, []int64{sub.ID})
	if err != nil {
		t.Fatal(err)
	}
	if a := answers[sub.ID]; len(a) != 1 || *a[0].Text != "one" {
		t.Errorf("the stale save overwrote the first: %+v", a)
	}
	// A save that changes nothing keeps the version.
	if again := must(c.st.SaveAnswers(op, nil, sub.ID, first.Version, []collect.Answer{answer("a.summary", nil, text("one"))})); again.Version != first.Version {
		t.Errorf("an unchanged save moved the version to %d", again.Version)
	}
}

func TestARetryWithTheSameKeyWritesNothingMore(t *testing.T) {
	c := newCycle(t, "2099-03-31")
	must := mustResult(t)
	op := as(operator1)
	key := "create-1"
	sub := must(c.st.CreateSubmission(op, &key, c.campaign, id64(1), nil))
	again := must(c.st.CreateSubmission(op, &key, c.campaign, id64(1), nil))
	if again.ID != sub.ID || !again.Replayed {
		t.Errorf("retried creation: %+v, want %+v replayed", again, sub)
	}
	save := "save-1"
	answers := []collect.Answer{answer("a.summary", nil, text("one"))}
	saved := must(c.st.SaveAnswers(op, &save, sub.ID, sub.Version, answers))
	entries := c.count(t, "SELECT count(*) FROM audit_log WHERE submission_id = ?", sub.ID)
	retried := must(c.st.SaveAnswers(op, &save, sub.ID, sub.Version, answers))
	if retried.Version != saved.Version || !retried.Replayed {
		t.Errorf("retried save: %+v, want %+v replayed", retried, saved)
	}
	if n := c.count(t, "SELECT count(*) FROM audit_log WHERE submission_id = ?", sub.ID); n != entries {
		t.Errorf("the retry wrote %d audit entries", n-entries)
	}
	if n := c.count(t, "SELECT count(*) FROM submission_event WHERE submission_id = ?", sub.ID); n != 1 {
		t.Errorf("%d events after a retried creation, want 1", n)
	}
	_, err := c.st.SaveAnswers(op, &save, sub.ID, saved.Version, []collect.Answer{answer("a.summary", nil, text("two"))})
	var inv *cohesion.InvalidError
	if !errors.As(err, &inv) || inv.Field != "idempotencyKey" {
		t.Errorf("the key reused for another save: %v, want invalid idempotencyKey", err)
	}
	// Keys are each principal's own: another operator's same key is another request.
	if _, err := c.st.CreateSubmission(as(operator3), &key, c.campaign, id64(3), nil); err != nil {
		t.Errorf("operator 3 using the same key: %v", err)
	}
}

func TestLatenessFollowsTheDeadlineAndCompletenessCountsIt(t *testing.T) {
	c := newCycle(t, "2026-03-31")
	must := mustResult(t)
	op := as(operator1)
	sub := must(c.st.CreateSubmission(op, nil, c.campaign, id64(1), nil))
	v := must(c.st.SaveAnswers(op, nil, sub.ID, sub.Version, complete("30"))).Version
	if s := c.submission(t, sub.ID); !s.Late {
		t.Errorf("a draft past its deadline is late")
	}
	must(c.st.CreateSubmission(as(operator3), nil, c.campaign, id64(3), nil))

	got, err := c.st.Completeness(as(admin), []int64{c.campaign}, date("2026-03-15"))
	if err != nil {
		t.Fatal(err)
	}
	if want := (store.Counts{Expected: 3, Missing: 3, Draft: 2}); got.Total != want {
		t.Errorf("before the deadline: %+v, want %+v", got.Total, want)
	}
	must(c.st.Decide(op, nil, sub.ID, store.Decision{Action: collect.Submit, Version: v}))
	got, err = c.st.Completeness(as(admin), []int64{c.campaign}, date("2026-12-07"))
	if err != nil {
		t.Fatal(err)
	}
	if want := (store.Counts{Expected: 3, Missing: 2, Draft: 1, Submitted: 1, Late: 3}); got.Total != want {
		t.Errorf("after it: %+v, want %+v", got.Total, want)
	}
	byCommune := map[int64]store.Counts{}
	for _, g := range got.Groups {
		if g.Grouping == "commune" {
			byCommune[*g.CommuneID] = g.Counts
		}
	}
	if byCommune[2].Expected != 2 || byCommune[3].Expected != 1 || byCommune[2].Submitted != 1 {
		t.Errorf("by commune: %+v", byCommune)
	}
	var missing []int64
	for _, m := range got.Missing {
		missing = append(missing, *m.OperatorID)
	}
	if !slices.Equal(missing, []int64{2, 3}) {
		t.Errorf("missing operators %v, want 2 (not started) and 3 (a draft)", missing)
	}
	scoped, err := c.st.Completeness(as(molenbeek), []int64{c.campaign}, date("2026-12-07"))
	if err != nil {
		t.Fatal(err)
	}
	if scoped.Total.Expected != 1 || len(scoped.Missing) != 1 {
		t.Errorf("Molenbeek's coordinator sees its commune only: %+v", scoped)
	}
	if _, err := c.st.Completeness(as(access.Principal{Role: access.Researcher}), nil, date("2026-12-07")); !errors.Is(err, access.ErrForbidden) {
		t.Errorf("a researcher: %v, want forbidden", err)
	}
}

// Next year's version changes a question's wording and retires another; answers to both
// years line up by the stable key, and each report keeps its own version.
func TestAnswersLineUpAcrossTemplateVersions(t *testing.T) {
	c := newCycle(t, "2099-03-31")
	must := mustResult(t)
	changed := reportTemplate().Sections[0].Questions[0]
	changed.LabelFr = "Résumé de l'année"
	next := must(c.st.ReviseTemplate(as(admin), nil, c.template, collect.Revision{PeriodStart: date("2026-01-01"), PeriodEnd: date("2026-12-31"),
		Change: []collect.Question{changed}, Retire: []string{"b.girls"}}))
	if next.Version != 2 {
		t.Errorf("next version %d, want 2", next.Version)
	}
	camp := must(c.st.OpenCampaign(as(admin), nil, store.Campaign{Code: "report-2026", TemplateID: next.ID,
		PeriodStart: date("2026-01-01"), PeriodEnd: date("2026-12-31"), OpensOn: date("2026-01-01"), DueOn: date("2099-03-31")}))
	op := as(operator1)
	old := must(c.st.CreateSubmission(op, nil, c.campaign, id64(1), nil))
	cur := must(c.st.CreateSubmission(op, nil, camp.ID, id64(1), nil))
	must(c.st.SaveAnswers(op, nil, old.ID, old.Version, complete("30")))
	if _, err := c.st.SaveAnswers(op, nil, cur.ID, cur.Version, complete("40")); !errors.Is(err, cohesion.ErrInvalid) || !strings.Contains(err.Error(), "b.girls") {
		t.Errorf("answering a retired question: %v, want invalid naming it", err)
	}
	must(c.st.SaveAnswers(op, nil, cur.ID, cur.Version, slices.Delete(complete("40"), 3, 4)))
	if s := c.submission(t, old.ID); s.TemplateID != c.template {
		t.Errorf("the 2025 report answers template %d, want version 1 (%d)", s.TemplateID, c.template)
	}
	answers, err := c.st.Answers(op, []int64{old.ID, cur.ID})
	if err != nil {
		t.Fatal(err)
	}
	summary := func(id int64) string {
		for _, a := range answers[id] {
			if a.QuestionKey == "a.summary" {
				return *a.Text
			}
		}
		return ""
	}
	if summary(old.ID) == "" || summary(cur.ID) == "" {
		t.Errorf("a.summary answered in both years: %q, %q", summary(old.ID), summary(cur.ID))
	}
	templates, err := c.st.Templates(op, []int64{c.template, next.ID})
	if err != nil {
		t.Fatal(err)
	}
	q1, _, _ := templates[c.template].Question("a.summary")
	q2, _, _ := templates[next.ID].Question("a.summary")
	if q1.LabelFr != "Résumé" || q2.LabelFr != "Résumé de l'année" {
		t.Errorf("each version keeps its wording: %q, %q", q1.LabelFr, q2.LabelFr)
	}
}

// The audit trail records every change with who and which request, and nobody, not even
// the owner, rewrites it.
func TestTheAuditTrailIsAppendOnly(t *testing.T) {
	c := newCycle(t, "2099-03-31")
	must := mustResult(t)
	sub := must(c.st.CreateSubmission(as(operator1), nil, c.campaign, id64(1), nil))
	v := must(c.st.SaveAnswers(as(operator1), nil, sub.ID, sub.Version, []collect.Answer{answer("a.summary", nil, text("one"))})).Version
	must(c.st.SaveAnswers(as(operator1), nil, sub.ID, v, []collect.Answer{answer("a.summary", nil, collect.Value{})}))

	entries, err := c.st.AuditEntries(as(operator1), store.AuditFilter{SubmissionID: &sub.ID, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var ops []string
	for _, e := range entries {
		ops = append(ops, e.Table+":"+e.Operation)
		if e.Role != "operator" || e.Subject == nil || *e.Subject != "test:op1" {
			t.Errorf("entry %d by %s %v, want operator test:op1", e.ID, e.Role, e.Subject)
		}
	}
	want := []string{"submission:INSERT", "submission_event:INSERT", "submission_answer:INSERT", "submission:UPDATE",
		"submission_answer:DELETE", "submission:UPDATE"}
	if !slices.Equal(ops, want) {
		t.Fatalf("history %v, want %v", ops, want)
	}
	if cleared := entries[4]; cleared.After != nil || !strings.Contains(string(cleared.Before), `"text_value": "one"`) {
		t.Errorf("the cleared answer's entry: before %s, after %s", cleared.Before, cleared.After)
	}
	if bumped := entries[5]; !strings.Contains(string(bumped.Before), `"version": 2`) || !strings.Contains(string(bumped.After), `"version": 3`) {
		t.Errorf("the version's entry: before %s, after %s", bumped.Before, bumped.After)
	}
	if other, err := c.st.AuditEntries(as(operator3), store.AuditFilter{SubmissionID: &sub.ID, Limit: 100}); err != nil || len(other) != 0 {
		t.Errorf("another operator reads %d entries (%v)", len(other), err)
	}
	for _, stmt := range []string{"UPDATE audit_log SET role = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log"} {
		for _, who := range []string{"SET LOCAL ROLE cohesio_api", "SELECT 1"} {
			err := c.st.Transact(context.Background(), func(ctx context.Context, tx bun.Tx) error {
				if _, err := tx.ExecContext(ctx, who); err != nil {
					return err
				}
				_, err := tx.ExecContext(ctx, stmt)
				return err
			})
			if err == nil {
				t.Errorf("%s, then %s: allowed", who, stmt)
			}
		}
	}
	if n := c.count(t, "SELECT count(*) FROM audit_log WHERE submission_id = ?", sub.ID); n != len(want) {
		t.Errorf("%d entries left, want %d", n, len(want))
	}
}

// Local coordinations report on their own template through the same cycle: the coordinator
// of the commune writes and submits, the administration validates.
func TestACoordinationReportsThroughTheSameCycle(t *testing.T) {
	c := newCycle(t, "2099-03-31")
	must := mustResult(t)
	err := c.st.Load(context.Background(), func(ctx context.Context, l *store.Loader) error {
		return l.ExecScript(ctx, `INSERT INTO coordination (code, name, territory_id, source_id) VALUES ('cass', 'CASS', 2, 1)`)
	})
	if err != nil {
		t.Fatal(err)
	}
	tpl := collect.Template{Code: "coordination", Audience: collect.ForCoordinations, ProgrammeID: 1,
		PeriodStart: date("2025-01-01"), PeriodEnd: date("2025-12-31"), TitleFr: "Rapport annuel", TitleNl: "Jaarverslag",
		Sections: []collect.Section{{Key: "a", LabelFr: "Concertation", LabelNl: "Overleg", Repeat: collect.Once, Questions: []collect.Question{
			{Key: "a.meetings", Kind: collect.Number, LabelFr: "Réunions", LabelNl: "Vergaderingen", Required: true, Min: ptr(decimal.Zero)},
		}}}}
	created := must(c.st.CreateTemplate(as(admin), nil, tpl))
	camp := must(c.st.OpenCampaign(as(admin), nil, store.Campaign{Code: "coordination-2025", TemplateID: created.ID,
		PeriodStart: date("2025-01-01"), PeriodEnd: date("2025-12-31"), OpensOn: date("2026-01-01"), DueOn: date("2099-03-31")}))
	if _, err := c.st.CreateSubmission(as(molenbeek), nil, camp.ID, nil, id64(1)); !errors.Is(err, access.ErrForbidden) {
		t.Errorf("Molenbeek's coordinator starting Schaerbeek's coordination report: %v, want forbidden", err)
	}
	sub := must(c.st.CreateSubmission(as(schaerbeek), nil, camp.ID, nil, id64(1)))
	if _, err := c.st.SaveAnswers(as(schaerbeek), nil, sub.ID, sub.Version, []collect.Answer{answer("a.meetings", nil, num("-1"))}); err != nil {
		t.Fatal(err) // a partial save may be out of range; the submission is not
	}
	_, err = c.st.Decide(as(schaerbeek), nil, sub.ID, store.Decision{Action: collect.Submit, Version: sub.Version + 1})
	var check *collect.CheckError
	if !errors.As(err, &check) || check.Problems[0].Rule != "range" {
		t.Fatalf("submitting -1 meetings: %v, want a range problem", err)
	}
	v := must(c.st.SaveAnswers(as(schaerbeek), nil, sub.ID, sub.Version+1, []collect.Answer{answer("a.meetings", nil, num("11"))})).Version
	v = must(c.st.Decide(as(schaerbeek), nil, sub.ID, store.Decision{Action: collect.Submit, Version: v})).Version
	if _, err := c.st.Decide(as(schaerbeek), nil, sub.ID, store.Decision{Action: collect.Recommend, Version: v}); !errors.Is(err, access.ErrForbidden) {
		t.Errorf("a coordination recommending its own report: %v, want forbidden", err)
	}
	must(c.st.Decide(as(admin), nil, sub.ID, store.Decision{Action: collect.Validate, Version: v}))
	got, err := c.st.Completeness(as(admin), []int64{camp.ID}, date("2026-06-01"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Total.Expected != 1 || got.Total.Validated != 1 {
		t.Errorf("the coordination campaign: %+v", got.Total)
	}
}

// A validation that fails (a stale version, a comment on no question) writes no
// observation, no event and no comment, and leaves the report as it was.
func TestAFailedValidationChangesNothing(t *testing.T) {
	c := newCycle(t, "2099-03-31")
	must := mustResult(t)
	op := as(operator1)
	sub := must(c.st.CreateSubmission(op, nil, c.campaign, id64(1), nil))
	v := must(c.st.SaveAnswers(op, nil, sub.ID, sub.Version, complete("30"))).Version
	v = must(c.st.Decide(op, nil, sub.ID, store.Decision{Action: collect.Submit, Version: v})).Version
	trail := func() [3]int {
		return [3]int{c.count(t, "SELECT count(*) FROM observation WHERE submission_id = ?", sub.ID),
			c.count(t, "SELECT count(*) FROM submission_event WHERE submission_id = ?", sub.ID),
			c.count(t, "SELECT count(*) FROM audit_log WHERE submission_id = ?", sub.ID)}
	}
	before := trail()
	var conflict *cohesion.ConflictError
	if _, err := c.st.Decide(as(admin), nil, sub.ID, store.Decision{Action: collect.Validate, Version: v - 1}); !errors.As(err, &conflict) {
		t.Errorf("validating a stale version: %v, want a conflict", err)
	}
	_, err := c.st.Decide(as(admin), nil, sub.ID, store.Decision{Action: collect.Validate, Version: v,
		Comments: []store.Comment{{Body: "ok"}, {QuestionKey: ptr("a.nothing"), Body: "?"}}})
	var inv *cohesion.InvalidError
	if !errors.As(err, &inv) || inv.Field != "comments[1].question" {
		t.Errorf("a comment on a question the template does not have: %v, want invalid comments[1].question", err)
	}
	if after := trail(); after != before {
		t.Errorf("observations, events, audit entries: %v after failed validations, %v before", after, before)
	}
	if s := c.submission(t, sub.ID); s.Status != collect.Submitted || s.Version != v {
		t.Errorf("the report after failed validations: %s v%d", s.Status, s.Version)
	}
}
