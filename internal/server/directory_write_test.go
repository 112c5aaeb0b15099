package server_test

import (
	"testing"
)

const createOperator = `mutation($input: OperatorInput!, $k: String) { createOperator(input: $input, idempotencyKey: $k) {
	version replayed operator { id enterpriseNumber name kind languages seatCommune { nisCode }
		sectors { edges { node { code } } } territories { totalCount } } } }`

// The administration keeps the directory over HTTP: no one else may; a retry is answered from
// the first; a wrong value names its field; a stale version is a conflict; a service added
// through the API is then a member of a working group; an operator keeps the sectors it
// works in itself.
func TestTheAdministrationKeepsTheDirectory(t *testing.T) {
	w := newWorld(t)
	w.a.exec(coordinationFixture + `
		INSERT INTO sector (code, label_fr, label_nl) VALUES ('social', 'Social', 'Sociaal'), ('education', 'Éducation', 'Onderwijs');`)
	in := map[string]any{"enterpriseNumber": "BE 0314.595.348", "name": "Entr'aide des Marolles", "legalForm": gid("LegalForm", 1),
		"kind": "ASSOCIATIVE", "languages": []string{"fr", "nl"}, "seatCommune": gid("Territory", 2),
		"sectors": []string{gid("Sector", 1)}, "territories": []string{gid("Territory", 2), gid("Territory", 3)}}
	vars := map[string]any{"input": in}
	for _, name := range everyone {
		if name == "admin" {
			continue
		}
		if _, codes := w.ask(w.callers[name], createOperator, vars); len(codes) != 1 || codes[0] != "FORBIDDEN" {
			t.Errorf("%s creating an operator: %v, want FORBIDDEN", name, codes)
		}
	}
	admin := w.callers["admin"]
	vars["k"] = "marolles"
	data, errs := w.askErrors(admin, createOperator, vars)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	got := data["createOperator"].(map[string]any)
	op := got["operator"].(map[string]any)
	if got["version"] != 1.0 || op["enterpriseNumber"] != "0314595348" || op["seatCommune"].(map[string]any)["nisCode"] != "21015" ||
		op["territories"].(map[string]any)["totalCount"] != 2.0 || len(op["sectors"].(map[string]any)["edges"].([]any)) != 1 {
		t.Errorf("created: %v", got)
	}
	again, errs := w.askErrors(admin, createOperator, vars)
	if len(errs) > 0 || again["createOperator"].(map[string]any)["replayed"] != true ||
		again["createOperator"].(map[string]any)["operator"].(map[string]any)["id"] != op["id"] {
		t.Errorf("retry: %v %v, want the first operator, replayed", again, errs)
	}
	in["enterpriseNumber"] = "0314.595.349"
	_, errs = w.askErrors(admin, createOperator, map[string]any{"input": in})
	if len(errs) != 1 || errs[0]["field"] != "input.enterpriseNumber" {
		t.Errorf("an enterprise number failing mod-97: %v, want BAD_USER_INPUT on input.enterpriseNumber", errs)
	}

	project := `mutation($p: ID!, $v: Int!, $input: ProjectInput!) { updateProject(project: $p, expectedVersion: $v, input: $input) {
		version project { title budget endDate axis { code } } } }`
	pin := map[string]any{"operator": gid("Operator", 1), "programme": gid("Programme", 1), "axis": gid("ProgrammeAxis", 1),
		"territory": gid("Territory", 2), "title": "École de devoirs", "startDate": "2024-01-01", "endDate": "2028-12-31", "budget": "16000.00"}
	data, errs = w.askErrors(admin, project, map[string]any{"p": gid("Project", 1), "v": 1, "input": pin})
	if len(errs) > 0 || data["updateProject"].(map[string]any)["version"] != 2.0 {
		t.Fatalf("update project: %v %v", data, errs)
	}
	if _, codes := w.ask(admin, project, map[string]any{"p": gid("Project", 1), "v": 1, "input": pin}); len(codes) != 1 || codes[0] != "CONFLICT" {
		t.Errorf("a stale project version: %v, want CONFLICT", codes)
	}
	pin["endDate"] = "2023-12-31"
	_, errs = w.askErrors(admin, project, map[string]any{"p": gid("Project", 1), "v": 2, "input": pin})
	if len(errs) != 1 || errs[0]["field"] != "input.endDate" {
		t.Errorf("a project ending before it starts: %v, want BAD_USER_INPUT on input.endDate", errs)
	}

	approval := `mutation($input: ApprovalInput!) { createApproval(input: $input) { version approval { status operator { name } } } }`
	data, errs = w.askErrors(admin, approval, map[string]any{"input": map[string]any{"operator": gid("Operator", 3),
		"programme": gid("Programme", 1), "startDate": "2024-01-01", "status": "GRANTED"}})
	if len(errs) > 0 || data["createApproval"].(map[string]any)["approval"].(map[string]any)["status"] != "GRANTED" {
		t.Errorf("create approval: %v %v", data, errs)
	}

	service := `mutation($o: ID!, $input: OperatorServiceInput!) { createOperatorService(operator: $o, input: $input) {
		version service { id code name operator { name } } } }`
	data, errs = w.askErrors(admin, service, map[string]any{"o": gid("Operator", 2), "input": map[string]any{"code": "prevention", "name": "Service de prévention"}})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	svc := data["createOperatorService"].(map[string]any)["service"].(map[string]any)
	if svc["code"] != "prevention" || svc["operator"].(map[string]any)["name"] != "CPAS de Schaerbeek" {
		t.Errorf("service: %v", svc)
	}
	member := `mutation($wg: ID!, $m: WorkingGroupMemberInput!) { addWorkingGroupMember(workingGroup: $wg, member: $m) { member { service { code } } } }`
	data, errs = w.askErrors(w.callers["coord Schaerbeek"], member, map[string]any{"wg": gid("WorkingGroup", 1), "m": map[string]any{"service": svc["id"]}})
	if len(errs) > 0 {
		t.Errorf("the new service joining a working group: %v", errs)
	}

	record := `mutation($input: OperatorRecordInput!) { updateOperatorRecord(operator: "` + gid("Operator", 1) + `", expectedVersion: 1, input: $input) {
		version operator { sectors { totalCount } territories { totalCount } } } }`
	data, errs = w.askErrors(w.callers["operator 1"], record, map[string]any{"input": map[string]any{
		"sectors": []string{gid("Sector", 1), gid("Sector", 2)}, "territories": []string{}}})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	o := data["updateOperatorRecord"].(map[string]any)["operator"].(map[string]any)
	if o["sectors"].(map[string]any)["totalCount"] != 2.0 || o["territories"].(map[string]any)["totalCount"] != 0.0 {
		t.Errorf("an operator's own sectors and territories: %v", o)
	}
}
