package demo

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/collect"
	"github.com/cohesio/cohesio/internal/store"
)

// refs are the ids of the loaded rows the reporting cycle needs.
type refs struct {
	programme, axis, pupils int64
	operators               map[string]int64
	seats                   map[int64]int64 // operator -> commune
	communes                map[string]int64
	sites                   map[string]int64
}

func lookup(ctx context.Context, l *store.Loader) (refs, error) {
	var r refs
	programmes, err := l.IDsByKey(ctx, "programme", "code")
	if err != nil {
		return r, err
	}
	indicators, err := l.IDsByKey(ctx, "indicator", "code")
	if err != nil {
		return r, err
	}
	axisProgramme, err := l.ColumnByID(ctx, "programme_axis", "programme_id")
	if err != nil {
		return r, err
	}
	axisCode, err := l.ColumnByID(ctx, "programme_axis", "code")
	if err != nil {
		return r, err
	}
	seats, err := l.ColumnByID(ctx, "operator", "seat_commune_id")
	if err != nil {
		return r, err
	}
	if r.operators, err = l.IDsByKey(ctx, "operator", "name"); err != nil {
		return r, err
	}
	if r.communes, err = l.IDsByKey(ctx, "territory", "code"); err != nil {
		return r, err
	}
	if r.sites, err = l.IDsByKey(ctx, "operator_site", "code"); err != nil {
		return r, err
	}
	r.programme, r.pupils = programmes["cohesion-2024-2028"], indicators["cohesion.axis1.pupils"]
	for id, p := range axisProgramme {
		if p == strconv.FormatInt(r.programme, 10) && axisCode[id] == "1" {
			r.axis = id
		}
	}
	r.seats = map[int64]int64{}
	for id, c := range seats {
		if r.seats[id], err = strconv.ParseInt(c, 10, 64); err != nil {
			return r, err
		}
	}
	if r.programme == 0 || r.axis == 0 || r.pupils == 0 {
		return r, fmt.Errorf("the axis-1 programme, axis or indicator is missing")
	}
	return r, nil
}

// cycle runs the reporting cycle through the store's API as the people who would do each
// step, so that events, comments, observations and the audit trail are the real ones.
type cycle struct {
	st           *store.Store
	refs         refs
	base         context.Context
	admin        context.Context
	coordinators map[int64]context.Context // by commune
	campaign     int64
}

func runCycle(ctx context.Context, st *store.Store, r refs) error {
	c := &cycle{st: st, refs: r, base: ctx, coordinators: map[int64]context.Context{},
		admin: access.WithPrincipal(ctx, access.Principal{Role: access.Admin, Subject: "demo:cocof"})}
	for code, subject := range map[string]string{"21015": "demo:coordination-schaerbeek", "21014": "demo:coordination-saint-josse"} {
		commune := r.communes[code]
		c.coordinators[commune] = access.WithPrincipal(ctx, access.Principal{Role: access.Coordinator, Subject: subject, CommuneID: &commune})
	}
	v1, err := st.CreateTemplate(c.admin, nil, activityReport(r.programme, r.axis, r.pupils))
	if err != nil {
		return fmt.Errorf("template: %w", err)
	}
	v2, err := st.ReviseTemplate(c.admin, nil, v1.ID, revision2026())
	if err != nil {
		return fmt.Errorf("template 2026: %w", err)
	}
	camp, err := st.OpenCampaign(c.admin, nil, store.Campaign{Code: campaign2025, TemplateID: v1.ID,
		PeriodStart: day(2025, time.January, 1), PeriodEnd: day(2025, time.December, 31),
		OpensOn: day(2026, time.January, 1), DueOn: day(2026, time.March, 31)})
	if err != nil {
		return fmt.Errorf("campaign 2025: %w", err)
	}
	_, err = st.OpenCampaign(c.admin, nil, store.Campaign{Code: campaign2026, TemplateID: v2.ID,
		PeriodStart: day(2026, time.January, 1), PeriodEnd: day(2026, time.December, 31),
		OpensOn: day(2027, time.January, 1), DueOn: day(2027, time.March, 31)})
	if err != nil {
		return fmt.Errorf("campaign 2026: %w", err)
	}
	c.campaign = camp.ID
	return c.reports2025()
}

// reports2025 takes the 2025 reports to every state of the cycle. Maison des Devoirs Madou
// has not started its report: it is missing.
func (c *cycle) reports2025() error {
	josaphat, helmet := c.refs.sites["colibris-josaphat"], c.refs.sites["colibris-helmet"]
	primary := []string{"primary"}
	approved := day(2026, time.February, 24)
	reports := []*report{
		// Validated, with part B for each of its two sites.
		c.start("École de devoirs Les Colibris (fictif)", "demo:colibris",
			partA("Accompagnement aux devoirs quatre soirs par semaine et ateliers lecture le mercredi.", "Deux écoles primaires du quartier et le centre PMS.", true),
			[]collect.Answer{answer("a.2025-parents", nil, text("Un café des parents chaque mois et un carnet de liaison avec les enseignants.")),
				answer("a.approved-on", nil, collect.Value{Date: &approved})},
			partB(&josaphat, figures{pupils: 38, girls: 19, sessions: 132, hours: 264, levels: primary, access: []string{"school", "pms"}, residence: "same-commune"}),
			partB(&helmet, figures{pupils: 24, girls: 13, sessions: 98, hours: 196, levels: primary, access: []string{"school", "word-of-mouth"}, residence: "same-commune"})).
			decide(collect.Submit, byOperator, "").
			decide(collect.Recommend, byCoordinator, "").
			decide(collect.Validate, byAdmin, ""),
		// A draft: part A begun, part B not yet.
		c.start("École de devoirs Le Baobab (fictif)", "demo:baobab",
			[]collect.Answer{answer("a.activities", nil, text("Soutien scolaire en petits groupes pour les élèves du secondaire."))}),
		// Submitted, waiting for review.
		c.start("Soutien scolaire Helmet (fictif)", "demo:helmet",
			partA("Aide aux devoirs après l'école et remédiation en mathématiques.", "", false),
			partB(nil, figures{pupils: 45, girls: 21, sessions: 120, hours: 240, levels: []string{"primary", "secondary-1"}, access: []string{"school"}, residence: "same-commune"})).
			decide(collect.Submit, byOperator, ""),
		// Returned by the coordination, with comments on two questions.
		c.start("Devoirs et Découvertes (fictif)", "demo:devoirs-decouvertes",
			partA("Devoirs accompagnés et sorties culturelles pendant les congés scolaires.", "La bibliothèque communale.", true),
			partB(nil, figures{pupils: 40, girls: 40, sessions: 110, hours: 220, levels: primary, access: []string{"school", "social-service"}, residence: "other-eligible"})).
			decide(collect.Submit, byOperator, "").
			decide(collect.Return, byCoordinator, "Deux points à vérifier avant la transmission à la COCOF.",
				comment("b.girls", "Toutes les personnes inscrites sont des filles : le chiffre est-il correct ?"),
				comment("a.partners", "Précisez ce que vous avez fait avec la bibliothèque.")),
		// Returned, corrected and resubmitted; the comments stay with the report.
		c.start("Le Cartable de Saint-Josse (fictif)", "demo:cartable",
			partA("Soutien scolaire et ateliers de méthode de travail pour les élèves du premier degré.", "", false),
			partB(nil, figures{pupils: 52, girls: 27, sessions: 120, hours: 30, levels: []string{"secondary-1"}, access: []string{"school", "pms"}, residence: "same-commune"})).
			decide(collect.Submit, byOperator, "").
			decide(collect.Return, byCoordinator, "",
				comment("b.hours", "30 heures pour 120 séances de deux heures : le nombre d'heures semble trop bas.")).
			save([]collect.Answer{answer("b.hours", nil, num(240))}).
			decide(collect.Submit, byOperator, ""),
		// Validated, then reopened by the administration at the operator's request.
		c.start("Rue des Devoirs (fictif)", "demo:rue-des-devoirs",
			partA("École de devoirs ouverte du lundi au jeudi, avec un accueil des parents le vendredi.", "L'école fondamentale voisine.", true),
			partB(nil, figures{pupils: 61, girls: 30, sessions: 140, hours: 280, levels: primary, access: []string{"school", "word-of-mouth"}, residence: "same-commune"})).
			decide(collect.Submit, byOperator, "").
			decide(collect.Recommend, byCoordinator, "").
			decide(collect.Validate, byAdmin, "").
			decide(collect.Reopen, byAdmin, "À la demande de l'opérateur : les enfants inscrits aux stages ont été comptés deux fois."),
		// Submitted after the deadline, then validated.
		c.start("Les Petits Savants (fictif)", "demo:petits-savants",
			partA("Accompagnement scolaire et ateliers scientifiques pour les 8-12 ans.", "", false),
			partB(nil, figures{pupils: 29, girls: 16, sessions: 90, hours: 180, levels: primary, access: []string{"word-of-mouth"}, residence: "same-commune"})).
			decide(collect.Submit, byOperator, "").
			decide(collect.Recommend, byCoordinator, "").
			decide(collect.Validate, byAdmin, ""),
	}
	for _, r := range reports {
		if r.err != nil {
			return r.err
		}
	}
	return nil
}

// report is one operator's report as the cycle takes it on; the first error stops it.
type report struct {
	c        *cycle
	name     string
	id       int64
	version  int
	operator context.Context
	err      error
}

type actor int

const (
	byOperator actor = iota
	byCoordinator
	byAdmin
)

func (c *cycle) start(name, subject string, answers ...[]collect.Answer) *report {
	id, ok := c.refs.operators[name]
	r := &report{c: c, name: name}
	if !ok {
		r.err = fmt.Errorf("no operator %q", name)
		return r
	}
	r.operator = access.WithPrincipal(c.base, access.Principal{Role: access.Operator, Subject: subject, OperatorID: &id})
	res, err := c.st.CreateSubmission(r.operator, nil, c.campaign, &id, nil)
	r.fail(err, "create")
	r.id, r.version = res.ID, res.Version
	var all []collect.Answer
	for _, a := range answers {
		all = append(all, a...)
	}
	return r.save(all)
}

func (r *report) fail(err error, step string) {
	if err != nil && r.err == nil {
		r.err = fmt.Errorf("report of %s: %s: %w", r.name, step, err)
	}
}

func (r *report) save(answers []collect.Answer) *report {
	if r.err != nil {
		return r
	}
	res, err := r.c.st.SaveAnswers(r.operator, nil, r.id, r.version, answers)
	r.fail(err, "save")
	r.version = res.Version
	return r
}

func (r *report) decide(a collect.Action, by actor, reason string, comments ...store.Comment) *report {
	if r.err != nil {
		return r
	}
	ctx := r.operator
	switch by {
	case byCoordinator:
		ctx = r.c.coordinators[r.c.refs.seats[r.c.refs.operators[r.name]]]
	case byAdmin:
		ctx = r.c.admin
	}
	d := store.Decision{Action: a, Version: r.version, Comments: comments}
	if reason != "" {
		d.Reason = &reason
	}
	res, err := r.c.st.Decide(ctx, nil, r.id, d)
	r.fail(err, string(a))
	r.version = res.Version
	return r
}

type figures struct {
	pupils, girls, sessions, hours int64
	levels, access                 []string
	residence                      string
}

func partA(activities, partners string, partnerships bool) []collect.Answer {
	out := []collect.Answer{answer("a.activities", nil, text(activities)), answer("a.partnerships", nil, collect.Value{Bool: &partnerships})}
	if partnerships {
		out = append(out, answer("a.partners", nil, text(partners)))
	}
	return out
}

// partB answers part B for a site, or once (site nil) for an operator without sites.
func partB(site *int64, f figures) []collect.Answer {
	return []collect.Answer{
		answer("b.pupils", site, num(f.pupils)), answer("b.girls", site, num(f.girls)),
		answer("b.sessions", site, num(f.sessions)), answer("b.hours", site, num(f.hours)),
		answer("b.levels", site, collect.Value{Choices: f.levels}), answer("b.access", site, collect.Value{Choices: f.access}),
		answer("b.residence", site, collect.Value{Choices: []string{f.residence}}),
	}
}

func answer(key string, site *int64, v collect.Value) collect.Answer {
	return collect.Answer{QuestionKey: key, SiteID: site, Value: v}
}

func text(s string) collect.Value { return collect.Value{Text: &s} }

func num(n int64) collect.Value {
	d := decimal.NewFromInt(n)
	return collect.Value{Number: &d}
}

func comment(key, body string) store.Comment { return store.Comment{QuestionKey: &key, Body: body} }
