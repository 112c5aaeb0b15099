package store

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/cohesio/cohesio/internal/access"
)

// Counts says where the expected reports of a group stand. Submitted counts the reports
// waiting for review (submitted or resubmitted); Missing the reports not submitted yet (none
// started, or still a first draft); Late those past their deadline at the date asked about.
type Counts struct {
	Expected  int `bun:"expected"`
	Missing   int `bun:"missing"`
	Draft     int `bun:"draft"`
	Submitted int `bun:"submitted"`
	Returned  int `bun:"returned"`
	Validated int `bun:"validated"`
	Reopened  int `bun:"reopened"`
	Late      int `bun:"late"`
}

// CompletenessGroup is the counts of one commune, programme or programme axis.
type CompletenessGroup struct {
	CommuneID   *int64 `bun:"commune_id"`
	ProgrammeID *int64 `bun:"programme_id"`
	AxisID      *int64 `bun:"axis_id"`
	// Grouping is "total", "commune", "programme" or "axis".
	Grouping string `bun:"grouping"`
	Counts
}

// MissingReport is an expected report not submitted yet.
type MissingReport struct {
	CampaignID     int64   `bun:"campaign_id"`
	OperatorID     *int64  `bun:"operator_id"`
	CoordinationID *int64  `bun:"coordination_id"`
	CommuneID      *int64  `bun:"commune_id"`
	SubmissionID   *int64  `bun:"submission_id"`
	Status         *string `bun:"status"`
	Late           bool    `bun:"late"`
}

// Completeness is where the expected reports of some campaigns stand.
type Completeness struct {
	AsOf    time.Time
	Total   Counts
	Groups  []CompletenessGroup
	Missing []MissingReport
}

// Completeness counts the expected reports of the campaigns (every campaign when none is
// given) by state, in total and by commune, programme and axis, and lists the missing ones.
// Lateness is judged at asOf. Administrators and analysts see every organisation,
// coordinators their commune's, operators their own; the counts come from the owner's
// connection so that a coordinator's count of drafts it may not read is still right.
func (s *Store) Completeness(ctx context.Context, campaigns []int64, asOf time.Time) (*Completeness, error) {
	p, ok := access.PrincipalIn(ctx)
	if !ok {
		p = access.Principal{Role: access.Admin}
	}
	scope := "true"
	var scopeArgs []any
	switch p.Role {
	case access.Admin, access.Analyst:
	case access.Coordinator:
		scope, scopeArgs = "commune_id = ?", []any{p.CommuneID}
	case access.Operator:
		scope, scopeArgs = "operator_id = ?", []any{p.OperatorID}
	default:
		return nil, fmt.Errorf("%w: the %s role does not follow the reporting cycle", access.ErrForbidden, p.Role)
	}
	filter := "true"
	var filterArgs []any
	if campaigns != nil {
		filter, filterArgs = "ce.campaign_id IN (?)", []any{bun.In(append(campaigns, 0))}
	}
	expected := `WITH expected AS (
			SELECT ce.campaign_id, ce.operator_id, ce.coordination_id, t.programme_id, t.axis_id,
				submission_commune(ce.operator_id, ce.coordination_id) AS commune_id, s.id AS submission_id, s.status,
				coalesce((s.first_submitted_at AT TIME ZONE 'Europe/Brussels')::date, ?::date) > c.due_on + c.grace_days AS late
			FROM campaign_expected ce
			JOIN campaign c ON c.id = ce.campaign_id
			JOIN report_template t ON t.id = c.template_id
			LEFT JOIN submission s ON s.campaign_id = ce.campaign_id AND s.operator_id IS NOT DISTINCT FROM ce.operator_id
				AND s.coordination_id IS NOT DISTINCT FROM ce.coordination_id
			WHERE ` + filter + `),
		scoped AS (SELECT * FROM expected WHERE ` + scope + `)`
	args := append(append([]any{asOf}, filterArgs...), scopeArgs...)
	out := &Completeness{AsOf: asOf}
	err := s.db.NewRaw(expected+`
		SELECT commune_id, programme_id, axis_id,
			CASE grouping(commune_id, programme_id, axis_id) WHEN 7 THEN 'total' WHEN 3 THEN 'commune' WHEN 5 THEN 'programme' ELSE 'axis' END AS grouping,
			count(*) AS expected,
			count(*) FILTER (WHERE status IS NULL OR status = 'draft') AS missing,
			count(*) FILTER (WHERE status = 'draft') AS draft,
			count(*) FILTER (WHERE status IN ('submitted', 'resubmitted')) AS submitted,
			count(*) FILTER (WHERE status = 'returned') AS returned,
			count(*) FILTER (WHERE status = 'validated') AS validated,
			count(*) FILTER (WHERE status = 'reopened') AS reopened,
			count(*) FILTER (WHERE late) AS late
		FROM scoped
		GROUP BY GROUPING SETS ((), (commune_id), (programme_id), (programme_id, axis_id))
		ORDER BY grouping(commune_id, programme_id, axis_id) DESC, commune_id, programme_id, axis_id NULLS FIRST`, args...).
		Scan(ctx, &out.Groups)
	if err != nil {
		return nil, fmt.Errorf("completeness: %w", err)
	}
	groups := out.Groups[:0]
	for _, g := range out.Groups {
		if g.Grouping == "total" {
			out.Total = g.Counts
			continue
		}
		groups = append(groups, g)
	}
	out.Groups = groups
	err = s.db.NewRaw(expected+`
		SELECT campaign_id, operator_id, coordination_id, commune_id, submission_id, status, late FROM scoped
		WHERE status IS NULL OR status = 'draft' ORDER BY campaign_id, commune_id, operator_id, coordination_id`, args...).
		Scan(ctx, &out.Missing)
	if err != nil {
		return nil, fmt.Errorf("missing reports: %w", err)
	}
	return out, nil
}
