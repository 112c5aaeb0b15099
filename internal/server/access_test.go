package server_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/auth"
	"github.com/cohesio/cohesio/internal/collect"
	"github.com/cohesio/cohesio/internal/server"
	"github.com/cohesio/cohesio/internal/store"
)

// The role × resource × operation matrix, over HTTP with real API tokens. In the fixture,
// operators 1 and 2 sit in Schaerbeek (territory 2) and operator 3 in Molenbeek (territory 3);
// projects 1 and 2 are operator 1's, project 4 operator 3's.

type caller struct {
	name  string
	token string // empty: no credentials
}

type world struct {
	a       *api
	callers map[string]caller
	// Observations made for the matrix: operator 1's draft and submission, operator 3's draft.
	draft1, submitted1, draft3 int64
}

func gid(typ string, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf("%s:%d", typ, id)))
}

func newWorld(t *testing.T) *world {
	t.Helper()
	a := newAPI(t, func(c *server.Config) {
		authn, err := auth.New(context.Background(), auth.Config{}, c.Store)
		if err != nil {
			t.Fatal(err)
		}
		c.Auth = authn
	})
	w := &world{a: a, callers: map[string]caller{"public": {name: "public"}}}
	one, two, three := int64(1), int64(2), int64(3)
	for name, tok := range map[string]store.APIToken{
		"admin":            {Role: access.Admin},
		"analyst":          {Role: access.Analyst},
		"researcher":       {Role: access.Researcher},
		"operator 1":       {Role: access.Operator, OperatorID: &one},
		"operator 3":       {Role: access.Operator, OperatorID: &three},
		"coord Schaerbeek": {Role: access.Coordinator, CommuneID: &two},
		"coord Molenbeek":  {Role: access.Coordinator, CommuneID: &three},
	} {
		secret, hash, err := auth.NewToken()
		if err != nil {
			t.Fatal(err)
		}
		tok.Name, tok.TokenHash = name, hash
		if err := a.store.CreateAPIToken(context.Background(), &tok); err != nil {
			t.Fatal(err)
		}
		w.callers[name] = caller{name: name, token: secret}
	}
	// The fixture's two observations are 1 and 2: these are 3, 4 and 5.
	a.exec(`INSERT INTO observation (indicator_id, project_id, period_start, period_end, granularity, kind, value, status, source_id) VALUES
		(1, 1, '2025-01-01', '2025-12-31', 'year', 'realised', 11, 'draft', 1),
		(1, 2, '2025-01-01', '2025-12-31', 'year', 'realised', 22, 'submitted', 1),
		(1, 4, '2025-01-01', '2025-12-31', 'year', 'realised', 33, 'draft', 1)`)
	w.draft1, w.submitted1, w.draft3 = 3, 4, 5
	return w
}

// ask sends a GraphQL request as a caller; it returns the data and the error codes.
func (w *world) ask(c caller, q string, vars map[string]any) (map[string]any, []string) {
	w.a.t.Helper()
	data, errs := w.askErrors(c, q, vars)
	var codes []string
	for _, e := range errs {
		codes = append(codes, fmt.Sprint(e["code"]))
	}
	return data, codes
}

var everyone = []string{"admin", "analyst", "coord Schaerbeek", "coord Molenbeek", "operator 1", "operator 3", "researcher", "public"}

func TestWhoSeesDraftsAndSubmissions(t *testing.T) {
	w := newWorld(t)
	// What each caller may see of the three unpublished values: 2 validated ones are public.
	sees := map[string][3]bool{ // draft 1, submitted 1, draft 3
		"admin":            {true, true, true},
		"analyst":          {false, false, false},
		"coord Schaerbeek": {false, true, false},
		"coord Molenbeek":  {false, false, false},
		"operator 1":       {true, true, false},
		"operator 3":       {false, false, true},
		"researcher":       {false, false, false},
		"public":           {false, false, false},
	}
	ids := []int64{w.draft1, w.submitted1, w.draft3}
	for _, name := range everyone {
		c, want := w.callers[name], sees[name]
		n := 2
		for i, id := range ids {
			if want[i] {
				n++
			}
			// node(id:) of an object the caller may not see is null, as if it did not exist.
			data, codes := w.ask(c, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": gid("Observation", id)})
			if got := data["node"] != nil; got != want[i] || len(codes) > 0 {
				t.Errorf("%s: node(%d) visible %v, want %v (errors %v)", name, id, got, want[i], codes)
			}
		}
		// Lists, filters and aggregates count only what the caller may see, however asked.
		data, codes := w.ask(c, `{
			all: observations { totalCount }
			unpublished: observations(filter: {status: {in: [DRAFT, SUBMITTED]}}) { totalCount aggregate { count sum(field: VALUE) } }
			project1: projects(filter: {id: {eq: "`+gid("Project", 1)+`"}}) { nodes { observations { totalCount } } }
			report(measures: [{kind: OBSERVATION_COUNT}], filter: {status: [DRAFT, SUBMITTED]}) { rows { values { value } } } }`, nil)
		if len(codes) > 0 {
			t.Fatalf("%s: %v", name, codes)
		}
		total := int(data["all"].(map[string]any)["totalCount"].(float64))
		unpub := data["unpublished"].(map[string]any)
		agg := unpub["aggregate"].(map[string]any)
		if total != n || int(unpub["totalCount"].(float64)) != n-2 || int(agg["count"].(float64)) != n-2 {
			t.Errorf("%s: sees %d observations (%d unpublished, aggregate %v), want %d", name, total, int(unpub["totalCount"].(float64)), agg["count"], n)
		}
		reported := 0
		if rows := data["report"].(map[string]any)["rows"].([]any); len(rows) > 0 {
			if v := rows[0].(map[string]any)["values"].([]any)[0].(map[string]any)["value"]; v != nil {
				fmt.Sscan(v.(string), &reported)
			}
		}
		if reported != n-2 {
			t.Errorf("%s: a report counts %d unpublished values, want %d", name, reported, n-2)
		}
	}
}

// askErrors sends a request as a caller; it returns the data and the errors' extensions.
func (w *world) askErrors(c caller, q string, vars map[string]any) (map[string]any, []map[string]any) {
	w.a.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, w.a.srv.URL+"/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		w.a.t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		Data   map[string]any
		Errors []struct{ Extensions map[string]any }
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		w.a.t.Fatalf("%s: status %d: %v", c.name, res.StatusCode, err)
	}
	var ext []map[string]any
	for _, e := range out.Errors {
		ext = append(ext, e.Extensions)
	}
	return out.Data, ext
}

// The reporting cycle over HTTP: who may do what, and what a client is told when it may not.
func TestWhoMayChangeWhat(t *testing.T) {
	w := newWorld(t)
	w.a.exec(reportFixture)
	campaign := gid("Campaign", 1)
	create := `mutation($c: ID!, $o: ID!, $k: String) { createSubmission(campaign: $c, operator: $o, idempotencyKey: $k) {
		version replayed submission { id status operator { name } } } }`
	for _, name := range everyone {
		if name == "operator 1" || name == "admin" {
			continue
		}
		_, errs := w.askErrors(w.callers[name], create, map[string]any{"c": campaign, "o": gid("Operator", 1)})
		if len(errs) != 1 || errs[0]["code"] != "FORBIDDEN" {
			t.Errorf("%s starting operator 1's report: %v, want FORBIDDEN", name, errs)
		}
	}
	op := w.callers["operator 1"]
	vars := map[string]any{"c": campaign, "o": gid("Operator", 1), "k": "start"}
	data, errs := w.askErrors(op, create, vars)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	created := data["createSubmission"].(map[string]any)
	sub := created["submission"].(map[string]any)["id"].(string)
	if again, errs := w.askErrors(op, create, vars); len(errs) > 0 || again["createSubmission"].(map[string]any)["replayed"] != true {
		t.Errorf("a retried creation: %v %v, want the first result replayed", again, errs)
	}

	// A submit with missing answers lists every problem, naming the question and the rule.
	submit := `mutation($s: ID!, $v: Int!) { submitSubmission(submission: $s, version: $v) { version submission { status } } }`
	_, errs = w.askErrors(op, submit, map[string]any{"s": sub, "v": 1})
	if len(errs) != 1 || errs[0]["code"] != "BAD_USER_INPUT" || len(errs[0]["problems"].([]any)) != 2 {
		t.Fatalf("submitting an empty report: %v, want two problems", errs)
	}
	if p := errs[0]["problems"].([]any)[0].(map[string]any); p["question"] != "a.summary" || p["label"] != "Résumé" || p["rule"] != "required" {
		t.Errorf("the first problem: %v", p)
	}

	save := `mutation($s: ID!, $v: Int!, $a: [AnswerInput!]!) { saveAnswers(submission: $s, version: $v, answers: $a) {
		version submission { answers { question text number } } } }`
	answers := []map[string]any{{"question": "a.summary", "text": "Une année"}, {"question": "a.pupils", "number": "25"}}
	data, errs = w.askErrors(op, save, map[string]any{"s": sub, "v": 1, "a": answers})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if v := data["saveAnswers"].(map[string]any)["version"]; v != float64(2) {
		t.Errorf("version after a save: %v, want 2", v)
	}
	_, errs = w.askErrors(op, save, map[string]any{"s": sub, "v": 1, "a": answers[:1]})
	if len(errs) != 1 || errs[0]["code"] != "CONFLICT" || errs[0]["currentVersion"] != float64(2) {
		t.Errorf("a stale save: %v, want CONFLICT at version 2", errs)
	}
	if _, errs := w.askErrors(w.callers["operator 3"], save, map[string]any{"s": sub, "v": 2, "a": answers}); len(errs) != 1 || errs[0]["code"] != "NOT_FOUND" {
		t.Errorf("operator 3 saving operator 1's report: %v, want NOT_FOUND", errs)
	}
	if _, errs := w.askErrors(op, submit, map[string]any{"s": sub, "v": 2}); len(errs) > 0 {
		t.Fatal(errs)
	}
	validate := `mutation($s: ID!, $v: Int!) { validateSubmission(submission: $s, version: $v) { submission { status } } }`
	for name, want := range map[string]string{"operator 1": "FORBIDDEN", "coord Schaerbeek": "FORBIDDEN", "coord Molenbeek": "NOT_FOUND", "analyst": "NOT_FOUND", "public": "NOT_FOUND"} {
		if _, errs := w.askErrors(w.callers[name], validate, map[string]any{"s": sub, "v": 3}); len(errs) != 1 || errs[0]["code"] != want {
			t.Errorf("%s validating: %v, want %s", name, errs, want)
		}
	}
	data, errs = w.askErrors(w.callers["admin"], validate, map[string]any{"s": sub, "v": 3})
	if len(errs) > 0 || data["validateSubmission"].(map[string]any)["submission"].(map[string]any)["status"] != "VALIDATED" {
		t.Errorf("the administration validating: %v %v", data, errs)
	}
	// The published value is there for the public; the history is the operator's, not another's.
	data, _ = w.askErrors(w.callers["public"], `{ observations { totalCount } }`, nil)
	if n := data["observations"].(map[string]any)["totalCount"]; n != float64(3) {
		t.Errorf("the public sees %v observations, want the fixture's 2 and the report's", n)
	}
	trail := `query($s: ID!) { auditTrail(submission: $s) { entries { table operation role } } }`
	for name, want := range map[string]bool{"operator 1": true, "operator 3": false, "admin": true} {
		data, errs := w.askErrors(w.callers[name], trail, map[string]any{"s": sub})
		if len(errs) > 0 {
			t.Fatalf("%s: %v", name, errs)
		}
		if got := len(data["auditTrail"].(map[string]any)["entries"].([]any)) > 0; got != want {
			t.Errorf("%s reads the report's history: %v, want %v", name, got, want)
		}
	}
	// A retried token creation makes no second token: the secret was shown once.
	once := `mutation { createApiToken(name: "retried", role: RESEARCHER, idempotencyKey: "tok-1") { secret } }`
	if _, errs := w.askErrors(w.callers["admin"], once, nil); len(errs) > 0 {
		t.Fatal(errs)
	}
	if _, errs := w.askErrors(w.callers["admin"], once, nil); len(errs) != 1 || errs[0]["field"] != "idempotencyKey" {
		t.Errorf("a retried token creation: %v, want refused on idempotencyKey", errs)
	}
	// Tokens are for administrators to give.
	token := `mutation { createApiToken(name: "x", role: RESEARCHER) { secret } }`
	for _, name := range everyone {
		_, codes := w.ask(w.callers[name], token, nil)
		if (name == "admin") != (len(codes) == 0) {
			t.Errorf("%s creating a token: %v", name, codes)
		}
	}
}

func TestCredentialsThatDoNotHoldAreRefused(t *testing.T) {
	w := newWorld(t)
	data, codes := w.ask(w.callers["admin"], `mutation { createApiToken(name: "temp", role: ANALYST) { secret token { id } } }`, nil)
	if len(codes) > 0 {
		t.Fatal(codes)
	}
	created := data["createApiToken"].(map[string]any)
	temp := caller{name: "temp", token: created["secret"].(string)}
	if _, codes := w.ask(temp, `{ observations { totalCount } }`, nil); len(codes) > 0 {
		t.Fatalf("a new token works: %v", codes)
	}
	id := created["token"].(map[string]any)["id"].(string)
	if _, codes := w.ask(w.callers["admin"], `mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt } }`, map[string]any{"id": id}); len(codes) > 0 {
		t.Fatal(codes)
	}
	for _, bad := range []caller{temp, {name: "made up", token: "coh_" + strings.Repeat("A", 43)}, {name: "garbage", token: "not a token"}} {
		req, _ := http.NewRequest(http.MethodPost, w.a.srv.URL+"/graphql", strings.NewReader(`{"query":"{ __typename }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+bad.token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("%s token: %d %q, want 401", bad.name, res.StatusCode, res.Header.Get("WWW-Authenticate"))
		}
	}
}

// The same request from an analyst and from the public reads two catalogs: the published
// views for the public. The planner keeps compiled plans by role too, so it cannot hand the
// public a plan made for the analyst.
func TestOneRequestFromTwoRolesReadsTwoCatalogs(t *testing.T) {
	w := newWorld(t)
	w.a.exec(smallCounts)
	const q = `{ observations(filter: {indicator: {code: {eq: "participants"}}}) { nodes { value disaggregation { code } } } }`
	for _, name := range []string{"analyst", "public", "analyst", "public"} {
		data, codes := w.ask(w.callers[name], q, nil)
		if len(codes) > 0 {
			t.Fatalf("%s: %v", name, codes)
		}
		breakdowns := 0
		for _, n := range data["observations"].(map[string]any)["nodes"].([]any) {
			if n := n.(map[string]any); n["disaggregation"] != nil && n["value"] != nil {
				breakdowns++
			}
		}
		if want := map[string]int{"analyst": 2, "public": 0}[name]; breakdowns != want {
			t.Errorf("%s sees %d breakdown values, want %d", name, breakdowns, want)
		}
	}
}

// reportFixture: operators 1, 2 and 3 approved for axis 1 of programme 1, a one-section
// template (a required text, a required indicator question) and its 2025 campaign (1).
const reportFixture = `INSERT INTO approval (operator_id, programme_id, axis_id, start_date, status, source_id) VALUES (1, 1, 1, '2024-01-01', 'granted', 1),
		  (2, 1, 1, '2024-01-01', 'granted', 1), (3, 1, 1, '2024-01-01', 'granted', 1);
		INSERT INTO report_template (code, version, audience, programme_id, axis_id, period_start, period_end, title_fr, title_nl)
		  VALUES ('report', 1, 'operator', 1, 1, '2025-01-01', '2025-12-31', 'Rapport', 'Verslag');
		INSERT INTO template_section (template_id, key, position, label_fr, label_nl) VALUES (1, 'a', 0, 'Volet A', 'Deel A');
		INSERT INTO template_question (template_id, section_id, key, position, kind, label_fr, label_nl, required, indicator_id)
		  VALUES (1, 1, 'a.summary', 0, 'text', 'Résumé', 'Samenvatting', true, NULL), (1, 1, 'a.pupils', 1, 'indicator', 'Élèves', 'Leerlingen', true, 1);
		INSERT INTO campaign (code, template_id, period_start, period_end, opens_on, due_on) VALUES ('report-2025', 1, '2025-01-01', '2025-12-31', '2026-01-01', '2099-03-31');`

// A page of reports with their campaign, template, operator, answers, events and comments
// costs the same number of statements whatever its length: no N+1.
func TestAPageOfReportsCostsTheSameWhateverItsLength(t *testing.T) {
	w := newWorld(t)
	w.a.exec(reportFixture)
	ctx := context.Background()
	summary := "Une année"
	for op := int64(1); op <= 3; op++ {
		r, err := w.a.store.CreateSubmission(ctx, nil, 1, &op, nil)
		if err != nil {
			t.Fatal(err)
		}
		answers := []collect.Answer{{QuestionKey: "a.summary", Value: collect.Value{Text: &summary}}}
		if _, err := w.a.store.SaveAnswers(ctx, nil, r.ID, r.Version, answers); err != nil {
			t.Fatal(err)
		}
	}
	const q = `query($n: Int!) { submissions(first: $n) { nodes { id status late operator { name } campaign { code template {
		code programme { code } sections { key questions { key label indicator { code } } } } }
		answers { question text } events { action role } comments { body } sites { code } } } }`
	cost := func(n int) int64 {
		before := w.a.statements.n.Load()
		data, errs := w.askErrors(w.callers["admin"], q, map[string]any{"n": n})
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		if got := len(data["submissions"].(map[string]any)["nodes"].([]any)); got != n {
			t.Fatalf("%d reports, want %d", got, n)
		}
		return w.a.statements.n.Load() - before
	}
	one, three := cost(1), cost(3)
	if one != three {
		t.Errorf("%d statements for one report, %d for three", one, three)
	}

	const completeness = `{ completeness(asOf: "2026-01-15") { total { expected draft missing late }
		byCommune { commune { code } counts { expected } } missing { operator { name } status late } } }`
	data, errs := w.askErrors(w.callers["coord Schaerbeek"], completeness, nil)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	c := data["completeness"].(map[string]any)
	if total := c["total"].(map[string]any); total["expected"] != float64(2) || total["draft"] != float64(2) || total["late"] != float64(0) {
		t.Errorf("Schaerbeek's coordinator counts %v, want its 2 operators' drafts, none late", total)
	}
	if missing := c["missing"].([]any); len(missing) != 2 || missing[0].(map[string]any)["status"] != "DRAFT" {
		t.Errorf("missing reports %v", missing)
	}
	if _, errs := w.askErrors(w.callers["researcher"], completeness, nil); len(errs) != 1 || errs[0]["code"] != "FORBIDDEN" {
		t.Errorf("a researcher asking for completeness: %v, want FORBIDDEN", errs)
	}
}

// Templates and campaigns are made in GraphQL by the administration: a first version, next
// year's revision, and a campaign on it.
func TestTheAdministrationMakesTemplatesAndCampaigns(t *testing.T) {
	w := newWorld(t)
	create := `mutation($in: ReportTemplateInput!, $key: String) { createReportTemplate(input: $in, idempotencyKey: $key) {
		id version sections { key repeat questions { key kind label(lang: NL) required min indicator { code }
		options { code label } askedWhen { question equals } } } rules { key kind questions } } }`
	in := map[string]any{"code": "grid", "audience": "OPERATOR", "programme": gid("Programme", 1), "axis": gid("ProgrammeAxis", 1),
		"periodStart": "2025-01-01", "periodEnd": "2025-12-31", "titleFr": "Grille", "titleNl": "Rooster",
		"sections": []map[string]any{
			{"key": "a", "labelFr": "Volet A", "labelNl": "Deel A", "questions": []map[string]any{
				{"key": "a.level", "kind": "SINGLE_CHOICE", "labelFr": "Niveau", "labelNl": "Niveau", "required": true,
					"options": []map[string]any{{"code": "low", "labelFr": "Bas", "labelNl": "Laag"}, {"code": "high", "labelFr": "Haut", "labelNl": "Hoog"}}},
				{"key": "a.why", "kind": "TEXT", "labelFr": "Pourquoi", "labelNl": "Waarom", "askedWhenQuestion": "a.level", "askedWhenEquals": "low"},
			}},
			{"key": "b", "labelFr": "Volet B", "labelNl": "Deel B", "repeat": "PER_SITE", "questions": []map[string]any{
				{"key": "b.pupils", "kind": "INDICATOR", "labelFr": "Élèves", "labelNl": "Leerlingen", "indicator": gid("Indicator", 1), "min": "0"},
				{"key": "b.girls", "kind": "NUMBER", "labelFr": "Filles", "labelNl": "Meisjes"},
			}},
		},
		"rules": []map[string]any{{"key": "girls", "kind": "NOT_ABOVE", "questions": []string{"b.girls", "b.pupils"}, "labelFr": "Filles", "labelNl": "Meisjes"}},
	}
	for _, name := range []string{"coord Schaerbeek", "operator 1", "analyst"} {
		if _, errs := w.askErrors(w.callers[name], create, map[string]any{"in": in}); len(errs) != 1 || errs[0]["code"] != "FORBIDDEN" {
			t.Errorf("%s making a template: %v, want FORBIDDEN", name, errs)
		}
	}
	data, errs := w.askErrors(w.callers["admin"], create, map[string]any{"in": in, "key": "tpl-1"})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	tpl := data["createReportTemplate"].(map[string]any)
	if again, errs := w.askErrors(w.callers["admin"], create, map[string]any{"in": in, "key": "tpl-1"}); len(errs) > 0 ||
		again["createReportTemplate"].(map[string]any)["id"] != tpl["id"] {
		t.Errorf("a retried template creation: %v %v, want the same template", again, errs)
	}
	b := tpl["sections"].([]any)[1].(map[string]any)
	pupils := b["questions"].([]any)[0].(map[string]any)
	if b["repeat"] != "PER_SITE" || pupils["label"] != "Leerlingen" || pupils["indicator"].(map[string]any)["code"] != "pupils" || pupils["min"] != "0" {
		t.Errorf("part B as made: %v", b)
	}
	why := tpl["sections"].([]any)[0].(map[string]any)["questions"].([]any)[1].(map[string]any)
	if why["askedWhen"].(map[string]any)["equals"] != "low" {
		t.Errorf("the conditional question: %v", why)
	}

	// A broken template names the element.
	bad := map[string]any{}
	for k, v := range in {
		bad[k] = v
	}
	bad["code"], bad["rules"] = "grid-bad", []map[string]any{{"key": "r", "kind": "NOT_ABOVE", "questions": []string{"b.girls", "b.nobody"}, "labelFr": "x", "labelNl": "x"}}
	if _, errs := w.askErrors(w.callers["admin"], create, map[string]any{"in": bad}); len(errs) != 1 || errs[0]["code"] != "BAD_USER_INPUT" ||
		!strings.HasPrefix(fmt.Sprint(errs[0]["field"]), "rules[0]") {
		t.Errorf("a rule on a question that does not exist: %v, want BAD_USER_INPUT on rules[0]", errs)
	}

	revise := `mutation($from: ID!) { reviseReportTemplate(from: $from, periodStart: "2026-01-01", periodEnd: "2026-12-31",
		change: [{key: "a.level", kind: SINGLE_CHOICE, labelFr: "Niveau atteint", labelNl: "Bereikt niveau", required: true,
			options: [{code: "low", labelFr: "Bas", labelNl: "Laag"}, {code: "high", labelFr: "Haut", labelNl: "Hoog"}]}],
		retire: ["a.why"], add: [{section: "b", question: {key: "b.hours", kind: NUMBER, labelFr: "Heures", labelNl: "Uren", unit: "hours"}}]) {
		id version basedOn { version } sections { questions { key label } } } }`
	data, errs = w.askErrors(w.callers["admin"], revise, map[string]any{"from": tpl["id"]})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	next := data["reviseReportTemplate"].(map[string]any)
	var keys []string
	for _, s := range next["sections"].([]any) {
		for _, q := range s.(map[string]any)["questions"].([]any) {
			keys = append(keys, q.(map[string]any)["key"].(string)+"="+q.(map[string]any)["label"].(string))
		}
	}
	if next["version"] != float64(2) || next["basedOn"].(map[string]any)["version"] != float64(1) ||
		strings.Join(keys, ",") != "a.level=Niveau atteint,b.pupils=Élèves,b.girls=Filles,b.hours=Heures" {
		t.Errorf("version 2: %v %v", next["version"], keys)
	}

	open := `mutation($t: ID!) { openCampaign(input: {code: "grid-2026", template: $t, periodStart: "2026-01-01", periodEnd: "2026-12-31",
		opensOn: "2026-01-01", dueOn: "2027-03-31", graceDays: 7}) { code deadline template { version } } }`
	data, errs = w.askErrors(w.callers["admin"], open, map[string]any{"t": next["id"]})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if c := data["openCampaign"].(map[string]any); c["deadline"] != "2027-04-07" || c["template"].(map[string]any)["version"] != float64(2) {
		t.Errorf("the campaign: %v", c)
	}
}
