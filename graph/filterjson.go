package graph

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/cohesio/cohesio/graph/generated"
	"github.com/cohesio/cohesio/internal/catalog"
	"github.com/cohesio/cohesio/internal/cohesion"
)

// FilterFromJSON reads a filter written in JSON, as the GraphQL variable of the entity's
// filter type would be (`{"seatCommune": {"nisCode": {"eq": "21015"}}}`). It is checked
// against the schema exactly as a GraphQL request's variables are, then converted like the
// read API's filters, so that the plain HTTP exports filter the same way as the API, within
// the same limits (catalog.MaxFilterDepth, catalog.MaxFilterConditions).
func FilterFromJSON(cat *catalog.Catalog, entity string, raw []byte) (catalog.Filter, error) {
	e := cat.Entity(entity)
	if e == nil {
		return catalog.Filter{}, fmt.Errorf("no entity %s", entity)
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return catalog.Filter{}, nil
	}
	// Too deep a value is refused before it is decoded: the checks below recurse on it.
	if err := catalog.CheckFilterJSON(raw, "filter"); err != nil {
		return catalog.Filter{}, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return catalog.Filter{}, cohesion.Invalid("filter", "not valid JSON: "+err.Error())
	}
	if dec.More() {
		return catalog.Filter{}, cohesion.Invalid("filter", "unexpected data after the filter")
	}
	schema := filterSchema()
	def := schema.Types[entity+"Filter"]
	if def == nil {
		return catalog.Filter{}, fmt.Errorf("no filter type for %s", entity)
	}
	// Unknown fields first, in a stable order, so that the same input gets the same error.
	if err := knownFields(schema, def, v, "filter"); err != nil {
		return catalog.Filter{}, err
	}
	op := &ast.OperationDefinition{VariableDefinitions: ast.VariableDefinitionList{
		{Variable: "filter", Type: ast.NamedType(def.Name, nil), Definition: def},
	}}
	coerced, err := validator.VariableValues(schema, op, map[string]any{"filter": v})
	if err != nil {
		// "input: variable.filter.kind.eq PUBLIK is not a valid OperatorKind"
		msg := strings.TrimPrefix(strings.TrimPrefix(err.Error(), "input: "), "variable.")
		field, reason, ok := strings.Cut(msg, " ")
		if !ok || !strings.HasPrefix(field, "filter") {
			field, reason = "filter", msg
		}
		return catalog.Filter{}, cohesion.Invalid(field, reason)
	}
	m, _ := coerced["filter"].(map[string]any)
	return catalog.ParseFilter(e, m, "filter")
}

// knownFields refuses the first field, in sorted order, that the input type does not have.
func knownFields(schema *ast.Schema, def *ast.Definition, v any, path string) error {
	switch x := v.(type) {
	case []any:
		for i, el := range x {
			if err := knownFields(schema, def, el, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case map[string]any:
		if def.Kind != ast.InputObject {
			return nil
		}
		for _, k := range slices.Sorted(maps.Keys(x)) {
			f := def.Fields.ForName(k)
			if f == nil {
				return cohesion.Invalid(path+"."+k, "unknown field")
			}
			if err := knownFields(schema, schema.Types[f.Type.Name()], x[k], path+"."+k); err != nil {
				return err
			}
		}
	}
	return nil
}

var filterSchema = sync.OnceValue(func() *ast.Schema {
	return generated.NewExecutableSchema(generated.Config{}).Schema()
})
