package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/cohesion"
	"github.com/cohesio/cohesio/internal/store"
)

// coordinations is the fixture with two coordinations: 1 in Schaerbeek (territory 2) and 2 in
// Molenbeek (territory 3). Working group 1 is Schaerbeek's, with operator 2 as a member and
// meeting 1; working group 2 is Molenbeek's, with meeting 2. Event 1 is Schaerbeek's, event 2
// Molenbeek's. Operator 2 (the CPAS) has site 1 and service 1; operator 2 is a member of
// coordination 1.
func coordinations(t *testing.T) *store.Store {
	t.Helper()
	st := open(t)
	err := st.Load(context.Background(), func(ctx context.Context, l *store.Loader) error {
		return l.ExecScript(ctx, `
			INSERT INTO coordination (code, name, territory_id, source_id) VALUES
			  ('cass-schaerbeek', 'CASS', 2, 1), ('cass-molenbeek', 'Coordination sociale de Molenbeek', 3, 1);
			INSERT INTO coordination_member (coordination_id, operator_id) VALUES (1, 2);
			INSERT INTO working_group (coordination_id, kind, name, source_id) VALUES
			  (1, 'working_group', 'GT Numérique', 1), (2, 'working_group', 'GT Emploi', 1);
			INSERT INTO working_group_member (working_group_id, operator_id) VALUES (1, 2);
			INSERT INTO meeting (working_group_id, year, source_id) VALUES (1, 2025, 1), (2, 2025, 1);
			INSERT INTO event (coordination_id, title, held_on, source_id) VALUES
			  (1, 'Forum social', '2025-05-01', 1), (2, 'Forum de l''emploi', '2025-06-01', 1);
			INSERT INTO operator_site (operator_id, code, name, source_id) VALUES (2, 'nord', 'Antenne Nord', 1);
			INSERT INTO operator_service (operator_id, code, name, source_id) VALUES
			  (2, 'isp', 'Service d''insertion socioprofessionnelle', 1);`)
	})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func countRows(t *testing.T, st *store.Store, query string, args ...any) int {
	t.Helper()
	var n int
	if err := st.DB().QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

var (
	researcher = access.Principal{Role: access.Researcher, Subject: "test:researcher"}
	public     = access.Anonymous
)

func meetingOn(day string) store.MeetingChange {
	d := date(day)
	n := 12
	return store.MeetingChange{HeldOn: &d, Kind: cohesion.Visit, ParticipantCount: &n, Note: ptr("Visite de la maison médicale")}
}

func forum() store.EventChange {
	n := 80
	return store.EventChange{Title: "Forum des associations", Kind: cohesion.Forum, HeldOn: date("2025-09-20"),
		ParticipantCount: &n, Organisations: []int64{1, 2}}
}

// coordinationWrites are one of each write of a coordination's activity, on Schaerbeek's
// coordination, with the table each lands in.
var coordinationWrites = []struct {
	name  string
	table string
	write func(ctx context.Context, st *store.Store) (store.Result, error)
}{
	{"createWorkingGroup", "working_group", func(ctx context.Context, st *store.Store) (store.Result, error) {
		return st.CreateWorkingGroup(ctx, nil, 1, store.WorkingGroupChange{Kind: cohesion.WorkingGroupBody, Name: "GT Seniors"})
	}},
	{"updateWorkingGroup", "working_group", func(ctx context.Context, st *store.Store) (store.Result, error) {
		return st.UpdateWorkingGroup(ctx, nil, 1, 1, store.WorkingGroupChange{Kind: cohesion.WorkingGroupBody, Name: "GT Exclusion numérique"})
	}},
	{"addWorkingGroupMember", "working_group_member", func(ctx context.Context, st *store.Store) (store.Result, error) {
		return st.AddWorkingGroupMember(ctx, nil, 1, store.Member{OperatorID: id64(1)})
	}},
	{"removeWorkingGroupMember", "working_group_member", func(ctx context.Context, st *store.Store) (store.Result, error) {
		return st.RemoveWorkingGroupMember(ctx, nil, 1, store.Member{OperatorID: id64(2)})
	}},
	{"recordMeeting", "meeting", func(ctx context.Context, st *store.Store) (store.Result, error) {
		return st.RecordMeeting(ctx, nil, 1, meetingOn("2025-03-31"))
	}},
	{"updateMeeting", "meeting", func(ctx context.Context, st *store.Store) (store.Result, error) {
		return st.UpdateMeeting(ctx, nil, 1, 1, meetingOn("2025-04-30"))
	}},
	{"recordEvent", "event", func(ctx context.Context, st *store.Store) (store.Result, error) {
		return st.RecordEvent(ctx, nil, 1, forum())
	}},
	{"updateEvent", "event", func(ctx context.Context, st *store.Store) (store.Result, error) {
		return st.UpdateEvent(ctx, nil, 1, 1, forum())
	}},
	{"addCoordinationMember", "coordination_member", func(ctx context.Context, st *store.Store) (store.Result, error) {
		return st.AddCoordinationMember(ctx, nil, 1, 1)
	}},
	{"removeCoordinationMember", "coordination_member", func(ctx context.Context, st *store.Store) (store.Result, error) {
		return st.RemoveCoordinationMember(ctx, nil, 1, 2)
	}},
}

// Only Schaerbeek's coordinator and the administration change Schaerbeek's coordination; each
// change they make is in the audit log under their name, in the table it changed.
func TestWhoChangesACoordinationsActivity(t *testing.T) {
	for _, w := range []struct {
		who     string
		p       access.Principal
		allowed bool
	}{
		{"the coordinator of its commune", schaerbeek, true},
		{"an administrator", admin, true},
		{"the coordinator of another commune", molenbeek, false},
		{"an operator", operator1, false},
		{"an analyst", analyst, false},
		{"a researcher", researcher, false},
		{"the public", public, false},
	} {
		st := coordinations(t)
		for _, op := range coordinationWrites {
			audited := `SELECT count(*) FROM audit_log WHERE table_name = ? AND role = ?`
			before := countRows(t, st, audited, op.table, string(w.p.Role))
			_, err := op.write(as(w.p), st)
			after := countRows(t, st, audited, op.table, string(w.p.Role))
			switch {
			case w.allowed && err != nil:
				t.Errorf("%s: %s: %v", w.who, op.name, err)
			case w.allowed && after == before:
				t.Errorf("%s: %s left no audit entry in %s", w.who, op.name, op.table)
			case !w.allowed && !errors.Is(err, access.ErrForbidden):
				t.Errorf("%s: %s: %v, want forbidden", w.who, op.name, err)
			case !w.allowed && after != before:
				t.Errorf("%s: %s was refused but wrote %d audit entries", w.who, op.name, after-before)
			}
		}
	}
}

// An operator changes its own record, and no one else's; the administration any.
func TestWhoChangesAnOperatorsRecord(t *testing.T) {
	for _, w := range []struct {
		who     string
		p       access.Principal
		allowed bool
	}{
		{"the operator itself", operator1, true},
		{"an administrator", admin, true},
		{"another operator", operator3, false},
		{"the coordinator of its commune", schaerbeek, false},
		{"an analyst", analyst, false},
		{"a researcher", researcher, false},
		{"the public", public, false},
	} {
		st := coordinations(t)
		res, err := st.UpdateOperatorRecord(as(w.p), nil, 1, 1, store.OperatorRecordChange{
			Street: ptr("Rue Royale 1"), Postcode: ptr("1030"), Email: ptr("info@example.org"), Phone: ptr("+32 2 123 45 67"),
			Website: ptr("https://example.org"), Languages: []string{"fr", "nl"}})
		audited := countRows(t, st, `SELECT count(*) FROM audit_log WHERE table_name = 'operator' AND row_id = '1' AND operation = 'UPDATE'`)
		switch {
		case w.allowed && (err != nil || res.Version != 2 || audited != 1):
			t.Errorf("%s: %v, version %d, %d audit entries; want version 2 and 1 entry", w.who, err, res.Version, audited)
		case !w.allowed && (!errors.Is(err, access.ErrForbidden) || audited != 0):
			t.Errorf("%s: %v, %d audit entries; want forbidden and none", w.who, err, audited)
		}
		if w.allowed {
			got := countRows(t, st, `SELECT count(*) FROM operator WHERE id = 1 AND street = 'Rue Royale 1' AND postcode = '1030'
				AND email = 'info@example.org' AND languages = '{fr,nl}' AND name = 'Maison des Écoles'`)
			if got != 1 {
				t.Errorf("%s: the record is not as changed (or lost a field it did not change)", w.who)
			}
		}
	}
}

func wantInvalid(t *testing.T, name string, err error, field string) {
	t.Helper()
	var inv *cohesion.InvalidError
	if !errors.As(err, &inv) || inv.Field != field || inv.Reason == "" {
		t.Errorf("%s: %v, want invalid %s with a reason", name, err, field)
	}
}

// Every validation rule names the field and the reason, and writes nothing.
func TestCoordinationWritesNameTheFieldAndTheReason(t *testing.T) {
	st := coordinations(t)
	ctx := as(schaerbeek)
	year := func(y int) *int { return &y }
	neg := -1
	wg := store.WorkingGroupChange{Kind: cohesion.WorkingGroupBody, Name: "GT"}
	meeting := func(f func(*store.MeetingChange)) store.MeetingChange {
		m := meetingOn("2025-03-31")
		f(&m)
		return m
	}
	event := func(f func(*store.EventChange)) store.EventChange {
		e := forum()
		f(&e)
		return e
	}
	rec := func(f func(*store.OperatorRecordChange)) store.OperatorRecordChange {
		var c store.OperatorRecordChange
		f(&c)
		return c
	}
	// The source the API's rows cite is made on first use, and audited: counted apart.
	written := "SELECT count(*) FROM audit_log WHERE table_name <> 'source'"
	before := countRows(t, st, written)
	for _, c := range []struct {
		name  string
		field string
		write func() (store.Result, error)
	}{
		{"an empty working group name", "input.name", func() (store.Result, error) {
			return st.CreateWorkingGroup(ctx, nil, 1, store.WorkingGroupChange{Kind: cohesion.WorkingGroupBody, Name: "  "})
		}},
		{"an unknown working group kind", "input.kind", func() (store.Result, error) {
			return st.CreateWorkingGroup(ctx, nil, 1, store.WorkingGroupChange{Kind: "committee", Name: "GT"})
		}},
		{"an unknown theme", "input.theme", func() (store.Result, error) {
			return st.UpdateWorkingGroup(ctx, nil, 1, 1, store.WorkingGroupChange{Kind: cohesion.WorkingGroupBody, Name: "GT", ThemeID: id64(99)})
		}},
		{"an unknown operator as a member", "member.operator", func() (store.Result, error) {
			return st.AddWorkingGroupMember(ctx, nil, 1, store.Member{OperatorID: id64(99)})
		}},
		{"an unknown service as a member", "member.service", func() (store.Result, error) {
			return st.AddWorkingGroupMember(ctx, nil, 1, store.Member{ServiceID: id64(99)})
		}},
		{"a member that is an operator and a site", "member", func() (store.Result, error) {
			return st.AddWorkingGroupMember(ctx, nil, 1, store.Member{OperatorID: id64(1), SiteID: id64(1)})
		}},
		{"a member already present", "member", func() (store.Result, error) {
			return st.AddWorkingGroupMember(ctx, nil, 1, store.Member{OperatorID: id64(2)})
		}},
		{"removing who is not a member", "member", func() (store.Result, error) {
			return st.RemoveWorkingGroupMember(ctx, nil, 1, store.Member{OperatorID: id64(1)})
		}},
		{"a meeting date outside its year", "input.heldOn", func() (store.Result, error) {
			return st.RecordMeeting(ctx, nil, 1, meeting(func(m *store.MeetingChange) { m.Year = year(2024) }))
		}},
		{"a meeting with neither year nor date", "input.year", func() (store.Result, error) {
			return st.RecordMeeting(ctx, nil, 1, meeting(func(m *store.MeetingChange) { m.HeldOn = nil }))
		}},
		{"a meeting year out of range", "input.year", func() (store.Result, error) {
			return st.RecordMeeting(ctx, nil, 1, meeting(func(m *store.MeetingChange) { m.HeldOn, m.Year = nil, year(1980) }))
		}},
		{"a negative meeting participant count", "input.participantCount", func() (store.Result, error) {
			return st.UpdateMeeting(ctx, nil, 1, 1, meeting(func(m *store.MeetingChange) { m.ParticipantCount = &neg }))
		}},
		{"an unknown meeting kind", "input.kind", func() (store.Result, error) {
			return st.RecordMeeting(ctx, nil, 1, meeting(func(m *store.MeetingChange) { m.Kind = "party" }))
		}},
		{"an empty event title", "input.title", func() (store.Result, error) {
			return st.RecordEvent(ctx, nil, 1, event(func(e *store.EventChange) { e.Title = "" }))
		}},
		{"a negative event participant count", "input.participantCount", func() (store.Result, error) {
			return st.RecordEvent(ctx, nil, 1, event(func(e *store.EventChange) { e.ParticipantCount = &neg }))
		}},
		{"an unknown organising operator", "input.organisations[1]", func() (store.Result, error) {
			return st.RecordEvent(ctx, nil, 1, event(func(e *store.EventChange) { e.Organisations = []int64{1, 99} }))
		}},
		{"an organisation listed twice", "input.organisations[1]", func() (store.Result, error) {
			return st.UpdateEvent(ctx, nil, 1, 1, event(func(e *store.EventChange) { e.Organisations = []int64{2, 2} }))
		}},
		{"an unknown organiser", "input.organiser", func() (store.Result, error) {
			return st.RecordEvent(ctx, nil, 1, event(func(e *store.EventChange) { e.OrganiserID = id64(99) }))
		}},
		{"an event without a date", "input.heldOn", func() (store.Result, error) {
			return st.RecordEvent(ctx, nil, 1, event(func(e *store.EventChange) { e.HeldOn = date("0001-01-01") }))
		}},
		{"a coordination member already present", "operator", func() (store.Result, error) {
			return st.AddCoordinationMember(ctx, nil, 1, 2)
		}},
		{"an unknown operator as a coordination member", "operator", func() (store.Result, error) {
			return st.AddCoordinationMember(ctx, nil, 1, 99)
		}},
		{"removing an operator that is not a member", "operator", func() (store.Result, error) {
			return st.RemoveCoordinationMember(ctx, nil, 1, 1)
		}},
		{"a key reused for another request", "idempotencyKey", func() (store.Result, error) {
			if _, err := st.CreateWorkingGroup(ctx, ptr("k"), 1, wg); err != nil {
				return store.Result{}, err
			}
			return st.CreateWorkingGroup(ctx, ptr("k"), 1, store.WorkingGroupChange{Kind: cohesion.Platform, Name: "Plateforme"})
		}},
	} {
		_, err := c.write()
		wantInvalid(t, c.name, err, c.field)
	}
	// The reused key's first request was written: one working group, nothing else.
	if n := countRows(t, st, written) - before; n != 1 {
		t.Errorf("the refused writes left %d audit entries besides the first use of the key, want 0", n-1)
	}

	op := as(operator1)
	for _, c := range []struct {
		name  string
		field string
		in    store.OperatorRecordChange
	}{
		{"a postcode of 5 digits", "input.postcode", rec(func(c *store.OperatorRecordChange) { c.Postcode = ptr("10300") })},
		{"an e-mail without @", "input.email", rec(func(c *store.OperatorRecordChange) { c.Email = ptr("info.example.org") })},
		{"a phone number of letters", "input.phone", rec(func(c *store.OperatorRecordChange) { c.Phone = ptr("call us") })},
		{"a website that is not http", "input.website", rec(func(c *store.OperatorRecordChange) { c.Website = ptr("ftp://example.org") })},
		{"an unknown language", "input.languages[1]", rec(func(c *store.OperatorRecordChange) { c.Languages = []string{"fr", "es"} })},
		{"no language", "input.languages", rec(func(c *store.OperatorRecordChange) { c.Languages = []string{} })},
		{"a seat in the region, not a commune", "input.seatCommune", rec(func(c *store.OperatorRecordChange) { c.SeatCommuneID = id64(1) })},
		{"a seat in no territory", "input.seatCommune", rec(func(c *store.OperatorRecordChange) { c.SeatCommuneID = id64(99) })},
		{"nothing to change", "input", store.OperatorRecordChange{}},
	} {
		_, err := st.UpdateOperatorRecord(op, nil, 1, 1, c.in)
		wantInvalid(t, c.name, err, c.field)
	}

	if _, err := st.RecordMeeting(ctx, nil, 99, meetingOn("2025-03-31")); !errors.Is(err, cohesion.ErrNotFound) {
		t.Errorf("a meeting of an unknown working group: %v, want not found", err)
	}
	if _, err := st.RecordEvent(ctx, nil, 99, forum()); !errors.Is(err, cohesion.ErrNotFound) {
		t.Errorf("an event of an unknown coordination: %v, want not found", err)
	}
}

// A change made on a version that is no longer current is refused with a conflict that says
// which version is.
func TestCoordinationEditsOnAStaleVersionConflict(t *testing.T) {
	st := coordinations(t)
	ctx := as(schaerbeek)
	wg := store.WorkingGroupChange{Kind: cohesion.WorkingGroupBody, Name: "GT Numérique 1030"}
	mustResult(t)(st.UpdateWorkingGroup(ctx, nil, 1, 1, wg))
	mustResult(t)(st.UpdateMeeting(ctx, nil, 1, 1, meetingOn("2025-03-31")))
	mustResult(t)(st.UpdateEvent(ctx, nil, 1, 1, forum()))
	mustResult(t)(st.UpdateOperatorRecord(as(operator1), nil, 1, 1, store.OperatorRecordChange{Street: ptr("Rue Royale 1")}))
	for name, err := range map[string]error{
		"working group": second(st.UpdateWorkingGroup(ctx, nil, 1, 1, wg)),
		"meeting":       second(st.UpdateMeeting(ctx, nil, 1, 1, meetingOn("2025-04-30"))),
		"event":         second(st.UpdateEvent(ctx, nil, 1, 1, forum())),
		"operator":      second(st.UpdateOperatorRecord(as(operator1), nil, 1, 1, store.OperatorRecordChange{Street: ptr("Rue Neuve 2")})),
	} {
		var conflict *cohesion.ConflictError
		if !errors.As(err, &conflict) || conflict.Current != 2 || conflict.Sent != 1 {
			t.Errorf("%s changed on version 1 at version 2: %v, want a conflict naming version 2", name, err)
		}
	}
	if n := countRows(t, st, "SELECT count(*) FROM meeting WHERE id = 1 AND held_on = '2025-03-31' AND version = 2"); n != 1 {
		t.Error("the refused change of the meeting changed it")
	}
}

func second(_ store.Result, err error) error { return err }

// A retried write returns the first result and writes once.
func TestARetriedCoordinationWriteWritesOnce(t *testing.T) {
	st := coordinations(t)
	ctx := as(schaerbeek)
	first := mustResult(t)(st.RecordMeeting(ctx, ptr("meeting-2025-03"), 1, meetingOn("2025-03-31")))
	again := mustResult(t)(st.RecordMeeting(ctx, ptr("meeting-2025-03"), 1, meetingOn("2025-03-31")))
	if again.ID != first.ID || again.Version != first.Version || !again.Replayed || first.Replayed {
		t.Errorf("retry: %+v, first: %+v; want the first result, replayed", again, first)
	}
	if n := countRows(t, st, "SELECT count(*) FROM meeting WHERE working_group_id = 1"); n != 2 {
		t.Errorf("%d meetings of working group 1, want 2 (the fixture's and the recorded one)", n)
	}
	if n := countRows(t, st, "SELECT count(*) FROM audit_log WHERE table_name = 'meeting' AND row_id = ?::text", first.ID); n != 1 {
		t.Errorf("%d audit entries for the recorded meeting, want 1", n)
	}
	// The same holds for a membership: the retry is not refused as "already a member".
	m := mustResult(t)(st.AddWorkingGroupMember(ctx, ptr("member-1"), 1, store.Member{OperatorID: id64(1)}))
	if r := mustResult(t)(st.AddWorkingGroupMember(ctx, ptr("member-1"), 1, store.Member{OperatorID: id64(1)})); r.ID != m.ID || !r.Replayed {
		t.Errorf("retried membership: %+v, want %+v replayed", r, m)
	}
}

// A site or a service of an organisation is a member of a working group in its own name, once.
func TestASiteOrServiceIsAWorkingGroupMember(t *testing.T) {
	st := coordinations(t)
	ctx := as(schaerbeek)
	service := mustResult(t)(st.AddWorkingGroupMember(ctx, nil, 1, store.Member{ServiceID: id64(1)}))
	site := mustResult(t)(st.AddWorkingGroupMember(ctx, nil, 1, store.Member{SiteID: id64(1)}))
	members, err := st.WorkingGroupMembers(ctx, []int64{service.ID, site.ID})
	if err != nil {
		t.Fatal(err)
	}
	if s := members[service.ID]; s == nil || s.ServiceID == nil || *s.ServiceID != 1 || s.OperatorID != nil || s.WorkingGroupID != 1 {
		t.Errorf("service member: %+v", s)
	}
	if s := members[site.ID]; s == nil || s.SiteID == nil || *s.SiteID != 1 || s.OperatorID != nil {
		t.Errorf("site member: %+v", s)
	}
	// Its organisation is a member too, apart from it.
	if n := countRows(t, st, "SELECT count(*) FROM working_group_member WHERE working_group_id = 1"); n != 3 {
		t.Errorf("%d members of working group 1, want 3: the CPAS, its service and its site", n)
	}
	_, err = st.AddWorkingGroupMember(ctx, nil, 1, store.Member{ServiceID: id64(1)})
	wantInvalid(t, "the service again", err, "member")
	mustResult(t)(st.RemoveWorkingGroupMember(ctx, nil, 1, store.Member{ServiceID: id64(1)}))
	if n := countRows(t, st, "SELECT count(*) FROM audit_log WHERE table_name = 'working_group_member' AND row_id = ?::text", service.ID); n != 2 {
		t.Errorf("%d audit entries for the service's membership, want 2 (added, removed)", n)
	}
	// The database holds the rule too: a member is exactly one of the three.
	err = st.DB().QueryRowContext(context.Background(),
		"INSERT INTO working_group_member (working_group_id, operator_id, service_id) VALUES (1, 1, 1) RETURNING id").Err()
	if err == nil || !strings.Contains(err.Error(), "working_group_member_one") {
		t.Errorf("a member that is an operator and a service: %v, want the check refusing it", err)
	}
}

// A meeting recorded with a kind is read back, counted by kind, through the read API.
func TestARecordedMeetingIsCountedByKind(t *testing.T) {
	st := coordinations(t)
	mustResult(t)(st.RecordMeeting(as(schaerbeek), nil, 1, meetingOn("2025-03-31")))
	mustResult(t)(st.RecordMeeting(as(schaerbeek), nil, 1, meetingOn("2025-04-30")))
	visits := store.Filter{Conds: []store.Cond{{Field: "kind", Op: "eq", Value: "visit"}}}
	page, err := store.List[cohesion.Meeting](as(analyst), st, "Meeting", store.ListArgs{Filter: visits, Total: true})
	if err != nil {
		t.Fatal(err)
	}
	if page.Total != 2 || len(page.Nodes) != 2 || page.Nodes[0].Kind != cohesion.Visit ||
		page.Nodes[0].ParticipantCount == nil || *page.Nodes[0].ParticipantCount != 12 || page.Nodes[0].Version != 1 {
		t.Errorf("visits: %+v (total %v), want the 2 recorded visits with 12 participants", page.Nodes, page.Total)
	}
}

// A write the application's checks would wrongly let through is refused by the database: a
// coordinator writes only its own coordination's rows, an operator only its own record.
func TestRowLevelSecurityKeepsCoordinatorsToTheirCoordination(t *testing.T) {
	st := coordinations(t)
	run := func(role, scope, id, stmt string) (int64, error) {
		var n int64
		err := st.Transact(context.Background(), func(ctx context.Context, tx bun.Tx) error {
			if _, err := tx.ExecContext(ctx, `SELECT set_config('role', 'cohesio_api', true), set_config('cohesio.role', ?, true),
				set_config(?, ?, true)`, role, scope, id); err != nil {
				return err
			}
			res, err := tx.ExecContext(ctx, stmt)
			if err == nil {
				n, _ = res.RowsAffected()
			}
			return err
		})
		return n, err
	}
	for name, stmt := range map[string]string{
		"a meeting of Molenbeek's working group": "INSERT INTO meeting (working_group_id, year, source_id) VALUES (2, 2025, 1)",
		"a member of Molenbeek's working group":  "INSERT INTO working_group_member (working_group_id, operator_id) VALUES (2, 1)",
		"a working group of Molenbeek":           "INSERT INTO working_group (coordination_id, kind, name, source_id) VALUES (2, 'platform', 'P', 1)",
		"an event of Molenbeek":                  "INSERT INTO event (coordination_id, title, held_on, source_id) VALUES (2, 'E', '2025-01-01', 1)",
		"an event of no coordination":            "INSERT INTO event (title, held_on, source_id) VALUES ('E', '2025-01-01', 1)",
		"a member of Molenbeek's coordination":   "INSERT INTO coordination_member (coordination_id, operator_id) VALUES (2, 1)",
		"an organisation at Molenbeek's event":   "INSERT INTO event_organisation (event_id, operator_id) VALUES (2, 1)",
		"moving its working group to Molenbeek":  "UPDATE working_group SET coordination_id = 2 WHERE id = 1",
	} {
		if _, err := run("coordinator", "cohesio.commune_id", "2", stmt); err == nil || !strings.Contains(err.Error(), "row-level security") {
			t.Errorf("Schaerbeek's coordinator writing %s: %v, want a row-level security violation", name, err)
		}
	}
	for name, stmt := range map[string]string{
		"changing Molenbeek's meeting":  "UPDATE meeting SET participant_count = 1 WHERE id = 2",
		"deleting Molenbeek's event":    "DELETE FROM event WHERE id = 2",
		"changing another's record":     "UPDATE operator SET street = 'x' WHERE id = 3",
		"changing Molenbeek's group":    "UPDATE working_group SET name = 'x' WHERE id = 2",
		"removing Molenbeek's meetings": "DELETE FROM meeting WHERE working_group_id = 2",
	} {
		role, scope := "coordinator", "cohesio.commune_id"
		if strings.Contains(name, "record") {
			role, scope = "operator", "cohesio.operator_id"
		}
		if n, err := run(role, scope, "2", stmt); err != nil || n != 0 {
			t.Errorf("%s: %d rows, %v; want none changed", name, n, err)
		}
	}
	// Its own rows it may write.
	if n, err := run("coordinator", "cohesio.commune_id", "2", "UPDATE meeting SET participant_count = 9 WHERE id = 1"); err != nil || n != 1 {
		t.Errorf("Schaerbeek's coordinator changing its meeting: %d rows, %v", n, err)
	}
}
