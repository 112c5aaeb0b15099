// Package view holds the named views: GraphQL documents embedded in the binary
// (views/NAME.graphql), each a single named query whose leading "# " comment block describes
// it. The server serves each at a stable, cacheable URL (/views/NAME?variable=value) and pages
// run them in-process by name; both go through the GraphQL executor as the caller's
// principal, so a view shows exactly what the same document sent to /graphql would.
package view

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/schema"
)

//go:embed views/*.graphql
var files embed.FS

// Definition is a view as written: its name (the file's, and its operation's), its
// description (the leading comment block) and its document's text, byte for byte what runs and
// what its document id hashes.
type Definition struct {
	Name        string
	Description string
	Query       string
}

// Registered returns the embedded views, sorted by name, each checked against the embedded
// schema.
func Registered() ([]Definition, error) {
	s, err := schema.Parse()
	if err != nil {
		return nil, err
	}
	views, err := compile(s)
	if err != nil {
		return nil, err
	}
	out := make([]Definition, len(views))
	for i, v := range views {
		out[i] = v.Definition
	}
	return out, nil
}

// Variable is a variable a view declares.
type Variable struct {
	Name string `json:"name"`
	// Type is its GraphQL type as written, e.g. String, Int!, [ID!].
	Type string `json:"type"`
	// Required: non-null and without a default, so it must be given.
	Required bool `json:"required"`
	// Default is the default value, nil when there is none.
	Default any `json:"default"`
}

// View is a definition checked against the schema.
type View struct {
	Definition
	// DocumentID is the trusted-document id of Query: "sha256:" and the hex SHA-256 of its text.
	DocumentID string
	Variables  []Variable

	schema *ast.Schema
	defs   ast.VariableDefinitionList
}

// Runner runs a GraphQL document as the principal of ctx and returns the response body.
type Runner interface {
	Run(ctx context.Context, query string, variables map[string]any) (json.RawMessage, error)
}

// Set is the views checked against the schema the server runs, with the runner that runs them.
type Set struct {
	list   []*View
	byName map[string]*View
	run    Runner
}

// ErrUnknown is the error of a view name that is not registered.
var ErrUnknown = errors.New("unknown view")

// New checks every registered view against s (the executor's schema) and returns them, to be
// run with run.
func New(s *ast.Schema, run Runner) (*Set, error) {
	list, err := compile(s)
	if err != nil {
		return nil, err
	}
	set := &Set{list: list, byName: map[string]*View{}, run: run}
	for _, v := range list {
		set.byName[v.Name] = v
	}
	return set, nil
}

// List returns the views, sorted by name.
func (s *Set) List() []*View { return s.list }

// Lookup returns the view called name.
func (s *Set) Lookup(name string) (*View, bool) {
	v, ok := s.byName[name]
	return v, ok
}

// Run runs the view called name with variables (JSON-like values: strings, numbers, booleans,
// lists, as a GraphQL request's variables) as the principal of ctx, and returns the GraphQL
// response body, {"data": ...} with "errors" when some part failed: the same body as the
// view's URL and as the same document sent to /graphql. An unknown name is ErrUnknown. A
// context without a principal (access.WithPrincipal) runs as access.Anonymous, never as the
// database's owner.
func (s *Set) Run(ctx context.Context, name string, variables map[string]any) (json.RawMessage, error) {
	v, ok := s.byName[name]
	if !ok {
		return nil, fmt.Errorf("view %q: %w", name, ErrUnknown)
	}
	if _, ok := access.PrincipalIn(ctx); !ok {
		ctx = access.WithPrincipal(ctx, access.Anonymous)
	}
	body, err := s.run.Run(ctx, v.Query, variables)
	if err != nil {
		return nil, fmt.Errorf("view %s: %w", name, err)
	}
	return body, nil
}

func compile(s *ast.Schema) ([]*View, error) {
	names, err := fs.Glob(files, "views/*.graphql")
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	var out []*View
	for _, n := range names {
		b, err := fs.ReadFile(files, n)
		if err != nil {
			return nil, fmt.Errorf("read view %s: %w", n, err)
		}
		v, err := compileView(s, strings.TrimSuffix(path.Base(n), ".graphql"), string(b))
		if err != nil {
			return nil, fmt.Errorf("view %s: %w", n, err)
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, errors.New("no views embedded")
	}
	return out, nil
}

func compileView(s *ast.Schema, name, text string) (*View, error) {
	doc, gerr := gqlparser.LoadQuery(s, text)
	if gerr != nil {
		return nil, fmt.Errorf("does not validate against the schema: %w", gerr)
	}
	if len(doc.Operations) != 1 || len(doc.Fragments) != 0 {
		return nil, errors.New("a view is one operation, without fragments")
	}
	op := doc.Operations[0]
	if op.Operation != ast.Query {
		return nil, fmt.Errorf("a view is a query, not a %s", op.Operation)
	}
	if op.Name != name {
		return nil, fmt.Errorf("the operation is named %q; name it after the file, %q", op.Name, name)
	}
	desc := description(text)
	if desc == "" {
		return nil, errors.New(`no description: start the file with a "# " comment saying what the view returns`)
	}
	v := &View{Definition: Definition{Name: name, Description: desc, Query: text},
		DocumentID: "sha256:" + hashText(text), schema: s, defs: op.VariableDefinitions}
	for _, d := range op.VariableDefinitions {
		if err := checkBindable(s, d.Type); err != nil {
			return nil, fmt.Errorf("variable $%s: %w", d.Variable, err)
		}
		vr := Variable{Name: d.Variable, Type: d.Type.String(), Required: d.Type.NonNull && d.DefaultValue == nil}
		if d.DefaultValue != nil {
			def, err := d.DefaultValue.Value(nil)
			if err != nil {
				return nil, fmt.Errorf("variable $%s: default: %w", d.Variable, err)
			}
			vr.Default = def
		}
		v.Variables = append(v.Variables, vr)
	}
	return v, nil
}

// checkBindable refuses the variable types a query string cannot carry: input objects and
// lists of lists.
func checkBindable(s *ast.Schema, t *ast.Type) error {
	if t.Elem != nil {
		if t.Elem.Elem != nil {
			return errors.New("a list of lists cannot be given in a URL")
		}
		t = t.Elem
	}
	if def := s.Types[t.NamedType]; def == nil || (def.Kind != ast.Scalar && def.Kind != ast.Enum) {
		return fmt.Errorf("type %s cannot be given in a URL: use scalars, enums or lists of them", t.NamedType)
	}
	return nil
}

// description reads the leading comment block: its lines without "#" and one space, joined by
// spaces (a paragraph).
func description(text string) string {
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimRight(l, "\r")
		if !strings.HasPrefix(l, "#") {
			break
		}
		lines = append(lines, strings.TrimSpace(strings.TrimPrefix(l, "#")))
	}
	return strings.TrimSpace(strings.Join(lines, " "))
}
