package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/cohesion"
	"github.com/cohesio/cohesio/internal/collect"
)

// Submission is one organisation's report to a campaign.
type Submission struct {
	ID             int64          `bun:"id"`
	CampaignID     int64          `bun:"campaign_id"`
	TemplateID     int64          `bun:"template_id"`
	OperatorID     *int64         `bun:"operator_id"`
	CoordinationID *int64         `bun:"coordination_id"`
	CommuneID      *int64         `bun:"commune_id"`
	Status         collect.Status `bun:"status"`
	Version        int            `bun:"version"`
	Recommended    bool           `bun:"recommended"`
	// Late: first submitted after the campaign's deadline, or not submitted and past it.
	Late             bool       `bun:"late"`
	CreatedAt        time.Time  `bun:"created_at"`
	UpdatedAt        time.Time  `bun:"updated_at"`
	FirstSubmittedAt *time.Time `bun:"first_submitted_at"`
	SubmittedAt      *time.Time `bun:"submitted_at"`
	ValidatedAt      *time.Time `bun:"validated_at"`
}

// Owner is whom the submission belongs to.
func (s *Submission) Owner() collect.Owner {
	return collect.Owner{OperatorID: s.OperatorID, CoordinationID: s.CoordinationID, CommuneID: s.CommuneID}
}

// submissionColumns reads a submission joined to its campaign (as c). Lateness is computed
// from the deadline in Brussels time, never stored.
const submissionColumns = `s.id, s.campaign_id, s.template_id, s.operator_id, s.coordination_id,
	submission_commune(s.operator_id, s.coordination_id) AS commune_id, s.status, s.version, s.recommended,
	coalesce((s.first_submitted_at AT TIME ZONE 'Europe/Brussels')::date, (now() AT TIME ZONE 'Europe/Brussels')::date)
		> c.due_on + c.grace_days AS late,
	s.created_at, s.updated_at, s.first_submitted_at, s.submitted_at, s.validated_at`

// SubmissionFilter narrows a list of submissions; nil fields do not filter.
type SubmissionFilter struct {
	CampaignID     *int64
	OperatorID     *int64
	CoordinationID *int64
	Status         *collect.Status
	// After is the id the previous page ended with.
	After *int64
	Limit int
}

// Submissions lists the submissions the caller may see, by id.
func (s *Store) Submissions(ctx context.Context, f SubmissionFilter) ([]*Submission, error) {
	var out []*Submission
	err := s.transactAs(ctx, func(ctx context.Context, tx bun.Tx) error {
		q := tx.NewSelect().TableExpr("submission AS s").Join("JOIN campaign AS c ON c.id = s.campaign_id").
			ColumnExpr(submissionColumns).OrderExpr("s.id").Limit(int64(f.Limit))
		for _, w := range []struct {
			cond string
			v    any
			set  bool
		}{
			{"s.campaign_id = ?", f.CampaignID, f.CampaignID != nil},
			{"s.operator_id = ?", f.OperatorID, f.OperatorID != nil},
			{"s.coordination_id = ?", f.CoordinationID, f.CoordinationID != nil},
			{"s.status = ?", f.Status, f.Status != nil},
			{"s.id > ?", f.After, f.After != nil},
		} {
			if w.set {
				q = q.Where(w.cond, w.v)
			}
		}
		return q.Scan(ctx, &out)
	})
	if err != nil {
		return nil, fmt.Errorf("list submissions: %w", err)
	}
	return out, nil
}

// SubmissionsByID returns the submissions with the given ids that the caller may see.
func (s *Store) SubmissionsByID(ctx context.Context, ids []int64) (map[int64]*Submission, error) {
	out := map[int64]*Submission{}
	err := s.transactAs(ctx, func(ctx context.Context, tx bun.Tx) error {
		var found []*Submission
		err := tx.NewSelect().TableExpr("submission AS s").Join("JOIN campaign AS c ON c.id = s.campaign_id").
			ColumnExpr(submissionColumns).Where("s.id IN (?)", bun.In(ids)).Scan(ctx, &found)
		for _, f := range found {
			out[f.ID] = f
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read submissions: %w", err)
	}
	return out, nil
}

// readSubmission reads a submission the principal may see, locked for the rest of tx when
// the principal may change it. One it may not see does not exist for it.
func readSubmission(ctx context.Context, tx bun.Tx, id int64) (*Submission, error) {
	var found []*Submission
	err := tx.NewSelect().TableExpr("submission AS s").Join("JOIN campaign AS c ON c.id = s.campaign_id").
		ColumnExpr(submissionColumns).Where("s.id = ?", id).Scan(ctx, &found)
	if err != nil {
		return nil, fmt.Errorf("read submission %d: %w", id, err)
	}
	if len(found) == 0 {
		return nil, fmt.Errorf("submission %d: %w", id, cohesion.ErrNotFound)
	}
	return found[0], nil
}

// lockSubmission reads submission id, checks that the principal may do a to it in its
// current state and that it is still at version, and locks it for the rest of tx. It returns
// the submission and the status a leads to.
func lockSubmission(ctx context.Context, tx bun.Tx, id int64, version int, a collect.Action) (*Submission, collect.Status, error) {
	sub, err := readSubmission(ctx, tx, id)
	if err != nil {
		return nil, "", err
	}
	if _, err := transition(ctx, a, sub.Status, sub.Owner()); err != nil && errors.Is(err, access.ErrForbidden) {
		return nil, "", err
	}
	// Row-level security lets a principal lock only what it may change; the lock makes
	// concurrent changes of one submission queue, so the version check below is exact.
	var cur struct {
		Status  collect.Status `bun:"status"`
		Version int            `bun:"version"`
	}
	err = tx.NewSelect().Table("submission").Column("status", "version").Where("id = ?", id).For("UPDATE").Scan(ctx, &cur)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", fmt.Errorf("%w: report %d is %s and cannot be changed by you", access.ErrForbidden, id, sub.Status)
	}
	if err != nil {
		return nil, "", fmt.Errorf("lock submission %d: %w", id, err)
	}
	if cur.Version != version {
		return nil, "", &cohesion.ConflictError{What: fmt.Sprintf("report %d", id), Current: cur.Version, Sent: version}
	}
	sub.Status, sub.Version = cur.Status, cur.Version
	to, err := transition(ctx, a, sub.Status, sub.Owner())
	if err != nil {
		return nil, "", err
	}
	return sub, to, nil
}

// transition is collect.Transition for the request's principal; the platform's own work (the
// demo, benchmarks) acts as the administration.
func transition(ctx context.Context, a collect.Action, from collect.Status, o collect.Owner) (collect.Status, error) {
	p, ok := access.PrincipalIn(ctx)
	if !ok {
		p = access.Principal{Role: access.Admin}
	}
	return collect.Transition(p, a, from, o)
}

// CreateSubmission starts the draft report of an operator or a coordination (exactly one of
// them) to a campaign that expects one from it.
func (s *Store) CreateSubmission(ctx context.Context, key *string, campaignID int64, operatorID, coordinationID *int64) (Result, error) {
	request := []any{campaignID, operatorID, coordinationID}
	return s.mutate(ctx, key, "createSubmission", request, func(ctx context.Context, tx bun.Tx) (Result, error) {
		if (operatorID == nil) == (coordinationID == nil) {
			return Result{}, cohesion.Invalid("operator", "name the operator or the coordination that reports, not both")
		}
		var commune *int64
		if err := tx.QueryRowContext(ctx, "SELECT submission_commune(?, ?)", operatorID, coordinationID).Scan(&commune); err != nil {
			return Result{}, fmt.Errorf("commune of the report: %w", err)
		}
		if _, err := transition(ctx, collect.Create, "", collect.Owner{OperatorID: operatorID, CoordinationID: coordinationID, CommuneID: commune}); err != nil {
			return Result{}, err
		}
		var opens time.Time
		var open bool
		err := tx.QueryRowContext(ctx, "SELECT opens_on, opens_on <= (now() AT TIME ZONE 'Europe/Brussels')::date FROM campaign WHERE id = ?",
			campaignID).Scan(&opens, &open)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return Result{}, cohesion.Invalid("campaign", "no such campaign")
		case err != nil:
			return Result{}, fmt.Errorf("campaign %d: %w", campaignID, err)
		case !open:
			return Result{}, cohesion.Invalid("campaign", "the campaign opens on "+opens.Format(time.DateOnly))
		}
		var expected bool
		err = tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT FROM campaign_expected WHERE campaign_id = ?
			AND operator_id IS NOT DISTINCT FROM ? AND coordination_id IS NOT DISTINCT FROM ?)`, campaignID, operatorID, coordinationID).Scan(&expected)
		if err != nil {
			return Result{}, fmt.Errorf("expected reports: %w", err)
		}
		if !expected {
			return Result{}, cohesion.Invalid("campaign", "this campaign expects no report from this organisation (no approval for its programme and axis in the period)")
		}
		var id int64
		err = tx.QueryRowContext(ctx, `INSERT INTO submission (campaign_id, operator_id, coordination_id, template_id)
			SELECT id, ?, ?, template_id FROM campaign WHERE id = ?
			ON CONFLICT (campaign_id, operator_id, coordination_id) DO NOTHING RETURNING id`, operatorID, coordinationID, campaignID).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			var existing int64
			if err := tx.QueryRowContext(ctx, `SELECT id FROM submission WHERE campaign_id = ? AND operator_id IS NOT DISTINCT FROM ?
				AND coordination_id IS NOT DISTINCT FROM ?`, campaignID, operatorID, coordinationID).Scan(&existing); err != nil {
				return Result{}, fmt.Errorf("existing report: %w", err)
			}
			return Result{}, cohesion.Invalid("campaign", fmt.Sprintf("this organisation's report to the campaign exists (submission %d): continue it", existing))
		}
		if err != nil {
			return Result{}, fmt.Errorf("create submission: %w", err)
		}
		if _, err := recordEvent(ctx, tx, id, collect.Create, "", collect.Draft, nil); err != nil {
			return Result{}, err
		}
		return Result{ID: id, Version: 1}, nil
	})
}

// SaveAnswers saves some answers of submission id, made on version: a partial save changes
// only the answers it names, an empty value clears one. The version moves on only when an
// answer changed. A stale version is refused with a ConflictError.
func (s *Store) SaveAnswers(ctx context.Context, key *string, id int64, version int, answers []collect.Answer) (Result, error) {
	request := struct {
		ID      int64
		Version int
		Answers []collect.Answer
	}{id, version, answers}
	return s.mutate(ctx, key, "saveAnswers", request, func(ctx context.Context, tx bun.Tx) (Result, error) {
		sub, _, err := lockSubmission(ctx, tx, id, version, collect.Save)
		if err != nil {
			return Result{}, err
		}
		t, sites, err := s.reportContext(ctx, tx, sub)
		if err != nil {
			return Result{}, err
		}
		type at struct {
			key  string
			site int64
		}
		seen := map[at]bool{}
		rows := make([]answerRow, len(answers))
		for i, a := range answers {
			field := fmt.Sprintf("answers[%d]", i)
			if err := t.CheckAnswer(field, a, sites); err != nil {
				return Result{}, err
			}
			k := at{a.QuestionKey, 0}
			if a.SiteID != nil {
				k.site = *a.SiteID
			}
			if seen[k] {
				return Result{}, cohesion.Invalid(field, fmt.Sprintf("question %q is answered twice in this save", a.QuestionKey))
			}
			seen[k] = true
			rows[i] = newAnswerRow(a)
		}
		input, err := json.Marshal(rows)
		if err != nil {
			return Result{}, err
		}
		var changed int
		err = tx.QueryRowContext(ctx, saveAnswers, string(input), id, id).Scan(&changed)
		if err != nil {
			return Result{}, fmt.Errorf("save answers of %d: %w", id, err)
		}
		if changed == 0 {
			return Result{ID: id, Version: version}, nil
		}
		var next int
		if err := tx.QueryRowContext(ctx, "UPDATE submission SET version = version + 1, updated_at = now() WHERE id = ? RETURNING version", id).Scan(&next); err != nil {
			return Result{}, fmt.Errorf("bump version of %d: %w", id, err)
		}
		return Result{ID: id, Version: next}, nil
	})
}

// saveAnswers writes a save's answers in one statement: values are upserted where they
// differ, empty ones delete the answer; it returns how many rows changed.
const saveAnswers = `WITH input AS (
		SELECT * FROM jsonb_to_recordset(?::jsonb) AS x(question_key text, site_id bigint, text_value text,
			number_value numeric, choices text[], date_value date, bool_value boolean)),
	upserted AS (
		INSERT INTO submission_answer AS a (submission_id, question_key, site_id, text_value, number_value, choices, date_value, bool_value)
		SELECT ?, question_key, site_id, text_value, number_value, choices, date_value, bool_value FROM input
		WHERE num_nonnulls(text_value, number_value, choices, date_value, bool_value) > 0
		ON CONFLICT (submission_id, question_key, site_id) DO UPDATE SET text_value = excluded.text_value,
			number_value = excluded.number_value, choices = excluded.choices, date_value = excluded.date_value,
			bool_value = excluded.bool_value, updated_at = now()
		WHERE (a.text_value, a.number_value, a.choices, a.date_value, a.bool_value) IS DISTINCT FROM
			(excluded.text_value, excluded.number_value, excluded.choices, excluded.date_value, excluded.bool_value)
		RETURNING 1),
	deleted AS (
		DELETE FROM submission_answer a USING input i
		WHERE a.submission_id = ? AND a.question_key = i.question_key AND a.site_id IS NOT DISTINCT FROM i.site_id
			AND num_nonnulls(i.text_value, i.number_value, i.choices, i.date_value, i.bool_value) = 0
		RETURNING 1)
	SELECT (SELECT count(*) FROM upserted) + (SELECT count(*) FROM deleted)`

// answerRow is an answer as saveAnswers reads it.
type answerRow struct {
	QuestionKey string           `json:"question_key"`
	SiteID      *int64           `json:"site_id"`
	Text        *string          `json:"text_value"`
	Number      *decimal.Decimal `json:"number_value"`
	Choices     []string         `json:"choices"`
	Date        *string          `json:"date_value"`
	Bool        *bool            `json:"bool_value"`
}

func newAnswerRow(a collect.Answer) answerRow {
	r := answerRow{QuestionKey: a.QuestionKey, SiteID: a.SiteID, Text: a.Text, Number: a.Number, Choices: a.Choices, Bool: a.Bool}
	if a.Date != nil {
		d := a.Date.Format(time.DateOnly)
		r.Date = &d
	}
	return r
}

// reportContext returns the template version a submission answers and the sites its
// organisation reports for.
func (s *Store) reportContext(ctx context.Context, tx bun.Tx, sub *Submission) (*collect.Template, []int64, error) {
	t, err := s.template(ctx, tx, sub.TemplateID)
	if err != nil {
		return nil, nil, err
	}
	var sites []int64
	if sub.OperatorID != nil {
		if err := tx.NewSelect().Table("operator_site").Column("id").Where("operator_id = ?", *sub.OperatorID).Order("id").Scan(ctx, &sites); err != nil {
			return nil, nil, fmt.Errorf("sites of operator %d: %w", *sub.OperatorID, err)
		}
	}
	return t, sites, nil
}

// template returns a template version, from the cache when it was read before.
func (s *Store) template(ctx context.Context, tx bun.Tx, id int64) (*collect.Template, error) {
	if t, ok := s.templates.Load(id); ok {
		return t.(*collect.Template), nil
	}
	found, err := loadTemplates(ctx, tx, []int64{id})
	if err != nil {
		return nil, err
	}
	t, ok := found[id]
	if !ok {
		return nil, fmt.Errorf("template %d: %w", id, cohesion.ErrNotFound)
	}
	s.templates.Store(id, t)
	return t, nil
}

// Comment is a reviewer's remark, on the whole report or on one question (and site).
type Comment struct {
	bun.BaseModel `bun:"table:submission_comment,alias:sc"`

	ID           int64     `bun:"id"`
	SubmissionID int64     `bun:"submission_id"`
	EventID      *int64    `bun:"event_id"`
	QuestionKey  *string   `bun:"question_key"`
	SiteID       *int64    `bun:"site_id"`
	Body         string    `bun:"body"`
	Role         string    `bun:"role"`
	Subject      *string   `bun:"subject"`
	At           time.Time `bun:"at"`
}

// Decision is a step of the cycle after the draft: submit, return, recommend, validate or
// reopen, made on a version of the report, with a reason and comments.
type Decision struct {
	Action   collect.Action
	Version  int
	Reason   *string
	Comments []Comment
}

// Decide moves submission id on by d. Submitting checks every rule and lists every problem;
// returning needs a reason or comments; reopening needs a reason; validating turns the
// indicator answers into observations and reopening withdraws them until validated again.
// Whatever fails, nothing changes.
func (s *Store) Decide(ctx context.Context, key *string, id int64, d Decision) (Result, error) {
	request := struct {
		ID int64
		D  Decision
	}{id, d}
	return s.mutate(ctx, key, string(d.Action)+"Submission", request, func(ctx context.Context, tx bun.Tx) (Result, error) {
		if d.Action == collect.Create || d.Action == collect.Save {
			return Result{}, fmt.Errorf("decide: %s is not a decision", d.Action)
		}
		reason := ""
		if d.Reason != nil {
			reason = strings.TrimSpace(*d.Reason)
		}
		switch {
		case d.Action == collect.Return && reason == "" && len(d.Comments) == 0:
			return Result{}, cohesion.Invalid("reason", "say why the report is returned: a reason, or comments on its questions")
		case d.Action == collect.Reopen && reason == "":
			return Result{}, cohesion.Invalid("reason", "reopening a validated report needs a reason")
		}
		sub, to, err := lockSubmission(ctx, tx, id, d.Version, d.Action)
		if err != nil {
			return Result{}, err
		}
		t, sites, err := s.reportContext(ctx, tx, sub)
		if err != nil {
			return Result{}, err
		}
		for i, c := range d.Comments {
			field := fmt.Sprintf("comments[%d]", i)
			if strings.TrimSpace(c.Body) == "" {
				return Result{}, cohesion.Invalid(field+".body", "a comment says something")
			}
			if c.QuestionKey != nil {
				if err := t.CheckAnswer(field, collect.Answer{QuestionKey: *c.QuestionKey, SiteID: c.SiteID}, sites); err != nil {
					return Result{}, err
				}
			} else if c.SiteID != nil {
				return Result{}, cohesion.Invalid(field+".site", "a comment on a site is on one of its questions: name the question")
			}
		}
		switch d.Action {
		case collect.Submit, collect.Validate:
			answers, err := readAnswers(ctx, tx, []int64{id})
			if err != nil {
				return Result{}, err
			}
			if problems := t.Check(answers[id], sites); len(problems) > 0 {
				return Result{}, &collect.CheckError{Problems: problems}
			}
		}
		set := "status = ?, version = version + 1, updated_at = now()"
		switch d.Action {
		case collect.Submit:
			set += ", submitted_at = now(), first_submitted_at = coalesce(first_submitted_at, now()), recommended = false"
		case collect.Recommend:
			set += ", recommended = true"
		case collect.Validate:
			set += ", validated_at = now()"
		case collect.Reopen:
			set += ", validated_at = NULL"
		}
		var next int
		if err := tx.QueryRowContext(ctx, "UPDATE submission SET "+set+" WHERE id = ? RETURNING version", to, id).Scan(&next); err != nil {
			return Result{}, fmt.Errorf("%s submission %d: %w", d.Action, id, err)
		}
		var why *string
		if reason != "" {
			why = &reason
		}
		event, err := recordEvent(ctx, tx, id, d.Action, sub.Status, to, why)
		if err != nil {
			return Result{}, err
		}
		for _, c := range d.Comments {
			_, err := tx.ExecContext(ctx, `INSERT INTO submission_comment (submission_id, event_id, question_key, site_id, body, role, subject)
				VALUES (?, ?, ?, ?, ?, coalesce(principal('role'), 'system'), coalesce(principal('subject'), session_user))`,
				id, event, c.QuestionKey, c.SiteID, strings.TrimSpace(c.Body))
			if err != nil {
				return Result{}, fmt.Errorf("comment on %d: %w", id, err)
			}
		}
		switch d.Action {
		case collect.Validate:
			err = publishAnswers(ctx, tx, sub, t)
		case collect.Reopen:
			_, err = tx.ExecContext(ctx, "UPDATE observation SET status = 'submitted' WHERE submission_id = ?", id)
		}
		if err != nil {
			return Result{}, fmt.Errorf("%s submission %d: observations: %w", d.Action, id, err)
		}
		return Result{ID: id, Version: next}, nil
	})
}

// recordEvent writes a transition of a submission, by the request's principal.
func recordEvent(ctx context.Context, tx bun.Tx, id int64, a collect.Action, from, to collect.Status, reason *string) (int64, error) {
	var event int64
	err := tx.QueryRowContext(ctx, `INSERT INTO submission_event (submission_id, action, from_status, to_status, role, subject, reason)
		VALUES (?, ?, nullif(?, ''), ?, coalesce(principal('role'), 'system'), coalesce(principal('subject'), session_user), ?)
		RETURNING id`, id, a, from, to, reason).Scan(&event)
	if err != nil {
		return 0, fmt.Errorf("record %s of %d: %w", a, id, err)
	}
	return event, nil
}

// publishAnswers turns the indicator answers of a validated submission into realised,
// validated observations citing it: one per question and site, revised in place when the
// submission is validated again, withdrawn when its answer was cleared.
func publishAnswers(ctx context.Context, tx bun.Tx, sub *Submission, t *collect.Template) error {
	var keys []string
	for _, sec := range t.Sections {
		for _, q := range sec.Questions {
			if q.Kind == collect.Indicator {
				keys = append(keys, q.Key)
			}
		}
	}
	source, err := ensureSource(ctx, tx)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM observation o WHERE o.submission_id = ? AND NOT EXISTS (
			SELECT FROM submission_answer a WHERE a.submission_id = o.submission_id AND a.question_key = o.question_key
				AND a.site_id IS NOT DISTINCT FROM o.site_id AND a.question_key IN (?))`, sub.ID, bun.In(append(keys, "")))
	if err != nil {
		return fmt.Errorf("withdraw cleared answers: %w", err)
	}
	if len(keys) == 0 {
		return nil
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO observation AS o (indicator_id, operator_id, coordination_id, period_start, period_end,
			granularity, kind, value, status, source_id, submission_id, question_key, site_id)
		SELECT q.indicator_id, s.operator_id, s.coordination_id, c.period_start, c.period_end,
			CASE WHEN c.period_start = date_trunc('year', c.period_start)::date AND c.period_end = (date_trunc('year', c.period_start) + interval '1 year - 1 day')::date
				THEN 'year' ELSE 'range' END,
			'realised', a.number_value, 'validated', ?, s.id, a.question_key, a.site_id
		FROM submission s
		JOIN campaign c ON c.id = s.campaign_id
		JOIN submission_answer a ON a.submission_id = s.id
		JOIN template_question q ON q.template_id = s.template_id AND q.key = a.question_key AND q.kind = 'indicator'
		WHERE s.id = ? AND a.number_value IS NOT NULL
		ON CONFLICT (submission_id, question_key, site_id) WHERE submission_id IS NOT NULL DO UPDATE
			SET value = excluded.value, status = 'validated', period_start = excluded.period_start, period_end = excluded.period_end,
				granularity = excluded.granularity, indicator_id = excluded.indicator_id
			WHERE (o.value, o.status, o.period_start, o.period_end, o.indicator_id) IS DISTINCT FROM
				(excluded.value, excluded.status, excluded.period_start, excluded.period_end, excluded.indicator_id)`, source, sub.ID)
	if err != nil {
		return fmt.Errorf("publish indicator answers: %w", err)
	}
	return nil
}

// submissionSource is the source every validated answer cites.
const submissionSource = "operator-submissions"

// ensureSource returns the id of the source validated answers cite, made on first use.
func ensureSource(ctx context.Context, tx bun.Tx) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, "SELECT id FROM source WHERE code = ?", submissionSource).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		err = tx.QueryRowContext(ctx, `WITH ins AS (
				INSERT INTO source (code, kind, title) VALUES (?, 'dataset', 'Reports validated through Cohesio')
				ON CONFLICT (code) DO NOTHING RETURNING id)
			SELECT id FROM ins UNION ALL SELECT id FROM source WHERE code = ? LIMIT 1`, submissionSource, submissionSource).Scan(&id)
	}
	if err != nil {
		return 0, fmt.Errorf("submission source: %w", err)
	}
	return id, nil
}

// Answers returns the answers of the given submissions that the caller may see, in the order
// of their templates' questions.
func (s *Store) Answers(ctx context.Context, ids []int64) (map[int64][]collect.Answer, error) {
	var out map[int64][]collect.Answer
	err := s.transactAs(ctx, func(ctx context.Context, tx bun.Tx) error {
		var err error
		out, err = readAnswers(ctx, tx, ids)
		return err
	})
	return out, err
}

func readAnswers(ctx context.Context, tx bun.Tx, ids []int64) (map[int64][]collect.Answer, error) {
	out := map[int64][]collect.Answer{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT a.submission_id, a.question_key, a.site_id, a.text_value, a.number_value, a.choices,
			a.date_value, a.bool_value
		FROM submission_answer a
		JOIN submission s ON s.id = a.submission_id
		LEFT JOIN template_question q ON q.template_id = s.template_id AND q.key = a.question_key
		LEFT JOIN template_section sec ON sec.id = q.section_id
		WHERE a.submission_id IN (?) ORDER BY a.submission_id, sec.position, q.position, a.site_id NULLS FIRST`, bun.In(ids))
	if err != nil {
		return nil, fmt.Errorf("read answers: %w", err)
	}
	err = eachRow(rows, func() error {
		var id int64
		var a collect.Answer
		var n decimal.NullDecimal
		var choices []string
		if err := rows.Scan(&id, &a.QuestionKey, &a.SiteID, &a.Text, &n, pgdialect.Array(&choices), &a.Date, &a.Bool); err != nil {
			return err
		}
		if n.Valid {
			a.Number = &n.Decimal
		}
		if choices != nil {
			a.Choices = choices
		}
		out[id] = append(out[id], a)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read answers: %w", err)
	}
	return out, nil
}

// Event is a transition of a submission.
type Event struct {
	bun.BaseModel `bun:"table:submission_event,alias:se"`

	ID           int64           `bun:"id"`
	SubmissionID int64           `bun:"submission_id"`
	Action       collect.Action  `bun:"action"`
	From         *collect.Status `bun:"from_status"`
	To           collect.Status  `bun:"to_status"`
	Role         string          `bun:"role"`
	Subject      *string         `bun:"subject"`
	Reason       *string         `bun:"reason"`
	At           time.Time       `bun:"at"`
}

// Events returns the transitions of the given submissions, oldest first.
func (s *Store) Events(ctx context.Context, ids []int64) (map[int64][]*Event, error) {
	return childrenOf[Event](ctx, s, "submission events", ids, func(e *Event) int64 { return e.SubmissionID })
}

// Comments returns the reviewers' comments on the given submissions, oldest first.
func (s *Store) Comments(ctx context.Context, ids []int64) (map[int64][]*Comment, error) {
	return childrenOf[Comment](ctx, s, "submission comments", ids, func(c *Comment) int64 { return c.SubmissionID })
}

func childrenOf[T any](ctx context.Context, s *Store, what string, ids []int64, parent func(*T) int64) (map[int64][]*T, error) {
	out := map[int64][]*T{}
	err := s.transactAs(ctx, func(ctx context.Context, tx bun.Tx) error {
		var rows []*T
		if err := tx.NewSelect().Model(&rows).Where("submission_id IN (?)", bun.In(ids)).Order("id").Scan(ctx); err != nil {
			return err
		}
		for _, r := range rows {
			out[parent(r)] = append(out[parent(r)], r)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	return out, nil
}

// Site is an activity site of an operator.
type Site struct {
	bun.BaseModel `bun:"table:operator_site,alias:os"`

	ID         int64   `bun:"id"`
	OperatorID int64   `bun:"operator_id"`
	Code       string  `bun:"code"`
	Name       string  `bun:"name"`
	Street     *string `bun:"street"`
	Postcode   *string `bun:"postcode"`
	CommuneID  *int64  `bun:"commune_id"`
}

// Sites returns the sites of the given operators, by code.
func (s *Store) Sites(ctx context.Context, operators []int64) (map[int64][]*Site, error) {
	out := map[int64][]*Site{}
	err := s.transactAs(ctx, func(ctx context.Context, tx bun.Tx) error {
		var rows []*Site
		if err := tx.NewSelect().Model(&rows).Where("operator_id IN (?)", bun.In(operators)).
			Order("operator_id", "code").Scan(ctx); err != nil {
			return err
		}
		for _, r := range rows {
			out[r.OperatorID] = append(out[r.OperatorID], r)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read sites: %w", err)
	}
	return out, nil
}

// SitesByID returns sites by id.
func (s *Store) SitesByID(ctx context.Context, ids []int64) (map[int64]*Site, error) {
	out := map[int64]*Site{}
	err := s.transactAs(ctx, func(ctx context.Context, tx bun.Tx) error {
		var rows []*Site
		if err := tx.NewSelect().Model(&rows).Where("id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
			return err
		}
		for _, r := range rows {
			out[r.ID] = r
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read sites: %w", err)
	}
	return out, nil
}
