package dataset_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/cohesio/cohesio/internal/dataset"
)

// Foreign keys name only resources of the same package ("" for the resource itself), and a
// filtered package, whose rows may reference rows it left out, declares none.
func TestForeignKeysStayInsideThePackage(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	keys := func(p *dataset.Package) map[string][]string {
		out := map[string][]string{}
		for _, r := range p.Resources {
			for _, fk := range r.Schema.ForeignKeys {
				out[r.Name] = append(out[r.Name], fmt.Sprintf("%s -> %q.%s", fk.Fields, fk.Reference.Resource, fk.Reference.Fields))
			}
		}
		return out
	}
	all, err := e.svc.Package(ctx, "cohesio", "Cohesio", e.svc.Catalogue().Datasets(), dataset.PackageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(keys(all)["observations"]); got != `[indicator -> "indicators".code project_id -> "projects".id operator_id -> "operators".id]` {
		t.Errorf("observations' foreign keys: %s", got)
	}
	indicators := []*dataset.Dataset{e.svc.Catalogue().Dataset("indicators")}
	one, err := e.svc.Package(ctx, "cohesio-indicators", "Indicators", indicators, dataset.PackageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(keys(one)); got != `map[indicators:[parent -> "".code numerator -> "".code denominator -> "".code]]` {
		t.Errorf("the indicators alone: %s, want its references to itself only", got)
	}
	raw := json.RawMessage(`{"unit": {"eq": "persons"}}`)
	filtered, err := e.svc.Package(ctx, "cohesio-indicators", "Indicators", indicators, dataset.PackageOptions{RawFilter: raw})
	if err != nil {
		t.Fatal(err)
	}
	if got := keys(filtered); len(got) != 0 {
		t.Errorf("a filtered package declares %v", got)
	}
}
