package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/cohesion"
	"github.com/cohesio/cohesio/internal/store"
)

func id64(n int64) *int64 { return &n }

// In the fixture, operators 1 and 2 sit in Schaerbeek (territory 2), operator 3 in Molenbeek
// (territory 3); projects 1 and 2 are operator 1's, 3 operator 2's, 4 operator 3's.
var (
	operator1   = access.Principal{Role: access.Operator, Subject: "test:op1", OperatorID: id64(1)}
	operator3   = access.Principal{Role: access.Operator, Subject: "test:op3", OperatorID: id64(3)}
	schaerbeek  = access.Principal{Role: access.Coordinator, Subject: "test:schaerbeek", CommuneID: id64(2)}
	molenbeek   = access.Principal{Role: access.Coordinator, Subject: "test:molenbeek", CommuneID: id64(3)}
	allowAnyone = func(int64) error { return nil }
)

func draft(project int64, value int64) store.ObservationDraft {
	return store.ObservationDraft{Indicator: "pupils", ProjectID: &project,
		PeriodStart: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), PeriodEnd: time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC),
		Granularity: cohesion.GranularityYear, Kind: cohesion.ObservationKind("realised"), Value: decimal.NewFromInt(value)}
}

func visibleObservations(t *testing.T, st *store.Store, p access.Principal) map[int64]string {
	t.Helper()
	ctx := access.WithPrincipal(context.Background(), p)
	page, err := store.List[cohesion.Observation](ctx, st, "Observation", store.ListArgs{})
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
	st := open(t)
	owner := context.Background() // the platform's own work: no principal
	id, err := st.SaveObservationDraft(owner, nil, draft(1, 12), allowAnyone)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		who  string
		p    access.Principal
		sees bool
	}{
		{"its operator", operator1, true},
		{"another operator", operator3, false},
		{"the coordinator of its commune, before submission", schaerbeek, false},
		{"an analyst", access.Principal{Role: access.Analyst}, false},
		{"a researcher", access.Principal{Role: access.Researcher}, false},
		{"the public", access.Anonymous, false},
		{"an administrator", access.Principal{Role: access.Admin}, true},
	} {
		seen := visibleObservations(t, st, c.p)
		if _, ok := seen[id]; ok != c.sees {
			t.Errorf("%s sees the draft: %v, want %v", c.who, ok, c.sees)
		}
		if len(seen) < 2 {
			t.Errorf("%s does not see the 2 validated observations: %v", c.who, seen)
		}
	}
}

// A write the application wrongly lets through is refused by the database.
func TestRowLevelSecurityRefusesWritesTheApplicationShouldHaveRefused(t *testing.T) {
	st := open(t)
	ctx := access.WithPrincipal(context.Background(), operator3)
	// Project 1 is operator 1's; the check approves anything, as a buggy resolver would.
	if _, err := st.SaveObservationDraft(ctx, nil, draft(1, 5), allowAnyone); err == nil || !strings.Contains(err.Error(), "row-level security") {
		t.Errorf("operator 3 writing operator 1's draft: %v, want a row-level security violation", err)
	}
	id, err := st.SaveObservationDraft(access.WithPrincipal(context.Background(), operator1), nil, draft(1, 5), operator1.CheckDraft)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SubmitObservations(ctx, []int64{id}, allowAnyone); !errors.Is(err, cohesion.ErrNotFound) {
		t.Errorf("operator 3 submitting operator 1's draft: %v, want not found (it cannot even see it)", err)
	}
	if err := st.SubmitObservations(access.WithPrincipal(context.Background(), operator1), []int64{id}, operator1.CheckDraft); err != nil {
		t.Fatal(err)
	}
	anyCommune := func(*int64) error { return nil }
	if err := st.ReviewObservations(access.WithPrincipal(context.Background(), molenbeek), []int64{id}, true, nil, anyCommune); !errors.Is(err, cohesion.ErrNotFound) {
		t.Errorf("Molenbeek's coordinator validating a Schaerbeek submission: %v, want not found", err)
	}
	if err := st.ReviewObservations(access.WithPrincipal(context.Background(), schaerbeek), []int64{id}, true, nil, schaerbeek.CheckReview); err != nil {
		t.Errorf("Schaerbeek's coordinator validating: %v", err)
	}
	if seen := visibleObservations(t, st, access.Anonymous); seen[id] != "validated" {
		t.Errorf("a validated value is published: %v", seen)
	}
}

func TestDraftsAreValidatedNamingTheField(t *testing.T) {
	st := open(t)
	ctx := access.WithPrincipal(context.Background(), operator1)
	bad := func(f func(*store.ObservationDraft)) store.ObservationDraft {
		d := draft(1, 12)
		f(&d)
		return d
	}
	for field, d := range map[string]store.ObservationDraft{
		"input.indicator": bad(func(d *store.ObservationDraft) { d.Indicator = "nope" }),
		"input.periodEnd": bad(func(d *store.ObservationDraft) { d.PeriodEnd = d.PeriodStart.AddDate(0, 0, -1) }),
		"input.value":     bad(func(d *store.ObservationDraft) { d.Value = decimal.NewFromFloat(2.5) }),
		"input.project":   bad(func(d *store.ObservationDraft) { d.ProjectID = id64(999) }),
	} {
		_, err := st.SaveObservationDraft(ctx, nil, d, operator1.CheckDraft)
		var inv *cohesion.InvalidError
		if !errors.As(err, &inv) || inv.Field != field {
			t.Errorf("%s: %v", field, err)
		}
	}
	if seen := visibleObservations(t, st, access.Principal{Role: access.Admin}); len(seen) != 2 {
		t.Errorf("rejected drafts wrote something: %v", seen)
	}
}

// A breakdown must be one of the indicator's disaggregation dimensions.
func TestDraftBreakdownsFollowTheIndicator(t *testing.T) {
	st := open(t)
	err := st.Load(context.Background(), func(ctx context.Context, l *store.Loader) error {
		return l.ExecScript(ctx, `INSERT INTO disaggregation (dimension, code, label_fr, label_nl) VALUES ('gender', 'f', 'Femmes', 'Vrouwen')`)
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := access.WithPrincipal(context.Background(), operator1)
	d := draft(1, 6)
	d.DisaggregationID = id64(1)
	var inv *cohesion.InvalidError
	if _, err := st.SaveObservationDraft(ctx, nil, d, operator1.CheckDraft); !errors.As(err, &inv) || inv.Field != "input.disaggregation" {
		t.Errorf("pupils are not broken down by gender: %v", err)
	}
	err = st.Load(context.Background(), func(ctx context.Context, l *store.Loader) error {
		return l.ExecScript(ctx, `UPDATE indicator SET disaggregations = '{age_band,gender}' WHERE code = 'pupils'`)
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.SaveObservationDraft(ctx, nil, d, operator1.CheckDraft); err != nil {
		t.Errorf("once they are: %v", err)
	}
}
