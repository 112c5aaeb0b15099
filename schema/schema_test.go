package schema_test

import (
	"sort"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/cohesio/cohesio/schema"
)

// The playground's docs explorer is the analysts' data dictionary: every element of the
// schema that this project defines must say what it is.

// TestEveryElementOfTheSchemaIsDocumented: every type (object, interface, input, enum,
// scalar), field, field argument, input field, enum value, custom directive and directive
// argument carries a non-empty description. Built-in elements (the spec's scalars and
// directives, the __ introspection types and fields) are the specification's business.
func TestEveryElementOfTheSchemaIsDocumented(t *testing.T) {
	var missing []string
	for _, e := range elements(t, load(t)) {
		if strings.TrimSpace(e.description) == "" {
			missing = append(missing, e.name)
		}
	}
	if len(missing) > 0 {
		t.Errorf("%d schema elements have no description:\n  %s", len(missing), strings.Join(missing, "\n  "))
	}
}

// TestTheWalkReachesEveryKindOfElement guards the test above against walking nothing: one
// element of each kind must be among those it checks.
func TestTheWalkReachesEveryKindOfElement(t *testing.T) {
	seen := map[string]bool{}
	for _, e := range elements(t, load(t)) {
		seen[e.name] = true
	}
	for _, name := range []string{
		"schema",                  // the schema definition
		"Operator",                // object type
		"Node",                    // interface
		"OperatorFilter",          // input type
		"Unit",                    // enum
		"Date",                    // custom scalar
		"Territory.code",          // field (on an object)
		"Node.id",                 // field (on an interface)
		"Query.operators(first:)", // field argument
		"OperatorFilter.name",     // input field
		"Unit.PERSONS",            // enum value
		"@table",                  // custom directive
		"@relation(fk:)",          // directive argument
	} {
		if !seen[name] {
			t.Errorf("the walk does not reach %s", name)
		}
	}
	for _, name := range []string{"String", "Boolean", "__Schema", "Query.__type", "@deprecated", "@skip"} {
		if seen[name] {
			t.Errorf("the walk reaches the built-in %s", name)
		}
	}
}

// load parses the embedded *.graphqls files.
func load(t *testing.T) *ast.Schema {
	t.Helper()
	s, err := schema.Parse()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// element is one documentable element, named as the docs explorer shows it:
// Type, Type.field, Type.field(arg:), Enum.VALUE, @directive, @directive(arg:).
type element struct {
	name        string
	description string
}

// elements lists every element the project defines, sorted by name.
func elements(t *testing.T, s *ast.Schema) []element {
	t.Helper()
	out := []element{{"schema", s.Description}}
	for name, def := range s.Types {
		if builtIn(name, def.Position) {
			continue
		}
		out = append(out, element{name, def.Description})
		for _, f := range def.Fields { // object and interface fields, input fields
			if strings.HasPrefix(f.Name, "__") {
				continue // __typename, __schema, __type
			}
			out = append(out, element{name + "." + f.Name, f.Description})
			for _, a := range f.Arguments {
				out = append(out, element{name + "." + f.Name + "(" + a.Name + ":)", a.Description})
			}
		}
		for _, v := range def.EnumValues {
			out = append(out, element{name + "." + v.Name, v.Description})
		}
	}
	for name, d := range s.Directives {
		if builtIn(name, d.Position) {
			continue
		}
		out = append(out, element{"@" + name, d.Description})
		for _, a := range d.Arguments {
			out = append(out, element{"@" + name + "(" + a.Name + ":)", a.Description})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// builtIn reports whether an element comes from the GraphQL specification: the String, Int,
// Float, Boolean and ID scalars, the __ introspection types and the built-in directives
// (@skip, @include, @deprecated, @specifiedBy, @oneOf, @defer).
func builtIn(name string, pos *ast.Position) bool {
	if strings.HasPrefix(name, "__") {
		return true
	}
	switch name {
	case "String", "Int", "Float", "Boolean", "ID":
		return true
	}
	return pos != nil && pos.Src != nil && pos.Src.BuiltIn
}
