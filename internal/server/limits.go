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
	"github.com/vektah/gqlparser/v2/lexer"

	"github.com/cohesio/cohesio/internal/store"
)

// Limits bound what one GraphQL request may ask, so that no request can take the server
// down. They are checked before the request runs: the size of the document before it is
// parsed and validated (validation does work that grows faster than the document: one rule
// compares every pair of fields of the same name), the rest once it is.
type Limits struct {
	// MaxTokens is how many tokens (names, punctuation, values; comments not counted) a
	// document may have (zero: DefaultLimits').
	MaxTokens int
	// MaxSelections is how many selections (fields and fragment spreads, as written, in all
	// its operations and fragments) a document may have (zero: DefaultLimits').
	MaxSelections int
	// MaxDirectives is how many directives a document may have, and MaxDirectivesPerField how
	// many one field (or fragment, operation, variable) may have (zero: DefaultLimits').
	MaxDirectives         int
	MaxDirectivesPerField int

	// MaxDepth is the deepest nesting of fields (introspection fields not counted).
	MaxDepth int
	// MaxAliases is how many aliased fields a request may have.
	MaxAliases int
	// MaxCost bounds the number of objects a request may return: each field costs 1, and a
	// connection multiplies the cost of what it holds by its page size (first or last, 50 by
	// default).
	MaxCost int
}

// DefaultLimits fit every example of the playground, named view and page with room to spare
// (the largest has about 220 tokens and 50 selections); validating a document at the limits
// takes milliseconds.
var DefaultLimits = Limits{
	MaxTokens: 4000, MaxSelections: 500, MaxDirectives: 50, MaxDirectivesPerField: 10,
	MaxDepth: 15, MaxAliases: 30, MaxCost: 1_000_000,
}

// withDefaults is l, or DefaultLimits when l is zero, with DefaultLimits' document limits in
// place of zero ones.
func (l Limits) withDefaults() Limits {
	if l == (Limits{}) {
		return DefaultLimits
	}
	for _, f := range []struct{ v, def *int }{{&l.MaxTokens, &DefaultLimits.MaxTokens},
		{&l.MaxSelections, &DefaultLimits.MaxSelections}, {&l.MaxDirectives, &DefaultLimits.MaxDirectives},
		{&l.MaxDirectivesPerField, &DefaultLimits.MaxDirectivesPerField}} {
		if *f.v == 0 {
			*f.v = *f.def
		}
	}
	return l
}

const limitExceeded = "LIMIT_EXCEEDED"

func init() {
	// A request over a limit is refused like an invalid document: 400 with
	// application/graphql-response+json.
	errcode.RegisterErrorType(limitExceeded, errcode.KindProtocol)
}

// documentLimits checks the size of a document before gqlgen parses and validates it. It must
// come after the APQ extension, which may put the document in place of its hash. A document
// found in the query cache passed it already (only documents that validate are kept).
type documentLimits struct {
	limits Limits
	cache  graphql.Cache[*ast.QueryDocument]
}

var (
	_ graphql.HandlerExtension          = documentLimits{}
	_ graphql.OperationParameterMutator = documentLimits{}
)

func (documentLimits) ExtensionName() string                   { return "DocumentLimits" }
func (documentLimits) Validate(graphql.ExecutableSchema) error { return nil }

func (e documentLimits) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	if e.cache != nil {
		if _, ok := e.cache.Get(ctx, params.Query); ok {
			return nil
		}
	}
	if problem := e.limits.checkDocument(params.Query); problem != "" {
		err := gqlerror.Errorf("%s", problem)
		errcode.Set(err, limitExceeded)
		return err
	}
	return nil
}

// checkDocument returns what is wrong with the size of document, or "". It reads the document
// once with gqlparser's lexer, stopping at the first limit passed, so its work is bounded by
// MaxTokens whatever the document. A document that does not lex is left to the parser, which
// explains what is wrong with it.
func (l Limits) checkDocument(document string) string {
	lex := lexer.New(&ast.Source{Input: document})
	var (
		tokens, selections, directives int
		onField                        int         // directives in the current run, on one field
		prev, prev2                    lexer.Token // the two tokens before
		parens                         int         // depth of parentheses: arguments, variables
		sets                           int         // depth of selection sets
		// A run of directives: after '@' comes the name, then arguments maybe; a run ends at
		// the first token that is not part of a directive.
		inDirective, inArguments bool
	)
	for {
		tok, err := lex.ReadToken()
		if err != nil || tok.Kind == lexer.EOF {
			return ""
		}
		if tok.Kind == lexer.Comment {
			continue
		}
		if tokens++; tokens > l.MaxTokens {
			return fmt.Sprintf("the document has more than %d tokens; the limit is %d: send a shorter document", l.MaxTokens, l.MaxTokens)
		}
		switch {
		case inArguments: // a directive's arguments hold values only, no directive
			if tok.Kind == lexer.ParenR {
				inArguments = false
			}
		case tok.Kind == lexer.At:
			if !inDirective {
				onField = 0
			}
			inDirective = true
			if directives++; directives > l.MaxDirectives {
				return fmt.Sprintf("the document has more than %d directives; the limit is %d", l.MaxDirectives, l.MaxDirectives)
			}
			if onField++; onField > l.MaxDirectivesPerField {
				return fmt.Sprintf("a field of the document has more than %d directives; the limit is %d per field", l.MaxDirectivesPerField, l.MaxDirectivesPerField)
			}
		case inDirective && prev.Kind == lexer.At && tok.Kind == lexer.Name: // its name
		case inDirective && prev.Kind == lexer.Name && prev2.Kind == lexer.At && tok.Kind == lexer.ParenL:
			inArguments = true
		default:
			inDirective = false
		}
		switch tok.Kind {
		case lexer.ParenL:
			parens++
		case lexer.ParenR:
			parens = max(parens-1, 0)
		case lexer.BraceL:
			if parens == 0 { // braces in arguments and default values are input objects
				sets++
			}
		case lexer.BraceR:
			if parens == 0 {
				sets = max(sets-1, 0)
			}
		case lexer.Name, lexer.Spread:
			// A selection begins with a name (a field, or its alias) or "...", in a selection
			// set and outside arguments. Not the field after an alias, a directive's name, a
			// fragment's name or "on" and its type after "...".
			if sets == 0 || parens > 0 || tok.Kind == lexer.Name && (prev.Kind == lexer.Colon || prev.Kind == lexer.At ||
				prev.Kind == lexer.Spread || prev.Kind == lexer.Name && prev.Value == "on" && prev2.Kind == lexer.Spread) {
				break
			}
			if selections++; selections > l.MaxSelections {
				return fmt.Sprintf("the document has more than %d selections (fields and fragment spreads); the limit is %d", l.MaxSelections, l.MaxSelections)
			}
		}
		prev2, prev = prev, tok
	}
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
