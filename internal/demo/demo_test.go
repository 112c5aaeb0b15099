package demo_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/cohesion"
	"github.com/cohesio/cohesio/internal/collect"
	"github.com/cohesio/cohesio/internal/demo"
	"github.com/cohesio/cohesio/internal/pgtest"
	"github.com/cohesio/cohesio/internal/store"
)

func TestMain(m *testing.M) {
	os.Exit(pgtest.Main(m, store.MigrateURL))
}

func TestDemoDataset(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, pgtest.NewDatabase(t), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := demo.Load(ctx, st); err != nil {
		t.Fatal(err)
	}

	t.Run("the 19 communes sum to the Statbel 2020 population", func(t *testing.T) {
		p, err := store.List[cohesion.Territory](ctx, st, "Territory", store.ListArgs{
			Filter: store.Filter{Conds: []store.Cond{{Field: "kind", Op: "eq", Value: "commune"}}}, Total: true})
		if err != nil {
			t.Fatal(err)
		}
		var sum int32
		for _, c := range p.Nodes {
			sum += *c.Population
		}
		if p.Total != 19 || sum != 1218255 {
			t.Errorf("%d communes with %d inhabitants, want 19 and 1,218,255", p.Total, sum)
		}
	})

	t.Run("operators not named in a document are fictitious", func(t *testing.T) {
		illustrative, err := store.ByField[cohesion.Source](ctx, st, "Source", "code", "illustrative")
		if err != nil {
			t.Fatal(err)
		}
		p, err := store.List[cohesion.Operator](ctx, st, "Operator", store.ListArgs{First: ptr(500)})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range p.Nodes {
			if (o.SourceID == illustrative.ID) != o.Fictitious {
				t.Errorf("%s: fictitious=%v but source %d", o.Name, o.Fictitious, o.SourceID)
			}
			if o.EnterpriseNumber != nil && !cohesion.ValidEnterpriseNumber(*o.EnterpriseNumber) {
				t.Errorf("%s: invalid enterprise number %s", o.Name, *o.EnterpriseNumber)
			}
		}
	})

	t.Run("Schaerbeek has operators with projects", func(t *testing.T) {
		p, err := store.List[cohesion.Project](ctx, st, "Project", store.ListArgs{Total: true, Filter: store.Filter{Rels: []store.RelFilter{{
			Relation: "operator", Filter: store.Filter{Rels: []store.RelFilter{{Relation: "territories",
				Filter: store.Filter{Conds: []store.Cond{{Field: "nisCode", Op: "eq", Value: "21015"}}}}}}}}}})
		if err != nil {
			t.Fatal(err)
		}
		if p.Total < 3 {
			t.Errorf("%d projects of operators serving Schaerbeek, want several", p.Total)
		}
	})

	t.Run("the reporting cycle", func(t *testing.T) { reportingCycle(ctx, t, st) })

	t.Run("a second load fails and changes nothing", func(t *testing.T) {
		count := func() int {
			p, err := store.List[cohesion.Operator](ctx, st, "Operator", store.ListArgs{Total: true})
			if err != nil {
				t.Fatal(err)
			}
			return p.Total
		}
		before := count()
		if err := demo.Load(ctx, st); err == nil {
			t.Fatal("loading the demo twice succeeded")
		}
		if after := count(); after != before {
			t.Errorf("%d operators after a rejected second load, %d before", after, before)
		}
	})

	t.Run("the CSS lists the fifty-one members of annex 2", func(t *testing.T) {
		css, err := store.ByField[cohesion.Coordination](ctx, st, "Coordination", "code", "css-schaerbeek")
		if err != nil {
			t.Fatal(err)
		}
		members, err := store.ListRelated[cohesion.Operator](ctx, st, "Coordination", "members", []int64{css.ID}, store.ListArgs{Total: true})
		if err != nil {
			t.Fatal(err)
		}
		if n := members[css.ID].Total; n != 51 {
			t.Errorf("the CSS has %d members, annex 2 lists 51", n)
		}
	})
}

// reportingCycle checks the demo's report templates, campaigns and reports.
func reportingCycle(ctx context.Context, t *testing.T, st *store.Store) {
	t.Run("the axis-1 report has a 2026 version with a question changed and one retired", func(t *testing.T) {
		ids, err := st.TemplateIDs(ctx, ptrTo("cohesion-axis1-activity-report"))
		if err != nil {
			t.Fatal(err)
		}
		templates, err := st.Templates(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		byVersion := map[int]*collect.Template{}
		for _, tpl := range templates {
			byVersion[tpl.Version] = tpl
		}
		v1, v2 := byVersion[1], byVersion[2]
		if len(templates) != 2 || v1 == nil || v2 == nil {
			t.Fatalf("%d versions, want 1 and 2", len(templates))
		}
		if v2.BasedOnID == nil || *v2.BasedOnID != v1.ID || v2.PeriodStart.Year() != 2026 {
			t.Errorf("version 2 is based on %v for %s, want version 1 (%d) for 2026", v2.BasedOnID, v2.PeriodStart, v1.ID)
		}
		a1, _, ok1 := v1.Question("a.activities")
		a2, _, ok2 := v2.Question("a.activities")
		if !ok1 || !ok2 || a1.LabelFr == a2.LabelFr || a1.LabelNl == a2.LabelNl {
			t.Errorf("a.activities is not reworded in version 2")
		}
		if _, _, ok := v1.Question("a.2025-parents"); !ok {
			t.Error("version 1 lacks its question of the year")
		}
		if _, _, ok := v2.Question("a.2025-parents"); ok {
			t.Error("version 2 still asks the 2025 question")
		}
		b, sec, ok := v1.Question("b.pupils")
		if !ok || b.Kind != collect.Indicator || sec.Repeat != collect.PerSite || len(v1.Rules) != 1 {
			t.Errorf("part B of version 1 is not per site with an indicator question and a rule")
		}
	})

	campaign := func(t *testing.T, code string) *store.Campaign {
		t.Helper()
		all, err := st.Campaigns(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range all {
			if c.Code == code {
				return c
			}
		}
		t.Fatalf("no campaign %s", code)
		return nil
	}

	t.Run("the 2025 campaign has reports in every state", func(t *testing.T) {
		c := campaign(t, "cohesion-axis1-2025")
		if due := c.DueOn.Format(time.DateOnly); due != "2026-03-31" {
			t.Errorf("due on %s", due)
		}
		next := campaign(t, "cohesion-axis1-2026")
		if due := next.DueOn.Format(time.DateOnly); due != "2027-03-31" {
			t.Errorf("2026 campaign due on %s", due)
		}
		comp, err := st.Completeness(ctx, []int64{c.ID}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		n := comp.Total
		for state, count := range map[string]int{"draft": n.Draft, "submitted": n.Submitted, "returned": n.Returned,
			"validated": n.Validated, "reopened": n.Reopened, "late": n.Late, "missing": n.Missing} {
			if count < 1 {
				t.Errorf("no %s report: %+v", state, n)
			}
		}
		var notStarted bool
		for _, m := range comp.Missing {
			notStarted = notStarted || m.SubmissionID == nil
		}
		if !notStarted {
			t.Error("every expected operator has started its report")
		}
		subs, err := st.Submissions(ctx, store.SubmissionFilter{CampaignID: &c.ID, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var lateSubmitted, onTime int
		for _, s := range subs {
			switch {
			case s.FirstSubmittedAt == nil:
			case s.Late:
				lateSubmitted++
			default:
				onTime++
			}
		}
		if lateSubmitted != 1 || onTime < 5 {
			t.Errorf("%d reports submitted late and %d on time, want 1 and the others", lateSubmitted, onTime)
		}
	})

	t.Run("a resubmitted report kept its reviewer's comments", func(t *testing.T) {
		c := campaign(t, "cohesion-axis1-2025")
		resubmitted := collect.Resubmitted
		subs, err := st.Submissions(ctx, store.SubmissionFilter{CampaignID: &c.ID, Status: &resubmitted, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(subs) == 0 {
			t.Fatal("no resubmitted report")
		}
		comments, err := st.Comments(ctx, []int64{subs[0].ID})
		if err != nil {
			t.Fatal(err)
		}
		got := comments[subs[0].ID]
		if len(got) == 0 || got[0].QuestionKey == nil || got[0].Role != "coordinator" {
			t.Fatalf("comments of the resubmitted report: %+v", got)
		}
		events, err := st.Events(ctx, []int64{subs[0].ID})
		if err != nil {
			t.Fatal(err)
		}
		if !got[0].At.Before(*subs[0].SubmittedAt) || len(events[subs[0].ID]) != 4 {
			t.Errorf("comment at %s, resubmitted at %s, %d events", got[0].At, subs[0].SubmittedAt, len(events[subs[0].ID]))
		}
	})

	t.Run("validated reports produced observations", func(t *testing.T) {
		src, err := store.ByField[cohesion.Source](ctx, st, "Source", "code", "operator-submissions")
		if err != nil {
			t.Fatal(err)
		}
		// The administration sees the withdrawn figure too.
		admin := access.WithPrincipal(ctx, access.Principal{Role: access.Admin, Subject: "test:admin"})
		p, err := store.List[cohesion.Observation](admin, st, "Observation", store.ListArgs{First: ptr(500)})
		if err != nil {
			t.Fatal(err)
		}
		var validated, withdrawn int
		for _, o := range p.Nodes {
			if o.SourceID != src.ID {
				continue
			}
			if o.Status == cohesion.StatusValidated {
				validated++
			} else {
				withdrawn++
			}
		}
		// Les Colibris for its two sites, Les Petits Savants once; the reopened report's
		// figure waits for its next validation.
		if validated != 3 || withdrawn != 1 {
			t.Errorf("%d validated and %d withdrawn observations from reports, want 3 and 1", validated, withdrawn)
		}
	})
}

func ptr(n int) *int { return &n }

func ptrTo(s string) *string { return &s }
