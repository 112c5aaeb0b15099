package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/cohesion"
	"github.com/cohesio/cohesio/internal/store"
)

func visibleObservations(t *testing.T, st *store.Store, p access.Principal) map[int64]string {
	t.Helper()
	page, err := store.List[cohesion.Observation](as(p), st, "Observation", store.ListArgs{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]string{}
	for _, o := range page.Nodes {
		out[o.ID] = string(o.Status)
	}
	return out
}

// The database itself keeps drafts with their operator: even a query without any filter of
// the application (a resolver's bug) returns only what the principal may see.
func TestRowLevelSecurityKeepsDraftsWithTheirOperator(t *testing.T) {
	c := newCycle(t, "2099-03-31")
	sub := mustResult(t)(c.st.CreateSubmission(context.Background(), nil, c.campaign, id64(1), nil))
	for _, w := range []struct {
		who  string
		p    access.Principal
		sees bool
	}{
		{"its operator", operator1, true},
		{"another operator", operator3, false},
		{"the coordinator of its commune, before submission", schaerbeek, false},
		{"an analyst", analyst, false},
		{"a researcher", access.Principal{Role: access.Researcher}, false},
		{"the public", access.Anonymous, false},
		{"an administrator", admin, true},
	} {
		all, err := c.st.Submissions(as(w.p), store.SubmissionFilter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if sees := len(all) == 1 && all[0].ID == sub.ID; sees != w.sees {
			t.Errorf("%s sees the draft: %v, want %v", w.who, sees, w.sees)
		}
		if seen := visibleObservations(t, c.st, w.p); len(seen) != 2 {
			t.Errorf("%s does not see the 2 validated observations: %v", w.who, seen)
		}
	}
}

// A write the application wrongly lets through is refused by the database.
func TestRowLevelSecurityRefusesWritesTheApplicationShouldHaveRefused(t *testing.T) {
	c := newCycle(t, "2099-03-31")
	mustResult(t)(c.st.CreateSubmission(as(operator3), nil, c.campaign, id64(3), nil))
	for name, stmt := range map[string]string{
		"operator 3 creating operator 1's report": "INSERT INTO submission (campaign_id, operator_id, template_id) VALUES (1, 1, 1)",
		"operator 3 validating its own report":    "UPDATE submission SET status = 'validated' WHERE operator_id = 3",
		"an operator writing an observation": `INSERT INTO observation (indicator_id, operator_id, period_start, period_end, granularity, kind, value, source_id)
			VALUES (1, 3, '2025-01-01', '2025-12-31', 'year', 'realised', 5, 1)`,
	} {
		err := c.st.Transact(context.Background(), func(ctx context.Context, tx bun.Tx) error {
			if _, err := tx.ExecContext(ctx, `SELECT set_config('role', 'cohesio_api', true), set_config('cohesio.role', 'operator', true),
				set_config('cohesio.operator_id', '3', true)`); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, stmt)
			return err
		})
		if err == nil || !strings.Contains(err.Error(), "row-level security") && !strings.Contains(err.Error(), "only the administration") {
			t.Errorf("%s: %v, want a row-level security violation", name, err)
		}
	}
}
