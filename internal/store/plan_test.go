package store_test

import (
	"context"
	"testing"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/cohesion"
	"github.com/cohesio/cohesio/internal/store"
)

// TestRunPlan reads operators by name with their projects (two sibling connections, one
// backward) and checks records, pages, totals and cursors against List and ListRelated.
func TestRunPlan(t *testing.T) {
	st := open(t)
	ctx := access.WithPrincipal(context.Background(), access.Principal{Role: access.Public})
	projects := &store.PlanMany{Relation: "projects", Args: store.ListArgs{Total: true}, Cursors: true, Object: &store.PlanObject{Entity: "Project", Fields: []string{"title"}}}
	last := &store.PlanMany{Relation: "projects", Args: store.ListArgs{Last: ptr(1)}, Cursors: true, More: true, Object: &store.PlanObject{Entity: "Project", Fields: []string{"title"}}}
	root := &store.PlanMany{
		Args:    store.ListArgs{Order: []store.Order{{Field: "name"}}, Total: true, First: ptr(2)},
		Cursors: true,
		More:    true,
		Object: &store.PlanObject{Entity: "Operator", Fields: []string{"name"},
			ToOne: []*store.PlanToOne{{Relation: "legalForm", Object: &store.PlanObject{Entity: "LegalForm", Fields: []string{"code"}}}},
			Many:  []*store.PlanMany{projects, last}},
	}
	compiled, err := st.CompilePlan(ctx, root)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := st.RunPlan(ctx, compiled)
	if err != nil {
		t.Fatal(err)
	}
	start, end := rows.Page(root, 0)
	if end-start != 2 || string(rows.Total(root, 0)) != "3" {
		t.Fatalf("root page [%d, %d), total %s", start, end, rows.Total(root, 0))
	}
	if next, prev := rows.PageInfo(root, 0); !next || prev {
		t.Errorf("pageInfo %v %v", next, prev)
	}
	name := func(rec int) string { return string(rows.Value(root, rec, root.Object.Col(0))) }
	if name(0) != "CPAS de Schaerbeek" || name(1) != "Lire et Écrire Molenbeek" {
		t.Errorf("names %q %q", name(0), name(1))
	}
	if code := rows.Value(root, 0, root.Object.ToOne[0].Object.Col(0)); string(code) != "cpas" {
		t.Errorf("legal form %q", code)
	}
	// The same pages as the resolvers' store calls.
	want, err := store.ListRelated[cohesion.Project](ctx, st, "Operator", "projects", []int64{2, 3}, store.ListArgs{Total: true})
	if err != nil {
		t.Fatal(err)
	}
	wantLast, err := store.ListRelated[cohesion.Project](ctx, st, "Operator", "projects", []int64{2, 3}, store.ListArgs{Last: ptr(1)})
	if err != nil {
		t.Fatal(err)
	}
	for rec, id := range []int64{2, 3} {
		s, e := rows.Page(projects, rec)
		if e-s != len(want[id].Nodes) || string(rows.Total(projects, rec)) == "" {
			t.Errorf("operator %d: %d projects, want %d", id, e-s, len(want[id].Nodes))
			continue
		}
		for i := s; i < e; i++ {
			cur, err := rows.Cursor(projects, i)
			if err != nil || cur != want[id].Cursors[i-s] {
				t.Errorf("cursor %q, want %q (%v)", cur, want[id].Cursors[i-s], err)
			}
		}
		if s, e := rows.Page(last, rec); e-s != 1 {
			t.Errorf("operator %d: last page of %d", id, e-s)
		}
		// pageInfo of the backward page (read in reverse: an n+1-th row comes last).
		if next, prev := rows.PageInfo(last, rec); next != wantLast[id].HasNext || prev != wantLast[id].HasPrev {
			t.Errorf("operator %d: last page info %v %v, want %v %v", id, next, prev, wantLast[id].HasNext, wantLast[id].HasPrev)
		}
	}
}
