package server

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/cohesio/cohesio/internal/store"
)

// Limits bound what one GraphQL request may ask, so that no request can take the server
// down. They are checked before the request runs.
type Limits struct {
	// MaxDepth is the deepest nesting of fields (introspection fields not counted).
	MaxDepth int
	// MaxAliases is how many aliased fields a request may have.
	MaxAliases int
	// MaxCost bounds the number of objects a request may return: each field costs 1, and a
	// connection multiplies the cost of what it holds by its page size (first or last, 50 by
	// default).
	MaxCost int
}

// DefaultLimits fit every example of the playground with room to spare.
var DefaultLimits = Limits{MaxDepth: 15, MaxAliases: 30, MaxCost: 1_000_000}

const limitExceeded = "LIMIT_EXCEEDED"

func init() {
	// A request over a limit is refused like an invalid document: 400 with
	// application/graphql-response+json.
	errcode.RegisterErrorType(limitExceeded, errcode.KindProtocol)
}

// limitsExtension checks the limits once the document is parsed and validated.
type limitsExtension struct{ limits Limits }

var (
	_ graphql.HandlerExtension        = limitsExtension{}
	_ graphql.OperationContextMutator = limitsExtension{}
)

func (limitsExtension) ExtensionName() string                   { return "Limits" }
func (limitsExtension) Validate(graphql.ExecutableSchema) error { return nil }

func (e limitsExtension) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	m := measurer{vars: oc.Variables, fragments: oc.Doc.Fragments}
	cost := m.selection(oc.Operation.SelectionSet, 1)
	var problem string
	switch {
	case m.depth > e.limits.MaxDepth:
		problem = fmt.Sprintf("the request nests %d levels deep; the limit is %d", m.depth, e.limits.MaxDepth)
	case m.aliases > e.limits.MaxAliases:
		problem = fmt.Sprintf("the request has %d aliases; the limit is %d", m.aliases, e.limits.MaxAliases)
	case cost > e.limits.MaxCost:
		problem = fmt.Sprintf("the request could return up to %d objects; the limit is %d: ask for smaller pages (first, last) or fewer levels", cost, e.limits.MaxCost)
	default:
		return nil
	}
	err := gqlerror.Errorf("%s", problem)
	errcode.Set(err, limitExceeded)
	return err
}

// measurer walks an operation, fragments included, counting depth, aliases and cost.
type measurer struct {
	vars      map[string]any
	fragments ast.FragmentDefinitionList
	depth     int
	aliases   int
}

// selection returns the cost of a selection set at depth level.
func (m *measurer) selection(set ast.SelectionSet, level int) int {
	cost := 0
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if strings.HasPrefix(s.Name, "__") {
				continue // introspection: bounded by the schema, and the playground needs it
			}
			if s.Alias != "" && s.Alias != s.Name {
				m.aliases++
			}
			m.depth = max(m.depth, level)
			cost += 1 + m.multiplier(s)*m.selection(s.SelectionSet, level+1)
		case *ast.InlineFragment:
			cost += m.selection(s.SelectionSet, level)
		case *ast.FragmentSpread:
			if f := m.fragments.ForName(s.Name); f != nil {
				cost += m.selection(f.SelectionSet, level)
			}
		}
	}
	return cost
}

// multiplier is how many times a field's selection may be repeated: a connection's page size.
func (m *measurer) multiplier(f *ast.Field) int {
	if f.Definition == nil || !strings.HasSuffix(f.Definition.Type.Name(), "Connection") {
		return 1
	}
	args := f.ArgumentMap(m.vars)
	for _, name := range []string{"first", "last"} {
		var n int64 = -1
		switch v := args[name].(type) {
		case int64:
			n = v
		case int:
			n = int64(v)
		case json.Number:
			n, _ = v.Int64()
		}
		if n >= 0 {
			return int(min(n, store.MaxPageSize))
		}
	}
	return store.DefaultPageSize
}
