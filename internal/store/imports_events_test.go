package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/importer"
)

func openEvents(t *testing.T) *importDB {
	t.Helper()
	db := openMeetings(t)
	// A second operator with an enterprise number, for the organisations.
	if _, err := db.conn.Exec(context.Background(), `UPDATE operator SET enterprise_number = '0417497106' WHERE id = 2`); err != nil {
		t.Fatal(err)
	}
	return db
}

// eventsNL is a coordination's events in Dutch, with Dutch words for the kinds.
const eventsNL = "Coördinatie;Titel;Soort evenement;Datum;Aantal deelnemers;Organisaties\n" +
	"clss-schaerbeek;Forum van de verenigingen;forum;20/09/2025;80;0999.000.129 | BE 0417 497 106\n" +
	"clss-schaerbeek;Buurtfeest Josaphat;buurtfeest;21/06/2025;;\n"

func TestImportEventsDryRunThenCommitThenNothingChanges(t *testing.T) {
	db := openEvents(t)
	before := db.state("event")
	dry, err := db.runAs(importSchaerbeek, "events", eventsNL, false)
	if err != nil || dry.Rejected() || dry.Committed || counts(dry) != (importer.Counts{Entity: "event", Created: 2}) {
		t.Fatalf("dry run: %+v, %v", dry, err)
	}
	if got := db.state("event"); got != before {
		t.Fatalf("a dry run wrote: %v -> %v", before, got)
	}
	rep, err := db.runAs(importSchaerbeek, "events", eventsNL, true)
	if err != nil || !rep.Committed || counts(rep).Created != 2 {
		t.Fatalf("commit: %+v, %v", rep, err)
	}
	if n := db.count(`SELECT count(*) FROM event e JOIN event_organisation o ON o.event_id = e.id
		WHERE e.title = 'Forum van de verenigingen' AND e.kind = 'forum' AND e.participant_count = 80 AND o.operator_id IN (1, 2)`); n != 2 {
		t.Errorf("the forum's organisations: %d, want 2", n)
	}
	if n := db.count(`SELECT count(*) FROM event WHERE kind = 'neighbourhood_party' AND participant_count IS NULL`); n != 1 {
		t.Errorf("the neighbourhood party: %d rows", n)
	}
	if n := db.count(`SELECT count(*) FROM audit_log WHERE table_name IN ('event', 'event_organisation') AND operation = 'INSERT' AND subject = 'test:schaerbeek'`); n != 4 {
		t.Errorf("audit entries naming the coordinator: %d, want 4", n)
	}
	after := db.state("event")
	again, err := db.runAs(importSchaerbeek, "events", eventsNL, true)
	if err != nil || !again.Committed || counts(again) != (importer.Counts{Entity: "event", Unchanged: 2}) {
		t.Fatalf("re-import: %+v, %v", again, err)
	}
	if got := db.state("event"); got != after {
		t.Fatalf("re-importing the same file changed rows, audit entries or the data version: %v -> %v", after, got)
	}

	// One organisation fewer: the event is updated, its organisations replaced.
	changed := strings.Replace(eventsNL, "0999.000.129 | ", "", 1)
	rep, err = db.runAs(importSchaerbeek, "events", changed, true)
	if err != nil || counts(rep) != (importer.Counts{Entity: "event", Updated: 1, Unchanged: 1}) {
		t.Fatalf("changed organisations: %+v, %v", rep, err)
	}
	if n := db.count(`SELECT count(*) FROM event e JOIN event_organisation o ON o.event_id = e.id
		WHERE e.title = 'Forum van de verenigingen' AND e.version = 2`); n != 1 {
		t.Errorf("the forum's organisations after the update: %d, want 1", n)
	}
}

func TestImportEventsReportsEveryProblemAtOnce(t *testing.T) {
	db := openEvents(t)
	file := "coordination,title,kind,held on,participants,organisations\n" +
		"clss-schaerbeek,Forum,forum,2025-09-20,80,0999000129\n" + // 2 fine
		"nope,Forum,forum,2025-09-20,80,\n" + // 3 unknown coordination
		"clss-schaerbeek,Forum 2,forum,2025-09-20,80,0999000129|0123456789\n" + // 4 fails mod-97
		"clss-schaerbeek,Forum 3,forum,2025-09-20,80,0999000129|0999000129\n" + // 5 listed twice
		"clss-schaerbeek,Forum 4,forum,2025-09-20,80,0999000129|0202239951\n" + // 6 unknown operator
		"clss-schaerbeek,Forum 5,fête,2025-09-20,80,\n" + // 7 not one of the kinds
		"clss-schaerbeek,Forum 6,forum,20/20/2025,80,\n" + // 8 wrong type (date)
		"clss-schaerbeek,Forum 7,forum,2025-09-20,-80,\n" + // 9 out of range
		"clss-schaerbeek,,forum,2025-09-20,80,\n" + // 10 required
		"clss-schaerbeek,Forum,conference,20/09/2025,10,\n" // 11 duplicate of 2
	before := db.state("event")
	rep, err := db.runAs(admin, "events", file, true)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		line          int
		field, reason string
	}{
		{3, "coordination", "unknown coordination"}, {4, "organisations", "mod-97"}, {5, "organisations", "listed twice"},
		{6, "organisations", "unknown operator: no operator has enterprise number 0202239951"},
		{7, "kind", `"fête" is not one of forum`}, {8, "held_on", "wrong type"}, {9, "participant_count", "out of range"},
		{10, "title", "required"}, {11, "title", "duplicate within the file: line 2"},
	}
	for _, w := range want {
		p, ok := problem(rep, w.line, w.field)
		if !ok || !strings.Contains(p.Reason, w.reason) {
			t.Errorf("line %d, %s: want %q, got %+v", w.line, w.field, w.reason, p)
		}
	}
	if rep.ProblemCount != len(want) || counts(rep).Rejected != len(want) {
		t.Errorf("%d problems on %d rows, want %d: %+v", rep.ProblemCount, counts(rep).Rejected, len(want), rep.Problems)
	}
	if c := counts(rep); c.Created != 1 || rep.Committed {
		t.Errorf("want 1 row that would be created and nothing committed: %+v", rep)
	}
	if got := db.state("event"); got != before {
		t.Fatalf("a file with bad rows wrote: %v -> %v", before, got)
	}
}

func TestImportEventsIsForTheCoordinatorOfTheCommune(t *testing.T) {
	db := openEvents(t)
	before := db.state("event")
	mixed := eventsNL + "cass-molenbeek;Jobdag;andere;01/10/2025;40;\n"
	for _, commit := range []bool{false, true} {
		if _, err := db.runAs(importSchaerbeek, "events", mixed, commit); !errors.Is(err, access.ErrForbidden) {
			t.Errorf("Schaerbeek's coordinator importing a Molenbeek event (commit %v): %v, want forbidden", commit, err)
		}
		if _, err := db.runAs(importMolenbeek, "events", eventsNL, commit); !errors.Is(err, access.ErrForbidden) {
			t.Errorf("Molenbeek's coordinator importing Schaerbeek's events (commit %v): %v, want forbidden", commit, err)
		}
	}
	for _, role := range []access.Role{access.Operator, access.Analyst, access.Researcher, access.Public} {
		if _, err := db.runAs(access.Principal{Role: role, OperatorID: ptr(int64(1))}, "events", eventsNL, true); !errors.Is(err, access.ErrForbidden) {
			t.Errorf("%s: want forbidden, got %v", role, err)
		}
	}
	if got := db.state("event"); got != before {
		t.Fatalf("refused imports wrote: %v -> %v", before, got)
	}
}
