package bench

// The reporting cycle, measured at the store: what an operator's save of its whole report
// costs, alone and with other operators saving at the same time, and what the administration's
// validation of a whole campaign costs. It runs below the GraphQL layer on purpose: the cycle's
// cost is in the store's transactions (row-level security, the checks, the audit trail, the
// observations validation publishes), which is what this measures.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/collect"
	"github.com/cohesio/cohesio/internal/store"
)

// Collection workloads.
const (
	WorkloadSaveAnswers      = "save_answers"      // one SaveAnswers of every answer of a report, as its operator
	WorkloadValidateCampaign = "validate_campaign" // validating every report of a campaign, one after the other, as an administrator
)

// The report's shape: a part answered once and a part answered per site, by operators with
// sitesPerOperator sites each, so that a full report holds AnswersPerReport answers.
const (
	onceQuestions    = 120
	perSiteQuestions = 40
	sitesPerOperator = 2
	AnswersPerReport = onceQuestions + perSiteQuestions*sitesPerOperator
)

// CollectionConfig is what RunCollection measures.
type CollectionConfig struct {
	// Clients are the numbers of operators saving at the same time, each on its own report
	// (concurrent saves of one report would only measure version conflicts).
	Clients []int
	// Budget is how many saves each client count makes: Requests in all, or for Duration.
	Budget Budget
	// Submissions is the size of the campaign validated.
	Submissions int
	Log         *slog.Logger // the setup's progress; nil: silent
}

// CollectionResult is the measurement of one collection workload.
type CollectionResult struct {
	Workload string  `json:"workload"`
	Clients  int     `json:"clients"`
	Answers  int     `json:"answers"` // per save, or per report validated
	Ops      int     `json:"ops"`     // saves, or reports validated
	P50      float64 `json:"p50_ms"`  // per save, or per report validated
	P99      float64 `json:"p99_ms"`
	TotalMS  float64 `json:"total_ms"` // wall time of all the ops
	// PerSecond is saves, or validations, per second of wall time.
	PerSecond float64 `json:"per_second"`
	// Observations is how many observations the validated reports published.
	Observations int `json:"observations,omitempty"`
}

// RunCollection sets up a fictitious programme, its indicators, operators with sites and
// approvals, a report template of AnswersPerReport answers and two campaigns, all under codes
// of their own so that it runs on any database and again; then, for each client count, it
// measures saves of every answer of a report, each changing every value; then it fills and
// submits cfg.Submissions reports (not measured) and measures validating them all. It passes
// each result to emit. What it writes stays in the database, marked fictitious.
func RunCollection(ctx context.Context, st *store.Store, cfg CollectionConfig, emit func(CollectionResult) error) error {
	if cfg.Budget.Duration <= 0 && cfg.Budget.Requests <= 0 {
		return errors.New("bench: give a duration or a number of saves")
	}
	if len(cfg.Clients) == 0 || slices.Min(cfg.Clients) < 1 {
		return fmt.Errorf("bench: client counts must be at least 1, got %v", cfg.Clients)
	}
	if cfg.Submissions < 1 {
		return fmt.Errorf("bench: the campaign validated needs at least 1 report, got %d", cfg.Submissions)
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	most := slices.Max(cfg.Clients)
	start := time.Now()
	f, err := setUpCollection(ctx, st, max(most, cfg.Submissions))
	if err != nil {
		return err
	}
	log.Info("collection bench set up", "code", f.code, "template", f.template.ID, "operators", len(f.operators),
		"answers_per_report", AnswersPerReport, "took", time.Since(start).Round(time.Millisecond))

	// One report per client, in a campaign of its own, saved once first: the first save
	// inserts the answers, the measured ones change every one of them.
	savers := make([]*saver, most)
	for i := range savers {
		s, err := f.startReport(ctx, st, f.saves, f.operators[i])
		if err != nil {
			return err
		}
		if err := s.save(ctx, st); err != nil {
			return err
		}
		savers[i] = s
	}
	for _, n := range cfg.Clients {
		r, err := measureSaves(ctx, st, savers[:n], cfg.Budget)
		if err != nil {
			return err
		}
		if err := emit(r); err != nil {
			return err
		}
	}

	start = time.Now()
	reports, err := f.fillCampaign(ctx, st, f.operators[:cfg.Submissions], most)
	if err != nil {
		return err
	}
	log.Info("campaign filled and submitted", "reports", len(reports), "took", time.Since(start).Round(time.Millisecond))
	r, err := measureValidation(ctx, st, f.validate, reports)
	if err != nil {
		return err
	}
	return emit(r)
}

// measureSaves warms up, then has len(savers) operators save their reports within the budget.
func measureSaves(ctx context.Context, st *store.Store, savers []*saver, b Budget) (CollectionResult, error) {
	// Each client takes a report that no other client holds meanwhile.
	free := make(chan *saver, len(savers))
	for _, s := range savers {
		free <- s
	}
	run := func(ctx context.Context) error {
		s := <-free
		defer func() { free <- s }()
		return s.save(ctx, st)
	}
	if _, err := load(ctx, run, len(savers), Budget{Requests: warmupPerClient * len(savers)}); err != nil {
		return CollectionResult{}, err
	}
	start := time.Now()
	latencies, err := load(ctx, run, len(savers), b)
	if err != nil {
		return CollectionResult{}, err
	}
	return summarise(WorkloadSaveAnswers, len(savers), latencies, time.Since(start)), nil
}

// measureValidation validates the submitted reports one after the other, as the
// administration works through a campaign, and checks that every one was validated.
func measureValidation(ctx context.Context, st *store.Store, campaign int64, reports []*report) (CollectionResult, error) {
	admin := access.WithPrincipal(ctx, access.Principal{Role: access.Admin, Subject: "bench:admin"})
	var next atomic.Int64
	run := func(context.Context) error {
		r := reports[next.Add(1)-1]
		_, err := st.Decide(admin, nil, r.id, store.Decision{Action: collect.Validate, Version: r.version})
		if err != nil {
			return fmt.Errorf("validate report %d: %w", r.id, err)
		}
		return nil
	}
	start := time.Now()
	latencies, err := load(ctx, run, 1, Budget{Requests: len(reports)})
	if err != nil {
		return CollectionResult{}, err
	}
	res := summarise(WorkloadValidateCampaign, 1, latencies, time.Since(start))
	var validated, submissions int
	err = st.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE status = 'validated'), count(*) FROM submission
			WHERE campaign_id = ?`, campaign).Scan(&validated, &submissions)
		if err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT count(*) FROM observation o JOIN submission s ON s.id = o.submission_id
			WHERE s.campaign_id = ?`, campaign).Scan(&res.Observations)
	})
	if err != nil {
		return CollectionResult{}, fmt.Errorf("count validated reports: %w", err)
	}
	if validated != len(reports) || submissions != len(reports) {
		return CollectionResult{}, fmt.Errorf("bench: %d of the campaign's %d reports validated, want all %d", validated, submissions, len(reports))
	}
	return res, nil
}

func summarise(workload string, clients int, sorted []time.Duration, wall time.Duration) CollectionResult {
	return CollectionResult{
		Workload: workload, Clients: clients, Answers: AnswersPerReport, Ops: len(sorted),
		P50: millis(percentile(sorted, 0.50)), P99: millis(percentile(sorted, 0.99)),
		TotalMS:   millis(wall),
		PerSecond: math.Round(10*float64(len(sorted))/wall.Seconds()) / 10,
	}
}

// collectionFixture is what setUpCollection made.
type collectionFixture struct {
	code      string // the suffix of every code
	template  *collect.Template
	saves     int64 // the campaign whose reports are saved over and over
	validate  int64 // the campaign validated
	operators []benchOperator
}

type benchOperator struct {
	id    int64
	sites []int64
}

// collectionData is the fictitious reference data; {sfx} makes its codes unique to a run.
const collectionData = `
INSERT INTO source (code, kind, title, note) VALUES ('bench-collection-{sfx}', 'illustrative',
  'Banc d''essai de la collecte / Benchmark van de inzameling', 'Fictitious data written by the collection benchmark');
INSERT INTO legal_form (code, label_fr, label_nl) VALUES ('bench_{sfx}', 'ASBL fictive', 'Fictieve vzw');
INSERT INTO authority (code, name_fr, name_nl, level, source_id)
  SELECT 'bench-{sfx}', 'Autorité fictive', 'Fictieve overheid', 'region', id FROM source WHERE code = 'bench-collection-{sfx}';
INSERT INTO policy (code, authority_id, name_fr, name_nl, source_id)
  SELECT 'bench-{sfx}', id, 'Politique fictive', 'Fictief beleid', source_id FROM authority WHERE code = 'bench-{sfx}';
INSERT INTO programme (code, policy_id, funder_id, name_fr, name_nl, start_date, source_id)
  SELECT 'bench-{sfx}', id, authority_id, 'Programme fictif', 'Fictief programma', '2020-01-01', source_id FROM policy WHERE code = 'bench-{sfx}';
INSERT INTO programme_axis (programme_id, code, name_fr, name_nl)
  SELECT id, 'axis-1', 'Axe fictif', 'Fictieve as' FROM programme WHERE code = 'bench-{sfx}';
INSERT INTO indicator (code, programme_id, label_fr, label_nl, unit, aggregation, source_id)
  SELECT 'bench-{sfx}.' || lpad(i::text, 3, '0'), p.id, 'Indicateur fictif ' || i, 'Fictieve indicator ' || i,
    CASE WHEN i % 2 = 0 THEN 'persons' ELSE 'sessions' END, 'sum', p.source_id
  FROM programme p, generate_series(1, {indicators}) i WHERE p.code = 'bench-{sfx}';
INSERT INTO operator (name, legal_form_id, kind, fictitious, source_id)
  SELECT 'Opérateur fictif ' || i || ' ({sfx})', lf.id, 'associative', true, s.id
  FROM legal_form lf, source s, generate_series(1, {operators}) i WHERE lf.code = 'bench_{sfx}' AND s.code = 'bench-collection-{sfx}';
INSERT INTO operator_site (operator_id, code, name, source_id)
  SELECT o.id, 'site-' || n, 'Site ' || n, o.source_id
  FROM operator o JOIN source s ON s.id = o.source_id, generate_series(1, {sites}) n WHERE s.code = 'bench-collection-{sfx}';
INSERT INTO approval (operator_id, programme_id, axis_id, start_date, status, source_id)
  SELECT o.id, ax.programme_id, ax.id, '2024-01-01', 'granted', o.source_id
  FROM operator o JOIN source s ON s.id = o.source_id, programme_axis ax JOIN programme p ON p.id = ax.programme_id
  WHERE s.code = 'bench-collection-{sfx}' AND p.code = 'bench-{sfx}';
`

// setUpCollection writes the reference data for operators operators, then the template and
// the campaigns as an administrator would.
func setUpCollection(ctx context.Context, st *store.Store, operators int) (*collectionFixture, error) {
	f := &collectionFixture{code: strconv.FormatInt(time.Now().UnixNano(), 36)}
	indicators := 0
	for _, q := range reportQuestions(collect.Once, onceQuestions) {
		if q.Kind == collect.Indicator {
			indicators++
		}
	}
	for _, q := range reportQuestions(collect.PerSite, perSiteQuestions) {
		if q.Kind == collect.Indicator {
			indicators++
		}
	}
	script := strings.NewReplacer("{sfx}", f.code, "{indicators}", strconv.Itoa(indicators),
		"{operators}", strconv.Itoa(operators), "{sites}", strconv.Itoa(sitesPerOperator)).Replace(collectionData)
	err := st.Load(ctx, func(ctx context.Context, l *store.Loader) error { return l.ExecScript(ctx, script) })
	if err != nil {
		return nil, fmt.Errorf("collection bench data: %w", err)
	}
	var programme, axis int64
	var indicatorIDs []int64
	err = st.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT p.id, ax.id FROM programme p JOIN programme_axis ax ON ax.programme_id = p.id
			WHERE p.code = ?`, "bench-"+f.code).Scan(&programme, &axis)
		if err != nil {
			return err
		}
		if err := tx.NewRaw("SELECT id FROM indicator WHERE programme_id = ? ORDER BY code", programme).Scan(ctx, &indicatorIDs); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT o.id, os.id FROM operator o JOIN source s ON s.id = o.source_id
			JOIN operator_site os ON os.operator_id = o.id WHERE s.code = ? ORDER BY o.id, os.id`, "bench-collection-"+f.code)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var op, site int64
			if err := rows.Scan(&op, &site); err != nil {
				return err
			}
			if n := len(f.operators); n == 0 || f.operators[n-1].id != op {
				f.operators = append(f.operators, benchOperator{id: op})
			}
			last := &f.operators[len(f.operators)-1]
			last.sites = append(last.sites, site)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("collection bench data: %w", err)
	}
	if len(f.operators) != operators || len(indicatorIDs) != indicators {
		return nil, fmt.Errorf("bench: set up %d operators and %d indicators, want %d and %d", len(f.operators), len(indicatorIDs), operators, indicators)
	}

	admin := access.WithPrincipal(ctx, access.Principal{Role: access.Admin, Subject: "bench:admin"})
	t := reportTemplate(f.code, programme, axis, indicatorIDs)
	created, err := st.CreateTemplate(admin, nil, t)
	if err != nil {
		return nil, fmt.Errorf("collection bench template: %w", err)
	}
	t.ID = created.ID
	f.template = &t
	for _, c := range []struct {
		code string
		id   *int64
	}{{"bench-saves-" + f.code, &f.saves}, {"bench-validate-" + f.code, &f.validate}} {
		r, err := st.OpenCampaign(admin, nil, store.Campaign{Code: c.code, TemplateID: t.ID, PeriodStart: t.PeriodStart,
			PeriodEnd: t.PeriodEnd, OpensOn: t.PeriodStart, DueOn: time.Date(2099, 12, 31, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			return nil, fmt.Errorf("collection bench campaign: %w", err)
		}
		*c.id = r.ID
	}
	return f, nil
}

// reportTemplate is a yearly operator report: part A once, part B per site. Mostly numbers
// and indicators, with texts, choices, dates and yes/no questions, a range and two rules, as
// the sector's reports are; part B's numbers and texts are optional.
func reportTemplate(code string, programme, axis int64, indicators []int64) collect.Template {
	once := reportQuestions(collect.Once, onceQuestions)
	perSite := reportQuestions(collect.PerSite, perSiteQuestions)
	next := 0
	for _, qs := range [][]collect.Question{once, perSite} {
		for i := range qs {
			if qs[i].Kind == collect.Indicator {
				qs[i].IndicatorID = &indicators[next]
				next++
			}
		}
	}
	// once[40] and once[41] are the first two numbers: their values keep the rules.
	threshold := decimal.NewFromInt(1_000_000_000)
	return collect.Template{
		Code: "bench-" + code, Audience: collect.ForOperators, ProgrammeID: programme, AxisID: &axis,
		PeriodStart: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), PeriodEnd: time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC),
		TitleFr: "Rapport annuel (banc d'essai)", TitleNl: "Jaarverslag (benchmark)",
		Sections: []collect.Section{
			{Key: "a", LabelFr: "Volet A", LabelNl: "Deel A", Repeat: collect.Once, Questions: once},
			{Key: "b", LabelFr: "Volet B", LabelNl: "Deel B", Repeat: collect.PerSite, Questions: perSite},
		},
		Rules: []collect.Rule{
			{Key: "not-above", Kind: collect.NotAbove, Questions: []string{once[40].Key, once[41].Key},
				LabelFr: "Pas plus que", LabelNl: "Niet meer dan"},
			{Key: "sum-at-most", Kind: collect.SumAtMost, Questions: []string{once[42].Key, once[43].Key}, Threshold: &threshold,
				LabelFr: "Somme plafonnée", LabelNl: "Begrensde som"},
		},
	}
}

// questionRun is a run of questions of one kind: up to the upTo-th question of a part.
type questionRun struct {
	kind     collect.Kind
	upTo     int
	required bool
}

// The kinds of the questions of each part, in order.
var (
	onceKinds = []questionRun{
		{collect.Indicator, 40, true}, {collect.Number, 90, true}, {collect.Text, 102, true},
		{collect.SingleChoice, 110, true}, {collect.MultipleChoice, 116, false}, {collect.Date, 118, true}, {collect.YesNo, 120, false},
	}
	perSiteKinds = []questionRun{
		{collect.Indicator, 16, true}, {collect.Number, 30, false}, {collect.Text, 34, false}, {collect.SingleChoice, 40, true},
	}
)

// reportQuestions are the n questions of a part; their indicators are set by reportTemplate.
func reportQuestions(repeat collect.Repeat, n int) []collect.Question {
	prefix, kinds := "a", onceKinds
	if repeat == collect.PerSite {
		prefix, kinds = "b", perSiteKinds
	}
	zero, ceiling := decimal.Zero, decimal.NewFromInt(1_000_000)
	out := make([]collect.Question, n)
	for i := range out {
		k := kinds[len(kinds)-1]
		for _, c := range kinds {
			if i < c.upTo {
				k = c
				break
			}
		}
		q := collect.Question{Key: fmt.Sprintf("%s.q%03d", prefix, i+1), Kind: k.kind, Required: k.required,
			LabelFr: fmt.Sprintf("Question %s%d", prefix, i+1), LabelNl: fmt.Sprintf("Vraag %s%d", prefix, i+1)}
		switch k.kind {
		case collect.Number, collect.Indicator:
			q.Min = &zero
			if i%4 == 0 {
				q.Max = &ceiling
			}
		case collect.SingleChoice:
			q.Options = choiceOptions(3)
		case collect.MultipleChoice:
			q.Options = choiceOptions(4)
		}
		out[i] = q
	}
	return out
}

func choiceOptions(n int) []collect.Option {
	out := make([]collect.Option, n)
	for i := range out {
		out[i] = collect.Option{Code: fmt.Sprintf("o%d", i+1), LabelFr: fmt.Sprintf("Option %d", i+1), LabelNl: fmt.Sprintf("Optie %d", i+1)}
	}
	return out
}

// report is a submission and the version it is at.
type report struct {
	id      int64
	version int
}

// saver is an operator saving its report over and over; round makes every save change
// every answer.
type saver struct {
	report
	ctx   context.Context // as the operator: row-level security applies
	slots []slot
	round int
}

// slot is an answer of a report: a question, for a site in part B.
type slot struct {
	q    *collect.Question
	n    int // the question's position in the template, so that answers differ
	site *int64
}

// startReport creates op's report to campaign, as op.
func (f *collectionFixture) startReport(ctx context.Context, st *store.Store, campaign int64, op benchOperator) (*saver, error) {
	id := op.id
	s := &saver{ctx: access.WithPrincipal(ctx, access.Principal{Role: access.Operator, Subject: fmt.Sprintf("bench:operator:%d", id), OperatorID: &id})}
	n := 0
	for _, sec := range f.template.Sections {
		for i := range sec.Questions {
			if sec.Repeat == collect.PerSite {
				for j := range op.sites {
					s.slots = append(s.slots, slot{q: &sec.Questions[i], n: n, site: &op.sites[j]})
				}
			} else {
				s.slots = append(s.slots, slot{q: &sec.Questions[i], n: n})
			}
			n++
		}
	}
	if len(s.slots) != AnswersPerReport {
		return nil, fmt.Errorf("bench: a report of %d answers, want %d", len(s.slots), AnswersPerReport)
	}
	r, err := st.CreateSubmission(s.ctx, nil, campaign, &id, nil)
	if err != nil {
		return nil, fmt.Errorf("create the report of operator %d: %w", id, err)
	}
	s.report = report{id: r.ID, version: r.Version}
	return s, nil
}

// save saves every answer of the report, each different from the last save's.
func (s *saver) save(ctx context.Context, st *store.Store) error {
	r, err := st.SaveAnswers(s.ctx, nil, s.id, s.version, s.answers())
	if err != nil {
		return fmt.Errorf("save report %d: %w", s.id, err)
	}
	if r.Version == s.version {
		return fmt.Errorf("bench: saving report %d changed nothing", s.id)
	}
	s.version = r.Version
	s.round++
	return nil
}

// answers are the report's answers in this round: numbers grow by one a round (the first
// numbers of part A keep their order, for the rules), choices, dates and yes/no turn.
func (s *saver) answers() []collect.Answer {
	out := make([]collect.Answer, len(s.slots))
	for i, sl := range s.slots {
		k := sl.n + s.round
		var v collect.Value
		switch sl.q.Kind {
		case collect.Number, collect.Indicator:
			n := decimal.NewFromInt(int64(10 + k))
			if sl.site != nil {
				n = n.Add(decimal.NewFromInt(int64(i)))
			}
			v.Number = &n
		case collect.Text:
			t := fmt.Sprintf("Activités menées en 2025, réponse %d, version %d du rapport.", sl.n+1, s.round)
			v.Text = &t
		case collect.SingleChoice:
			v.Choices = []string{sl.q.Options[k%len(sl.q.Options)].Code}
		case collect.MultipleChoice:
			v.Choices = []string{sl.q.Options[k%len(sl.q.Options)].Code, sl.q.Options[(k+1)%len(sl.q.Options)].Code}
		case collect.Date:
			d := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, k%365)
			v.Date = &d
		case collect.YesNo:
			b := k%2 == 0
			v.Bool = &b
		}
		out[i] = collect.Answer{QuestionKey: sl.q.Key, SiteID: sl.site, Value: v}
	}
	return out
}

// fillCampaign creates, answers in full and submits the reports of operators to the campaign
// validated, as each operator, from workers at a time.
func (f *collectionFixture) fillCampaign(ctx context.Context, st *store.Store, operators []benchOperator, workers int) ([]*report, error) {
	out := make([]*report, len(operators))
	var next atomic.Int64
	run := func(ctx context.Context) error {
		i := next.Add(1) - 1
		s, err := f.startReport(ctx, st, f.validate, operators[i])
		if err != nil {
			return err
		}
		if err := s.save(ctx, st); err != nil {
			return err
		}
		r, err := st.Decide(s.ctx, nil, s.id, store.Decision{Action: collect.Submit, Version: s.version})
		if err != nil {
			return fmt.Errorf("submit report %d: %w", s.id, err)
		}
		out[i] = &report{id: r.ID, version: r.Version}
		return nil
	}
	if _, err := load(ctx, run, min(workers, len(operators)), Budget{Requests: len(operators)}); err != nil {
		return nil, err
	}
	return out, nil
}

// CollectionPrinter writes collection results as a table, or as one JSON object per line.
type CollectionPrinter = Printer[CollectionResult]

// NewCollectionPrinter returns a printer of collection results to w.
func NewCollectionPrinter(w io.Writer, jsonLines bool) *CollectionPrinter {
	return &CollectionPrinter{w: w, jsonLines: jsonLines}
}

func (CollectionResult) format() string { return "%-18s %7v %7v %7v %11v %11v %12v %10v %12v\n" }

func (CollectionResult) header() []any {
	return []any{"workload", "clients", "answers", "ops", "p50", "p99", "total", "per second", "observations"}
}

func (r CollectionResult) cells() []any {
	observations := "-" // saves publish none
	if r.Workload == WorkloadValidateCampaign {
		observations = strconv.Itoa(r.Observations)
	}
	return []any{r.Workload, r.Clients, r.Answers, r.Ops, ms(r.P50), ms(r.P99), fmt.Sprintf("%.2f s", r.TotalMS/1000),
		fmt.Sprintf("%.1f", r.PerSecond), observations}
}
