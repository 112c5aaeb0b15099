package server_test

import (
	"testing"
)

// coordinationFixture adds to the fixture a coordination in Schaerbeek (territory 2) with
// working group 1, and one in Molenbeek (territory 3) with working group 2; the CPAS
// (operator 2) has service 1.
const coordinationFixture = `
INSERT INTO coordination (code, name, territory_id, source_id) VALUES
  ('cass-schaerbeek', 'CASS', 2, 1), ('cass-molenbeek', 'Coordination sociale de Molenbeek', 3, 1);
INSERT INTO working_group (coordination_id, kind, name, source_id) VALUES
  (1, 'working_group', 'GT Numérique', 1), (2, 'working_group', 'GT Emploi', 1);
INSERT INTO operator_service (operator_id, code, name, source_id) VALUES (2, 'isp', 'Service d''insertion socioprofessionnelle', 1);`

const recordMeeting = `mutation($wg: ID!, $input: MeetingInput!, $k: String) {
	recordMeeting(workingGroup: $wg, input: $input, idempotencyKey: $k) {
		version replayed meeting { id year heldOn kind participantCount note version workingGroup { name } } } }`

// A coordinator records its working groups' meetings over HTTP: no one else but the
// administration may; a retry is answered from the first; a stale version is a conflict; a
// wrong value names its field; the meeting is then counted by kind by everyone.
func TestACoordinatorRecordsAMeeting(t *testing.T) {
	w := newWorld(t)
	w.a.exec(coordinationFixture)
	visit := map[string]any{"heldOn": "2025-03-31", "kind": "VISIT", "participantCount": 12, "note": "Visite de la maison médicale"}
	vars := map[string]any{"wg": gid("WorkingGroup", 1), "input": visit}
	for _, name := range everyone {
		if name == "coord Schaerbeek" || name == "admin" {
			continue
		}
		if _, codes := w.ask(w.callers[name], recordMeeting, vars); len(codes) != 1 || codes[0] != "FORBIDDEN" {
			t.Errorf("%s recording a meeting of Schaerbeek's working group: %v, want FORBIDDEN", name, codes)
		}
	}
	coord := w.callers["coord Schaerbeek"]
	vars["k"] = "visit-2025-03"
	data, errs := w.askErrors(coord, recordMeeting, vars)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	got := data["recordMeeting"].(map[string]any)
	meeting := got["meeting"].(map[string]any)
	if got["version"] != 1.0 || got["replayed"] != false || meeting["year"] != 2025.0 || meeting["kind"] != "VISIT" ||
		meeting["participantCount"] != 12.0 || meeting["workingGroup"].(map[string]any)["name"] != "GT Numérique" {
		t.Errorf("recorded: %v", got)
	}
	again, errs := w.askErrors(coord, recordMeeting, vars)
	if len(errs) > 0 || again["recordMeeting"].(map[string]any)["replayed"] != true ||
		again["recordMeeting"].(map[string]any)["meeting"].(map[string]any)["id"] != meeting["id"] {
		t.Errorf("retry: %v %v, want the first meeting, replayed", again, errs)
	}

	update := `mutation($m: ID!, $v: Int!, $input: MeetingInput!) {
		updateMeeting(meeting: $m, expectedVersion: $v, input: $input) { version meeting { participantCount } } }`
	visit["participantCount"] = 15
	data, errs = w.askErrors(coord, update, map[string]any{"m": meeting["id"], "v": 1, "input": visit})
	if len(errs) > 0 || data["updateMeeting"].(map[string]any)["version"] != 2.0 {
		t.Fatalf("update: %v %v", data, errs)
	}
	_, errs = w.askErrors(coord, update, map[string]any{"m": meeting["id"], "v": 1, "input": visit})
	if len(errs) != 1 || errs[0]["code"] != "CONFLICT" || errs[0]["currentVersion"] != 2.0 {
		t.Errorf("update on version 1 at version 2: %v, want CONFLICT at 2", errs)
	}
	if _, errs := w.askErrors(w.callers["coord Molenbeek"], update, map[string]any{"m": meeting["id"], "v": 2, "input": visit}); len(errs) != 1 || errs[0]["code"] != "FORBIDDEN" {
		t.Errorf("Molenbeek's coordinator changing Schaerbeek's meeting: %v, want FORBIDDEN", errs)
	}
	visit["year"] = 2024
	_, errs = w.askErrors(coord, recordMeeting, map[string]any{"wg": gid("WorkingGroup", 1), "input": visit})
	if len(errs) != 1 || errs[0]["code"] != "BAD_USER_INPUT" || errs[0]["field"] != "input.heldOn" {
		t.Errorf("a date outside the meeting's year: %v, want BAD_USER_INPUT on input.heldOn", errs)
	}

	var counted struct {
		Visits struct {
			TotalCount int
			Nodes      []struct{ Kind string }
		}
		All struct{ Aggregate struct{ Kinds int } }
	}
	w.a.query(`{ visits: meetings(filter: {kind: {eq: VISIT}}) { totalCount nodes { kind } }
		all: meetings { aggregate { kinds: countDistinct(field: KIND) } } }`, nil, &counted)
	if counted.Visits.TotalCount != 1 || counted.Visits.Nodes[0].Kind != "VISIT" || counted.All.Aggregate.Kinds != 1 {
		t.Errorf("meetings by kind: %+v, want the one visit", counted)
	}
}

// A service of an organisation joins a working group in its own name; an event lists its
// organisations; an operator keeps its own record; each over HTTP.
func TestCoordinationAndDirectoryWritesOverHTTP(t *testing.T) {
	w := newWorld(t)
	w.a.exec(coordinationFixture)
	coord := w.callers["coord Schaerbeek"]
	add := `mutation($wg: ID!, $m: WorkingGroupMemberInput!) { addWorkingGroupMember(workingGroup: $wg, member: $m) {
		member { workingGroup { name } operator { name } service { name operator { name } } } } }`
	data, errs := w.askErrors(coord, add, map[string]any{"wg": gid("WorkingGroup", 1), "m": map[string]any{"service": gid("OperatorService", 1)}})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	m := data["addWorkingGroupMember"].(map[string]any)["member"].(map[string]any)
	if m["operator"] != nil || m["service"].(map[string]any)["name"] != "Service d'insertion socioprofessionnelle" ||
		m["service"].(map[string]any)["operator"].(map[string]any)["name"] != "CPAS de Schaerbeek" {
		t.Errorf("service member: %v", m)
	}
	_, errs = w.askErrors(coord, add, map[string]any{"wg": gid("WorkingGroup", 1), "m": map[string]any{"operator": gid("Operator", 99)}})
	if len(errs) != 1 || errs[0]["field"] != "member.operator" {
		t.Errorf("an unknown operator as a member: %v, want BAD_USER_INPUT on member.operator", errs)
	}

	event := `mutation($c: ID!, $input: EventInput!) { recordEvent(coordination: $c, input: $input) {
		version event { title kind heldOn organisations { nodes { name } } } } }`
	data, errs = w.askErrors(coord, event, map[string]any{"c": gid("Coordination", 1), "input": map[string]any{
		"title": "Forum des associations", "kind": "FORUM", "heldOn": "2025-09-20", "participantCount": 80,
		"organisations": []string{gid("Operator", 1), gid("Operator", 2)}}})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if orgs := data["recordEvent"].(map[string]any)["event"].(map[string]any)["organisations"].(map[string]any)["nodes"].([]any); len(orgs) != 2 {
		t.Errorf("event organisations: %v", orgs)
	}
	_, errs = w.askErrors(w.callers["coord Molenbeek"], event, map[string]any{"c": gid("Coordination", 1), "input": map[string]any{
		"title": "Forum", "heldOn": "2025-09-20"}})
	if len(errs) != 1 || errs[0]["code"] != "FORBIDDEN" {
		t.Errorf("Molenbeek's coordinator recording Schaerbeek's event: %v, want FORBIDDEN", errs)
	}

	record := `mutation($o: ID!, $v: Int!, $input: OperatorRecordInput!) { updateOperatorRecord(operator: $o, expectedVersion: $v, input: $input) {
		version operator { email phone languages website street version } } }`
	in := map[string]any{"email": "info@example.org", "phone": "+32 2 123 45 67", "languages": []string{"fr", "nl"}}
	for _, name := range everyone {
		if name == "operator 1" || name == "admin" {
			continue
		}
		if _, codes := w.ask(w.callers[name], record, map[string]any{"o": gid("Operator", 1), "v": 1, "input": in}); len(codes) != 1 || codes[0] != "FORBIDDEN" {
			t.Errorf("%s changing operator 1's record: %v, want FORBIDDEN", name, codes)
		}
	}
	data, errs = w.askErrors(w.callers["operator 1"], record, map[string]any{"o": gid("Operator", 1), "v": 1, "input": in})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	op := data["updateOperatorRecord"].(map[string]any)["operator"].(map[string]any)
	if op["email"] != "info@example.org" || op["version"] != 2.0 || len(op["languages"].([]any)) != 2 {
		t.Errorf("operator record: %v", op)
	}
	_, errs = w.askErrors(w.callers["operator 1"], record, map[string]any{"o": gid("Operator", 1), "v": 2, "input": map[string]any{"postcode": "10300"}})
	if len(errs) != 1 || errs[0]["field"] != "input.postcode" {
		t.Errorf("a postcode of 5 digits: %v, want BAD_USER_INPUT on input.postcode", errs)
	}
}
