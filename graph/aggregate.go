package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/99designs/gqlgen/graphql"
	"github.com/shopspring/decimal"

	"github.com/cohesio/cohesio/graph/model"
	"github.com/cohesio/cohesio/internal/catalog"
	"github.com/cohesio/cohesio/internal/store"
)

// aggregate resolves the aggregate field of connection c: every aggregate asked for under it
// (aliases included) is computed in one statement over all the rows c's filter selects. For a
// to-many relation, that statement serves all the parent's siblings at once.
func aggregate[T any](ctx context.Context, r *Resolver, c *model.Connection[T]) (*model.Aggregate, error) {
	o := c.Origin
	if o == nil {
		return nil, errors.New("aggregate: the connection does not say where it came from")
	}
	specs, keys := aggSpecs(ctx)
	if o.Parent == nil {
		res, err := store.Aggregate(ctx, r.Store, o.Entity, o.Filter, specs)
		if err != nil {
			return nil, err
		}
		return toAggregate(res, specs, keys), nil
	}
	// Siblings asking for the same aggregates of the same filtered relation share the load.
	key, _ := json.Marshal([]any{"aggregate", o.Relation, o.Filter, specs})
	g := groupOf(ctx, o.Parent)
	v, err := g.do(string(key), func() (any, error) {
		ids := make([]int64, len(g.members))
		for i, m := range g.members {
			ids[i] = idOf(m)
		}
		return store.AggregateRelated(ctx, r.Store, o.ParentEntity, o.Relation, ids, o.Filter, specs)
	})
	if err != nil {
		return nil, err
	}
	return toAggregate(v.(map[int64]store.Aggregates)[idOf(o.Parent)], specs, keys), nil
}

// aggSpecs reads the sub-fields of the aggregate field being resolved: the store's specs, in
// a stable order (the same aggregates make the same batch key, however the client wrote
// them), and beside each the key model.Aggregate reads it by. count is always computed: it
// costs nothing in the same statement.
func aggSpecs(ctx context.Context) ([]store.AggSpec, []string) {
	fc := graphql.GetFieldContext(ctx)
	vars := graphql.GetOperationContext(ctx).Variables
	asked := map[string]store.AggSpec{"count:": {Fn: "count"}}
	for _, f := range graphql.CollectFieldsCtx(ctx, []string{fc.Field.Definition.Type.Name()}) {
		switch f.Name {
		case "countDistinct", "sum", "avg", "min", "max":
			value := fmt.Sprint(f.ArgumentMap(vars)["field"])
			asked[f.Name+":"+value] = store.AggSpec{Fn: f.Name, Field: catalog.EnumToField(value)}
		}
	}
	keys := slices.Sorted(maps.Keys(asked))
	specs := make([]store.AggSpec, len(keys))
	for i, k := range keys {
		specs[i] = asked[k]
	}
	return specs, keys
}

func toAggregate(res store.Aggregates, specs []store.AggSpec, keys []string) *model.Aggregate {
	a := &model.Aggregate{Values: make(map[string]*decimal.Decimal, len(specs))}
	for i, sp := range specs {
		a.Values[keys[i]] = res[sp]
	}
	return a
}
