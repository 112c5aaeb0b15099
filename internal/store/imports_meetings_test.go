package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/importer"
)

// meetingFixture: Schaerbeek's coordination (commune 2) has "GT Numérique" and two groups
// named "GT Double"; Molenbeek's (commune 3) has "GT Emploi".
const meetingFixture = `
INSERT INTO coordination (code, name, territory_id, source_id) VALUES ('cass-molenbeek', 'CASS Molenbeek', 3, 1);
INSERT INTO working_group (coordination_id, kind, name, source_id)
  SELECT c.id, 'working_group', g.name, 1 FROM coordination c, (VALUES ('GT Numérique'), ('GT Double'), ('GT Double')) g(name) WHERE c.code = 'clss-schaerbeek'
  UNION ALL SELECT c.id, 'working_group', 'GT Emploi', 1 FROM coordination c WHERE c.code = 'cass-molenbeek';
`

func openMeetings(t *testing.T) *importDB {
	t.Helper()
	db := openImport(t)
	if _, err := db.conn.Exec(context.Background(), meetingFixture); err != nil {
		t.Fatal(err)
	}
	return db
}

var (
	importSchaerbeek = access.Principal{Role: access.Coordinator, Subject: "test:schaerbeek", CommuneID: ptr(int64(2))}
	importMolenbeek  = access.Principal{Role: access.Coordinator, Subject: "test:molenbeek", CommuneID: ptr(int64(3))}
)

func (db *importDB) runAs(p access.Principal, kind, file string, commit bool) (*importer.Report, error) {
	db.t.Helper()
	return importer.Run(as(p), kind, strings.NewReader(file), db.store, importer.Options{Commit: commit})
}

// meetingsFR is a coordination's list of meetings in French, with French words for the kinds.
const meetingsFR = "\ufeffCoordination;Groupe de travail;Date;Type de réunion;Nombre de participants;Remarque\r\n" +
	"clss-schaerbeek;GT Numérique;14/01/2025;réunion;12;Lancement\r\n" +
	"clss-schaerbeek;gt numérique;11/02/2025;visite;8;\r\n" +
	"clss-schaerbeek;GT Numérique;11/02/2025;meeting;;Sans comptage\r\n"

func TestImportMeetingsDryRunThenCommitThenNothingChanges(t *testing.T) {
	db := openMeetings(t)
	before := db.state("meeting")
	dry, err := db.runAs(importSchaerbeek, "meetings", meetingsFR, false)
	if err != nil {
		t.Fatal(err)
	}
	if dry.Rejected() || dry.Committed || counts(dry) != (importer.Counts{Entity: "meeting", Created: 3}) {
		t.Fatalf("dry run: %+v", dry)
	}
	if got := db.state("meeting"); got != before {
		t.Fatalf("a dry run wrote: %v -> %v", before, got)
	}

	rep, err := db.runAs(importSchaerbeek, "meetings", meetingsFR, true)
	if err != nil || !rep.Committed || counts(rep).Created != 3 {
		t.Fatalf("commit: %+v, %v", rep, err)
	}
	if n := db.count(`SELECT count(*) FROM meeting WHERE year = 2025 AND held_on = '2025-02-11' AND kind = 'visit' AND participant_count = 8 AND note IS NULL`); n != 1 {
		t.Errorf("the visit of 11/02/2025: %d rows", n)
	}
	if n := db.count(`SELECT count(*) FROM meeting WHERE held_on = '2025-02-11' AND kind = 'meeting' AND participant_count IS NULL`); n != 1 {
		t.Errorf("a meeting without a count: %d rows", n)
	}
	if n := db.count(`SELECT count(*) FROM audit_log WHERE table_name = 'meeting' AND operation = 'INSERT' AND subject = 'test:schaerbeek' AND role = 'coordinator'`); n != 3 {
		t.Errorf("audit entries naming the coordinator: %d, want 3", n)
	}
	after := db.state("meeting")

	again, err := db.runAs(importSchaerbeek, "meetings", meetingsFR, true)
	if err != nil || !again.Committed || counts(again) != (importer.Counts{Entity: "meeting", Unchanged: 3}) {
		t.Fatalf("re-import: %+v, %v", again, err)
	}
	if got := db.state("meeting"); got != after {
		t.Fatalf("re-importing the same file changed rows, audit entries or the data version: %v -> %v", after, got)
	}

	// The same meeting with another count: updated in place, its version counting the change.
	changed := strings.Replace(meetingsFR, "réunion;12;", "réunion;14;", 1)
	rep, err = db.runAs(admin, "meetings", changed, true)
	if err != nil || counts(rep) != (importer.Counts{Entity: "meeting", Updated: 1, Unchanged: 2}) {
		t.Fatalf("changed count: %+v, %v", rep, err)
	}
	if n := db.count(`SELECT count(*) FROM meeting WHERE held_on = '2025-01-14' AND participant_count = 14 AND version = 2`); n != 1 {
		t.Errorf("the updated meeting: %d rows", n)
	}
}

func TestImportMeetingsReportsEveryProblemAtOnce(t *testing.T) {
	db := openMeetings(t)
	file := "coordination,working group,held on,kind,participants,note\n" +
		"clss-schaerbeek,GT Numérique,2025-03-01,meeting,10,\n" + // 2 fine
		"nope,GT Numérique,2025-03-01,meeting,10,\n" + // 3 unknown coordination
		"clss-schaerbeek,GT Inconnu,2025-03-01,meeting,10,\n" + // 4 unknown working group
		"clss-schaerbeek,GT Double,2025-03-01,meeting,10,\n" + // 5 ambiguous working group
		"clss-schaerbeek,GT Numérique,31/02/2025,meeting,10,\n" + // 6 wrong type (date)
		"clss-schaerbeek,GT Numérique,1985-03-01,meeting,10,\n" + // 7 out of range (year)
		"clss-schaerbeek,GT Numérique,2025-03-02,party,10,\n" + // 8 not one of the kinds
		"clss-schaerbeek,GT Numérique,2025-03-03,meeting,douze,\n" + // 9 wrong type (count)
		"clss-schaerbeek,GT Numérique,2025-03-04,meeting,2.5,\n" + // 10 not a whole number
		"clss-schaerbeek,GT Numérique,2025-03-05,meeting,-1,\n" + // 11 out of range (count)
		",GT Numérique,2025-03-06,meeting,1,\n" + // 12 required
		"clss-schaerbeek,gt numérique,01/03/2025,réunion,3,\n" + // 13 duplicate of 2
		"clss-schaerbeek,GT Numérique,2025-03-01,visit,0,\n" // 14 fine: another kind
	before := db.state("meeting")
	rep, err := db.runAs(admin, "meetings", file, true)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		line          int
		field, reason string
	}{
		{3, "coordination", "unknown coordination"}, {4, "working_group", "unknown working group"},
		{5, "working_group", "ambiguous working group: coordination clss-schaerbeek has 2"},
		{6, "held_on", "wrong type"}, {7, "held_on", "out of range"}, {8, "kind", `"party" is not one of meeting, network_meeting`},
		{9, "participant_count", "wrong type"}, {10, "participant_count", "not a whole number"},
		{11, "participant_count", "out of range: -1 is negative"}, {12, "coordination", "required"},
		{13, "held_on", "duplicate within the file: line 2"},
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
	if c := counts(rep); c.Created != 2 || rep.Committed {
		t.Errorf("want 2 rows that would be created and nothing committed: %+v", rep)
	}
	if p, _ := problem(rep, 9, "participant_count"); p.Column != "participants" {
		t.Errorf("the column is named as the file names it: %+v", p)
	}
	if got := db.state("meeting"); got != before {
		t.Fatalf("a file with bad rows wrote: %v -> %v", before, got)
	}
}

func TestImportMeetingsReportsAMissingColumn(t *testing.T) {
	db := openMeetings(t)
	rep, err := db.runAs(admin, "meetings", "coordinatie;werkgroep;datum\nclss-schaerbeek;GT Numérique;01/03/2025\n", true)
	if err != nil {
		t.Fatal(err)
	}
	if rep.ProblemCount != 1 || rep.Problems[0].Line != 1 || rep.Problems[0].Field != "kind" ||
		!strings.Contains(rep.Problems[0].Reason, "missing required column") {
		t.Fatalf("want one problem for the header: %+v", rep.Problems)
	}
}

// Only the administration and coordinators import meetings, a coordinator only its own
// commune's: one row of another commune refuses the whole file, dry run or not.
func TestImportMeetingsIsForTheCoordinatorOfTheCommune(t *testing.T) {
	db := openMeetings(t)
	before := db.state("meeting")
	mixed := meetingsFR + "cass-molenbeek;GT Emploi;15/01/2025;réunion;9;\r\n"
	for _, commit := range []bool{false, true} {
		if _, err := db.runAs(importSchaerbeek, "meetings", mixed, commit); !errors.Is(err, access.ErrForbidden) ||
			!strings.Contains(err.Error(), "cass-molenbeek (line 5)") {
			t.Errorf("Schaerbeek's coordinator importing a Molenbeek meeting (commit %v): %v, want forbidden", commit, err)
		}
		if _, err := db.runAs(importMolenbeek, "meetings", meetingsFR, commit); !errors.Is(err, access.ErrForbidden) {
			t.Errorf("Molenbeek's coordinator importing Schaerbeek's meetings (commit %v): %v, want forbidden", commit, err)
		}
	}
	for _, role := range []access.Role{access.Operator, access.Analyst, access.Researcher, access.Public} {
		if _, err := db.runAs(access.Principal{Role: role, OperatorID: ptr(int64(1))}, "meetings", meetingsFR, true); !errors.Is(err, access.ErrForbidden) {
			t.Errorf("%s: want forbidden, got %v", role, err)
		}
	}
	if got := db.state("meeting"); got != before {
		t.Fatalf("refused imports wrote: %v -> %v", before, got)
	}
	if rep, err := db.runAs(admin, "meetings", mixed, true); err != nil || !rep.Committed || counts(rep).Created != 4 {
		t.Fatalf("the administration imports both communes' meetings: %+v, %v", rep, err)
	}
}

// One bad row among many writes nothing: not the good rows either.
func TestImportMeetingsWithOneBadRowWritesNothing(t *testing.T) {
	db := openMeetings(t)
	file := meetingsFR + "clss-schaerbeek;GT Numérique;20/02/2025;training;-5;\r\n"
	before := db.state("meeting")
	rep, err := db.runAs(importSchaerbeek, "meetings", file, true)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Committed || rep.ProblemCount != 1 || counts(rep).Created != 3 || counts(rep).Rejected != 1 {
		t.Fatalf("want 3 rows that would be created, 1 rejected and nothing committed: %+v", rep)
	}
	if got := db.state("meeting"); got != before {
		t.Fatalf("a file with a bad row wrote: %v -> %v", before, got)
	}
}
