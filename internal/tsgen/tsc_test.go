package tsgen

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/cohesio/cohesio/schema"
)

// sampleOperations select real fields of the schema: fragments, inline fragments on an
// interface, aliases, enums, custom scalars, variables with input types, a mutation.
var sampleOperations = []Operation{
	{Name: "operatorsByName", Description: "Operators whose name contains a word.", Query: `
query OperatorsByName($name: String!, $first: Int = 20, $after: String) {
  operators(first: $first, after: $after, filter: {name: {contains: $name}}) {
    totalCount
    edges { cursor node { ...OperatorCard } }
    pageInfo { hasNextPage endCursor }
  }
}

fragment OperatorCard on Operator {
  id
  name
  kind
  seat: seatCommune { code nameFr population populationDate }
}`},
	{Name: "nodeById", Query: `
query NodeById($id: ID!) {
  node(id: $id) {
    __typename
    id
    ... on Territory { code kind population }
    ... on Operator { name languages }
  }
}`},
	{Name: "concordance", Query: `
query Concordance($status: [ConcordanceStatus!], $level: TerritoryKind) {
  concordance(status: $status, territoryLevel: $level) {
    territory { code name }
    year
    budget
    status
  }
}`},
	{Name: "createToken", Query: `
mutation CreateToken($name: String!, $role: Role!) {
  created: createApiToken(name: $name, role: $role) {
    secret
    token { id role expiresAt }
  }
}`},
}

// usage uses the generated types the way a front end would; the lines under
// @ts-expect-error must not compile, which proves the types are strict, not any.
const usage = `import {
  ConcordanceResult,
  ConcordanceStatus,
  ConcordanceStatusValues,
  ConcordanceVariables,
  CreateTokenResult,
  NodeByIdResult,
  OperatorFilter,
  OperatorsByNameDocument,
  OperatorsByNameResult,
  OperatorsByNameVariables,
  Scalars,
} from "./cohesio";

export const variables: OperatorsByNameVariables = { name: "maison" };

export const request: { query: string; variables: OperatorsByNameVariables } = {
  query: OperatorsByNameDocument,
  variables,
};

export const page: OperatorsByNameResult = {
  operators: {
    totalCount: 1,
    edges: [
      {
        cursor: "YXJyYXljb25uZWN0aW9uOjA=",
        node: {
          id: "T3BlcmF0b3I6MQ==",
          name: "Maison de quartier",
          kind: "ASSOCIATIVE",
          seat: { code: "21004", nameFr: "Bruxelles", population: 196828, populationDate: "2024-01-01" },
        },
      },
    ],
    pageInfo: { hasNextPage: false, endCursor: null },
  },
};

export const names: string[] = page.operators.edges.map((e) => e.node.name);

export function describe(data: NodeByIdResult): string {
  const node = data.node;
  if (node === null) {
    return "nothing";
  }
  switch (node.__typename) {
    case "Territory":
      return node.code + " " + node.kind + " " + String(node.population ?? "?");
    case "Operator":
      return node.name + " " + node.languages.join(",");
    default:
      return node.id;
  }
}

export const concordance: ConcordanceVariables = { status: ["MATCHED", "LOW_ACTIVITY"], level: null };

export function total(data: ConcordanceResult): Scalars["Decimal"][] {
  return data.concordance.filter((r) => r.status === ConcordanceStatusValues[0]).map((r) => r.budget ?? "0");
}

export const created: CreateTokenResult = {
  created: { secret: "coh_x", token: { id: "1", role: "RESEARCHER", expiresAt: null } },
};

export const filter: OperatorFilter = { name: { contains: "quartier" }, kind: { eq: "PUBLIC" } };

// @ts-expect-error a required field is missing
export const missing: OperatorsByNameResult = { operators: { totalCount: 0, edges: [] } };

// @ts-expect-error not a value of the enum
export const wrong: ConcordanceStatus = "SOMETIMES";

// @ts-expect-error a variable of the wrong type
export const badVariables: OperatorsByNameVariables = { name: 3 };

// @ts-expect-error a field the operation did not select
export const unselected: string = page.operators.edges[0].node.street;
`

// TestGeneratedTypeScriptCompiles generates the types of the real schema and of sample
// operations and has tsc check them, and a file that uses them, in strict mode.
func TestGeneratedTypeScriptCompiles(t *testing.T) {
	tsc, err := exec.LookPath("tsc")
	if err != nil {
		t.Fatal("tsc, the TypeScript compiler, is not on PATH: install it with scripts/prerequisites.sh (Debian's node-typescript)")
	}
	s, err := schema.Parse()
	if err != nil {
		t.Fatal(err)
	}
	out, err := Generate(s, sampleOperations)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for name, text := range map[string][]byte{"cohesio.ts": out, "usage.ts": []byte(usage)} {
		if err := os.WriteFile(filepath.Join(dir, name), text, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(tsc, "--noEmit", "--strict", "--target", "es2019", "--module", "es2015",
		"--moduleResolution", "node", "cohesio.ts", "usage.ts")
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tsc --noEmit --strict: %v\n%s", err, b)
	}
}
