package graph

import (
	"context"
	"fmt"

	"github.com/cohesio/cohesio/graph/model"
	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/catalog"
	"github.com/cohesio/cohesio/internal/cohesion"
	"github.com/cohesio/cohesio/internal/store"
)

// localID reads a global id of the given type, naming field when it is not one.
func localID(gid, typ, field string) (int64, error) {
	t, n, err := catalog.ParseGlobalID(gid)
	if err != nil || t != typ {
		return 0, cohesion.Invalid(field, fmt.Sprintf("%q is not the id of a %s", gid, typ))
	}
	return n, nil
}

func optionalID(gid *string, typ, field string) (*int64, error) {
	if gid == nil {
		return nil, nil
	}
	n, err := localID(*gid, typ, field)
	return &n, err
}

func (r *Resolver) saveDraft(ctx context.Context, gid *string, in model.ObservationDraftInput) (*cohesion.Observation, error) {
	d := store.ObservationDraft{Indicator: in.Indicator, PeriodStart: in.PeriodStart, PeriodEnd: in.PeriodEnd,
		Granularity: in.Granularity, Kind: in.Kind, Value: in.Value, Note: in.Note}
	var err error
	if d.ProjectID, err = optionalID(in.Project, "Project", "input.project"); err != nil {
		return nil, err
	}
	if d.OperatorID, err = optionalID(in.Operator, "Operator", "input.operator"); err != nil {
		return nil, err
	}
	if d.DisaggregationID, err = optionalID(in.Disaggregation, "Disaggregation", "input.disaggregation"); err != nil {
		return nil, err
	}
	id, err := optionalID(gid, "Observation", "id")
	if err != nil {
		return nil, err
	}
	saved, err := r.Store.SaveObservationDraft(ctx, id, d, access.PrincipalFrom(ctx).CheckDraft)
	if err != nil {
		return nil, err
	}
	obs, err := r.observations(ctx, []int64{saved})
	if err != nil {
		return nil, err
	}
	return obs[0], nil
}

func (r *Resolver) submit(ctx context.Context, gids []string) ([]*cohesion.Observation, error) {
	ids, err := observationIDs(gids)
	if err != nil {
		return nil, err
	}
	if err := r.Store.SubmitObservations(ctx, ids, access.PrincipalFrom(ctx).CheckDraft); err != nil {
		return nil, err
	}
	return r.observations(ctx, ids)
}

func (r *Resolver) review(ctx context.Context, gids []string, validate bool, note *string) ([]*cohesion.Observation, error) {
	ids, err := observationIDs(gids)
	if err != nil {
		return nil, err
	}
	if err := r.Store.ReviewObservations(ctx, ids, validate, note, access.PrincipalFrom(ctx).CheckReview); err != nil {
		return nil, err
	}
	return r.observations(ctx, ids)
}

func observationIDs(gids []string) ([]int64, error) {
	ids := make([]int64, len(gids))
	for i, g := range gids {
		n, err := localID(g, "Observation", fmt.Sprintf("ids[%d]", i))
		if err != nil {
			return nil, err
		}
		ids[i] = n
	}
	return ids, nil
}

// observations reads back what a mutation changed, as the caller may now see it, in order.
func (r *Resolver) observations(ctx context.Context, ids []int64) ([]*cohesion.Observation, error) {
	byID, err := store.ByIDs[cohesion.Observation](ctx, r.Store, "Observation", ids)
	if err != nil {
		return nil, err
	}
	out := make([]*cohesion.Observation, 0, len(ids))
	for _, id := range ids {
		if o := byID[id]; o != nil {
			out = append(out, o)
		}
	}
	register(ctx, out)
	return out, nil
}
