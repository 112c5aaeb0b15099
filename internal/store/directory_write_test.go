package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/cohesion"
	"github.com/cohesio/cohesio/internal/store"
)

// directory is the coordinations fixture with two sectors and an approval (1) of operator 1.
func directory(t *testing.T) *store.Store {
	t.Helper()
	st := coordinations(t)
	err := st.Load(context.Background(), func(ctx context.Context, l *store.Loader) error {
		return l.ExecScript(ctx, `
			INSERT INTO sector (code, label_fr, label_nl) VALUES ('social', 'Social', 'Sociaal'), ('education', 'Éducation', 'Onderwijs');
			INSERT INTO approval (operator_id, programme_id, axis_id, start_date, status, source_id) VALUES (1, 1, 1, '2024-01-01', 'granted', 1);`)
	})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func newOperator() store.OperatorChange {
	return store.OperatorChange{EnterpriseNumber: ptr("BE 0314.595.348"), Name: "Entr'aide des Marolles", LegalFormID: 1,
		Kind: cohesion.OperatorAssociative, Record: store.OperatorRecordChange{SeatCommuneID: id64(2), Postcode: ptr("1030"),
			Languages: []string{"fr", "nl"}, Sectors: []int64{1}, Territories: []int64{2, 3}}}
}

// renamed is operator 3 as the administration changes it, in full.
func renamed() store.OperatorChange {
	c := newOperator()
	c.EnterpriseNumber, c.Name, c.Record.Sectors = ptr("0403199702"), "Lire et Écrire Bruxelles", []int64{2}
	return c
}

func newProject() store.ProjectChange {
	b := decimal.RequireFromString("12000.50")
	end := date("2025-12-31")
	return store.ProjectChange{OperatorID: 1, ProgrammeID: 1, AxisID: id64(1), TerritoryID: 2, Title: "Soutien scolaire",
		StartDate: date("2025-01-01"), EndDate: &end, Budget: &b}
}

func newApproval() store.ApprovalChange {
	end := date("2028-12-31")
	return store.ApprovalChange{OperatorID: 3, ProgrammeID: 1, AxisID: id64(1), StartDate: date("2024-01-01"), EndDate: &end,
		Status: cohesion.ApprovalGranted}
}

// directoryWrites are one of each of the administration's writes, with the table each lands in.
var directoryWrites = []struct {
	name  string
	table string
	write func(ctx context.Context, st *store.Store) (store.Result, error)
}{
	{"createOperator", "operator", func(ctx context.Context, st *store.Store) (store.Result, error) {
		return st.CreateOperator(ctx, nil, newOperator())
	}},
	{"updateOperator", "operator", func(ctx context.Context, st *store.Store) (store.Result, error) {
		return st.UpdateOperator(ctx, nil, 3, 1, renamed())
	}},
	{"createProject", "project", func(ctx context.Context, st *store.Store) (store.Result, error) {
		return st.CreateProject(ctx, nil, newProject())
	}},
	{"updateProject", "project", func(ctx context.Context, st *store.Store) (store.Result, error) {
		return st.UpdateProject(ctx, nil, 2, 1, newProject())
	}},
	{"createApproval", "approval", func(ctx context.Context, st *store.Store) (store.Result, error) {
		return st.CreateApproval(ctx, nil, newApproval())
	}},
	{"updateApproval", "approval", func(ctx context.Context, st *store.Store) (store.Result, error) {
		return st.UpdateApproval(ctx, nil, 1, 1, newApproval())
	}},
	{"createOperatorService", "operator_service", func(ctx context.Context, st *store.Store) (store.Result, error) {
		return st.CreateOperatorService(ctx, nil, 2, store.ServiceChange{Code: "prevention", Name: "Service de prévention", SiteID: id64(1)})
	}},
	{"updateOperatorService", "operator_service", func(ctx context.Context, st *store.Store) (store.Result, error) {
		return st.UpdateOperatorService(ctx, nil, 1, 1, store.ServiceChange{Code: "isp", Name: "Insertion socioprofessionnelle"})
	}},
}

// Only the administration writes the directory; each write it makes is in the audit log under
// its name, in the table it changed, and no one else's write leaves a trace.
func TestWhoWritesTheDirectory(t *testing.T) {
	for _, w := range []struct {
		who     string
		p       access.Principal
		allowed bool
	}{
		{"an administrator", admin, true},
		{"a coordinator", schaerbeek, false},
		{"an operator", operator1, false},
		{"the operator changed", operator3, false},
		{"an analyst", analyst, false},
		{"a researcher", researcher, false},
		{"the public", public, false},
	} {
		st := directory(t)
		for _, op := range directoryWrites {
			audited := `SELECT count(*) FROM audit_log WHERE table_name = ? AND role = ?`
			before := countRows(t, st, audited, op.table, string(w.p.Role))
			res, err := op.write(as(w.p), st)
			after := countRows(t, st, audited, op.table, string(w.p.Role))
			switch {
			case w.allowed && err != nil:
				t.Errorf("%s: %s: %v", w.who, op.name, err)
			case w.allowed && after == before:
				t.Errorf("%s: %s left no audit entry in %s", w.who, op.name, op.table)
			case w.allowed && res.Version == 0:
				t.Errorf("%s: %s returned no version", w.who, op.name)
			case !w.allowed && !errors.Is(err, access.ErrForbidden):
				t.Errorf("%s: %s: %v, want forbidden", w.who, op.name, err)
			case !w.allowed && after != before:
				t.Errorf("%s: %s was refused but wrote %d audit entries", w.who, op.name, after-before)
			}
		}
		if w.allowed {
			checks := map[string]string{
				"the new operator, normalised number, seat, languages": `SELECT count(*) FROM operator WHERE enterprise_number = '0314595348'
					AND name = 'Entr''aide des Marolles' AND seat_commune_id = 2 AND languages = '{fr,nl}' AND version = 1`,
				"the new operator's sectors and territories": `SELECT count(*) FROM operator o WHERE enterprise_number = '0314595348'
					AND (SELECT array_agg(sector_id ORDER BY sector_id) FROM operator_sector WHERE operator_id = o.id) = '{1}'
					AND (SELECT array_agg(territory_id ORDER BY territory_id) FROM operator_territory WHERE operator_id = o.id) = '{2,3}'`,
				"operator 3 changed in full": `SELECT count(*) FROM operator WHERE id = 3 AND enterprise_number = '0403199702'
					AND name = 'Lire et Écrire Bruxelles' AND legal_form_id = 1 AND version = 2
					AND (SELECT array_agg(sector_id) FROM operator_sector WHERE operator_id = 3) = '{2}'`,
				"the project changed in full": `SELECT count(*) FROM project WHERE id = 2 AND axis_id = 1 AND budget = 12000.50
					AND end_date = '2025-12-31' AND version = 2`,
				"the approval changed": `SELECT count(*) FROM approval WHERE id = 1 AND operator_id = 3 AND end_date = '2028-12-31' AND version = 2`,
				"the new service":      `SELECT count(*) FROM operator_service WHERE operator_id = 2 AND code = 'prevention' AND site_id = 1`,
				"the service changed":  `SELECT count(*) FROM operator_service WHERE id = 1 AND name = 'Insertion socioprofessionnelle' AND version = 2`,
			}
			for what, q := range checks {
				if countRows(t, st, q) != 1 {
					t.Errorf("%s: not as written: %s", w.who, what)
				}
			}
		}
	}
}

// Every validation rule of the directory's writes names the field and the reason, and writes
// nothing.
func TestDirectoryWritesNameTheFieldAndTheReason(t *testing.T) {
	st := directory(t)
	ctx := as(admin)
	operator := func(f func(*store.OperatorChange)) store.OperatorChange {
		c := newOperator()
		f(&c)
		return c
	}
	project := func(f func(*store.ProjectChange)) store.ProjectChange {
		c := newProject()
		f(&c)
		return c
	}
	approval := func(f func(*store.ApprovalChange)) store.ApprovalChange {
		c := newApproval()
		f(&c)
		return c
	}
	early := date("2024-12-31")
	dec := func(s string) *decimal.Decimal { d := decimal.RequireFromString(s); return &d }
	cases := []struct {
		name  string
		field string
		write func() (store.Result, error)
	}{
		{"operator without a name", "input.name", func() (store.Result, error) {
			return st.CreateOperator(ctx, nil, operator(func(c *store.OperatorChange) { c.Name = " " }))
		}},
		{"operator of an unknown kind", "input.kind", func() (store.Result, error) {
			return st.CreateOperator(ctx, nil, operator(func(c *store.OperatorChange) { c.Kind = "cooperative" }))
		}},
		{"operator of an unknown legal form", "input.legalForm", func() (store.Result, error) {
			return st.CreateOperator(ctx, nil, operator(func(c *store.OperatorChange) { c.LegalFormID = 99 }))
		}},
		{"enterprise number failing mod-97", "input.enterpriseNumber", func() (store.Result, error) {
			return st.CreateOperator(ctx, nil, operator(func(c *store.OperatorChange) { c.EnterpriseNumber = ptr("0314.595.349") }))
		}},
		{"enterprise number of another operator", "input.enterpriseNumber", func() (store.Result, error) {
			return st.UpdateOperator(ctx, nil, 3, 1, operator(func(c *store.OperatorChange) { c.EnterpriseNumber = ptr("0999.000.129") }))
		}},
		{"seat that is not a commune", "input.seatCommune", func() (store.Result, error) {
			return st.CreateOperator(ctx, nil, operator(func(c *store.OperatorChange) { c.Record.SeatCommuneID = id64(1) }))
		}},
		{"bad postcode", "input.postcode", func() (store.Result, error) {
			return st.CreateOperator(ctx, nil, operator(func(c *store.OperatorChange) { c.Record.Postcode = ptr("10300") }))
		}},
		{"unknown sector", "input.sectors[1]", func() (store.Result, error) {
			return st.CreateOperator(ctx, nil, operator(func(c *store.OperatorChange) { c.Record.Sectors = []int64{1, 9} }))
		}},
		{"sector listed twice", "input.sectors[1]", func() (store.Result, error) {
			return st.CreateOperator(ctx, nil, operator(func(c *store.OperatorChange) { c.Record.Sectors = []int64{2, 2} }))
		}},
		{"territory served that is the region", "input.territories[0]", func() (store.Result, error) {
			return st.CreateOperator(ctx, nil, operator(func(c *store.OperatorChange) { c.Record.Territories = []int64{1} }))
		}},
		{"project of an unknown operator", "input.operator", func() (store.Result, error) {
			return st.CreateProject(ctx, nil, project(func(c *store.ProjectChange) { c.OperatorID = 99 }))
		}},
		{"project of an unknown programme", "input.programme", func() (store.Result, error) {
			return st.CreateProject(ctx, nil, project(func(c *store.ProjectChange) { c.ProgrammeID = 99 }))
		}},
		{"project on an axis of no such programme", "input.axis", func() (store.Result, error) {
			return st.CreateProject(ctx, nil, project(func(c *store.ProjectChange) { c.AxisID = id64(9) }))
		}},
		{"project in an unknown territory", "input.territory", func() (store.Result, error) {
			return st.CreateProject(ctx, nil, project(func(c *store.ProjectChange) { c.TerritoryID = 99 }))
		}},
		{"project without a title", "input.title", func() (store.Result, error) {
			return st.UpdateProject(ctx, nil, 1, 1, project(func(c *store.ProjectChange) { c.Title = "" }))
		}},
		{"project without a start", "input.startDate", func() (store.Result, error) {
			return st.CreateProject(ctx, nil, project(func(c *store.ProjectChange) { c.StartDate = date("0001-01-01") }))
		}},
		{"project ending before it starts", "input.endDate", func() (store.Result, error) {
			return st.CreateProject(ctx, nil, project(func(c *store.ProjectChange) { c.EndDate = &early }))
		}},
		{"negative budget", "input.budget", func() (store.Result, error) {
			return st.CreateProject(ctx, nil, project(func(c *store.ProjectChange) { c.Budget = dec("-1") }))
		}},
		{"budget in fractions of a cent", "input.budget", func() (store.Result, error) {
			return st.CreateProject(ctx, nil, project(func(c *store.ProjectChange) { c.Budget = dec("10.001") }))
		}},
		{"budget too large", "input.budget", func() (store.Result, error) {
			return st.CreateProject(ctx, nil, project(func(c *store.ProjectChange) { c.Budget = dec("100000000000000") }))
		}},
		{"approval of an unknown operator", "input.operator", func() (store.Result, error) {
			return st.CreateApproval(ctx, nil, approval(func(c *store.ApprovalChange) { c.OperatorID = 99 }))
		}},
		{"approval for an unknown programme", "input.programme", func() (store.Result, error) {
			return st.CreateApproval(ctx, nil, approval(func(c *store.ApprovalChange) { c.ProgrammeID = 99 }))
		}},
		{"approval on an axis of no such programme", "input.axis", func() (store.Result, error) {
			return st.UpdateApproval(ctx, nil, 1, 1, approval(func(c *store.ApprovalChange) { c.AxisID = id64(9) }))
		}},
		{"approval without a start", "input.startDate", func() (store.Result, error) {
			return st.CreateApproval(ctx, nil, approval(func(c *store.ApprovalChange) { c.StartDate = date("0001-01-01") }))
		}},
		{"approval ending before it starts", "input.endDate", func() (store.Result, error) {
			return st.CreateApproval(ctx, nil, approval(func(c *store.ApprovalChange) { e := date("2023-12-31"); c.EndDate = &e }))
		}},
		{"approval of an unknown status", "input.status", func() (store.Result, error) {
			return st.CreateApproval(ctx, nil, approval(func(c *store.ApprovalChange) { c.Status = "pending" }))
		}},
		{"service with a bad code", "input.code", func() (store.Result, error) {
			return st.CreateOperatorService(ctx, nil, 2, store.ServiceChange{Code: "Service ISP", Name: "ISP"})
		}},
		{"service with its operator's code taken", "input.code", func() (store.Result, error) {
			return st.CreateOperatorService(ctx, nil, 2, store.ServiceChange{Code: "isp", Name: "Autre"})
		}},
		{"service without a name", "input.name", func() (store.Result, error) {
			return st.UpdateOperatorService(ctx, nil, 1, 1, store.ServiceChange{Code: "isp", Name: ""})
		}},
		{"service at another operator's site", "input.site", func() (store.Result, error) {
			return st.CreateOperatorService(ctx, nil, 1, store.ServiceChange{Code: "isp", Name: "ISP", SiteID: id64(1)})
		}},
		{"own record with an unknown sector", "input.sectors[0]", func() (store.Result, error) {
			return st.UpdateOperatorRecord(as(operator1), nil, 1, 1, store.OperatorRecordChange{Sectors: []int64{9}})
		}},
		{"own record with a territory listed twice", "input.territories[1]", func() (store.Result, error) {
			return st.UpdateOperatorRecord(as(operator1), nil, 1, 1, store.OperatorRecordChange{Territories: []int64{2, 2}})
		}},
	}
	const written = `SELECT (SELECT count(*) FROM audit_log) + (SELECT sum(version) FROM operator) + (SELECT sum(version) FROM project)
		+ (SELECT sum(version) FROM approval) + (SELECT sum(version) FROM operator_service)`
	before := countRows(t, st, written)
	for _, c := range cases {
		_, err := c.write()
		wantInvalid(t, c.name, err, c.field)
	}
	if after := countRows(t, st, written); after != before {
		t.Errorf("refused writes changed the directory (%d -> %d)", before, after)
	}
}

// A change made on a version that is no longer current is refused with a conflict, and a
// retry with the same idempotency key writes once and answers the same.
func TestDirectoryWritesConflictAndReplay(t *testing.T) {
	st := directory(t)
	ctx := as(admin)
	updates := []struct {
		name  string
		table string
		id    int64
		write func(version int) (store.Result, error)
	}{
		{"updateOperator", "operator", 3, func(v int) (store.Result, error) { return st.UpdateOperator(ctx, nil, 3, v, renamed()) }},
		{"updateProject", "project", 2, func(v int) (store.Result, error) { return st.UpdateProject(ctx, nil, 2, v, newProject()) }},
		{"updateApproval", "approval", 1, func(v int) (store.Result, error) { return st.UpdateApproval(ctx, nil, 1, v, newApproval()) }},
		{"updateOperatorService", "operator_service", 1, func(v int) (store.Result, error) {
			return st.UpdateOperatorService(ctx, nil, 1, v, store.ServiceChange{Code: "isp", Name: "ISP"})
		}},
	}
	for _, u := range updates {
		if res, err := u.write(1); err != nil || res.Version != 2 {
			t.Fatalf("%s: %v, version %d", u.name, err, res.Version)
		}
		_, err := u.write(1)
		var conflict *cohesion.ConflictError
		if !errors.As(err, &conflict) || conflict.Current != 2 || conflict.Sent != 1 {
			t.Errorf("%s on a stale version: %v, want a conflict at version 2", u.name, err)
		}
		if n := countRows(t, st, "SELECT count(*) FROM audit_log WHERE table_name = ? AND row_id = ? AND operation = 'UPDATE'",
			u.table, fmt.Sprint(u.id)); n != 1 {
			t.Errorf("%s: %d updates audited, want 1", u.name, n)
		}
	}

	key := ptr("create-marolles")
	first, err := st.CreateOperator(ctx, key, newOperator())
	if err != nil {
		t.Fatal(err)
	}
	again, err := st.CreateOperator(ctx, key, newOperator())
	if err != nil || !again.Replayed || again.ID != first.ID || again.Version != first.Version {
		t.Errorf("retry: %+v, %v; want a replay of %+v", again, err, first)
	}
	if n := countRows(t, st, "SELECT count(*) FROM operator WHERE enterprise_number = '0314595348'"); n != 1 {
		t.Errorf("%d operators written by a retried create, want 1", n)
	}
	if n := countRows(t, st, "SELECT count(*) FROM audit_log WHERE table_name = 'operator' AND operation = 'INSERT' AND role = 'admin'"); n != 1 {
		t.Errorf("%d operator inserts audited, want 1", n)
	}
	for name, write := range map[string]func(key *string) (store.Result, error){
		"createProject":  func(k *string) (store.Result, error) { return st.CreateProject(ctx, k, newProject()) },
		"createApproval": func(k *string) (store.Result, error) { return st.CreateApproval(ctx, k, newApproval()) },
		"createOperatorService": func(k *string) (store.Result, error) {
			return st.CreateOperatorService(ctx, k, 2, store.ServiceChange{Code: "prevention", Name: "Prévention"})
		},
	} {
		k := ptr("retry-" + name)
		a, err1 := write(k)
		b, err2 := write(k)
		if err1 != nil || err2 != nil || !b.Replayed || a.ID != b.ID {
			t.Errorf("%s retried: %+v %v, %+v %v; want one write replayed", name, a, err1, b, err2)
		}
	}
	if _, err := st.CreateProject(ctx, key, newProject()); !errors.Is(err, cohesion.ErrInvalid) {
		t.Errorf("a key reused for another request: %v, want invalid", err)
	}
}

// An operator replaces the lists of sectors and territories it serves; a list left out stays
// as it is, an empty one clears it.
func TestOperatorKeepsItsSectorsAndTerritories(t *testing.T) {
	st := directory(t)
	ctx := as(operator1)
	lists := `SELECT coalesce((SELECT string_agg(sector_id::text, ',' ORDER BY sector_id) FROM operator_sector WHERE operator_id = 1), '')
		|| '/' || coalesce((SELECT string_agg(territory_id::text, ',' ORDER BY territory_id) FROM operator_territory WHERE operator_id = 1), '')`
	read := func() string {
		var s string
		if err := st.DB().QueryRowContext(context.Background(), lists).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	steps := []struct {
		change store.OperatorRecordChange
		want   string
	}{
		{store.OperatorRecordChange{Sectors: []int64{2, 1}, Territories: []int64{3, 4}}, "1,2/3,4"},
		{store.OperatorRecordChange{Sectors: []int64{2}}, "2/3,4"},
		{store.OperatorRecordChange{Territories: []int64{}}, "2/"},
	}
	for i, s := range steps {
		res, err := st.UpdateOperatorRecord(ctx, nil, 1, i+1, s.change)
		if err != nil || res.Version != i+2 {
			t.Fatalf("step %d: %v, version %d", i, err, res.Version)
		}
		if got := read(); got != s.want {
			t.Errorf("step %d: sectors/territories %s, want %s", i, got, s.want)
		}
	}
	if _, err := st.UpdateOperatorRecord(as(operator3), nil, 1, 4, store.OperatorRecordChange{Sectors: []int64{1}}); !errors.Is(err, access.ErrForbidden) {
		t.Errorf("another operator: %v, want forbidden", err)
	}
	if n := countRows(t, st, "SELECT count(*) FROM audit_log WHERE table_name IN ('operator_sector', 'operator_territory') AND role = 'operator'"); n == 0 {
		t.Error("the lists' changes are not in the audit log")
	}
}
