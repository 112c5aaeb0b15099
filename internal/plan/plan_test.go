package plan_test

import (
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"

	"github.com/cohesio/cohesio/graph/generated"
	"github.com/cohesio/cohesio/internal/plan"
)

// TestWhatIsPlanned checks the planner's decisions: what it answers, what it leaves to the
// resolvers.
func TestWhatIsPlanned(t *testing.T) {
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	p, err := plan.New(schema)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		query   string
		planned bool
	}{
		{`{ operators { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id name kind legalForm { code } } } } }`, true},
		{`{ commune(nisCode: "21015") { servedBy(first: 50, orderBy: [{field: NAME}]) { nodes { name projects(first: 10) { nodes { title budget programme { code } } } } } } }`, true},
		{`{ operator(enterpriseNumber: "0999000129") { name seatCommune { nisCode } } }`, true},
		{`{ node(id: "T3BlcmF0b3I6MQ") { id ... on Operator { name } } }`, true},
		{`{ operators(filter: {kind: {eq: PUBLIC}, name: {contains: "a"}}) { nodes { __typename } } }`, true},
		{`{ operator(enterpriseNumber: "12") { name } }`, false}, // invalid: the resolvers say why
		{`{ node(id: "bm9wZToy") { id } }`, false},               // not an id of this API
		{`{ territories { nodes { name(lang: NL) } } }`, true},   // cohesion's pick(lang, fr, nl)
		{`{ programmes { nodes { nameNl name(lang: FR) } } }`, true},
		{`{ operators { aggregate { count } } }`, true},
		{`{ projects(filter: {budget: {gt: "10"}, startDate: {lt: "2025-01-01"}}) { nodes { title } } }`, true},
		{`{ projects(filter: {budget: {gt: "ten"}}) { nodes { title } } }`, false}, // invalid: the resolvers say why
		{`{ projects { nodes { programme { projects { totalCount } } } } }`, true}, // a connection under a to-one
		{`{ datasets { name } }`, false},                                           // not the relational model
		{`{ __schema { queryType { name } } }`, false},                             // introspection
		{`{ nodes(ids: ["T3BlcmF0b3I6MQ"]) { id } }`, false},                       // several nodes
		{`{ operators(first: 1) { nodes { name } } }`, true},
	}
	for _, tt := range tests {
		doc, gerr := gqlparser.LoadQuery(schema, tt.query)
		if gerr != nil {
			t.Fatalf("%s: %v", tt.query, gerr)
		}
		oc := &graphql.OperationContext{Doc: doc, Operation: doc.Operations[0], Variables: map[string]any{}}
		fields := graphql.CollectFields(oc, oc.Operation.SelectionSet, []string{"Query"})
		_, err := p.Plan(oc, fields[0])
		if got := err == nil; got != tt.planned {
			t.Errorf("%s: planned %v, want %v (%v)", tt.query, got, tt.planned, err)
		}
	}
}
