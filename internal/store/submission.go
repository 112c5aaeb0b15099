package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/cohesion"
)

// ObservationDraft is what an operator reports: a value of an indicator for one of its
// projects (or for itself) and one period.
type ObservationDraft struct {
	Indicator        string // code
	ProjectID        *int64
	OperatorID       *int64
	PeriodStart      time.Time
	PeriodEnd        time.Time
	Granularity      cohesion.Granularity
	Kind             cohesion.ObservationKind
	Value            decimal.Decimal
	DisaggregationID *int64
	Note             *string
}

// submissionSource is the source every submitted value cites.
const submissionSource = "operator-submissions"

// asPrincipal makes the rest of tx run as the request's principal, so that row-level security
// stands behind the checks of the application. Outside a request it does nothing.
func asPrincipal(ctx context.Context, tx bun.Tx) error {
	p, ok := access.PrincipalIn(ctx)
	if !ok {
		return nil
	}
	if _, err := tx.ExecContext(ctx, setPrincipalLocal, principalSettings(p)...); err != nil {
		return fmt.Errorf("run as the request's principal: %w", err)
	}
	return nil
}

// setPrincipalLocal is setPrincipal for the current transaction only, in Bun's placeholders.
const setPrincipalLocal = `SELECT set_config('role', 'cohesio_api', true), set_config('cohesio.role', ?, true),
	set_config('cohesio.operator_id', ?, true), set_config('cohesio.commune_id', ?, true)`

// transactAs runs fn in a transaction as the request's principal.
func (s *Store) transactAs(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	return s.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := asPrincipal(ctx, tx); err != nil {
			return err
		}
		return fn(ctx, tx)
	})
}

// SaveObservationDraft creates a draft (id nil) or changes one, after check has approved the
// operator it belongs to. Only drafts and rejected values can be changed; a changed value is a
// draft again. It returns the observation's id.
func (s *Store) SaveObservationDraft(ctx context.Context, id *int64, d ObservationDraft, check func(operatorID int64) error) (int64, error) {
	var out int64
	err := s.transactAs(ctx, func(ctx context.Context, tx bun.Tx) error {
		owner, err := draftOwner(ctx, tx, d)
		if err != nil {
			return err
		}
		if err := check(owner); err != nil {
			return err
		}
		if id != nil {
			cur, err := lockObservation(ctx, tx, *id, func(o lockedObservation) error { return check(o.owner) })
			if err != nil {
				return err
			}
			if cur.status != "draft" && cur.status != "rejected" {
				return cohesion.Invalid("id", fmt.Sprintf("observation %d is %s: only drafts and rejected values can be changed", *id, cur.status))
			}
		}
		indicator, err := checkDraft(ctx, tx, d)
		if err != nil {
			return err
		}
		source, err := ensureSource(ctx, tx)
		if err != nil {
			return err
		}
		if id == nil {
			err = tx.QueryRowContext(ctx, `INSERT INTO observation (indicator_id, project_id, operator_id, period_start, period_end,
				granularity, kind, value, disaggregation_id, status, note, source_id)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?) RETURNING id`,
				indicator, d.ProjectID, d.OperatorID, d.PeriodStart, d.PeriodEnd, d.Granularity, d.Kind, d.Value.String(),
				d.DisaggregationID, d.Note, source).Scan(&out)
		} else {
			out = *id
			_, err = tx.ExecContext(ctx, `UPDATE observation SET indicator_id = ?, project_id = ?, operator_id = ?, period_start = ?,
				period_end = ?, granularity = ?, kind = ?, value = ?, disaggregation_id = ?, status = 'draft', note = ?, source_id = ?
				WHERE id = ?`,
				indicator, d.ProjectID, d.OperatorID, d.PeriodStart, d.PeriodEnd, d.Granularity, d.Kind, d.Value.String(),
				d.DisaggregationID, d.Note, source, *id)
		}
		if err != nil {
			return fmt.Errorf("save draft: %w", err)
		}
		return nil
	})
	return out, err
}

// draftOwner returns the operator a draft belongs to: its project's, or the one it names.
func draftOwner(ctx context.Context, tx bun.Tx, d ObservationDraft) (int64, error) {
	switch {
	case (d.ProjectID == nil) == (d.OperatorID == nil):
		return 0, cohesion.Invalid("input.project", "give a project or an operator, not both and not neither")
	case d.ProjectID != nil:
		var owner int64
		err := tx.QueryRowContext(ctx, "SELECT operator_id FROM project WHERE id = ?", *d.ProjectID).Scan(&owner)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, cohesion.Invalid("input.project", "no such project")
		}
		return owner, err
	}
	var exists bool
	if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM operator WHERE id = ?)", *d.OperatorID).Scan(&exists); err != nil {
		return 0, err
	}
	if !exists {
		return 0, cohesion.Invalid("input.operator", "no such operator")
	}
	return *d.OperatorID, nil
}

// checkDraft validates a draft against its indicator and returns the indicator's id.
func checkDraft(ctx context.Context, tx bun.Tx, d ObservationDraft) (int64, error) {
	var indicator int64
	var unit string
	var dimensions []string
	err := tx.QueryRowContext(ctx, "SELECT id, unit, disaggregations FROM indicator WHERE code = ?", d.Indicator).
		Scan(&indicator, &unit, pgdialect.Array(&dimensions))
	if errors.Is(err, sql.ErrNoRows) {
		return 0, cohesion.Invalid("input.indicator", fmt.Sprintf("no indicator %q", d.Indicator))
	}
	if err != nil {
		return 0, fmt.Errorf("indicator %q: %w", d.Indicator, err)
	}
	if d.PeriodEnd.Before(d.PeriodStart) {
		return 0, cohesion.Invalid("input.periodEnd", "the period ends before it starts")
	}
	if d.Value.IsNegative() {
		return 0, cohesion.Invalid("input.value", "a value cannot be negative")
	}
	if unit == "persons" && !d.Value.IsInteger() {
		return 0, cohesion.Invalid("input.value", "a number of persons is a whole number")
	}
	if d.DisaggregationID != nil {
		var dimension string
		err := tx.QueryRowContext(ctx, "SELECT dimension FROM disaggregation WHERE id = ?", *d.DisaggregationID).Scan(&dimension)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, cohesion.Invalid("input.disaggregation", "no such breakdown")
		}
		if err != nil {
			return 0, err
		}
		if !contains(dimensions, dimension) {
			return 0, cohesion.Invalid("input.disaggregation", fmt.Sprintf("indicator %s is not broken down by %s", d.Indicator, dimension))
		}
	}
	return indicator, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func ensureSource(ctx context.Context, tx bun.Tx) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `WITH ins AS (
			INSERT INTO source (code, kind, title) VALUES (?, 'dataset', 'Values submitted by operators through Cohesio')
			ON CONFLICT (code) DO NOTHING RETURNING id)
		SELECT id FROM ins UNION ALL SELECT id FROM source WHERE code = ? LIMIT 1`, submissionSource, submissionSource).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("submission source: %w", err)
	}
	return id, nil
}

type lockedObservation struct {
	owner   int64
	commune *int64
	status  string
}

// readObservation reads an observation the principal may see; one it may not see does not
// exist for it.
func readObservation(ctx context.Context, tx bun.Tx, id int64) (lockedObservation, error) {
	var o lockedObservation
	err := tx.QueryRowContext(ctx, `SELECT observation_operator(operator_id, project_id),
			operator_commune(observation_operator(operator_id, project_id)), status
		FROM observation WHERE id = ?`, id).Scan(&o.owner, &o.commune, &o.status)
	if errors.Is(err, sql.ErrNoRows) {
		return o, fmt.Errorf("observation %d: %w", id, cohesion.ErrNotFound)
	}
	if err != nil {
		return o, fmt.Errorf("observation %d: %w", id, err)
	}
	return o, nil
}

// lockObservation reads an observation, asks check whether the principal may change it,
// then locks it. Row-level security lets a principal lock only what it may change, so a row
// it sees but cannot lock is forbidden to it.
func lockObservation(ctx context.Context, tx bun.Tx, id int64, check func(lockedObservation) error) (lockedObservation, error) {
	o, err := readObservation(ctx, tx, id)
	if err != nil {
		return o, err
	}
	if err := check(o); err != nil {
		return o, err
	}
	err = tx.QueryRowContext(ctx, "SELECT status FROM observation WHERE id = ? FOR UPDATE", id).Scan(&o.status)
	if errors.Is(err, sql.ErrNoRows) {
		return o, fmt.Errorf("%w: observation %d is %s and cannot be changed by you", access.ErrForbidden, id, o.status)
	}
	if err != nil {
		return o, fmt.Errorf("lock observation %d: %w", id, err)
	}
	return o, nil
}

// SubmitObservations moves drafts to submitted, all or none, after check has approved each
// one's operator.
func (s *Store) SubmitObservations(ctx context.Context, ids []int64, check func(operatorID int64) error) error {
	return s.transactAs(ctx, func(ctx context.Context, tx bun.Tx) error {
		for i, id := range ids {
			o, err := lockObservation(ctx, tx, id, func(o lockedObservation) error { return check(o.owner) })
			if err != nil {
				return err
			}
			if o.status != "draft" {
				return cohesion.Invalid(fmt.Sprintf("ids[%d]", i), fmt.Sprintf("observation %d is %s: only drafts can be submitted", id, o.status))
			}
			if _, err := tx.ExecContext(ctx, "UPDATE observation SET status = 'submitted' WHERE id = ?", id); err != nil {
				return fmt.Errorf("submit %d: %w", id, err)
			}
		}
		return nil
	})
}

// ReviewObservations validates or rejects submissions, all or none, after check has approved
// each one's commune; a note is appended to the observation's.
func (s *Store) ReviewObservations(ctx context.Context, ids []int64, validate bool, note *string, check func(commune *int64) error) error {
	status := "rejected"
	if validate {
		status = "validated"
	}
	return s.transactAs(ctx, func(ctx context.Context, tx bun.Tx) error {
		for i, id := range ids {
			o, err := lockObservation(ctx, tx, id, func(o lockedObservation) error { return check(o.commune) })
			if err != nil {
				return err
			}
			if o.status != "submitted" {
				return cohesion.Invalid(fmt.Sprintf("ids[%d]", i), fmt.Sprintf("observation %d is %s: only submissions can be reviewed", id, o.status))
			}
			_, err = tx.ExecContext(ctx, `UPDATE observation SET status = ?,
				note = CASE WHEN ?::text IS NULL THEN note ELSE concat_ws(E'\n', note, ?::text) END WHERE id = ?`, status, note, note, id)
			if err != nil {
				return fmt.Errorf("review %d: %w", id, err)
			}
		}
		return nil
	})
}
