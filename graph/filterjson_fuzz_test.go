package graph

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/cohesio/cohesio/graph/scalar"
	"github.com/cohesio/cohesio/internal/catalog"
	"github.com/cohesio/cohesio/internal/cohesion"
)

// filterEntities are the entities FuzzFilterFromJSON picks from: the ones with a filter type,
// those the exports are most often filtered on first.
func filterEntities(cat *catalog.Catalog) []string {
	names := []string{"Operator", "Observation", "Project"}
	for _, e := range cat.Entities() {
		if !slices.Contains(names, e.Name) && filterSchema().Types[e.Name+"Filter"] != nil {
			names = append(names, e.Name)
		}
	}
	return names
}

// The filter of an export comes from the client (?filter= or a JSON body): any input must be
// either refused with an invalid-argument error naming the filter, or read into a filter that
// says what the JSON says, on fields and relations that exist, with comparisons the store
// knows, and values of the field's type.
func FuzzFilterFromJSON(f *testing.F) {
	cat, err := catalog.Default()
	if err != nil {
		f.Fatal(err)
	}
	entities := filterEntities(cat)
	for _, s := range []struct {
		entity string
		json   string
	}{
		{"Operator", `{"seatCommune": {"nisCode": {"eq": "21015"}}}`},
		{"Operator", `{"kind": {"in": ["PUBLIC", "ASSOCIATIVE"]}, "name": {"contains": "asbl"}, "fictitious": {"eq": false}}`},
		{"Operator", `{"or": [{"name": {"startsWith": "Ré"}}, {"not": {"acronym": {"isNull": true}}}], "languages": {"containsAny": ["fr", "nl"]}}`},
		{"Operator", `{"id": {"in": ["` + catalog.GlobalID("Operator", 1) + `", "` + catalog.GlobalID("Operator", 9007199254740993) + `"]}}`},
		{"Operator", `{"projects": {"themes": {"code": {"eq": "digital_exclusion"}}, "startDate": {"gte": "2024-01-01"}}}`},
		{"Observation", `{"and": [{"periodStart": {"gte": "2023-01-01"}}, {"periodEnd": {"lt": "2024-01-01"}}], "kind": {"eq": "REALISED"}, "value": {"gt": "10.5"}}`},
		{"Observation", `{"indicator": {"code": {"in": ["participants"]}}, "operator": {"id": {"eq": "` + catalog.GlobalID("Operator", 3) + `"}}}`},
		{"Project", `{"budget": {"lte": 1500.25}, "operator": {"kind": {"neq": "PRIVATE"}}, "partners": {"name": {"isNull": false}}}`},
		{"Project", ` null `},
		{"Project", ``},
		{"Meeting", `{"year": {"in": [2023, 2024]}}`},
		// Refused: unknown fields, wrong types, ids of another type, bad JSON.
		{"Operator", `{"nope": {"eq": 1}}`},
		{"Operator", `{"name": {"eq": ["a", "b"]}}`},
		{"Operator", `{"kind": {"eq": "PUBLIK"}}`},
		{"Operator", `{"id": {"eq": "` + catalog.GlobalID("Project", 1) + `"}}`},
		{"Meeting", `{"year": {"eq": 99999999999999999999}}`},
		{"Meeting", `{"year": {"eq": 1e3}}`},
		{"Observation", `{"value": {"isNull": "true"}}`},
		{"Operator", `{"and": [`},
		{"Operator", "{\"name\": {\"eq\": \"\xff\xfe\"}}"},
		{"Operator", `[]`},
		{"Operator", `"filter"`},
		{"Operator", strings.Repeat(`{"not": `, 200) + `{}` + strings.Repeat(`}`, 200)},
		// Over and at the limits of a filter's depth and size.
		{"Operator", strings.Repeat(`{"not": `, 5000) + `{}` + strings.Repeat(`}`, 5000)},
		{"Operator", strings.Repeat(`{"and": [`, catalog.MaxFilterDepth) + `{"name": {"in": ["x"]}}` + strings.Repeat(`]}`, catalog.MaxFilterDepth)},
		{"Operator", `{"or": [` + strings.Repeat(`{"name": {"eq": "x"}}, `, catalog.MaxFilterConditions/2) + `{}]}`},
		{"Operator", `{"name": {"in": [` + strings.Repeat(`"x", `, 2000) + `"y"]}}`},
	} {
		f.Add(byte(slices.Index(entities, s.entity)), s.json)
	}
	f.Fuzz(func(t *testing.T, which byte, raw string) {
		entity := entities[int(which)%len(entities)]
		got, err := FilterFromJSON(cat, entity, []byte(raw))
		again, err2 := FilterFromJSON(cat, entity, []byte(raw))
		if fmt.Sprint(err) != fmt.Sprint(err2) || !reflect.DeepEqual(got, again) {
			t.Fatalf("%s %q: two readings differ: %#v, %v then %#v, %v", entity, raw, got, err, again, err2)
		}
		if err != nil {
			var inv *cohesion.InvalidError
			if !errors.As(err, &inv) || !strings.HasPrefix(inv.Field, "filter") {
				t.Fatalf("%s %q: %v is not an invalid-argument error on the filter", entity, raw, err)
			}
			return
		}
		dec := json.NewDecoder(bytes.NewReader(bytes.TrimSpace([]byte(raw))))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil && len(bytes.TrimSpace([]byte(raw))) > 0 {
			t.Fatalf("%s %q: accepted input that is not JSON: %v", entity, raw, err)
		}
		m, _ := v.(map[string]any)
		if v != nil && m == nil {
			t.Fatalf("%s %q: accepted a %T as a filter", entity, raw, v)
		}
		if msg := mirrors(cat.Entity(entity), m, got, "filter"); msg != "" {
			t.Fatalf("%s %q read as %#v: %s", entity, raw, got, msg)
		}
	})
}

// mirrors tells how the filter f read for entity e differs from the JSON object m it was read
// from ("" when it says the same): every non-null entry of m is in f, in the order
// FilterFromJSON builds it (keys sorted), and nothing else is.
func mirrors(e *catalog.Entity, m map[string]any, f catalog.Filter, at string) string {
	def := filterSchema().Types[e.Name+"Filter"]
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var and, or, conds, rels int
	hasNot := false
	for _, k := range keys {
		v, path := m[k], at+"."+k
		if v == nil {
			continue
		}
		switch {
		case k == "and" || k == "or":
			subs, ok := v.([]any)
			if !ok {
				subs = []any{v} // a single value stands for a list of one
			}
			list, n := &f.And, &and
			if k == "or" {
				list, n = &f.Or, &or
			}
			for i, sub := range subs {
				sm, ok := sub.(map[string]any)
				if !ok {
					return fmt.Sprintf("%s[%d] is a %T, not an object", path, i, sub)
				}
				if *n >= len(*list) {
					return fmt.Sprintf("%s[%d] is missing", path, i)
				}
				if msg := mirrors(e, sm, (*list)[*n], fmt.Sprintf("%s[%d]", path, i)); msg != "" {
					return msg
				}
				*n++
			}
		case k == "not":
			sm, ok := v.(map[string]any)
			if !ok || f.Not == nil {
				return fmt.Sprintf("%s: %T read as %v", path, v, f.Not)
			}
			hasNot = true
			if msg := mirrors(e, sm, *f.Not, path); msg != "" {
				return msg
			}
		case e.Relation(k) != nil:
			sm, ok := v.(map[string]any)
			if !ok || rels >= len(f.Rels) || f.Rels[rels].Relation != k {
				return fmt.Sprintf("%s: the relation filter is missing or out of place", path)
			}
			if msg := mirrors(e.Relation(k).Target, sm, f.Rels[rels].Filter, path); msg != "" {
				return msg
			}
			rels++
		case e.Field(k) != nil:
			ops, ok := v.(map[string]any)
			if !ok {
				return fmt.Sprintf("%s is a %T, not a comparison", path, v)
			}
			fd := def.Fields.ForName(k)
			if fd == nil {
				return fmt.Sprintf("%s: %sFilter has no field %s", path, e.Name, k)
			}
			cmp := filterSchema().Types[fd.Type.Name()]
			names := make([]string, 0, len(ops))
			for op := range ops {
				names = append(names, op)
			}
			slices.Sort(names)
			for _, op := range names {
				if ops[op] == nil {
					continue
				}
				if conds >= len(f.Conds) {
					return fmt.Sprintf("%s.%s is missing", path, op)
				}
				c := f.Conds[conds]
				conds++
				if c.Field != k || c.Op != op {
					return fmt.Sprintf("%s.%s read as %s.%s", path, op, c.Field, c.Op)
				}
				od := cmp.Fields.ForName(op)
				if od == nil {
					return fmt.Sprintf("%s: %s is not a comparison of %s", path, op, cmp.Name)
				}
				if msg := sameValue(e, e.Field(k), op, od.Type, ops[op], c.Value); msg != "" {
					return fmt.Sprintf("%s.%s: %s", path, op, msg)
				}
			}
		default:
			return fmt.Sprintf("%s: %s has no field or relation %q, yet it was accepted", path, e.Name, k)
		}
	}
	switch {
	case and != len(f.And) || or != len(f.Or) || conds != len(f.Conds) || rels != len(f.Rels):
		return fmt.Sprintf("%s: %d and, %d or, %d conditions, %d relations in the JSON, %d, %d, %d, %d read",
			at, and, or, conds, rels, len(f.And), len(f.Or), len(f.Conds), len(f.Rels))
	case hasNot != (f.Not != nil):
		return fmt.Sprintf("%s: a not that the JSON does not have", at)
	}
	return ""
}

// sameValue tells how the value read for a comparison differs from what the store must bind
// for the JSON value x: a bool for isNull, a list ([]int64 or []string) of the same length for
// the list comparisons, else one value of the field's type.
func sameValue(e *catalog.Entity, fld *catalog.Field, op string, typ *ast.Type, x, got any) string {
	if op == "isNull" {
		if b, ok := got.(bool); !ok || b != x {
			return fmt.Sprintf("%#v read as %#v", x, got)
		}
		return ""
	}
	if typ.Elem == nil {
		want, msg := scalarValue(e, fld, x)
		if msg == "" && !reflect.DeepEqual(got, want) {
			msg = fmt.Sprintf("%#v read as %#v, want %#v", x, got, want)
		}
		return msg
	}
	xs, ok := x.([]any)
	if !ok {
		xs = []any{x} // a single value stands for a list of one
	}
	var items []any
	switch got := got.(type) {
	case []int64:
		for _, n := range got {
			items = append(items, n)
		}
	case []string:
		for _, s := range got {
			items = append(items, s)
		}
	default:
		return fmt.Sprintf("%#v read as %#v, not a list", x, got)
	}
	if len(items) != len(xs) {
		return fmt.Sprintf("%d values read as %d: %#v", len(xs), len(items), got)
	}
	for i, item := range items {
		want, msg := scalarValue(e, fld, xs[i])
		if msg == "" && !reflect.DeepEqual(item, want) {
			msg = fmt.Sprintf("%#v read as %#v, want %#v", xs[i], item, want)
		}
		if msg != "" {
			return fmt.Sprintf("[%d]: %s", i, msg)
		}
	}
	return ""
}

// scalarValue is what the store binds for the JSON value x of a field, or why x is no value of
// the field's GraphQL type and should have been refused.
func scalarValue(e *catalog.Entity, fld *catalog.Field, x any) (any, string) {
	s, isText := x.(string)
	n, isNumber := x.(json.Number)
	switch fld.Kind {
	case catalog.KindID:
		typ, id, err := catalog.ParseGlobalID(fmt.Sprint(x))
		if err != nil || typ != e.Name || !(isText || isNumber) {
			return nil, fmt.Sprintf("%#v is not the id of a %s, yet it was accepted", x, e.Name)
		}
		return id, ""
	case catalog.KindInt:
		if isNumber {
			i, err := n.Int64()
			if err != nil {
				return nil, fmt.Sprintf("%#v is not an Int, yet it was accepted", x)
			}
			return i, ""
		}
		if isText { // "12": GraphQL variables accept integers written as strings
			return s, ""
		}
	case catalog.KindBool:
		if b, ok := x.(bool); ok {
			return b, ""
		}
	case catalog.KindEnum:
		if isText && slices.Contains(fld.Enum, strings.ToLower(s)) {
			return strings.ToLower(s), ""
		}
		return nil, fmt.Sprintf("%#v is not one of %v, yet it was accepted", x, fld.Enum)
	case catalog.KindDate:
		d, err := scalar.UnmarshalDate(x)
		if err != nil {
			return nil, fmt.Sprintf("%#v is not a Date, yet it was accepted", x)
		}
		return d, "" // a time, as the resolvers bind it
	case catalog.KindDecimal:
		if _, err := scalar.UnmarshalDecimal(x); err != nil || !(isText || isNumber) {
			return nil, fmt.Sprintf("%#v is not a Decimal, yet it was accepted", x)
		}
		return fmt.Sprint(x), ""
	default: // String, [String]
		if isText || isNumber {
			return fmt.Sprint(x), ""
		}
	}
	return nil, fmt.Sprintf("%#v is not a value of a %v field, yet it was accepted", x, fld.Kind)
}
