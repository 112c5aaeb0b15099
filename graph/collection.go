package graph

import (
	"context"
	"fmt"
	"strconv"
	"time"
	_ "time/tzdata" // due dates are in Brussels time, wherever the server runs

	"github.com/cohesio/cohesio/graph/model"
	"github.com/cohesio/cohesio/internal/catalog"
	"github.com/cohesio/cohesio/internal/cohesion"
	"github.com/cohesio/cohesio/internal/collect"
	"github.com/cohesio/cohesio/internal/store"
)

// The reporting cycle's resolvers. Every child field is loaded for all the siblings of its
// parent at once (see batch.go), so a page of reports with their campaigns, operators,
// answers and events costs one statement per field, whatever its length.

// batched returns the value of node's key among those load returns for all of node's
// siblings, loading them once per request and field.
func batched[P any, K comparable, V any](ctx context.Context, node *P, field string, key func(*P) (K, bool),
	load func(keys []K) (map[K]V, error)) (V, error) {
	var zero V
	k, ok := key(node)
	if !ok {
		return zero, nil
	}
	g := groupOf(ctx, node)
	v, err := g.do(field, func() (any, error) {
		seen := map[K]bool{}
		var keys []K
		for _, m := range g.members {
			if p, ok := m.(*P); ok {
				if k, ok := key(p); ok && !seen[k] {
					seen[k] = true
					keys = append(keys, k)
				}
			}
		}
		return load(keys)
	})
	if err != nil {
		return zero, err
	}
	return v.(map[K]V)[k], nil
}

// ref makes a key function of an optional id.
func ref[P any](id func(*P) *int64) func(*P) (int64, bool) {
	return func(p *P) (int64, bool) {
		if v := id(p); v != nil {
			return *v, true
		}
		return 0, false
	}
}

// entity loads the read API's entities of type T pointed at by the siblings of node.
func entity[P, T any](ctx context.Context, r *Resolver, node *P, field string, id func(*P) *int64) (*T, error) {
	return batched(ctx, node, field, ref(id), func(ids []int64) (map[int64]*T, error) {
		found, err := store.ByIDs[T](ctx, r.Store, graphqlType[T](r), ids)
		if err != nil {
			return nil, err
		}
		nodes := make([]*T, 0, len(found))
		for _, n := range found {
			nodes = append(nodes, n)
		}
		register(ctx, nodes)
		return found, nil
	})
}

// templates loads template versions and registers them and their questions as siblings.
func (r *Resolver) templates(ctx context.Context, ids []int64) (map[int64]*collect.Template, error) {
	found, err := r.Store.Templates(ctx, ids)
	if err != nil {
		return nil, err
	}
	list := make([]*collect.Template, 0, len(found))
	var questions []*collect.Question
	for _, id := range ids {
		if t := found[id]; t != nil {
			list = append(list, t)
			for i := range t.Sections {
				for j := range t.Sections[i].Questions {
					questions = append(questions, &t.Sections[i].Questions[j])
				}
			}
		}
	}
	register(ctx, list)
	register(ctx, questions)
	return found, nil
}

func (r *Resolver) campaigns(ctx context.Context, ids []int64) (map[int64]*store.Campaign, error) {
	list, err := r.Store.Campaigns(ctx, ids)
	if err != nil {
		return nil, err
	}
	register(ctx, list)
	out := make(map[int64]*store.Campaign, len(list))
	for _, c := range list {
		out[c.ID] = c
	}
	return out, nil
}

func (r *Resolver) submissions(ctx context.Context, ids []int64) (map[int64]*store.Submission, error) {
	found, err := r.Store.SubmissionsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	list := make([]*store.Submission, 0, len(found))
	for _, id := range ids {
		if s := found[id]; s != nil {
			list = append(list, s)
		}
	}
	register(ctx, list)
	return found, nil
}

// sitesOf returns the sites of a submission's operator, loaded for all its siblings.
func (r *Resolver) sitesOf(ctx context.Context, s *store.Submission) ([]*store.Site, error) {
	return batched(ctx, s, "sites", ref(func(s *store.Submission) *int64 { return s.OperatorID }), func(ops []int64) (map[int64][]*store.Site, error) {
		return r.Store.Sites(ctx, ops)
	})
}

// site finds a site among the sites of a submission.
func site(sites []*store.Site, id *int64) *store.Site {
	if id == nil {
		return nil
	}
	for _, s := range sites {
		if s.ID == *id {
			return s
		}
	}
	return nil
}

func (r *Resolver) answers(ctx context.Context, s *store.Submission) ([]*model.Answer, error) {
	answers, err := batched(ctx, s, "answers", func(s *store.Submission) (int64, bool) { return s.ID, true }, func(ids []int64) (map[int64][]collect.Answer, error) {
		return r.Store.Answers(ctx, ids)
	})
	if err != nil {
		return nil, err
	}
	sites, err := r.sitesOf(ctx, s)
	if err != nil {
		return nil, err
	}
	out := make([]*model.Answer, len(answers))
	for i, a := range answers {
		out[i] = &model.Answer{Question: a.QuestionKey, Site: site(sites, a.SiteID), Text: a.Text, Number: a.Number,
			Choices: a.Choices, Date: a.Date, YesNo: a.Bool}
	}
	return out, nil
}

func (r *Resolver) events(ctx context.Context, s *store.Submission) ([]*store.Event, error) {
	return batched(ctx, s, "events", func(s *store.Submission) (int64, bool) { return s.ID, true }, func(ids []int64) (map[int64][]*store.Event, error) {
		return r.Store.Events(ctx, ids)
	})
}

func (r *Resolver) comments(ctx context.Context, s *store.Submission) ([]*store.Comment, error) {
	return batched(ctx, s, "comments", func(s *store.Submission) (int64, bool) { return s.ID, true }, func(ids []int64) (map[int64][]*store.Comment, error) {
		list, err := r.Store.Comments(ctx, ids)
		if err != nil {
			return nil, err
		}
		for _, cs := range list {
			register(ctx, cs)
		}
		return list, nil
	})
}

// commentSite is the site a comment points at, among its submission's operator's sites.
func (r *Resolver) commentSite(ctx context.Context, c *store.Comment) (*store.Site, error) {
	if c.SiteID == nil {
		return nil, nil
	}
	return batched(ctx, c, "site", ref(func(c *store.Comment) *int64 { return c.SiteID }), func(ids []int64) (map[int64]*store.Site, error) {
		return r.Store.SitesByID(ctx, ids)
	})
}

// payload is what a change to a report returns: the report as the caller now sees it.
func (r *Resolver) payload(ctx context.Context, res store.Result, err error) (*model.SubmissionPayload, error) {
	if err != nil {
		return nil, err
	}
	found, err := r.submissions(ctx, []int64{res.ID})
	if err != nil {
		return nil, err
	}
	s := found[res.ID]
	if s == nil {
		return nil, fmt.Errorf("submission %d: %w", res.ID, cohesion.ErrNotFound)
	}
	return &model.SubmissionPayload{Submission: s, Version: int32(res.Version), Replayed: res.Replayed}, nil
}

func (r *Resolver) decide(ctx context.Context, gid string, version int32, a collect.Action, reason *string, comments []*model.CommentInput, key *string) (*model.SubmissionPayload, error) {
	id, err := localID(gid, "Submission", "submission")
	if err != nil {
		return nil, err
	}
	d := store.Decision{Action: a, Version: int(version), Reason: reason}
	for i, c := range comments {
		site, err := optionalID(c.Site, "OperatorSite", fmt.Sprintf("comments[%d].site", i))
		if err != nil {
			return nil, err
		}
		d.Comments = append(d.Comments, store.Comment{QuestionKey: c.Question, SiteID: site, Body: c.Body})
	}
	res, err := r.Store.Decide(ctx, key, id, d)
	return r.payload(ctx, res, err)
}

func (r *Resolver) saveAnswers(ctx context.Context, gid string, version int32, in []*model.AnswerInput, key *string) (*model.SubmissionPayload, error) {
	id, err := localID(gid, "Submission", "submission")
	if err != nil {
		return nil, err
	}
	answers := make([]collect.Answer, len(in))
	for i, a := range in {
		site, err := optionalID(a.Site, "OperatorSite", fmt.Sprintf("answers[%d].site", i))
		if err != nil {
			return nil, err
		}
		answers[i] = collect.Answer{QuestionKey: a.Question, SiteID: site, Value: collect.Value{Text: a.Text, Number: a.Number,
			Choices: a.Choices, Date: a.Date, Bool: a.YesNo}}
	}
	res, err := r.Store.SaveAnswers(ctx, key, id, int(version), answers)
	return r.payload(ctx, res, err)
}

func question(in *model.TemplateQuestionInput, field string) (collect.Question, error) {
	q := collect.Question{Key: in.Key, Kind: in.Kind, LabelFr: in.LabelFr, LabelNl: in.LabelNl, HelpFr: in.HelpFr, HelpNl: in.HelpNl,
		Unit: in.Unit, Min: in.Min, Max: in.Max}
	if in.Required != nil {
		q.Required = *in.Required
	}
	var err error
	if q.IndicatorID, err = optionalID(in.Indicator, "Indicator", field+".indicator"); err != nil {
		return q, err
	}
	for _, o := range in.Options {
		q.Options = append(q.Options, collect.Option{Code: o.Code, LabelFr: o.LabelFr, LabelNl: o.LabelNl})
	}
	switch {
	case in.AskedWhenQuestion != nil && in.AskedWhenEquals != nil:
		q.AskedWhen = &collect.Condition{Key: *in.AskedWhenQuestion, Equals: *in.AskedWhenEquals}
	case in.AskedWhenQuestion != nil || in.AskedWhenEquals != nil:
		return q, cohesion.Invalid(field+".askedWhenQuestion", "give both askedWhenQuestion and askedWhenEquals, or neither")
	}
	return q, nil
}

func template(in model.ReportTemplateInput) (collect.Template, error) {
	t := collect.Template{Code: in.Code, Audience: in.Audience, PeriodStart: in.PeriodStart, PeriodEnd: in.PeriodEnd,
		TitleFr: in.TitleFr, TitleNl: in.TitleNl, DescFr: in.DescriptionFr, DescNl: in.DescriptionNl}
	var err error
	if t.ProgrammeID, err = localID(in.Programme, "Programme", "input.programme"); err != nil {
		return t, err
	}
	if t.AxisID, err = optionalID(in.Axis, "ProgrammeAxis", "input.axis"); err != nil {
		return t, err
	}
	for i, s := range in.Sections {
		sec := collect.Section{Key: s.Key, LabelFr: s.LabelFr, LabelNl: s.LabelNl, HelpFr: s.HelpFr, HelpNl: s.HelpNl, Repeat: collect.Once}
		if s.Repeat != nil {
			sec.Repeat = *s.Repeat
		}
		for j, q := range s.Questions {
			question, err := question(q, fmt.Sprintf("input.sections[%d].questions[%d]", i, j))
			if err != nil {
				return t, err
			}
			sec.Questions = append(sec.Questions, question)
		}
		t.Sections = append(t.Sections, sec)
	}
	for _, rule := range in.Rules {
		t.Rules = append(t.Rules, collect.Rule{Key: rule.Key, Kind: rule.Kind, Questions: rule.Questions, Threshold: rule.Threshold,
			LabelFr: rule.LabelFr, LabelNl: rule.LabelNl})
	}
	return t, nil
}

func (r *Resolver) template(ctx context.Context, res store.Result, err error) (*collect.Template, error) {
	if err != nil {
		return nil, err
	}
	found, err := r.templates(ctx, []int64{res.ID})
	if err != nil {
		return nil, err
	}
	return found[res.ID], nil
}

// keysetPage reads a page size and a cursor of ids of typ.
func keysetPage(first *int32, after *string, typ string) (int, *int64, error) {
	n := 50
	if first != nil {
		n = int(*first)
	}
	if n < 1 || n > 500 {
		return 0, nil, cohesion.Invalid("first", "between 1 and 500")
	}
	if after == nil {
		return n, nil, nil
	}
	id, err := localID(*after, typ, "after")
	return n, &id, err
}

// pageInfo tells whether more than limit items came (the store is asked for one more).
func pageInfo(n, limit int, last func(i int) string) *model.PageInfo {
	p := &model.PageInfo{HasNextPage: n > limit}
	if n > 0 {
		end := last(min(n, limit) - 1)
		p.EndCursor = &end
		start := last(0)
		p.StartCursor = &start
	}
	return p
}

func (r *Resolver) submissionPage(ctx context.Context, campaign, operator *string, status *collect.Status, first *int32, after *string) (*model.SubmissionPage, error) {
	limit, afterID, err := keysetPage(first, after, "Submission")
	if err != nil {
		return nil, err
	}
	f := store.SubmissionFilter{Status: status, After: afterID, Limit: limit + 1}
	if f.CampaignID, err = optionalID(campaign, "Campaign", "campaign"); err != nil {
		return nil, err
	}
	if f.OperatorID, err = optionalID(operator, "Operator", "operator"); err != nil {
		return nil, err
	}
	list, err := r.Store.Submissions(ctx, f)
	if err != nil {
		return nil, err
	}
	info := pageInfo(len(list), limit, func(i int) string { return catalog.GlobalID("Submission", list[i].ID) })
	list = list[:min(len(list), limit)]
	register(ctx, list)
	return &model.SubmissionPage{Nodes: list, PageInfo: info}, nil
}

func (r *Resolver) auditPage(ctx context.Context, submission, operator, observation *string, first *int32, after *string) (*model.AuditPage, error) {
	limit, afterID, err := keysetPage(first, after, "AuditEntry")
	if err != nil {
		return nil, err
	}
	f := store.AuditFilter{After: afterID, Limit: limit + 1}
	if f.SubmissionID, err = optionalID(submission, "Submission", "submission"); err != nil {
		return nil, err
	}
	if f.OperatorID, err = optionalID(operator, "Operator", "operator"); err != nil {
		return nil, err
	}
	obs, err := optionalID(observation, "Observation", "observation")
	if err != nil {
		return nil, err
	}
	if obs != nil {
		table, row := "observation", strconv.FormatInt(*obs, 10)
		f.Table, f.RowID = &table, &row
	}
	if f.SubmissionID == nil && f.OperatorID == nil && obs == nil {
		return nil, cohesion.Invalid("submission", "name the submission, operator or observation whose history you want")
	}
	list, err := r.Store.AuditEntries(ctx, f)
	if err != nil {
		return nil, err
	}
	info := pageInfo(len(list), limit, func(i int) string { return catalog.GlobalID("AuditEntry", list[i].ID) })
	return &model.AuditPage{Entries: list[:min(len(list), limit)], PageInfo: info}, nil
}

func (r *Resolver) completeness(ctx context.Context, gids []string, asOf *time.Time) (*store.Completeness, error) {
	var ids []int64
	if gids != nil {
		ids = make([]int64, len(gids))
		for i, g := range gids {
			id, err := localID(g, "Campaign", fmt.Sprintf("campaigns[%d]", i))
			if err != nil {
				return nil, err
			}
			ids[i] = id
		}
	}
	day := today()
	if asOf != nil {
		day = *asOf
	}
	c, err := r.Store.Completeness(ctx, ids, day)
	if err != nil {
		return nil, err
	}
	register(ctx, pointers(c.Groups))
	register(ctx, pointers(c.Missing))
	return c, nil
}

// brussels is the time zone of due dates.
var brussels = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		return time.UTC
	}
	return loc
}()

func today() time.Time {
	y, m, d := time.Now().In(brussels).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func groupsOf(c *store.Completeness, grouping string) []*store.CompletenessGroup {
	var out []*store.CompletenessGroup
	for i := range c.Groups {
		if c.Groups[i].Grouping == grouping {
			out = append(out, &c.Groups[i])
		}
	}
	return out
}

func inLang(fr, nl string, l *cohesion.Lang) string {
	if l != nil && *l == cohesion.LangNL {
		return nl
	}
	return fr
}

func inLangPtr(fr, nl *string, l *cohesion.Lang) *string {
	if l != nil && *l == cohesion.LangNL {
		return nl
	}
	return fr
}

func (r *Resolver) submissionsFor(ctx context.Context) func([]int64) (map[int64]*store.Submission, error) {
	return func(ids []int64) (map[int64]*store.Submission, error) { return r.submissions(ctx, ids) }
}

// pointers points at the elements of list: the executor would copy them, and a copy is not
// the node its siblings were registered as.
func pointers[T any](list []T) []*T {
	out := make([]*T, len(list))
	for i := range list {
		out[i] = &list[i]
	}
	return out
}
