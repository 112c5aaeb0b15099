package server_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/server"
	"github.com/cohesio/cohesio/internal/store"
)

func (a *api) get(path string) (*http.Response, []byte) {
	a.t.Helper()
	return do(a.t, http.MethodGet, a.srv.URL+path, "", "")
}

func do(t testing.TB, method, url, contentType, body string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, b
}

func (a *api) exec(sql string) {
	a.t.Helper()
	err := a.store.Load(context.Background(), func(ctx context.Context, l *store.Loader) error { return l.ExecScript(ctx, sql) })
	if err != nil {
		a.t.Fatal(err)
	}
}

func TestDatasetCatalogueOverHTTP(t *testing.T) {
	a := newAPI(t)
	res, body := a.get("/datasets")
	var out struct {
		Datasets []struct {
			Name      string
			Downloads map[string]string
		}
	}
	if err := json.Unmarshal(body, &out); err != nil || res.StatusCode != 200 {
		t.Fatalf("%d %s", res.StatusCode, body)
	}
	var names []string
	for _, d := range out.Datasets {
		names = append(names, d.Name)
	}
	if strings.Join(names, ",") != "operators,programmes,projects,indicators,observations,needs,transversal-links" {
		t.Errorf("datasets = %v", names)
	}
	if u := out.Datasets[0].Downloads["parquet"]; u != a.srv.URL+"/datasets/operators.parquet" {
		t.Errorf("parquet link = %q", u)
	}
}

func TestDatasetDownloadsOverHTTP(t *testing.T) {
	a := newAPI(t)
	for file, ct := range map[string]string{
		"projects.csv":       "text/csv; charset=utf-8; header=present",
		"projects.excel.csv": "text/csv; charset=utf-8; header=present",
		"projects.xlsx":      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		"projects.parquet":   "application/vnd.apache.parquet",
		"projects.ndjson":    "application/x-ndjson",
	} {
		res, body := a.get("/datasets/" + file)
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != ct || len(body) == 0 {
			t.Errorf("%s: %d %q (%d bytes)", file, res.StatusCode, res.Header.Get("Content-Type"), len(body))
		}
		if cd := res.Header.Get("Content-Disposition"); cd != "attachment; filename="+file {
			t.Errorf("%s: Content-Disposition %q", file, cd)
		}
	}

	_, body := a.get("/datasets/projects.excel.csv")
	if !bytes.HasPrefix(body, []byte("\xEF\xBB\xBF")) {
		t.Errorf("the Excel CSV starts with % x, want the UTF-8 BOM", body[:3])
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\xEF\xBB\xBF"))))
	r.Comma = ';'
	records, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if records[1][2] != "École de devoirs" || records[1][11] != "15000,5" {
		t.Errorf("Excel CSV row = %v; want the accents intact and a decimal comma", records[1])
	}
}

func TestDatasetFiltersAreTheReadAPIFilters(t *testing.T) {
	a := newAPI(t)
	filter := url.QueryEscape(`{"seatCommune": {"nisCode": {"eq": "21012"}}, "kind": {"in": ["ASSOCIATIVE"]}}`)
	_, body := a.get("/datasets/operators.csv?filter=" + filter)
	records, _ := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if len(records) != 2 || records[1][2] != "Lire et Écrire Molenbeek" {
		t.Errorf("filtered export = %v", records)
	}
	for path, want := range map[string]string{
		"/datasets/operators.csv?filter=" + url.QueryEscape(`{"seatComune": {}}`):         "filter.seatComune",
		"/datasets/operators.csv?filter=" + url.QueryEscape(`{"kind": {"eq": "PUBLIK"}}`): "filter.kind.eq",
		"/datasets/operators.csv?filter=" + url.QueryEscape(`{"name": {"eqq": "x"}}`):     "filter.name.eqq",
		"/datasets/operators.csv?filter=" + url.QueryEscape(`{"name":`):                   "filter",
		"/datasets/operators.docx": "format",
	} {
		res, body := a.get(path)
		var e struct{ Error, Field string }
		json.Unmarshal(body, &e)
		if res.StatusCode != 400 || e.Field != want || res.Header.Get("Content-Disposition") != "" {
			t.Errorf("%s: %d %s; want 400 naming %s", path, res.StatusCode, body, want)
		}
	}
	if res, _ := a.get("/datasets/nothing.csv"); res.StatusCode != 404 {
		t.Errorf("unknown dataset: %d", res.StatusCode)
	}
}

// smallCounts adds 12 participants of project 1 in 2024: 3 women and 9 men.
const smallCounts = `
INSERT INTO indicator (code, programme_id, label_fr, label_nl, unit, aggregation, disaggregations, source_id)
  VALUES ('participants', 1, 'Participants', 'Deelnemers', 'persons', 'sum', '{gender}', 1);
INSERT INTO disaggregation (dimension, code, label_fr, label_nl) VALUES ('gender', 'f', 'Femmes', 'Vrouwen'), ('gender', 'm', 'Hommes', 'Mannen');
INSERT INTO observation (indicator_id, project_id, period_start, period_end, granularity, kind, value, disaggregation_id, source_id)
  SELECT i.id, 1, '2024-01-01', '2024-12-31', 'year', 'realised', v, d.id, 1
  FROM indicator i, (VALUES (12, NULL), (3, 'f'), (9, 'm')) AS x(v, g) LEFT JOIN disaggregation d ON d.code = x.g
  WHERE i.code = 'participants';`

func TestSnapshotsOverHTTP(t *testing.T) {
	if res, _ := do(t, http.MethodPost, newAPI(t).srv.URL+"/datasets/operators/snapshots", "application/json", `{}`); res.StatusCode != http.StatusForbidden {
		t.Errorf("an anonymous caller froze a snapshot: %d, want 403", res.StatusCode)
	}
	a := newAPI(t, func(c *server.Config) { c.Role = access.Researcher })
	a.exec(smallCounts)
	if res, _ := do(t, http.MethodPost, a.srv.URL+"/datasets/observations/snapshots", "application/x-www-form-urlencoded", "filter=x"); res.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("a form post made a snapshot: %d", res.StatusCode)
	}
	res, body := do(t, http.MethodPost, a.srv.URL+"/datasets/observations/snapshots", "application/json", `{"filter": {"kind": {"eq": "REALISED"}}}`)
	var snap struct {
		ID, Hash             string
		RowCount             int
		SuppressionThreshold *int
		Downloads            map[string]string
	}
	if err := json.Unmarshal(body, &snap); err != nil || res.StatusCode != http.StatusCreated || res.Header.Get("Location") != "/snapshots/"+snap.ID {
		t.Fatalf("create: %d %s", res.StatusCode, body)
	}
	if snap.RowCount != 4 || snap.SuppressionThreshold == nil || *snap.SuppressionThreshold != 5 || snap.Hash != "sha256:"+snap.ID {
		t.Errorf("snapshot = %+v", snap)
	}
	if res, _ := do(t, http.MethodPost, a.srv.URL+"/datasets/observations/snapshots", "application/json", `{"filter": {"kind": {"eq": "REALISED"}}}`); res.StatusCode != http.StatusOK {
		t.Errorf("the same content again: %d, want 200 (the existing snapshot)", res.StatusCode)
	}
	res, first := a.get("/snapshots/" + snap.ID + ".csv")
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("download: %d %v", res.StatusCode, res.Header)
	}
	if !strings.Contains(string(first), ",12,") || strings.Contains(string(first), ",3,") || strings.Contains(string(first), ",9,") {
		t.Errorf("public snapshot must withhold 3 and 9:\n%s", first)
	}
	a.exec(`UPDATE observation SET value = 13 WHERE value = 12`)
	if _, again := a.get("/snapshots/" + snap.ID + ".csv"); !bytes.Equal(again, first) {
		t.Errorf("snapshot bytes changed with the live data")
	}
	_, pkg := a.get("/snapshots/" + snap.ID + "/datapackage.json")
	if !strings.Contains(string(pkg), `"id": "`+snap.ID+`"`) || !strings.Contains(string(pkg), `"profile": "tabular-data-package"`) {
		t.Errorf("snapshot package:\n%s", pkg)
	}
	_, list := a.get("/snapshots?dataset=observations")
	if !strings.Contains(string(list), snap.ID) {
		t.Errorf("list: %s", list)
	}
	if res, _ := a.get("/snapshots/" + strings.Repeat("0", 64) + ".csv"); res.StatusCode != 404 {
		t.Errorf("unknown snapshot: %d", res.StatusCode)
	}
}

func TestUnsuppressedSnapshotsAreRefusedToThePublic(t *testing.T) {
	a := newAPI(t, func(c *server.Config) { c.Role = access.Analyst })
	a.exec(smallCounts)
	_, body := do(t, http.MethodPost, a.srv.URL+"/datasets/observations/snapshots", "application/json", `{}`)
	var snap struct{ ID string }
	json.Unmarshal(body, &snap)
	public, err := server.New(server.Config{Store: a.store, Role: access.Public})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(public)
	defer srv.Close()
	if res, body := do(t, http.MethodGet, srv.URL+"/snapshots/"+snap.ID+".csv", "", ""); res.StatusCode != http.StatusForbidden {
		t.Errorf("public download of an analyst's snapshot: %d %s", res.StatusCode, body)
	}
	if res, _ := a.get("/snapshots/" + snap.ID + ".csv"); res.StatusCode != 200 {
		t.Errorf("analyst download: %d", res.StatusCode)
	}
}

func TestDatasetsOverGraphQL(t *testing.T) {
	a := newAPI(t)
	var data struct {
		Dataset struct {
			Title  string
			Fields []struct {
				Name, Type, Description string
				AllowedValues           []string
			}
			Suppression struct {
				Threshold    int
				AppliesToYou bool
			}
			Downloads      []struct{ Format, URL string }
			DataPackageURL string
		}
		Datasets []struct{ Name string }
	}
	a.query(`{ datasets { name } dataset(name: "observations") { title(lang: FR) fields { name type description(lang: NL) allowedValues }
		suppression { threshold appliesToYou } downloads { format url } dataPackageUrl } }`, nil, &data)
	d := data.Dataset
	if len(data.Datasets) != 7 || d.Title != "Observations (format long)" || d.DataPackageURL != "/datasets/observations/datapackage.json" {
		t.Errorf("dataset = %+v", d)
	}
	if !d.Suppression.AppliesToYou || d.Suppression.Threshold != 5 {
		t.Errorf("suppression = %+v", d.Suppression)
	}
	kinds := map[string]string{}
	for _, f := range d.Fields {
		kinds[f.Name] = f.Type
		if f.Name == "kind" && strings.Join(f.AllowedValues, ",") != "target,realised,baseline" {
			t.Errorf("kind allowed values = %v", f.AllowedValues)
		}
		if f.Name == "value" && !strings.Contains(f.Description, "waarde") {
			t.Errorf("Dutch description of value = %q", f.Description)
		}
	}
	if kinds["value"] != "number" || kinds["period_start"] != "date" || kinds["suppressed"] != "boolean" || kinds["id"] != "integer" {
		t.Errorf("types = %v", kinds)
	}
}

func TestReportsWithholdSmallPersonCountsBelowAnalyst(t *testing.T) {
	const byGender = `dimensions: [{kind: DISAGGREGATION, disaggregation: "gender"}], totals: GRAND_TOTAL) { rows { isTotal keys { code } values { value suppressed } } } }`
	queries := map[string]string{
		"a sum":                          `{ report(measures: [{kind: SUM, indicator: "participants", alias: "p"}], ` + byGender,
		"a sum per 1,000 inhabitants":    `{ report(measures: [{kind: SUM, indicator: "participants", perThousandInhabitants: true}], ` + byGender,
		"a sum of every indicator's own": `{ report(measures: [{kind: SUM}], dimensions: [{kind: INDICATOR}, {kind: DISAGGREGATION, disaggregation: "gender"}], totals: SUBTOTALS) { rows { isTotal keys { code } values { value suppressed } } } }`,
	}
	type rows struct {
		Report struct {
			Rows []struct {
				IsTotal bool
				Keys    []struct{ Code *string }
				Values  []struct {
					Value      *string
					Suppressed bool
				}
			}
		}
	}
	cells := func(role access.Role, q string) map[string]string {
		a := newAPI(t, func(c *server.Config) { c.Role = role })
		a.exec(smallCounts)
		var data rows
		a.query(q, nil, &data)
		out := map[string]string{}
		for _, r := range data.Report.Rows {
			key := "total"
			if !r.IsTotal {
				key = *r.Keys[len(r.Keys)-1].Code
			}
			v := r.Values[0]
			switch {
			case v.Suppressed && v.Value == nil:
				out[key] = "withheld"
			case v.Value != nil && !v.Suppressed:
				out[key] = *v.Value
			default:
				t.Errorf("%s: value %v with suppressed %v", key, v.Value, v.Suppressed)
			}
		}
		return out
	}
	for name, q := range queries {
		if got := cells(access.Researcher, q); got["f"] != "withheld" || got["m"] != "withheld" {
			t.Errorf("%s: researcher sees %v; want women and men withheld (12 - 9 would reveal the 3)", name, got)
		}
		if got := cells(access.Analyst, q); got["f"] == "withheld" || got["m"] == "withheld" {
			t.Errorf("%s: analyst sees %v", name, got)
		}
	}
	// The breakdown's own total adds up withheld cells only; the recorded total of 12 is
	// published, in a report without the breakdown.
	if got := cells(access.Researcher, queries["a sum"]); got["total"] != "withheld" {
		t.Errorf("the total of the withheld breakdown is withheld: %v", got)
	}
	if got := cells(access.Researcher, `{ report(measures: [{kind: SUM, indicator: "participants"}], dimensions: [{kind: TERRITORY}], totals: GRAND_TOTAL) { rows { isTotal keys { code } values { value suppressed } } } }`); got["21015"] != "12" || got["total"] != "12" {
		t.Errorf("the total of 12 is published: %v", got)
	}
	if got := cells(access.Analyst, queries["a sum"]); got["f"] != "3" || got["m"] != "9" {
		t.Errorf("analyst sees %v", got)
	}
}

func TestTheReadAPIShowsThePublicOnlyPublishedPersonCounts(t *testing.T) {
	const q = `{ observations(filter: {indicator: {code: {eq: "participants"}}}) {
		totalCount nodes { value disaggregation { code } } aggregate { sum(field: VALUE) } } }`
	type result struct {
		Observations struct {
			TotalCount int
			Nodes      []struct {
				Value          *string
				Disaggregation *struct{ Code string }
			}
			Aggregate struct{ Sum *string }
		}
	}
	run := func(role access.Role, query string) result {
		a := newAPI(t, func(c *server.Config) { c.Role = role })
		a.exec(smallCounts + `
			INSERT INTO observation (indicator_id, project_id, period_start, period_end, granularity, kind, value, status, source_id)
			SELECT id, 2, '2024-01-01', '2024-12-31', 'year', 'realised', 30, 'draft', 1 FROM indicator WHERE code = 'participants';`)
		var r result
		a.query(query, nil, &r)
		return r
	}
	public := run(access.Public, q).Observations
	if public.TotalCount != 3 {
		t.Errorf("the public sees %d observations, want the 3 validated ones (not the draft)", public.TotalCount)
	}
	for _, n := range public.Nodes {
		switch {
		case n.Disaggregation == nil && (n.Value == nil || *n.Value != "12"):
			t.Errorf("the total of 12 is published, got %v", n.Value)
		case n.Disaggregation != nil && n.Value != nil:
			t.Errorf("breakdown %s = %s shown to the public", n.Disaggregation.Code, *n.Value)
		}
	}
	if public.Aggregate.Sum == nil || *public.Aggregate.Sum != "12" {
		t.Errorf("the public's sum counts only published values: %v, want 12", public.Aggregate.Sum)
	}
	probe := run(access.Public, `{ observations(filter: {value: {lt: "5"}, indicator: {code: {eq: "participants"}}}) { totalCount } }`)
	if probe.Observations.TotalCount != 0 {
		t.Errorf("a filter on value finds %d withheld observations", probe.Observations.TotalCount)
	}
	analyst := run(access.Analyst, q).Observations
	if analyst.TotalCount != 3 || analyst.Aggregate.Sum == nil || *analyst.Aggregate.Sum != "24" {
		t.Errorf("analysts see every validated observation in full: %d, sum %v", analyst.TotalCount, analyst.Aggregate.Sum)
	}
	admin := run(access.Admin, q).Observations
	if admin.TotalCount != 4 || admin.Aggregate.Sum == nil || *admin.Aggregate.Sum != "54" {
		t.Errorf("administrators see drafts too: %d, sum %v", admin.TotalCount, admin.Aggregate.Sum)
	}
}

func TestDatasetCoverageCostsOneStatementForAllDatasets(t *testing.T) {
	a := newAPI(t)
	var data struct {
		Datasets []struct {
			Name     string
			Coverage struct {
				Rows        int
				From, To    *string
				Territories []string
				Sources     []struct{ Title string }
			}
		}
	}
	before := a.statements.n.Load()
	a.query(`{ datasets { name coverage { rows from to territories sources { title } } } }`, nil, &data)
	if n := a.statements.n.Load() - before; n != 1 {
		t.Errorf("%d statements for the coverage of %d datasets, want 1", n, len(data.Datasets))
	}
	for _, d := range data.Datasets {
		if d.Name != "projects" {
			continue
		}
		c := d.Coverage
		if c.Rows != 4 || *c.From != "2024-01-01" || c.To != nil || strings.Join(c.Territories, ",") != "21012,21015" || len(c.Sources) != 1 {
			t.Errorf("projects coverage = %+v", c)
		}
	}
}

func TestSmallEventAttendanceIsWithheldFromThePublic(t *testing.T) {
	const q = `{ events(filter: {title: {startsWith: "Atelier"}}) { nodes { title participantCount } aggregate { sum(field: PARTICIPANT_COUNT) } } }`
	attendance := func(role access.Role) map[string]any {
		a := newAPI(t, func(c *server.Config) { c.Role = role })
		a.exec(`INSERT INTO event (title, held_on, participant_count, source_id) VALUES ('Atelier A', '2024-03-01', 3, 1), ('Atelier B', '2024-03-02', 40, 1)`)
		var data struct {
			Events struct {
				Nodes []struct {
					Title            string
					ParticipantCount *int
				}
				Aggregate struct{ Sum *string }
			}
		}
		a.query(q, nil, &data)
		out := map[string]any{"sum": *data.Events.Aggregate.Sum}
		for _, n := range data.Events.Nodes {
			out[n.Title] = n.ParticipantCount
			if n.ParticipantCount != nil {
				out[n.Title] = *n.ParticipantCount
			}
		}
		return out
	}
	if got := attendance(access.Public); got["Atelier A"] != (*int)(nil) || got["Atelier B"] != 40 || got["sum"] != "40" {
		t.Errorf("the public sees %v; want the 3 withheld everywhere", got)
	}
	if got := attendance(access.Analyst); got["Atelier A"] != 3 || got["sum"] != "43" {
		t.Errorf("an analyst sees %v", got)
	}
}

// A snapshot download is immutable: its ETag is its content hash, and a conditional request
// naming it (strong, weak, in a list, or *) gets 304 with no body.
func TestSnapshotDownloadAnswersNotModified(t *testing.T) {
	a := newAPI(t, func(c *server.Config) { c.Role = access.Analyst })
	a.exec(smallCounts)
	snapshot := func(filter string) string {
		_, body := do(t, http.MethodPost, a.srv.URL+"/datasets/observations/snapshots", "application/json", `{"filter": `+filter+`}`)
		var snap struct{ ID string }
		if err := json.Unmarshal(body, &snap); err != nil || snap.ID == "" {
			t.Fatalf("create: %s", body)
		}
		return snap.ID
	}
	id := snapshot(`{"kind": {"eq": "REALISED"}}`)
	conditional := func(path, ifNoneMatch string) (*http.Response, []byte) {
		req, _ := http.NewRequest(http.MethodGet, a.srv.URL+path, nil)
		if ifNoneMatch != "" {
			req.Header.Set("If-None-Match", ifNoneMatch)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, b
	}
	res, _ := conditional("/snapshots/"+id+".csv", "")
	etag := res.Header.Get("ETag")
	if res.StatusCode != http.StatusOK || !strings.Contains(etag, id) {
		t.Fatalf("download: %d, ETag %q", res.StatusCode, etag)
	}
	for _, inm := range []string{etag, "W/" + etag, `"other", ` + etag, "*"} {
		res, body := conditional("/snapshots/"+id+".csv", inm)
		if res.StatusCode != http.StatusNotModified || len(body) != 0 || res.Header.Get("ETag") != etag ||
			!strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("If-None-Match %s: %d, %d bytes, headers %v; want 304 with the ETag and Cache-Control", inm, res.StatusCode, len(body), res.Header)
		}
	}
	// Another snapshot's, or another format's, ETag is not this download's.
	other := snapshot(`{}`)
	for _, inm := range []string{`"` + other + `-csv"`, `"` + id + `-json"`} {
		if res, body := conditional("/snapshots/"+id+".csv", inm); res.StatusCode != http.StatusOK || len(body) == 0 {
			t.Errorf("If-None-Match %s: %d, %d bytes; want 200 with the rows", inm, res.StatusCode, len(body))
		}
	}
	// An unsuppressed snapshot (an analyst's) is not for shared caches.
	if res, _ := conditional("/snapshots/"+id+".csv", ""); !strings.HasPrefix(res.Header.Get("Cache-Control"), "private") {
		t.Errorf("unsuppressed snapshot: Cache-Control %q, want private", res.Header.Get("Cache-Control"))
	}
}
