package catalog

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cohesio/cohesio/internal/cohesion"
)

// ParseFilter reads a filter given as GraphQL input values (a variable's JSON, or the value
// of a literal in a document), already checked against the entity's filter type, into the
// Filter the store compiles: global ids become row ids, enums their stored lower-case value,
// decimals their exact text, dates time values. Keys are read in sorted order, so that one
// shape gives one statement and the same input the same error. Errors name the field, from
// path, and the reason. A filter deeper or larger than MaxFilterDepth and MaxFilterConditions
// is refused before it is read.
//
// The read planner (literals and variables) and the plain HTTP exports (JSON) read filters
// here; the resolvers read the same filters from gqlgen's typed inputs (graph.toFilter), and
// the differential tests hold both to the same results.
func ParseFilter(e *Entity, m map[string]any, path string) (Filter, error) {
	if err := CheckFilterValues(e, m, path); err != nil {
		return Filter{}, err
	}
	return parseFilter(e, m, path)
}

func parseFilter(e *Entity, m map[string]any, path string) (Filter, error) {
	var f Filter
	for _, k := range slices.Sorted(maps.Keys(m)) {
		v, at := m[k], path+"."+k
		switch {
		case v == nil:
		case k == "and" || k == "or":
			subs, ok := list(v)
			if !ok {
				subs = []any{v} // GraphQL takes one item for a list
			}
			for i, sub := range subs {
				sm, ok := sub.(map[string]any)
				if !ok {
					return f, cohesion.Invalid(fmt.Sprintf("%s[%d]", at, i), "expects a filter")
				}
				sf, err := parseFilter(e, sm, fmt.Sprintf("%s[%d]", at, i))
				if err != nil {
					return f, err
				}
				if k == "and" {
					f.And = append(f.And, sf)
				} else {
					f.Or = append(f.Or, sf)
				}
			}
		case k == "not" || e.Relation(k) != nil:
			sm, ok := v.(map[string]any)
			if !ok {
				return f, cohesion.Invalid(at, "expects a filter")
			}
			target := e
			if k != "not" {
				target = e.Relation(k).Target
			}
			sf, err := parseFilter(target, sm, at)
			if err != nil {
				return f, err
			}
			if k == "not" {
				f.Not = &sf
			} else {
				f.Rels = append(f.Rels, RelFilter{Relation: k, Filter: sf})
			}
		case e.Field(k) != nil:
			ops, ok := v.(map[string]any)
			if !ok {
				return f, cohesion.Invalid(at, "expects comparisons")
			}
			for _, op := range slices.Sorted(maps.Keys(ops)) {
				if ops[op] == nil {
					continue
				}
				val, err := condValue(e, e.Field(k), op, ops[op], at+"."+op)
				if err != nil {
					return f, err
				}
				f.Conds = append(f.Conds, Cond{Field: k, Op: op, Value: val})
			}
		default:
			return f, cohesion.Invalid(at, fmt.Sprintf("%s has no field or relation %q", e.Name, k))
		}
	}
	return f, nil
}

// listOps take a list of values; the other comparisons one value.
var listOps = map[string]bool{"in": true, "notIn": true, "containsAll": true, "containsAny": true}

// list returns the items of v when it is a list (gqlparser hands lists over as []any or as
// typed slices).
func list(v any) ([]any, bool) {
	if l, ok := v.([]any); ok {
		return l, true
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice {
		return nil, false
	}
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = rv.Index(i).Interface()
	}
	return out, true
}

// condValue converts a comparison's value into what the store binds, as graph.plain does for
// the typed inputs: one value, or a typed slice for the list comparisons.
func condValue(e *Entity, f *Field, op string, v any, path string) (any, error) {
	if op == "isNull" {
		b, ok := v.(bool)
		if !ok {
			return nil, cohesion.Invalid(path, fmt.Sprintf("%v is not true or false", v))
		}
		return b, nil
	}
	items, isList := list(v)
	if !listOps[op] {
		if isList {
			return nil, cohesion.Invalid(path, "expects one value, not a list")
		}
		return scalarValue(e, f, v, path)
	}
	if !isList {
		items = []any{v} // GraphQL takes one item for a list
	}
	var ints []int64
	var dates []time.Time
	strs := []string{}
	for i, item := range items {
		x, err := scalarValue(e, f, item, fmt.Sprintf("%s[%d]", path, i))
		if err != nil {
			return nil, err
		}
		switch x := x.(type) {
		case int64:
			ints = append(ints, x)
		case time.Time:
			dates = append(dates, x)
		case string:
			strs = append(strs, x)
		default:
			return nil, cohesion.Invalid(path, "expects a list of values")
		}
	}
	switch f.Kind {
	case KindID, KindInt:
		if ints == nil {
			ints = []int64{}
		}
		return ints, nil
	case KindDate:
		if dates == nil {
			dates = []time.Time{}
		}
		return dates, nil
	}
	return strs, nil
}

func scalarValue(e *Entity, f *Field, v any, path string) (any, error) {
	switch f.Kind {
	case KindID:
		s, _ := v.(string)
		typ, n, err := ParseGlobalID(s)
		if err != nil || typ != e.Name {
			return nil, cohesion.Invalid(path, fmt.Sprintf("%q is not the id of a %s", fmt.Sprint(v), e.Name))
		}
		return n, nil
	case KindInt:
		n, err := strconv.ParseInt(fmt.Sprint(v), 10, 32)
		if err != nil {
			return nil, cohesion.Invalid(path, fmt.Sprintf("%v is not an integer", v))
		}
		return n, nil
	case KindEnum:
		s, ok := v.(string)
		if s = strings.ToLower(s); !ok || !slices.Contains(f.Enum, s) {
			return nil, cohesion.Invalid(path, fmt.Sprintf("%v is not one of %s", v, strings.ToUpper(strings.Join(f.Enum, ", "))))
		}
		return s, nil
	case KindBool:
		b, ok := v.(bool)
		if !ok {
			return nil, cohesion.Invalid(path, fmt.Sprintf("%v is not true or false", v))
		}
		return b, nil
	case KindDate:
		s, _ := v.(string)
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return nil, cohesion.Invalid(path, fmt.Sprintf("%v is not a date (YYYY-MM-DD)", v))
		}
		return d, nil
	case KindDecimal:
		// As graph/scalar.UnmarshalDecimal reads a Decimal, in the exact text the resolvers bind.
		var s string
		switch x := v.(type) {
		case string:
			s = x
		case json.Number:
			s = x.String()
		case int64:
			s = strconv.FormatInt(x, 10)
		case float64:
			return decimal.NewFromFloat(x).String(), nil
		}
		d, err := decimal.NewFromString(s)
		if err != nil || len(s) > 40 {
			return nil, cohesion.Invalid(path, fmt.Sprintf("%.40v is not a decimal number", v))
		}
		return d.String(), nil
	}
	s, ok := v.(string)
	if !ok {
		return nil, cohesion.Invalid(path, fmt.Sprintf("%v is not a text", v))
	}
	return s, nil
}
