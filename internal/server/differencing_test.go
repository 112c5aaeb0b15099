package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/server"
)

// attendance is the attacker's target: a persons indicator in Schaerbeek (projects 1, 2 and 3)
// and Molenbeek (project 4), where project 2 counted 3 people in 2024 and 4 in 2023, and
// project 1's 12 split into 3 women and 9 men. An event drew 3 people.
const attendance = `
INSERT INTO indicator (code, programme_id, label_fr, label_nl, unit, aggregation, disaggregations, source_id)
  VALUES ('attendees', 1, 'Participants', 'Deelnemers', 'persons', 'sum', '{gender}', 1);
INSERT INTO disaggregation (dimension, code, label_fr, label_nl) VALUES ('gender', 'f', 'Femmes', 'Vrouwen'), ('gender', 'm', 'Hommes', 'Mannen');
INSERT INTO observation (indicator_id, project_id, period_start, period_end, granularity, kind, value, disaggregation_id, source_id)
  SELECT i.id, x.project, x.start::date, x.stop::date, 'year', x.kind, x.v, d.id, 1
  FROM indicator i, (VALUES
    (1, '2024-01-01', '2024-12-31', 'realised', 12, NULL), (1, '2024-01-01', '2024-12-31', 'realised', 3, 'f'),
    (1, '2024-01-01', '2024-12-31', 'realised', 9, 'm'),
    (2, '2024-01-01', '2024-12-31', 'realised', 3, NULL), (2, '2024-01-01', '2024-12-31', 'target', 8, NULL),
    (3, '2024-01-01', '2024-12-31', 'realised', 10, NULL), (4, '2024-01-01', '2024-12-31', 'realised', 20, NULL),
    (1, '2023-01-01', '2023-12-31', 'realised', 8, NULL), (2, '2023-01-01', '2023-12-31', 'realised', 4, NULL),
    (3, '2023-01-01', '2023-12-31', 'realised', 6, NULL)) AS x(project, start, stop, kind, v, g)
  LEFT JOIN disaggregation d ON d.code = x.g
  WHERE i.code = 'attendees';
INSERT INTO event (title, held_on, participant_count, territory_id, source_id)
  VALUES ('Atelier A', '2024-03-01', 3, 2, 1), ('Atelier B', '2024-03-02', 40, 2, 1);`

// otherSecrets changes every withheld count to another small one, keeping every published
// count (the 12 stays 12: 1 woman and 11 men).
const otherSecrets = `
UPDATE observation SET value = CASE value WHEN 3 THEN 1 WHEN 4 THEN 2 WHEN 9 THEN 11 END
  WHERE indicator_id = (SELECT id FROM indicator WHERE code = 'attendees') AND value IN (3, 4, 9);
UPDATE event SET participant_count = 2 WHERE participant_count = 3;`

// differencingRoutes are the requests an attacker combines: the read API's rows and
// aggregates, reports (totals, subtotals, overlapping filters, comparisons with the previous
// period, values per 1,000 inhabitants, breakdowns, averages), dataset exports and rule
// checks. Each is a GraphQL document, or a path to GET.
var differencingRoutes = []string{
	`{ observations(filter: {indicator: {code: {eq: "attendees"}}}, first: 50) { nodes { value kind periodStart project { id } disaggregation { code } } aggregate { count sum(field: VALUE) avg(field: VALUE) min(field: VALUE) max(field: VALUE) } } }`,
	`{ observations(filter: {indicator: {code: {eq: "attendees"}}, project: {title: {in: ["École de devoirs", "Accompagnement logement"]}}}) { aggregate { sum(field: VALUE) } } }`,
	`{ projects(first: 10) { nodes { title observations(first: 10) { aggregate { sum(field: VALUE) } } } } }`,
	`{ events(first: 10) { nodes { title participantCount } aggregate { sum(field: PARTICIPANT_COUNT) } } }`,
	`{ report(measures: [{kind: SUM, indicator: "attendees"}], dimensions: [{kind: TERRITORY}, {kind: PERIOD}], totals: GRAND_TOTAL, compareWithPreviousPeriod: true) { rows { isTotal keys { code } values { value previous change suppressed previousSuppressed } } } }`,
	`{ report(measures: [{kind: SUM, indicator: "attendees"}, {kind: SUM, indicator: "attendees", perThousandInhabitants: true, alias: "per1000"}], dimensions: [{kind: TERRITORY}, {kind: PERIOD}], totals: SUBTOTALS) { rows { isTotal keys { code } values { value suppressed previousSuppressed } } } }`,
	`{ report(measures: [{kind: SUM, indicator: "attendees"}], filter: {territory: {nisCode: {eq: "21015"}}}) { rows { values { value suppressed previousSuppressed } } } }`,
	`{ report(measures: [{kind: SUM, indicator: "attendees"}], filter: {project: {title: {in: ["École de devoirs", "Accompagnement logement"]}}}) { rows { values { value suppressed previousSuppressed } } } }`,
	`{ report(measures: [{kind: SUM, indicator: "attendees"}], filter: {operator: {name: {eq: "Maison des Écoles"}}}) { rows { values { value suppressed previousSuppressed } } } }`,
	`{ report(measures: [{kind: SUM, indicator: "attendees"}, {kind: AVG, indicator: "attendees", alias: "avg"}, {kind: MIN, indicator: "attendees", alias: "min"}, {kind: MAX, indicator: "attendees", alias: "max"}, {kind: OBSERVATION_COUNT, indicator: "attendees", alias: "n"}, {kind: ACHIEVEMENT_RATE, indicator: "attendees", alias: "rate"}], dimensions: [{kind: PERIOD}], compareWithPreviousPeriod: true) { rows { values { value previous change changePercent suppressed previousSuppressed } } } }`,
	`{ report(measures: [{kind: SUM, indicator: "attendees"}], dimensions: [{kind: DISAGGREGATION, disaggregation: "gender"}], totals: GRAND_TOTAL) { rows { isTotal keys { code } values { value suppressed previousSuppressed } } } }`,
	`{ report(measures: [{kind: PARTICIPANTS}, {kind: EVENT_COUNT}], dimensions: [{kind: TERRITORY}], totals: GRAND_TOTAL) { rows { values { value suppressed previousSuppressed } } } }`,
	`{ ruleViolations { observed threshold evidence } }`,
	`/datasets/observations.csv`,
	`/datasets/observations.csv?filter=` + url.QueryEscape(`{"project": {"title": {"in": ["École de devoirs", "Accompagnement logement"]}}}`),
}

// answers runs every route as role and returns the bodies, by route.
func answers(t *testing.T, a *api) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, route := range differencingRoutes {
		if strings.HasPrefix(route, "/") {
			res, body := a.get(route)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("%s: %d %s", route, res.StatusCode, body)
			}
			out[route] = string(body)
			continue
		}
		resp := a.raw(route, nil)
		if len(resp.Errors) > 0 {
			t.Fatalf("%s: %+v", route, resp.Errors)
		}
		out[route] = string(resp.Data)
	}
	return out
}

// No combination of outputs gives a withheld count back when every output is the same for
// any value of the withheld counts: whatever an attacker subtracts, divides or compares, the
// answers they start from do not depend on the secret.
func TestWithheldCountsCannotBeRecoveredByCombiningOutputs(t *testing.T) {
	for _, role := range []access.Role{access.Public, access.Researcher} {
		a := newAPI(t, func(c *server.Config) { c.Role = role })
		a.exec(attendance)
		before := answers(t, a)
		var snapshot string
		if role == access.Researcher {
			snapshot = freeze(t, a)
		}
		a.exec(otherSecrets)
		after := answers(t, a)
		for _, route := range differencingRoutes {
			if before[route] != after[route] {
				t.Errorf("%s: %s depends on withheld counts:\n%s\n%s", role, route, before[route], after[route])
			}
		}
		if role == access.Researcher && freeze(t, a) != snapshot {
			t.Errorf("a snapshot frozen before and one after differ: it depends on withheld counts")
		}
	}
	// The routes do read the counts: an analyst, who sees them, gets other answers.
	a := newAPI(t, func(c *server.Config) { c.Role = access.Analyst })
	a.exec(attendance)
	before := answers(t, a)
	a.exec(otherSecrets)
	after := answers(t, a)
	changed := 0
	for _, route := range differencingRoutes {
		if before[route] != after[route] {
			changed++
		}
	}
	// All but three: no rule is broken, and the two selections of projects 1 and 3 (the read
	// API's and a report's) hold no secret an analyst could see change.
	if changed != len(differencingRoutes)-3 {
		t.Errorf("only %d of %d routes read the counts an analyst sees", changed, len(differencingRoutes))
	}
}

// The published total is the sum of the published cells: a public total of Schaerbeek's
// attendance does not count project 2's 3 people, and says nothing of them.
func TestPublicTotalsAreSumsOfPublishedCells(t *testing.T) {
	a := newAPI(t, func(c *server.Config) { c.Role = access.Public })
	a.exec(attendance)
	var data struct {
		Report struct {
			Rows []struct {
				Values []struct {
					Value      *string
					Suppressed bool
				}
			}
		}
	}
	a.query(`{ report(measures: [{kind: SUM, indicator: "attendees"}], filter: {territory: {nisCode: {eq: "21015"}}, from: "2024-01-01", to: "2024-12-31"}) { rows { values { value suppressed previousSuppressed } } } }`, nil, &data)
	if v := data.Report.Rows[0].Values[0]; v.Value == nil || *v.Value != "22" {
		t.Errorf("Schaerbeek's public total = %+v, want 22 (12 + 10; the 3 is withheld)", v)
	}
}

// freeze makes a snapshot of the observations as the API's role and returns its content.
func freeze(t *testing.T, a *api) string {
	t.Helper()
	res, body := do(t, http.MethodPost, a.srv.URL+"/datasets/observations/snapshots", "application/json", `{}`)
	var snap struct{ ID string }
	if err := json.Unmarshal(body, &snap); err != nil || res.StatusCode >= 300 {
		t.Fatalf("snapshot: %d %s", res.StatusCode, body)
	}
	res, csv := a.get("/snapshots/" + snap.ID + ".csv")
	if res.StatusCode != http.StatusOK || !bytes.Contains(csv, []byte("attendees")) {
		t.Fatalf("snapshot download: %d %s", res.StatusCode, csv)
	}
	return string(csv)
}
