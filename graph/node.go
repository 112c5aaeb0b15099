package graph

import (
	"context"
	"fmt"

	"github.com/cohesio/cohesio/graph/model"
	"github.com/cohesio/cohesio/internal/catalog"
	"github.com/cohesio/cohesio/internal/cohesion"
	"github.com/cohesio/cohesio/internal/store"
)

// nodeLoaders fetch objects of each type by id, for node(id:) and nodes(ids:).
var nodeLoaders = map[string]func(ctx context.Context, r *Resolver, ids []int64) (map[int64]model.Node, error){
	"Approval":        byIDs[cohesion.Approval],
	"Authority":       byIDs[cohesion.Authority],
	"Coordination":    byIDs[cohesion.Coordination],
	"Disaggregation":  byIDs[cohesion.Disaggregation],
	"Event":           byIDs[cohesion.Event],
	"Indicator":       byIDs[cohesion.Indicator],
	"LegalForm":       byIDs[cohesion.LegalForm],
	"Meeting":         byIDs[cohesion.Meeting],
	"Need":            byIDs[cohesion.Need],
	"Observation":     byIDs[cohesion.Observation],
	"Operator":        byIDs[cohesion.Operator],
	"Policy":          byIDs[cohesion.Policy],
	"Programme":       byIDs[cohesion.Programme],
	"ProgrammeAxis":   byIDs[cohesion.ProgrammeAxis],
	"Project":         byIDs[cohesion.Project],
	"Sector":          byIDs[cohesion.Sector],
	"Source":          byIDs[cohesion.Source],
	"TargetPublic":    byIDs[cohesion.TargetPublic],
	"Territory":       byIDs[cohesion.Territory],
	"Theme":           byIDs[cohesion.Theme],
	"TransversalLink": byIDs[cohesion.TransversalLink],
	"WorkingGroup":    byIDs[cohesion.WorkingGroup],
	"ReportTemplate": func(ctx context.Context, r *Resolver, ids []int64) (map[int64]model.Node, error) {
		return asNodes(r.templates(ctx, ids))
	},
	"Campaign": func(ctx context.Context, r *Resolver, ids []int64) (map[int64]model.Node, error) {
		return asNodes(r.campaigns(ctx, ids))
	},
	"Submission": func(ctx context.Context, r *Resolver, ids []int64) (map[int64]model.Node, error) {
		return asNodes(r.submissions(ctx, ids))
	},
}

func asNodes[T any](found map[int64]*T, err error) (map[int64]model.Node, error) {
	if err != nil {
		return nil, err
	}
	out := make(map[int64]model.Node, len(found))
	for id, n := range found {
		out[id] = n
	}
	return out, nil
}

func byIDs[T any](ctx context.Context, r *Resolver, ids []int64) (map[int64]model.Node, error) {
	found, err := store.ByIDs[T](ctx, r.Store, graphqlType[T](r), ids)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]model.Node, len(found))
	nodes := make([]*T, 0, len(found))
	for id, n := range found {
		out[id] = n
		nodes = append(nodes, n)
	}
	register(ctx, nodes)
	return out, nil
}

// graphqlType names the entity of T: its Go type name is its GraphQL type name.
func graphqlType[T any](*Resolver) string {
	var zero T
	return fmt.Sprintf("%T", zero)[len("cohesion."):]
}

func (r *queryResolver) node(ctx context.Context, gid string) (model.Node, error) {
	nodes, err := r.nodes(ctx, []string{gid})
	if err != nil {
		return nil, err
	}
	return nodes[0], nil
}

// nodes loads the objects of each type with one statement per type.
func (r *queryResolver) nodes(ctx context.Context, gids []string) ([]model.Node, error) {
	type ref struct {
		typ string
		id  int64
	}
	refs := make([]ref, len(gids))
	byType := map[string][]int64{}
	for i, gid := range gids {
		typ, id, err := catalog.ParseGlobalID(gid)
		if err != nil || nodeLoaders[typ] == nil {
			return nil, cohesion.Invalid("id", fmt.Sprintf("%q is not an id of this API", gid))
		}
		refs[i] = ref{typ, id}
		byType[typ] = append(byType[typ], id)
	}
	found := map[string]map[int64]model.Node{}
	for typ, ids := range byType {
		m, err := nodeLoaders[typ](ctx, r.Resolver, ids)
		if err != nil {
			return nil, err
		}
		found[typ] = m
	}
	out := make([]model.Node, len(gids))
	for i, ref := range refs {
		if n, ok := found[ref.typ][ref.id]; ok {
			out[i] = n
		}
	}
	return out, nil
}

func (r *queryResolver) operatorByEnterpriseNumber(ctx context.Context, number string) (*cohesion.Operator, error) {
	n, err := cohesion.NormalizeEnterpriseNumber(number)
	if err != nil {
		return nil, cohesion.Invalid("enterpriseNumber", err.Error())
	}
	return lookup[cohesion.Operator](ctx, r.Resolver, "Operator", "enterpriseNumber", n)
}
