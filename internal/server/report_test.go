package server_test

import (
	"strings"
	"testing"
)

func TestReportOverGraphQL(t *testing.T) {
	a := newAPI(t)
	var data struct {
		Report struct {
			Dimensions []struct{ Name, Label string }
			Measures   []struct {
				Name, Label string
				Unit        *string
			}
			Rows []struct {
				IsTotal bool
				Keys    []struct{ Code, Label *string }
				Values  []struct{ Value *string }
			}
		}
	}
	a.query(`{ report(measures: [{kind: BUDGET, alias: "budget"}], dimensions: [{kind: FUNDER_LEVEL}],
		filter: {territory: {nisCode: {eq: "21015"}}}, totals: GRAND_TOTAL, lang: NL) {
		dimensions { name label } measures { name label unit } rows { isTotal keys { code label } values { value } } } }`, nil, &data)
	r := data.Report
	if r.Dimensions[0].Label != "Bestuursniveau" || r.Measures[0].Name != "budget" || *r.Measures[0].Unit != "EUR" {
		t.Errorf("columns = %+v %+v", r.Dimensions, r.Measures)
	}
	if len(r.Rows) != 2 || *r.Rows[0].Keys[0].Label != "Gemeenschapscommissie" || *r.Rows[0].Values[0].Value != "23000.5" || !r.Rows[1].IsTotal || r.Rows[1].Keys[0].Code != nil {
		t.Errorf("rows = %+v", r.Rows)
	}

	resp := a.raw(`{ report(measures: [{kind: SUM, indicator: "nope"}]) { rows { isTotal } } }`, nil)
	if len(resp.Errors) != 1 || resp.Errors[0].Extensions["field"] != "measures[0].indicator" || !strings.Contains(resp.Errors[0].Message, "nope") {
		t.Errorf("errors = %+v", resp.Errors)
	}
}
