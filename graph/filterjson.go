package graph

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"

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
	return jsonFilter(e, m, "filter")
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
			// gqlparser may hand a list over as []any or as a typed slice.
			subs := reflect.ValueOf(v)
			for i := 0; i < subs.Len(); i++ {
				sub, _ := subs.Index(i).Interface().(map[string]any)
				sf, err := jsonFilter(e, sub, fmt.Sprintf("%s[%d]", path, i))
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

// listOps take a list of values; the other comparisons one value.
var listOps = map[string]bool{"in": true, "notIn": true, "containsAll": true, "containsAny": true}

// jsonValue converts a validated JSON comparison value into what the store binds, as plain
// does for the API's typed inputs. gqlparser leaves custom scalars (dates, decimals) to us.
func jsonValue(e *catalog.Entity, f *catalog.Field, op string, v any, path string) (any, error) {
	if op == "isNull" {
		return v, nil
	}
	rv := reflect.ValueOf(v)
	isList := rv.Kind() == reflect.Slice
	if isList != listOps[op] {
		if isList {
			return nil, cohesion.Invalid(path, "expects one value, not a list")
		}
		return nil, cohesion.Invalid(path, "expects a list")
	}
	if !isList {
		return filterScalar(e, f, v, path)
	}
	// gqlparser may hand a list over as []any or as a typed slice.
	var ints []int64
	strs := []string{}
	for i := 0; i < rv.Len(); i++ {
		y, err := filterScalar(e, f, rv.Index(i).Interface(), fmt.Sprintf("%s[%d]", path, i))
		if err != nil {
			return nil, err
		}
		if n, ok := y.(int64); ok {
			ints = append(ints, n)
		} else {
			strs = append(strs, y.(string))
		}
	}
	if f.Kind == catalog.KindID || f.Kind == catalog.KindInt {
		if ints == nil {
			ints = []int64{}
		}
		return ints, nil
	}
	return strs, nil
}

func filterScalar(e *catalog.Entity, f *catalog.Field, v any, path string) (any, error) {
	switch f.Kind {
	case catalog.KindID:
		s := fmt.Sprint(v)
		typ, n, err := decodeID(s)
		if err != nil || typ != e.Name {
			return nil, cohesion.Invalid(path, fmt.Sprintf("%q is not the id of a %s", s, e.Name))
		}
		return n, nil
	case catalog.KindInt:
		n, err := strconv.ParseInt(fmt.Sprint(v), 10, 32)
		if err != nil {
			return nil, cohesion.Invalid(path, fmt.Sprintf("%v is not an integer", v))
		}
		return n, nil
	case catalog.KindEnum:
		s := strings.ToLower(fmt.Sprint(v))
		if !slices.Contains(f.Enum, s) {
			return nil, cohesion.Invalid(path, fmt.Sprintf("%v is not one of %s", v, strings.ToUpper(strings.Join(f.Enum, ", "))))
		}
		return s, nil
	case catalog.KindBool:
		b, ok := v.(bool)
		if !ok {
			return nil, cohesion.Invalid(path, fmt.Sprintf("%v is not true or false", v))
		}
		return b, nil
	case catalog.KindDate:
		s, ok := v.(string)
		if _, err := time.Parse(time.DateOnly, s); !ok || err != nil {
			return nil, cohesion.Invalid(path, fmt.Sprintf("%v is not a date (YYYY-MM-DD)", v))
		}
		return s, nil
	case catalog.KindDecimal:
		var s string
		switch x := v.(type) {
		case string:
			s = x
		case json.Number:
			s = x.String()
		default:
			return nil, cohesion.Invalid(path, fmt.Sprintf("%v is not a decimal number", v))
		}
		d, err := decimal.NewFromString(s)
		if err != nil || len(s) > 40 {
			return nil, cohesion.Invalid(path, fmt.Sprintf("%q is not a decimal number", s))
		}
		return d.String(), nil
	}
	s, ok := v.(string)
	if !ok {
		return nil, cohesion.Invalid(path, fmt.Sprintf("%v is not a text", v))
	}
	return s, nil
}
