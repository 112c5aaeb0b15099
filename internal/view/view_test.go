package view

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/schema"
)

func TestRegisteredViewsValidate(t *testing.T) {
	defs, err := Registered()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range defs {
		names = append(names, d.Name)
		if d.Description == "" || !strings.Contains(d.Query, "query "+d.Name) {
			t.Errorf("view %s: description %q, query %.40q", d.Name, d.Description, d.Query)
		}
	}
	if got := strings.Join(names, ","); got != "communes,organisation,organisations,themes" {
		t.Errorf("views %s", got)
	}
}

func set(t *testing.T) *Set {
	t.Helper()
	s, err := schema.Parse()
	if err != nil {
		t.Fatal(err)
	}
	vs, err := New(s, nil)
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

func TestVariablesAreRead(t *testing.T) {
	v, _ := set(t).Lookup("organisations")
	want := []Variable{{"commune", "String", false, nil}, {"theme", "String", false, nil}, {"search", "String", false, nil},
		{"first", "Int", false, int64(20)}, {"after", "String", false, nil}}
	if !reflect.DeepEqual(v.Variables, want) {
		t.Errorf("variables %+v", v.Variables)
	}
	o, _ := set(t).Lookup("organisation")
	if want := []Variable{{"id", "ID!", true, nil}}; !reflect.DeepEqual(o.Variables, want) {
		t.Errorf("variables %+v", o.Variables)
	}
}

func TestBind(t *testing.T) {
	v, _ := set(t).Lookup("organisations")
	vars, err := v.Bind(url.Values{"first": {"5"}, "commune": {"21015"}})
	if err != nil || !reflect.DeepEqual(vars, map[string]any{"first": int64(5), "commune": "21015"}) {
		t.Errorf("Bind = %v, %v", vars, err)
	}
	o, _ := set(t).Lookup("organisation")
	for q, variable := range map[string]string{"first=x": "first", "first=1&first=2": "first", "nope=1": "nope",
		"first=99999999999": "first"} {
		vals, _ := url.ParseQuery(q)
		var ve *VariableError
		if _, err := v.Bind(vals); !errors.As(err, &ve) || ve.Variable != variable {
			t.Errorf("%s: %v, want an error naming %s", q, err, variable)
		}
	}
	var ve *VariableError
	if _, err := o.Bind(url.Values{}); !errors.As(err, &ve) || ve.Variable != "id" || !strings.Contains(ve.Reason, "required") {
		t.Errorf("missing id: %v", err)
	}
}

func TestScalarsEnumsAndLists(t *testing.T) {
	s, _ := schema.Parse()
	for _, c := range []struct {
		typ  string
		list bool
		in   []string
		want any
		bad  bool
	}{
		{"Boolean", false, []string{"true"}, true, false},
		{"Boolean", false, []string{"yes"}, nil, true},
		{"Float", false, []string{"1.5"}, 1.5, false},
		{"Float", false, []string{"NaN"}, nil, true},
		{"OperatorKind", false, []string{"PUBLIC"}, "PUBLIC", false},
		{"OperatorKind", false, []string{"public"}, nil, true},
		{"ID", true, []string{"a", "b"}, []any{"a", "b"}, false},
		{"Int", true, []string{"1", "x"}, nil, true},
	} {
		typ := namedType(c.typ, c.list)
		got, err := convert(s, typ, c.in)
		if (err != nil) != c.bad || (!c.bad && !reflect.DeepEqual(got, c.want)) {
			t.Errorf("%s %v = %v, %v", typ, c.in, got, err)
		}
	}
}

func namedType(name string, list bool) *ast.Type {
	t := &ast.Type{NamedType: name}
	if list {
		return &ast.Type{Elem: &ast.Type{NamedType: name, NonNull: true}}
	}
	return t
}

type echo struct {
	query     string
	principal access.Principal
}

func (e *echo) Run(ctx context.Context, query string, vars map[string]any) (json.RawMessage, error) {
	e.query, e.principal = query, access.PrincipalFrom(ctx)
	if _, ok := access.PrincipalIn(ctx); !ok {
		return nil, errors.New("no principal")
	}
	return json.Marshal(vars)
}

func TestRun(t *testing.T) {
	s, _ := schema.Parse()
	r := &echo{}
	vs, err := New(s, r)
	if err != nil {
		t.Fatal(err)
	}
	body, err := vs.Run(context.Background(), "organisations", map[string]any{"commune": "21015"})
	if v, _ := vs.Lookup("organisations"); err != nil || string(body) != `{"commune":"21015"}` || r.query != v.Query {
		t.Errorf("Run = %s, %v", body, err)
	}
	analyst := access.WithPrincipal(context.Background(), access.Principal{Role: access.Analyst})
	if _, err := vs.Run(analyst, "themes", nil); err != nil || r.principal.Role != access.Analyst {
		t.Errorf("Run as an analyst ran as %v: %v", r.principal, err)
	}
	if _, err := vs.Run(context.Background(), "nope", nil); !errors.Is(err, ErrUnknown) {
		t.Errorf("unknown view: %v", err)
	}
}
