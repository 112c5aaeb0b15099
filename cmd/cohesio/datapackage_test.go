package main

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/cohesio/cohesio/internal/dataset"
)

// The catalogue's data package tells the truth about the demo data: a field it says is
// required is filled on every row, and every value of a foreign key is a value of the field
// it references.
func TestDataPackageConstraintsHoldOnTheDemoData(t *testing.T) {
	url := serveDemo(t)
	get := func(path string) *http.Response {
		t.Helper()
		res, err := http.Get(path)
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, res.StatusCode)
		}
		return res
	}
	res := get(url + "/datasets/datapackage.json")
	var p dataset.Package
	err := json.NewDecoder(res.Body).Decode(&p)
	res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}

	// values[resource][field] holds the values of the field.
	values := map[string]map[string][]string{}
	for _, r := range p.Resources {
		res := get(r.Path)
		rows, err := csv.NewReader(res.Body).ReadAll()
		res.Body.Close()
		if err != nil || len(rows) < 2 {
			t.Fatalf("%s: %d rows, %v", r.Name, len(rows), err)
		}
		cols := map[string][]string{}
		for _, row := range rows[1:] {
			for i, name := range rows[0] {
				cols[name] = append(cols[name], row[i])
			}
		}
		values[r.Name] = cols
		for _, f := range r.Schema.Fields {
			if f.Constraints == nil || !f.Constraints.Required {
				continue
			}
			if n := slices.Index(cols[f.Name], ""); n >= 0 {
				t.Errorf("%s.%s is required, but row %d has it empty", r.Name, f.Name, n+1)
			}
		}
	}

	declared := map[string]bool{}
	for _, r := range p.Resources {
		for _, fk := range r.Schema.ForeignKeys {
			target := fk.Reference.Resource
			if target == "" {
				target = r.Name
			}
			declared[r.Name+"."+fk.Fields+" -> "+target+"."+fk.Reference.Fields] = true
			referenced, ok := values[target][fk.Reference.Fields]
			if !ok {
				t.Errorf("%s.%s references %s.%s, which the package does not hold", r.Name, fk.Fields, target, fk.Reference.Fields)
				continue
			}
			for i, v := range values[r.Name][fk.Fields] {
				if v != "" && !slices.Contains(referenced, v) {
					t.Errorf("%s row %d: %s = %q is no %s.%s", r.Name, i+1, fk.Fields, v, target, fk.Reference.Fields)
				}
			}
		}
	}
	for _, want := range []string{"observations.indicator -> indicators.code", "observations.project_id -> projects.id",
		"projects.operator_id -> operators.id", "indicators.parent -> indicators.code"} {
		if !declared[want] {
			t.Errorf("no foreign key %s among %v", want, declared)
		}
	}
}
