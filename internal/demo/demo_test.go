package demo_test

import (
	"context"
	"os"
	"testing"

	"github.com/cohesio/cohesio/internal/cohesion"
	"github.com/cohesio/cohesio/internal/demo"
	"github.com/cohesio/cohesio/internal/pgtest"
	"github.com/cohesio/cohesio/internal/store"
)

func TestMain(m *testing.M) {
	os.Exit(pgtest.Main(m, store.MigrateURL))
}

func TestDemoDataset(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, pgtest.NewDatabase(t), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := demo.Load(ctx, st); err != nil {
		t.Fatal(err)
	}

	t.Run("the 19 communes sum to the Statbel 2020 population", func(t *testing.T) {
		p, err := store.List[cohesion.Territory](ctx, st, "Territory", store.ListArgs{
			Filter: store.Filter{Conds: []store.Cond{{Field: "kind", Op: "eq", Value: "commune"}}}, Total: true})
		if err != nil {
			t.Fatal(err)
		}
		var sum int32
		for _, c := range p.Nodes {
			sum += *c.Population
		}
		if p.Total != 19 || sum != 1218255 {
			t.Errorf("%d communes with %d inhabitants, want 19 and 1,218,255", p.Total, sum)
		}
	})

	t.Run("operators not named in a document are fictitious", func(t *testing.T) {
		illustrative, err := store.ByField[cohesion.Source](ctx, st, "Source", "code", "illustrative")
		if err != nil {
			t.Fatal(err)
		}
		p, err := store.List[cohesion.Operator](ctx, st, "Operator", store.ListArgs{First: ptr(500)})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range p.Nodes {
			if (o.SourceID == illustrative.ID) != o.Fictitious {
				t.Errorf("%s: fictitious=%v but source %d", o.Name, o.Fictitious, o.SourceID)
			}
			if o.EnterpriseNumber != nil && !cohesion.ValidEnterpriseNumber(*o.EnterpriseNumber) {
				t.Errorf("%s: invalid enterprise number %s", o.Name, *o.EnterpriseNumber)
			}
		}
	})

	t.Run("Schaerbeek has operators with projects", func(t *testing.T) {
		p, err := store.List[cohesion.Project](ctx, st, "Project", store.ListArgs{Total: true, Filter: store.Filter{Rels: []store.RelFilter{{
			Relation: "operator", Filter: store.Filter{Rels: []store.RelFilter{{Relation: "territories",
				Filter: store.Filter{Conds: []store.Cond{{Field: "nisCode", Op: "eq", Value: "21015"}}}}}}}}}})
		if err != nil {
			t.Fatal(err)
		}
		if p.Total < 3 {
			t.Errorf("%d projects of operators serving Schaerbeek, want several", p.Total)
		}
	})

	t.Run("a second load fails and changes nothing", func(t *testing.T) {
		count := func() int {
			p, err := store.List[cohesion.Operator](ctx, st, "Operator", store.ListArgs{Total: true})
			if err != nil {
				t.Fatal(err)
			}
			return p.Total
		}
		before := count()
		if err := demo.Load(ctx, st); err == nil {
			t.Fatal("loading the demo twice succeeded")
		}
		if after := count(); after != before {
			t.Errorf("%d operators after a rejected second load, %d before", after, before)
		}
	})

	t.Run("the CSS lists the fifty-one members of annex 2", func(t *testing.T) {
		css, err := store.ByField[cohesion.Coordination](ctx, st, "Coordination", "code", "css-schaerbeek")
		if err != nil {
			t.Fatal(err)
		}
		members, err := store.ListRelated[cohesion.Operator](ctx, st, "Coordination", "members", []int64{css.ID}, store.ListArgs{Total: true})
		if err != nil {
			t.Fatal(err)
		}
		if n := members[css.ID].Total; n != 51 {
			t.Errorf("the CSS has %d members, annex 2 lists 51", n)
		}
	})
}

func ptr(n int) *int { return &n }
