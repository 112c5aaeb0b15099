package catalog

import (
	"fmt"
	"reflect"

	"github.com/cohesio/cohesio/internal/cohesion"
)

// A filter compiles to one nested SQL expression: PostgreSQL's parser runs out of memory on a
// few thousand levels, and every condition is work for every row. These bound a filter,
// wherever it comes from (GraphQL arguments and variables, the exports' ?filter=, reports).
const (
	// MaxFilterDepth is how deep filters may nest in a filter: each item of and/or, each
	// not and each relation filter is one level below the filter holding it.
	MaxFilterDepth = 16
	// MaxFilterConditions is how many conditions a filter may have in all: each comparison
	// (eq, in, ...) and each nested filter counts one.
	MaxFilterConditions = 200
)

// filterSize is how deep a filter nests and how many conditions it has.
type filterSize struct{ depth, conditions int }

func (s filterSize) check(path string) error {
	switch {
	case s.depth > MaxFilterDepth:
		return cohesion.Invalid(path, fmt.Sprintf("nests %d levels deep; the limit is %d", s.depth, MaxFilterDepth))
	case s.conditions > MaxFilterConditions:
		return cohesion.Invalid(path, fmt.Sprintf("has %d conditions (comparisons and nested filters); the limit is %d", s.conditions, MaxFilterConditions))
	}
	return nil
}

// CheckFilterValues refuses a filter given as GraphQL input values (the maps of a variable or
// a literal, or gqlgen's inputs, whose comparisons are structs) that is deeper or larger than
// the limits, before anything recurses on it. The walk keeps its own stack, so that it costs
// no more than the input's size, however deep it nests. Entries that are no filter are left
// to the readers to refuse.
func CheckFilterValues(e *Entity, m map[string]any, path string) error {
	return sizeOfValues(e, m).check(path)
}

func sizeOfValues(e *Entity, m map[string]any) filterSize {
	type node struct {
		e     *Entity
		m     map[string]any
		level int
	}
	var size filterSize
	todo := []node{{e, m, 0}}
	for len(todo) > 0 {
		n := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		size.depth = max(size.depth, n.level)
		sub := func(target *Entity, v any) {
			if sm, ok := v.(map[string]any); ok {
				size.conditions++
				todo = append(todo, node{target, sm, n.level + 1})
			}
		}
		for k, v := range n.m {
			switch {
			case v == nil:
			case k == "and" || k == "or":
				items, ok := list(v)
				if !ok {
					items = []any{v} // GraphQL takes one item for a list
				}
				for _, item := range items {
					sub(n.e, item)
				}
			case k == "not":
				sub(n.e, v)
			case n.e.Relation(k) != nil:
				sub(n.e.Relation(k).Target, v)
			case n.e.Field(k) != nil:
				size.conditions += comparisons(v)
			}
		}
	}
	return size
}

// comparisons counts the comparisons set in a comparison input: a map of operators, or the
// struct gqlgen reads it into (a nil pointer or slice is an operator left out).
func comparisons(v any) int {
	if ops, ok := v.(map[string]any); ok {
		n := 0
		for _, x := range ops {
			if x != nil {
				n++
			}
		}
		return n
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return 0
		}
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return 1
	}
	n := 0
	for i := range rv.NumField() {
		f := rv.Field(i)
		if (f.Kind() == reflect.Pointer || f.Kind() == reflect.Slice || f.Kind() == reflect.Interface) && f.IsNil() {
			continue
		}
		n++
	}
	return n
}

// CheckFilters refuses filters, read already, that together are deeper or larger than the
// limits: a request made of several filters (a report's) is bounded as one.
func CheckFilters(path string, filters ...*Filter) error {
	var size filterSize
	for _, f := range filters {
		if f == nil {
			continue
		}
		s := sizeOf(f)
		size.depth = max(size.depth, s.depth)
		size.conditions += s.conditions
	}
	return size.check(path)
}

func sizeOf(f *Filter) filterSize {
	type node struct {
		f     *Filter
		level int
	}
	var size filterSize
	todo := []node{{f, 0}}
	for len(todo) > 0 {
		n := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		size.depth = max(size.depth, n.level)
		size.conditions += len(n.f.Conds)
		var subs []*Filter
		for i := range n.f.And {
			subs = append(subs, &n.f.And[i])
		}
		for i := range n.f.Or {
			subs = append(subs, &n.f.Or[i])
		}
		if n.f.Not != nil {
			subs = append(subs, n.f.Not)
		}
		for i := range n.f.Rels {
			subs = append(subs, &n.f.Rels[i].Filter)
		}
		size.conditions += len(subs)
		for _, s := range subs {
			todo = append(todo, node{s, n.level + 1})
		}
	}
	return size
}

// jsonDepthOfFilters is the deepest a filter's JSON nests when the filter keeps to the
// limits: each level of and/or takes an array and an object, and the deepest level holds a
// comparison object and a list of values.
const jsonDepthOfFilters = 2*MaxFilterDepth + 3

// CheckFilterJSON refuses a filter written in JSON that nests deeper than a filter within the
// limits can, before it is decoded: a 5,000-deep value is refused without building it. It
// only counts brackets outside strings; whether the text is JSON is the decoder's to say.
func CheckFilterJSON(raw []byte, path string) error {
	depth := 0
	inString, escaped := false, false
	for _, c := range raw {
		switch {
		case escaped:
			escaped = false
		case inString:
			switch c {
			case '\\':
				escaped = true
			case '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			if depth++; depth > jsonDepthOfFilters {
				return cohesion.Invalid(path, fmt.Sprintf("nests more than %d levels deep; the limit is %d", MaxFilterDepth, MaxFilterDepth))
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return nil
}
