package graph

import (
	"bytes"
	"encoding/json"
	"fmt"
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
// read API's filters, so that the plain HTTP exports filter the same way as the API.
func FilterFromJSON(cat *catalog.Catalog, entity string, raw []byte) (catalog.Filter, error) {
	e := cat.Entity(entity)
	if e == nil {
		return catalog.Filter{}, fmt.Errorf("no entity %s", entity)
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return catalog.Filter{}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return catalog.Filter{}, cohesion.Invalid("filter", "not valid JSON: "+err.Error())
	}
	schema := filterSchema()
	def := schema.Types[entity+"Filter"]
	if def == nil {
		return catalog.Filter{}, fmt.Errorf("no filter type for %s", entity)
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
	return jsonFilter(e, m, "filter")
}

var filterSchema = sync.OnceValue(func() *ast.Schema {
	return generated.NewExecutableSchema(generated.Config{}).Schema()
})

func jsonFilter(e *catalog.Entity, m map[string]any, at string) (catalog.Filter, error) {
	var f catalog.Filter
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v, path := m[k], at+"."+k
		switch {
		case v == nil:
		case k == "and" || k == "or":
			for i, sub := range v.([]any) {
				sf, err := jsonFilter(e, sub.(map[string]any), fmt.Sprintf("%s[%d]", path, i))
				if err != nil {
					return f, err
				}
				if k == "and" {
					f.And = append(f.And, sf)
				} else {
					f.Or = append(f.Or, sf)
				}
			}
		case k == "not":
			sf, err := jsonFilter(e, v.(map[string]any), path)
			if err != nil {
				return f, err
			}
			f.Not = &sf
		case e.Relation(k) != nil:
			sf, err := jsonFilter(e.Relation(k).Target, v.(map[string]any), path)
			if err != nil {
				return f, err
			}
			f.Rels = append(f.Rels, catalog.RelFilter{Relation: k, Filter: sf})
		case e.Field(k) != nil:
			ops := v.(map[string]any)
			names := make([]string, 0, len(ops))
			for op := range ops {
				names = append(names, op)
			}
			slices.Sort(names)
			for _, op := range names {
				if ops[op] == nil {
					continue
				}
				val, err := jsonValue(e, e.Field(k), op, ops[op], path+"."+op)
				if err != nil {
					return f, err
				}
				f.Conds = append(f.Conds, catalog.Cond{Field: k, Op: op, Value: val})
			}
		default:
			return f, cohesion.Invalid(path, fmt.Sprintf("%s has no field or relation %q", e.Name, k))
		}
	}
	return f, nil
}

// jsonValue converts a validated JSON comparison value into what the store binds, as plain
// does for the API's typed inputs.
func jsonValue(e *catalog.Entity, f *catalog.Field, op string, v any, path string) (any, error) {
	if op == "isNull" {
		return v, nil
	}
	if list, ok := v.([]any); ok {
		var ints []int64
		strs := []string{}
		for _, x := range list {
			y, err := jsonValue(e, f, op, x, path)
			if err != nil {
				return nil, err
			}
			switch y := y.(type) {
			case int64:
				ints = append(ints, y)
			case string:
				strs = append(strs, y)
			default:
				return nil, cohesion.Invalid(path, fmt.Sprintf("unexpected value %v", x))
			}
		}
		if ints != nil {
			return ints, nil
		}
		return strs, nil
	}
	switch f.Kind {
	case catalog.KindID:
		s := fmt.Sprint(v)
		typ, n, err := decodeID(s)
		if err != nil || typ != e.Name {
			return nil, cohesion.Invalid(path, fmt.Sprintf("%q is not the id of a %s", s, e.Name))
		}
		return n, nil
	case catalog.KindInt:
		switch n := v.(type) {
		case json.Number:
			return n.Int64()
		case int64:
			return n, nil
		case float64:
			return int64(n), nil
		}
	case catalog.KindEnum:
		return strings.ToLower(fmt.Sprint(v)), nil
	case catalog.KindBool:
		return v, nil
	}
	return fmt.Sprint(v), nil
}
