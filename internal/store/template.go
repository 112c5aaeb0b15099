package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/cohesion"
	"github.com/cohesio/cohesio/internal/collect"
)

// CreateTemplate stores the first version of a report template (administrators) and returns
// its id. Later versions are made with ReviseTemplate.
func (s *Store) CreateTemplate(ctx context.Context, key *string, t collect.Template) (Result, error) {
	t.Version = 1
	t.BasedOnID = nil
	return s.mutate(ctx, key, "createReportTemplate", t, func(ctx context.Context, tx bun.Tx) (Result, error) {
		if err := adminOnly(ctx, "report templates are made"); err != nil {
			return Result{}, err
		}
		var exists bool
		if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT FROM report_template WHERE code = ?)", t.Code).Scan(&exists); err != nil {
			return Result{}, fmt.Errorf("template %s: %w", t.Code, err)
		}
		if exists {
			return Result{}, cohesion.Invalid("code", fmt.Sprintf("template %s exists: make its next version from its latest one", t.Code))
		}
		id, err := insertTemplate(ctx, tx, t)
		return Result{ID: id, Version: 1}, err
	})
}

// ReviseTemplate makes the next version of the template version from: a copy with rev
// applied, numbered after the template's latest version.
func (s *Store) ReviseTemplate(ctx context.Context, key *string, from int64, rev collect.Revision) (Result, error) {
	request := struct {
		From int64
		Rev  collect.Revision
	}{from, rev}
	return s.mutate(ctx, key, "reviseReportTemplate", request, func(ctx context.Context, tx bun.Tx) (Result, error) {
		if err := adminOnly(ctx, "report templates are revised"); err != nil {
			return Result{}, err
		}
		cur, err := loadTemplates(ctx, tx, []int64{from})
		if err != nil {
			return Result{}, err
		}
		t, ok := cur[from]
		if !ok {
			return Result{}, cohesion.Invalid("from", fmt.Sprintf("no template version %d", from))
		}
		// The code's versions are numbered in order; the lock makes two revisions queue.
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtext('report_template:' || ?))", t.Code); err != nil {
			return Result{}, err
		}
		next, err := t.Revise(rev)
		if err != nil {
			return Result{}, err
		}
		if err := tx.QueryRowContext(ctx, "SELECT max(version) + 1 FROM report_template WHERE code = ?", t.Code).Scan(&next.Version); err != nil {
			return Result{}, fmt.Errorf("next version of %s: %w", t.Code, err)
		}
		id, err := insertTemplate(ctx, tx, next)
		return Result{ID: id, Version: next.Version}, err
	})
}

// adminOnly refuses the request unless it is an administrator's (or the platform's own work).
func adminOnly(ctx context.Context, what string) error {
	if p, ok := access.PrincipalIn(ctx); ok && p.Role != access.Admin {
		return fmt.Errorf("%w: %s only by the administration", access.ErrForbidden, what)
	}
	return nil
}

func insertTemplate(ctx context.Context, tx bun.Tx, t collect.Template) (int64, error) {
	if err := t.Validate(); err != nil {
		return 0, err
	}
	if err := checkTemplateReferences(ctx, tx, &t); err != nil {
		return 0, err
	}
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO report_template (code, version, audience, programme_id, axis_id, period_start,
			period_end, title_fr, title_nl, description_fr, description_nl, based_on_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		t.Code, t.Version, t.Audience, t.ProgrammeID, t.AxisID, t.PeriodStart, t.PeriodEnd, t.TitleFr, t.TitleNl,
		t.DescFr, t.DescNl, t.BasedOnID).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert template %s v%d: %w", t.Code, t.Version, err)
	}
	for i, sec := range t.Sections {
		var sid int64
		err := tx.QueryRowContext(ctx, `INSERT INTO template_section (template_id, key, position, label_fr, label_nl, help_fr, help_nl, repeat)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, id, sec.Key, i, sec.LabelFr, sec.LabelNl, sec.HelpFr, sec.HelpNl, sec.Repeat).Scan(&sid)
		if err != nil {
			return 0, fmt.Errorf("insert section %s: %w", sec.Key, err)
		}
		for j, q := range sec.Questions {
			options, err := json.Marshal(q.Options)
			if err != nil {
				return 0, err
			}
			if q.Options == nil {
				options = []byte("[]")
			}
			var whenKey, whenEquals *string
			if q.AskedWhen != nil {
				whenKey, whenEquals = &q.AskedWhen.Key, &q.AskedWhen.Equals
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO template_question (template_id, section_id, key, position, kind, label_fr, label_nl,
					help_fr, help_nl, unit, indicator_id, options, required, min_value, max_value, asked_when_key, asked_when_equals)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				id, sid, q.Key, j, q.Kind, q.LabelFr, q.LabelNl, q.HelpFr, q.HelpNl, q.Unit, q.IndicatorID, string(options),
				q.Required, q.Min, q.Max, whenKey, whenEquals)
			if err != nil {
				return 0, fmt.Errorf("insert question %s: %w", q.Key, err)
			}
		}
	}
	for _, r := range t.Rules {
		_, err := tx.ExecContext(ctx, `INSERT INTO template_rule (template_id, key, kind, questions, threshold, label_fr, label_nl)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, id, r.Key, r.Kind, pgdialect.Array(r.Questions), r.Threshold, r.LabelFr, r.LabelNl)
		if err != nil {
			return 0, fmt.Errorf("insert rule %s: %w", r.Key, err)
		}
	}
	return id, nil
}

// checkTemplateReferences checks that the programme, axis and indicators a template names
// exist, so that a mistake is named rather than reported as a broken foreign key.
func checkTemplateReferences(ctx context.Context, tx bun.Tx, t *collect.Template) error {
	var programme, axis bool
	err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT FROM programme WHERE id = ?),
		? IS NULL OR EXISTS (SELECT FROM programme_axis WHERE id = ? AND programme_id = ?)`,
		t.ProgrammeID, t.AxisID, t.AxisID, t.ProgrammeID).Scan(&programme, &axis)
	switch {
	case err != nil:
		return fmt.Errorf("check programme: %w", err)
	case !programme:
		return cohesion.Invalid("programme", "no such programme")
	case !axis:
		return cohesion.Invalid("axis", "no such axis of this programme")
	}
	for i, sec := range t.Sections {
		for j, q := range sec.Questions {
			if q.IndicatorID == nil {
				continue
			}
			var unit string
			err := tx.QueryRowContext(ctx, "SELECT unit FROM indicator WHERE id = ?", *q.IndicatorID).Scan(&unit)
			if errors.Is(err, sql.ErrNoRows) {
				return cohesion.Invalid(fmt.Sprintf("sections[%d].questions[%d].indicator", i, j), "no such indicator")
			}
			if err != nil {
				return fmt.Errorf("indicator of %s: %w", q.Key, err)
			}
			t.Sections[i].Questions[j].IndicatorUnit = unit
		}
	}
	return nil
}

// Templates returns the template versions with the given ids, as the caller may see them.
func (s *Store) Templates(ctx context.Context, ids []int64) (map[int64]*collect.Template, error) {
	var out map[int64]*collect.Template
	err := s.transactAs(ctx, func(ctx context.Context, tx bun.Tx) error {
		found, err := loadTemplates(ctx, tx, ids)
		out = found
		return err
	})
	return out, err
}

// TemplateIDs lists the ids of the template versions, by code then version; code filters.
func (s *Store) TemplateIDs(ctx context.Context, code *string) ([]int64, error) {
	var ids []int64
	err := s.transactAs(ctx, func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().Table("report_template").Column("id").
			Apply(func(q *bun.SelectQuery) *bun.SelectQuery {
				if code != nil {
					q = q.Where("code = ?", *code)
				}
				return q
			}).Order("code", "version").Scan(ctx, &ids)
	})
	if err != nil {
		return nil, fmt.Errorf("list templates: %w", err)
	}
	return ids, nil
}

// loadTemplates reads template versions whole, in four statements whatever their number.
func loadTemplates(ctx context.Context, tx bun.Tx, ids []int64) (map[int64]*collect.Template, error) {
	out := map[int64]*collect.Template{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, code, version, audience, programme_id, axis_id, period_start, period_end,
		title_fr, title_nl, description_fr, description_nl, based_on_id FROM report_template WHERE id IN (?)`, bun.In(ids))
	if err != nil {
		return nil, fmt.Errorf("read templates: %w", err)
	}
	err = eachRow(rows, func() error {
		t := new(collect.Template)
		err := rows.Scan(&t.ID, &t.Code, &t.Version, &t.Audience, &t.ProgrammeID, &t.AxisID, &t.PeriodStart, &t.PeriodEnd,
			&t.TitleFr, &t.TitleNl, &t.DescFr, &t.DescNl, &t.BasedOnID)
		out[t.ID] = t
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read templates: %w", err)
	}
	rows, err = tx.QueryContext(ctx, `SELECT template_id, id, key, label_fr, label_nl, help_fr, help_nl, repeat
		FROM template_section WHERE template_id IN (?) ORDER BY template_id, position`, bun.In(ids))
	if err != nil {
		return nil, fmt.Errorf("read sections: %w", err)
	}
	refs := map[int64][2]int64{}
	err = eachRow(rows, func() error {
		var tid, sid int64
		var sec collect.Section
		if err := rows.Scan(&tid, &sid, &sec.Key, &sec.LabelFr, &sec.LabelNl, &sec.HelpFr, &sec.HelpNl, &sec.Repeat); err != nil {
			return err
		}
		t := out[tid]
		t.Sections = append(t.Sections, sec)
		refs[sid] = [2]int64{tid, int64(len(t.Sections) - 1)}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read sections: %w", err)
	}
	rows, err = tx.QueryContext(ctx, `SELECT q.section_id, q.key, q.kind, q.label_fr, q.label_nl, q.help_fr, q.help_nl, q.unit,
			q.indicator_id, coalesce(i.unit, ''), q.options, q.required, q.min_value, q.max_value, q.asked_when_key, q.asked_when_equals
		FROM template_question q LEFT JOIN indicator i ON i.id = q.indicator_id
		WHERE q.template_id IN (?) ORDER BY q.template_id, q.position`, bun.In(ids))
	if err != nil {
		return nil, fmt.Errorf("read questions: %w", err)
	}
	err = eachRow(rows, func() error {
		var sid int64
		var q collect.Question
		var options []byte
		var whenKey, whenEquals *string
		var lo, hi decimal.NullDecimal
		if err := rows.Scan(&sid, &q.Key, &q.Kind, &q.LabelFr, &q.LabelNl, &q.HelpFr, &q.HelpNl, &q.Unit, &q.IndicatorID,
			&q.IndicatorUnit, &options, &q.Required, &lo, &hi, &whenKey, &whenEquals); err != nil {
			return err
		}
		if err := json.Unmarshal(options, &q.Options); err != nil {
			return err
		}
		if len(q.Options) == 0 {
			q.Options = nil
		}
		if lo.Valid {
			q.Min = &lo.Decimal
		}
		if hi.Valid {
			q.Max = &hi.Decimal
		}
		if whenKey != nil {
			q.AskedWhen = &collect.Condition{Key: *whenKey, Equals: *whenEquals}
		}
		ref := refs[sid]
		sec := &out[ref[0]].Sections[ref[1]]
		sec.Questions = append(sec.Questions, q)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read questions: %w", err)
	}
	rows, err = tx.QueryContext(ctx, `SELECT template_id, key, kind, questions, threshold, label_fr, label_nl
		FROM template_rule WHERE template_id IN (?) ORDER BY template_id, id`, bun.In(ids))
	if err != nil {
		return nil, fmt.Errorf("read rules: %w", err)
	}
	err = eachRow(rows, func() error {
		var tid int64
		var r collect.Rule
		var threshold decimal.NullDecimal
		if err := rows.Scan(&tid, &r.Key, &r.Kind, pgdialect.Array(&r.Questions), &threshold, &r.LabelFr, &r.LabelNl); err != nil {
			return err
		}
		if threshold.Valid {
			r.Threshold = &threshold.Decimal
		}
		out[tid].Rules = append(out[tid].Rules, r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read rules: %w", err)
	}
	return out, nil
}

// eachRow calls fn for each row, then closes rows.
func eachRow(rows *sql.Rows, fn func() error) error {
	defer rows.Close()
	for rows.Next() {
		if err := fn(); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Campaign opens a template version for a reporting period, with a due date.
type Campaign struct {
	ID          int64     `bun:"id"`
	Code        string    `bun:"code"`
	TemplateID  int64     `bun:"template_id"`
	PeriodStart time.Time `bun:"period_start"`
	PeriodEnd   time.Time `bun:"period_end"`
	OpensOn     time.Time `bun:"opens_on"`
	DueOn       time.Time `bun:"due_on"`
	GraceDays   int       `bun:"grace_days"`
}

// Deadline is the last day a report is on time: the due date plus the grace period.
func (c *Campaign) Deadline() time.Time { return c.DueOn.AddDate(0, 0, c.GraceDays) }

// OpenCampaign opens a campaign (administrators).
func (s *Store) OpenCampaign(ctx context.Context, key *string, c Campaign) (Result, error) {
	return s.mutate(ctx, key, "openCampaign", c, func(ctx context.Context, tx bun.Tx) (Result, error) {
		if err := adminOnly(ctx, "campaigns are opened"); err != nil {
			return Result{}, err
		}
		switch {
		case !collect.ValidKey(c.Code):
			return Result{}, cohesion.Invalid("code", "lowercase letters, digits, '-' and '_' only")
		case c.PeriodEnd.Before(c.PeriodStart):
			return Result{}, cohesion.Invalid("periodEnd", "the period ends before it starts")
		case c.DueOn.Before(c.OpensOn):
			return Result{}, cohesion.Invalid("dueOn", "due before the campaign opens")
		case c.GraceDays < 0:
			return Result{}, cohesion.Invalid("graceDays", "cannot be negative")
		}
		var start, end time.Time
		err := tx.QueryRowContext(ctx, "SELECT period_start, period_end FROM report_template WHERE id = ?", c.TemplateID).Scan(&start, &end)
		if errors.Is(err, sql.ErrNoRows) {
			return Result{}, cohesion.Invalid("template", "no such template version")
		}
		if err != nil {
			return Result{}, fmt.Errorf("campaign template: %w", err)
		}
		if c.PeriodStart.Before(start) || c.PeriodEnd.After(end) {
			return Result{}, cohesion.Invalid("periodStart", fmt.Sprintf("the template version is for %s to %s", start.Format(time.DateOnly), end.Format(time.DateOnly)))
		}
		var taken bool
		if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT FROM campaign WHERE code = ?)", c.Code).Scan(&taken); err != nil {
			return Result{}, err
		}
		if taken {
			return Result{}, cohesion.Invalid("code", fmt.Sprintf("campaign %s exists", c.Code))
		}
		var id int64
		err = tx.QueryRowContext(ctx, `INSERT INTO campaign (code, template_id, period_start, period_end, opens_on, due_on, grace_days)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, c.Code, c.TemplateID, c.PeriodStart, c.PeriodEnd, c.OpensOn, c.DueOn, c.GraceDays).Scan(&id)
		if err != nil {
			return Result{}, fmt.Errorf("open campaign %s: %w", c.Code, err)
		}
		return Result{ID: id, Version: 1}, nil
	})
}

// Campaigns returns campaigns by id; with no ids, every campaign, newest period first.
func (s *Store) Campaigns(ctx context.Context, ids []int64) ([]*Campaign, error) {
	var out []*Campaign
	err := s.transactAs(ctx, func(ctx context.Context, tx bun.Tx) error {
		q := tx.NewSelect().Table("campaign").Column("id", "code", "template_id", "period_start", "period_end", "opens_on", "due_on", "grace_days").
			Order("period_start DESC", "code")
		if ids != nil {
			q = q.Where("id IN (?)", bun.In(ids))
		}
		return q.Scan(ctx, &out)
	})
	if err != nil {
		return nil, fmt.Errorf("read campaigns: %w", err)
	}
	return out, nil
}
