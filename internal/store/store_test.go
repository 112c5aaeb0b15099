package store_test

import (
	"context"
	"errors"
	"os"
	"slices"
	"testing"

	"github.com/cohesio/cohesio/internal/catalog"
	"github.com/cohesio/cohesio/internal/cohesion"
	"github.com/cohesio/cohesio/internal/pgtest"
	"github.com/cohesio/cohesio/internal/store"
	"github.com/cohesio/cohesio/internal/store/storetest"
)

func TestMain(m *testing.M) {
	os.Exit(pgtest.Main(m, storetest.MigrateAndLoad("testdata/fixture.sql")))
}

func open(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), pgtest.NewDatabase(t), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func ptr[T any](v T) *T { return &v }

func names(ops []*cohesion.Operator) []string {
	var out []string
	for _, o := range ops {
		out = append(out, o.Name)
	}
	return out
}

func TestFilterComparisons(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	cond := func(field, op string, v any) store.Filter {
		return store.Filter{Conds: []store.Cond{{Field: field, Op: op, Value: v}}}
	}
	tests := []struct {
		name   string
		filter store.Filter
		want   []string
	}{
		{"neq keeps rows where the field is null", cond("enterpriseNumber", "neq", "0999000129"), []string{"CPAS de Schaerbeek", "Lire et Écrire Molenbeek"}},
		{"isNull", cond("enterpriseNumber", "isNull", true), []string{"CPAS de Schaerbeek", "Lire et Écrire Molenbeek"}},
		{"notIn", cond("kind", "notIn", []string{"public"}), []string{"Lire et Écrire Molenbeek", "Maison des Écoles"}},
		{"contains treats % and _ as text", cond("name", "contains", "%"), nil},
		{"startsWith ignores case and accents", cond("name", "startsWith", "MAISON DES ECOLES"), []string{"Maison des Écoles"}},
		{"languages contain all", cond("languages", "containsAll", []string{"fr"}), []string{"CPAS de Schaerbeek", "Lire et Écrire Molenbeek", "Maison des Écoles"}},
		{"languages contain any", cond("languages", "containsAny", []string{"nl"}), nil},
		{"to-one relation", store.Filter{Rels: []store.RelFilter{{Relation: "legalForm", Filter: cond("code", "eq", "cpas")}}}, []string{"CPAS de Schaerbeek"}},
		{"not", store.Filter{Not: &store.Filter{Conds: []store.Cond{{Field: "kind", Op: "eq", Value: "associative"}}}}, []string{"CPAS de Schaerbeek"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := store.List[cohesion.Operator](ctx, st, "Operator", store.ListArgs{Filter: tt.filter, Order: []store.Order{{Field: "name"}}, Total: true})
			if err != nil {
				t.Fatal(err)
			}
			if got := names(p.Nodes); !slices.Equal(got, tt.want) || p.Total != len(tt.want) {
				t.Errorf("got %q (total %d), want %q", got, p.Total, tt.want)
			}
		})
	}
}

func TestListRelatedGivesEachParentItsOwnPage(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	// Operators 1, 2, 3 carry 2, 1 and 1 projects.
	pages, err := store.ListRelated[cohesion.Project](ctx, st, "Operator", "projects", []int64{1, 2, 3, 99}, store.ListArgs{First: ptr(1), Total: true})
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[int64]struct {
		total   int
		hasNext bool
	}{1: {2, true}, 2: {1, false}, 3: {1, false}, 99: {0, false}} {
		p := pages[id]
		if p.Total != want.total || p.HasNext != want.hasNext || len(p.Nodes) != min(1, want.total) {
			t.Errorf("operator %d: %d nodes, total %d, hasNext %v; want total %d, hasNext %v", id, len(p.Nodes), p.Total, p.HasNext, want.total, want.hasNext)
		}
		for _, n := range p.Nodes {
			if n.OperatorID != id {
				t.Errorf("operator %d got project %d of operator %d", id, n.ID, n.OperatorID)
			}
		}
	}
	// Through a link table: the communes each operator serves.
	served, err := store.ListRelated[cohesion.Territory](ctx, st, "Operator", "territories", []int64{3}, store.ListArgs{Order: []store.Order{{Field: "nameFr"}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := served[3].Nodes; len(got) != 2 || got[0].NameFr != "Molenbeek-Saint-Jean" || got[1].NameFr != "Schaerbeek" {
		t.Errorf("operator 3 serves %+v", got)
	}
}

func TestByIDsLeavesMissingIDsOut(t *testing.T) {
	st := open(t)
	got, err := store.ByIDs[cohesion.Programme](context.Background(), st, "Programme", []int64{1, 42})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[1].Code != "cs-2024" || got[1].Budget.String() != "22100000" {
		t.Errorf("got %+v", got)
	}
}

func TestInvalidRequestsNameTheArgument(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	tests := []struct {
		name  string
		args  store.ListArgs
		field string
	}{
		{"sort by a field that is not a sort key", store.ListArgs{Order: []store.Order{{Field: "description"}}}, "orderBy"},
		{"first and last together", store.ListArgs{First: ptr(1), Last: ptr(1)}, "first"},
		{"negative page size", store.ListArgs{First: ptr(-1)}, "first"},
		{"a cursor of another order", store.ListArgs{After: ptr("WzEsMl0")}, "after"},
		{"a cursor that is not a position", store.ListArgs{After: ptr("WyJ4Il0")}, "after"},
		{"an unknown filter field", store.ListArgs{Filter: store.Filter{Conds: []store.Cond{{Field: "nope", Op: "eq", Value: 1}}}}, "filter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := store.List[cohesion.Project](ctx, st, "Project", tt.args)
			var inv *cohesion.InvalidError
			if !errors.As(err, &inv) || inv.Field != tt.field {
				t.Errorf("error %v, want an InvalidError on %s", err, tt.field)
			}
		})
	}
}

// The catalog read from the GraphQL schema and the SQL migrations describe the same tables.
func TestCatalogMatchesTheDatabase(t *testing.T) {
	st := open(t)
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	cols, err := st.TableColumns(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range cat.Entities() {
		for _, c := range e.Columns() {
			if !cols[e.Table][c] {
				t.Errorf("%s: column %s.%s does not exist", e.Name, e.Table, c)
			}
		}
		for _, r := range e.Relations {
			table, ref := r.Target.Table, r.Ref
			if r.Link != "" {
				table = r.Link
				if !cols[table][r.FK] {
					t.Errorf("%s.%s: column %s.%s does not exist", e.Name, r.Name, table, r.FK)
				}
			}
			if r.Many && !cols[table][ref] {
				t.Errorf("%s.%s: column %s.%s does not exist", e.Name, r.Name, table, ref)
			}
		}
	}
}

// With a read replica configured, reads go to it and writes stay on the primary.
func TestReadsGoToTheReplica(t *testing.T) {
	ctx := context.Background()
	primary, replica := pgtest.NewDatabase(t), pgtest.NewDatabase(t)
	st, err := store.Open(ctx, primary, store.Options{ReadDSN: replica})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// Make the primary differ: a write through the store lands there only.
	err = st.Load(ctx, func(ctx context.Context, l *store.Loader) error {
		return l.ExecScript(ctx, "UPDATE operator SET name = 'Renamed on the primary' WHERE id = 1")
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := store.ByIDs[cohesion.Operator](ctx, st, "Operator", []int64{1})
	if err != nil {
		t.Fatal(err)
	}
	if got[1].Name != "Maison des Écoles" {
		t.Errorf("read %q: the read did not go to the replica", got[1].Name)
	}
}

// A parent listed twice among the siblings (an operator serving two communes) gets its page
// once, not its rows twice.
func TestListRelatedWithARepeatedParent(t *testing.T) {
	st := open(t)
	pages, err := store.ListRelated[cohesion.Project](context.Background(), st, "Operator", "projects", []int64{3, 1, 3}, store.ListArgs{})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(pages[3].Nodes); n != 1 {
		t.Errorf("operator 3 has 1 project, listed %d times", n)
	}
	if n := len(pages[1].Nodes); n != 2 {
		t.Errorf("operator 1 has 2 projects, got %d", n)
	}
}
