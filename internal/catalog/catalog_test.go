package catalog_test

import (
	"strings"
	"testing"

	"github.com/cohesio/cohesio/internal/catalog"
)

func TestLoadReadsTheModelFromTheSchema(t *testing.T) {
	c, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	op := c.Entity("Operator")
	if op == nil || op.Table != "operator" || op.LabelNL != "Operator" {
		t.Fatalf("Operator entity = %+v", op)
	}
	if f := op.Field("enterpriseNumber"); f == nil || f.Column != "enterprise_number" || !f.Nullable || f.Kind != catalog.KindString {
		t.Errorf("enterpriseNumber = %+v", f)
	}
	if f := op.Field("kind"); f == nil || f.Kind != catalog.KindEnum || !f.Sortable || strings.Join(f.Enum, ",") != "public,associative,private" {
		t.Errorf("kind = %+v", f)
	}
	if op.Field("name") == nil || op.Field("legalForm") != nil {
		t.Errorf("relations must not be fields")
	}
	r := op.Relation("territories")
	if r == nil || !r.Many || r.Target.Name != "Territory" || r.Link != "operator_territory" || r.Ref != "operator_id" || r.FK != "territory_id" {
		t.Errorf("territories = %+v", r)
	}
	if r := op.Relation("seatCommune"); r == nil || r.Many || r.FK != "seat_commune_id" {
		t.Errorf("seatCommune = %+v", r)
	}
	want := map[string]bool{"seat_commune_id": true, "legal_form_id": true, "source_id": true, "enterprise_number": true}
	for _, col := range op.Columns() {
		delete(want, col)
	}
	if len(want) > 0 {
		t.Errorf("Columns() misses %v", want)
	}
	if n := len(c.Entities()); n != 22 {
		t.Errorf("%d entities, want 22", n)
	}
}

func TestNames(t *testing.T) {
	for in, want := range map[string]string{"nisCode": "nis_code", "id": "id", "populationDate": "population_date"} {
		if got := catalog.ToSnake(in); got != want {
			t.Errorf("ToSnake(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"NAME_FR": "nameFr", "CODE": "code", "START_DATE": "startDate"} {
		if got := catalog.EnumToField(in); got != want {
			t.Errorf("EnumToField(%q) = %q, want %q", in, got, want)
		}
	}
}
