package store

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"

	"github.com/cohesio/cohesio/internal/cohesion"
)

// The write API of the directory that the administration keeps: operators, their projects,
// approvals and services. Each write goes through mutate, like the coordination's writes: one
// transaction as the principal (row-level security lets only the administration write), an
// idempotency key, the audit trail written by the tables' triggers; edits name the version
// they were made on. Creates and updates take the record in full.

// OperatorChange is an operator as it is to be, in full: what the operator keeps itself
// (Record; a field left out is cleared, a list left out emptied, languages default to French)
// and what only the administration sets.
type OperatorChange struct {
	EnterpriseNumber *string               `json:"enterpriseNumber,omitempty"`
	Name             string                `json:"name"`
	LegalFormID      int64                 `json:"legalForm"`
	Kind             cohesion.OperatorKind `json:"kind"`
	Record           OperatorRecordChange  `json:"record"`
}

// ProjectChange is a project as it is to be, in full.
type ProjectChange struct {
	OperatorID  int64            `json:"operator"`
	ProgrammeID int64            `json:"programme"`
	AxisID      *int64           `json:"axis,omitempty"`
	TerritoryID int64            `json:"territory"`
	Title       string           `json:"title"`
	Description *string          `json:"description,omitempty"`
	StartDate   time.Time        `json:"startDate"`
	EndDate     *time.Time       `json:"endDate,omitempty"`
	Budget      *decimal.Decimal `json:"budget,omitempty"`
}

// ApprovalChange is an approval as it is to be, in full.
type ApprovalChange struct {
	OperatorID   int64                   `json:"operator"`
	ProgrammeID  int64                   `json:"programme"`
	AxisID       *int64                  `json:"axis,omitempty"`
	StartDate    time.Time               `json:"startDate"`
	EndDate      *time.Time              `json:"endDate,omitempty"`
	Status       cohesion.ApprovalStatus `json:"status"`
	DecisionDate *time.Time              `json:"decisionDate,omitempty"`
}

// ServiceChange is a service of an operator as it is to be, in full.
type ServiceChange struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	SiteID *int64 `json:"site,omitempty"`
}

// administer checks that the principal is the administration.
func administer(ctx context.Context) error { return principalOf(ctx).CheckDirectory() }

// editAdministered runs an administration's edit of row id of table (a what, in messages),
// made on version: it checks the role, that the row exists and is still at that version
// (locking it until the transaction ends), then writes.
func (s *Store) editAdministered(ctx context.Context, key *string, op string, request any, table, what string, id int64, version int,
	write func(ctx context.Context, tx bun.Tx) (Result, error)) (Result, error) {
	return s.mutate(ctx, key, op, request, func(ctx context.Context, tx bun.Tx) (Result, error) {
		if err := administer(ctx); err != nil {
			return Result{}, err
		}
		if err := mustFind(ctx, tx, table, what, id); err != nil {
			return Result{}, err
		}
		if err := lockVersion(ctx, tx, table, what, id, version); err != nil {
			return Result{}, err
		}
		return write(ctx, tx)
	})
}

// mustFind refuses a missing row of table as not found, for the row a change is about.
func mustFind(ctx context.Context, tx bun.Tx, table, what string, id int64) error {
	ok, err := exists(ctx, tx, table, id)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%s %d: %w", what, id, cohesion.ErrNotFound)
	}
	return nil
}

// full makes r the whole record: fields left out are cleared, lists left out emptied.
func (r OperatorRecordChange) full() OperatorRecordChange {
	for _, f := range []**string{&r.NameNl, &r.Acronym, &r.Street, &r.Postcode, &r.Website, &r.Email, &r.Phone, &r.Description} {
		if *f == nil {
			*f = new(string)
		}
	}
	if r.Languages == nil {
		r.Languages = []string{"fr"}
	}
	if r.Sectors == nil {
		r.Sectors = []int64{}
	}
	if r.Territories == nil {
		r.Territories = []int64{}
	}
	return r
}

var operatorKinds = []cohesion.OperatorKind{cohesion.OperatorPublic, cohesion.OperatorAssociative, cohesion.OperatorPrivate}

// check refuses what the directory cannot hold, naming the field; it returns the columns to
// set. self is the operator changed, or 0 for a new one.
func (c OperatorChange) check(ctx context.Context, tx bun.Tx, self int64) (map[string]any, error) {
	name := strings.TrimSpace(c.Name)
	if name == "" {
		return nil, cohesion.Invalid("input.name", "empty: an operator needs a name")
	}
	if !slices.Contains(operatorKinds, c.Kind) {
		return nil, cohesion.Invalid("input.kind", fmt.Sprintf("unknown kind %q", c.Kind))
	}
	if err := mustExist(ctx, tx, "input.legalForm", "legal_form", "legal form", &c.LegalFormID); err != nil {
		return nil, err
	}
	var number *string
	if v := optionalText(c.EnterpriseNumber); v != nil {
		n, err := cohesion.NormalizeEnterpriseNumber(*v)
		if err != nil {
			return nil, cohesion.Invalid("input.enterpriseNumber", fmt.Sprintf("%q: %v", *v, err))
		}
		var other int64
		err = tx.QueryRowContext(ctx, "SELECT coalesce(max(id), 0) FROM operator WHERE enterprise_number = ? AND id <> ?", n, self).Scan(&other)
		if err != nil {
			return nil, fmt.Errorf("enterprise number: %w", err)
		}
		if other != 0 {
			return nil, cohesion.Invalid("input.enterpriseNumber", fmt.Sprintf("%s is already the number of operator %d", n, other))
		}
		number = &n
	}
	set, err := c.Record.full().check(ctx, tx)
	if err != nil {
		return nil, err
	}
	if c.Record.SeatCommuneID == nil {
		set["seat_commune_id"] = nil
	}
	set["enterprise_number"] = number
	set["name"] = name
	set["kind"] = c.Kind
	set["legal_form_id"] = c.LegalFormID
	return set, nil
}

// CreateOperator adds an operator to the directory.
func (s *Store) CreateOperator(ctx context.Context, key *string, c OperatorChange) (Result, error) {
	return s.mutate(ctx, key, "createOperator", c, func(ctx context.Context, tx bun.Tx) (Result, error) {
		if err := administer(ctx); err != nil {
			return Result{}, err
		}
		set, err := c.check(ctx, tx, 0)
		if err != nil {
			return Result{}, err
		}
		source, err := ensureAPISource(ctx, tx)
		if err != nil {
			return Result{}, err
		}
		set["source_id"] = source
		columns := slices.Sorted(maps.Keys(set))
		args := make([]any, len(columns))
		for i, column := range columns {
			args[i] = set[column]
		}
		out := Result{Version: 1}
		err = tx.QueryRowContext(ctx, "INSERT INTO operator ("+strings.Join(columns, ", ")+") VALUES (?"+
			strings.Repeat(", ?", len(columns)-1)+") RETURNING id", args...).Scan(&out.ID)
		if err != nil {
			return Result{}, fmt.Errorf("create operator: %w", refusedByPolicy(err))
		}
		return out, c.Record.full().setLists(ctx, tx, out.ID)
	})
}

// UpdateOperator changes an operator made on version: it becomes c, in full.
func (s *Store) UpdateOperator(ctx context.Context, key *string, id int64, version int, c OperatorChange) (Result, error) {
	return s.editAdministered(ctx, key, "updateOperator", []any{id, version, c}, "operator", "operator", id, version, func(ctx context.Context, tx bun.Tx) (Result, error) {
		set, err := c.check(ctx, tx, id)
		if err != nil {
			return Result{}, err
		}
		q := tx.NewUpdate().Table("operator").Set("version = version + 1").Where("id = ?", id).Returning("version")
		for _, column := range slices.Sorted(maps.Keys(set)) {
			q = q.Set("? = ?", bun.Ident(column), set[column])
		}
		out := Result{ID: id}
		if err := q.Scan(ctx, &out.Version); err != nil {
			return Result{}, fmt.Errorf("update operator %d: %w", id, refusedByPolicy(err))
		}
		return out, c.Record.full().setLists(ctx, tx, id)
	})
}

// checkAxis refuses an axis that is not one of programme's.
func checkAxis(ctx context.Context, tx bun.Tx, programme int64, axis *int64) error {
	if axis == nil {
		return nil
	}
	var ok bool
	err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT FROM programme_axis WHERE id = ? AND programme_id = ?)", *axis, programme).Scan(&ok)
	if err != nil {
		return fmt.Errorf("axis %d: %w", *axis, err)
	}
	if !ok {
		return cohesion.Invalid("input.axis", fmt.Sprintf("no axis %d in programme %d", *axis, programme))
	}
	return nil
}

// checkPeriod refuses a period with no start, or one that ends before it starts.
func checkPeriod(start time.Time, end *time.Time) error {
	if start.IsZero() {
		return cohesion.Invalid("input.startDate", "the start date is required")
	}
	if end != nil && end.Before(start) {
		return cohesion.Invalid("input.endDate", fmt.Sprintf("%s is before the start date %s", end.Format(time.DateOnly), start.Format(time.DateOnly)))
	}
	return nil
}

// maxBudget is the first amount numeric(16, 2) cannot hold.
var maxBudget = decimal.New(1, 14)

func (c ProjectChange) check(ctx context.Context, tx bun.Tx) error {
	if err := mustExist(ctx, tx, "input.operator", "operator", "operator", &c.OperatorID); err != nil {
		return err
	}
	if err := mustExist(ctx, tx, "input.programme", "programme", "programme", &c.ProgrammeID); err != nil {
		return err
	}
	if err := checkAxis(ctx, tx, c.ProgrammeID, c.AxisID); err != nil {
		return err
	}
	if err := mustExist(ctx, tx, "input.territory", "territory", "territory", &c.TerritoryID); err != nil {
		return err
	}
	if strings.TrimSpace(c.Title) == "" {
		return cohesion.Invalid("input.title", "empty: a project needs a title")
	}
	if err := checkPeriod(c.StartDate, c.EndDate); err != nil {
		return err
	}
	if b := c.Budget; b != nil {
		switch {
		case b.IsNegative():
			return cohesion.Invalid("input.budget", fmt.Sprintf("%s is negative", b))
		case !b.Equal(b.Round(2)):
			return cohesion.Invalid("input.budget", fmt.Sprintf("%s has more than 2 decimals", b))
		case b.GreaterThanOrEqual(maxBudget):
			return cohesion.Invalid("input.budget", fmt.Sprintf("%s is not below %s", b, maxBudget))
		}
	}
	return nil
}

// CreateProject adds a project of an operator.
func (s *Store) CreateProject(ctx context.Context, key *string, c ProjectChange) (Result, error) {
	return s.mutate(ctx, key, "createProject", c, func(ctx context.Context, tx bun.Tx) (Result, error) {
		if err := administer(ctx); err != nil {
			return Result{}, err
		}
		if err := c.check(ctx, tx); err != nil {
			return Result{}, err
		}
		source, err := ensureAPISource(ctx, tx)
		if err != nil {
			return Result{}, err
		}
		out := Result{Version: 1}
		err = tx.QueryRowContext(ctx, `INSERT INTO project (operator_id, programme_id, axis_id, territory_id, title, description,
			start_date, end_date, budget, source_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			c.OperatorID, c.ProgrammeID, c.AxisID, c.TerritoryID, strings.TrimSpace(c.Title), optionalText(c.Description),
			c.StartDate, c.EndDate, c.Budget, source).Scan(&out.ID)
		if err != nil {
			return Result{}, fmt.Errorf("create project: %w", refusedByPolicy(err))
		}
		return out, nil
	})
}

// UpdateProject changes a project made on version: it becomes c, in full.
func (s *Store) UpdateProject(ctx context.Context, key *string, id int64, version int, c ProjectChange) (Result, error) {
	return s.editAdministered(ctx, key, "updateProject", []any{id, version, c}, "project", "project", id, version, func(ctx context.Context, tx bun.Tx) (Result, error) {
		if err := c.check(ctx, tx); err != nil {
			return Result{}, err
		}
		out := Result{ID: id}
		err := tx.QueryRowContext(ctx, `UPDATE project SET operator_id = ?, programme_id = ?, axis_id = ?, territory_id = ?,
			title = ?, description = ?, start_date = ?, end_date = ?, budget = ?, version = version + 1 WHERE id = ? RETURNING version`,
			c.OperatorID, c.ProgrammeID, c.AxisID, c.TerritoryID, strings.TrimSpace(c.Title), optionalText(c.Description),
			c.StartDate, c.EndDate, c.Budget, id).Scan(&out.Version)
		if err != nil {
			return Result{}, fmt.Errorf("update project %d: %w", id, refusedByPolicy(err))
		}
		return out, nil
	})
}

var approvalStatuses = []cohesion.ApprovalStatus{cohesion.ApprovalRequested, cohesion.ApprovalGranted, cohesion.ApprovalRefused,
	cohesion.ApprovalSuspended, cohesion.ApprovalEnded}

func (c ApprovalChange) check(ctx context.Context, tx bun.Tx) error {
	if err := mustExist(ctx, tx, "input.operator", "operator", "operator", &c.OperatorID); err != nil {
		return err
	}
	if err := mustExist(ctx, tx, "input.programme", "programme", "programme", &c.ProgrammeID); err != nil {
		return err
	}
	if err := checkAxis(ctx, tx, c.ProgrammeID, c.AxisID); err != nil {
		return err
	}
	if err := checkPeriod(c.StartDate, c.EndDate); err != nil {
		return err
	}
	if !slices.Contains(approvalStatuses, c.Status) {
		return cohesion.Invalid("input.status", fmt.Sprintf("unknown status %q", c.Status))
	}
	return nil
}

// CreateApproval records an operator's approval for a programme over a period.
func (s *Store) CreateApproval(ctx context.Context, key *string, c ApprovalChange) (Result, error) {
	return s.mutate(ctx, key, "createApproval", c, func(ctx context.Context, tx bun.Tx) (Result, error) {
		if err := administer(ctx); err != nil {
			return Result{}, err
		}
		if err := c.check(ctx, tx); err != nil {
			return Result{}, err
		}
		source, err := ensureAPISource(ctx, tx)
		if err != nil {
			return Result{}, err
		}
		out := Result{Version: 1}
		err = tx.QueryRowContext(ctx, `INSERT INTO approval (operator_id, programme_id, axis_id, start_date, end_date, status,
			decision_date, source_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			c.OperatorID, c.ProgrammeID, c.AxisID, c.StartDate, c.EndDate, c.Status, c.DecisionDate, source).Scan(&out.ID)
		if err != nil {
			return Result{}, fmt.Errorf("create approval: %w", refusedByPolicy(err))
		}
		return out, nil
	})
}

// UpdateApproval changes an approval made on version: it becomes c, in full.
func (s *Store) UpdateApproval(ctx context.Context, key *string, id int64, version int, c ApprovalChange) (Result, error) {
	return s.editAdministered(ctx, key, "updateApproval", []any{id, version, c}, "approval", "approval", id, version, func(ctx context.Context, tx bun.Tx) (Result, error) {
		if err := c.check(ctx, tx); err != nil {
			return Result{}, err
		}
		out := Result{ID: id}
		err := tx.QueryRowContext(ctx, `UPDATE approval SET operator_id = ?, programme_id = ?, axis_id = ?, start_date = ?,
			end_date = ?, status = ?, decision_date = ?, version = version + 1 WHERE id = ? RETURNING version`,
			c.OperatorID, c.ProgrammeID, c.AxisID, c.StartDate, c.EndDate, c.Status, c.DecisionDate, id).Scan(&out.Version)
		if err != nil {
			return Result{}, fmt.Errorf("update approval %d: %w", id, refusedByPolicy(err))
		}
		return out, nil
	})
}

var serviceCodePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]*$`)

// check refuses a service operator cannot have; self is the service changed, or 0 for a new one.
func (c ServiceChange) check(ctx context.Context, tx bun.Tx, operator, self int64) error {
	if !serviceCodePattern.MatchString(c.Code) {
		return cohesion.Invalid("input.code", fmt.Sprintf("%q: lower-case letters, digits, '_', '.' or '-', starting with a letter or digit", c.Code))
	}
	var other int64
	err := tx.QueryRowContext(ctx, "SELECT coalesce(max(id), 0) FROM operator_service WHERE operator_id = ? AND code = ? AND id <> ?",
		operator, c.Code, self).Scan(&other)
	if err != nil {
		return fmt.Errorf("service code: %w", err)
	}
	if other != 0 {
		return cohesion.Invalid("input.code", fmt.Sprintf("%q is already the code of service %d of operator %d", c.Code, other, operator))
	}
	if strings.TrimSpace(c.Name) == "" {
		return cohesion.Invalid("input.name", "empty: a service needs a name")
	}
	if c.SiteID != nil {
		var ok bool
		err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT FROM operator_site WHERE id = ? AND operator_id = ?)", *c.SiteID, operator).Scan(&ok)
		if err != nil {
			return fmt.Errorf("site %d: %w", *c.SiteID, err)
		}
		if !ok {
			return cohesion.Invalid("input.site", fmt.Sprintf("no site %d of operator %d", *c.SiteID, operator))
		}
	}
	return nil
}

// CreateOperatorService adds a service to an operator.
func (s *Store) CreateOperatorService(ctx context.Context, key *string, operator int64, c ServiceChange) (Result, error) {
	request := []any{operator, c}
	return s.mutate(ctx, key, "createOperatorService", request, func(ctx context.Context, tx bun.Tx) (Result, error) {
		if err := administer(ctx); err != nil {
			return Result{}, err
		}
		if err := mustFind(ctx, tx, "operator", "operator", operator); err != nil {
			return Result{}, err
		}
		if err := c.check(ctx, tx, operator, 0); err != nil {
			return Result{}, err
		}
		source, err := ensureAPISource(ctx, tx)
		if err != nil {
			return Result{}, err
		}
		out := Result{Version: 1}
		err = tx.QueryRowContext(ctx, `INSERT INTO operator_service (operator_id, code, name, site_id, source_id)
			VALUES (?, ?, ?, ?, ?) RETURNING id`, operator, c.Code, strings.TrimSpace(c.Name), c.SiteID, source).Scan(&out.ID)
		if err != nil {
			return Result{}, fmt.Errorf("create service: %w", refusedByPolicy(err))
		}
		return out, nil
	})
}

// UpdateOperatorService changes a service made on version: it becomes c, in full; it stays
// its operator's.
func (s *Store) UpdateOperatorService(ctx context.Context, key *string, id int64, version int, c ServiceChange) (Result, error) {
	return s.editAdministered(ctx, key, "updateOperatorService", []any{id, version, c}, "operator_service", "service", id, version, func(ctx context.Context, tx bun.Tx) (Result, error) {
		var operator int64
		if err := tx.QueryRowContext(ctx, "SELECT operator_id FROM operator_service WHERE id = ?", id).Scan(&operator); err != nil {
			return Result{}, fmt.Errorf("service %d: %w", id, err)
		}
		if err := c.check(ctx, tx, operator, id); err != nil {
			return Result{}, err
		}
		out := Result{ID: id}
		err := tx.QueryRowContext(ctx, `UPDATE operator_service SET code = ?, name = ?, site_id = ?, version = version + 1
			WHERE id = ? RETURNING version`, c.Code, strings.TrimSpace(c.Name), c.SiteID, id).Scan(&out.Version)
		if err != nil {
			return Result{}, fmt.Errorf("update service %d: %w", id, refusedByPolicy(err))
		}
		return out, nil
	})
}
