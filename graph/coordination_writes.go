package graph

import (
	"context"
	"fmt"

	"github.com/cohesio/cohesio/graph/model"
	"github.com/cohesio/cohesio/internal/cohesion"
	"github.com/cohesio/cohesio/internal/store"
)

// written reads the entity a write made or changed, as the caller sees it through the read API.
func written[T any](ctx context.Context, r *Resolver, res store.Result, err error) (*T, error) {
	if err != nil {
		return nil, err
	}
	found, err := store.ByIDs[T](ctx, r.Store, graphqlType[T](r), []int64{res.ID})
	if err != nil {
		return nil, err
	}
	n := found[res.ID]
	if n == nil {
		return nil, fmt.Errorf("%s %d: %w", graphqlType[T](r), res.ID, cohesion.ErrNotFound)
	}
	register(ctx, []*T{n})
	return n, nil
}

func workingGroupChange(in model.WorkingGroupInput) (store.WorkingGroupChange, error) {
	theme, err := optionalID(in.Theme, "Theme", "input.theme")
	return store.WorkingGroupChange{Kind: in.Kind, Name: in.Name, ThemeID: theme, Description: in.Description}, err
}

func (r *Resolver) workingGroupPayload(ctx context.Context, res store.Result, err error) (*model.WorkingGroupPayload, error) {
	wg, err := written[cohesion.WorkingGroup](ctx, r, res, err)
	if err != nil {
		return nil, err
	}
	return &model.WorkingGroupPayload{WorkingGroup: wg, Version: int32(res.Version), Replayed: res.Replayed}, nil
}

func member(in model.WorkingGroupMemberInput) (store.Member, error) {
	var m store.Member
	var err error
	if m.OperatorID, err = optionalID(in.Operator, "Operator", "member.operator"); err != nil {
		return m, err
	}
	if m.SiteID, err = optionalID(in.Site, "OperatorSite", "member.site"); err != nil {
		return m, err
	}
	m.ServiceID, err = optionalID(in.Service, "OperatorService", "member.service")
	return m, err
}

// membership changes a working group's members with change, and answers with the member.
func (r *Resolver) membership(ctx context.Context, gid string, in model.WorkingGroupMemberInput, key *string,
	change func(context.Context, *string, int64, store.Member) (store.Result, error)) (*model.WorkingGroupMemberPayload, error) {
	group, err := localID(gid, "WorkingGroup", "workingGroup")
	if err != nil {
		return nil, err
	}
	m, err := member(in)
	if err != nil {
		return nil, err
	}
	res, err := change(ctx, key, group, m)
	if err != nil {
		return nil, err
	}
	return &model.WorkingGroupMemberPayload{Replayed: res.Replayed, Member: &store.WorkingGroupMember{
		ID: res.ID, WorkingGroupID: group, OperatorID: m.OperatorID, SiteID: m.SiteID, ServiceID: m.ServiceID}}, nil
}

func meetingChange(in model.MeetingInput) store.MeetingChange {
	c := store.MeetingChange{HeldOn: in.HeldOn, Kind: cohesion.MeetingOfTheBody, Note: in.Note}
	if in.Kind != nil {
		c.Kind = *in.Kind
	}
	if in.Year != nil {
		y := int(*in.Year)
		c.Year = &y
	}
	if in.ParticipantCount != nil {
		n := int(*in.ParticipantCount)
		c.ParticipantCount = &n
	}
	return c
}

func (r *Resolver) meetingPayload(ctx context.Context, res store.Result, err error) (*model.MeetingPayload, error) {
	m, err := written[cohesion.Meeting](ctx, r, res, err)
	if err != nil {
		return nil, err
	}
	return &model.MeetingPayload{Meeting: m, Version: int32(res.Version), Replayed: res.Replayed}, nil
}

func eventChange(in model.EventInput) (store.EventChange, error) {
	c := store.EventChange{Title: in.Title, Kind: cohesion.OtherEvent, HeldOn: in.HeldOn, Description: in.Description}
	if in.Kind != nil {
		c.Kind = *in.Kind
	}
	if in.ParticipantCount != nil {
		n := int(*in.ParticipantCount)
		c.ParticipantCount = &n
	}
	var err error
	if c.ThemeID, err = optionalID(in.Theme, "Theme", "input.theme"); err != nil {
		return c, err
	}
	if c.TerritoryID, err = optionalID(in.Territory, "Territory", "input.territory"); err != nil {
		return c, err
	}
	if c.OrganiserID, err = optionalID(in.Organiser, "Operator", "input.organiser"); err != nil {
		return c, err
	}
	for i, o := range in.Organisations {
		id, err := localID(o, "Operator", fmt.Sprintf("input.organisations[%d]", i))
		if err != nil {
			return c, err
		}
		c.Organisations = append(c.Organisations, id)
	}
	return c, nil
}

func (r *Resolver) eventPayload(ctx context.Context, res store.Result, err error) (*model.EventPayload, error) {
	e, err := written[cohesion.Event](ctx, r, res, err)
	if err != nil {
		return nil, err
	}
	return &model.EventPayload{Event: e, Version: int32(res.Version), Replayed: res.Replayed}, nil
}

// coordinationMember changes a coordination's members with change.
func (r *Resolver) coordinationMember(ctx context.Context, coordination, operator string, key *string,
	change func(context.Context, *string, int64, int64) (store.Result, error)) (*model.CoordinationMemberPayload, error) {
	co, err := localID(coordination, "Coordination", "coordination")
	if err != nil {
		return nil, err
	}
	op, err := localID(operator, "Operator", "operator")
	if err != nil {
		return nil, err
	}
	res, err := change(ctx, key, co, op)
	c, err := written[cohesion.Coordination](ctx, r, res, err)
	if err != nil {
		return nil, err
	}
	o, err := written[cohesion.Operator](ctx, r, store.Result{ID: op}, nil)
	if err != nil {
		return nil, err
	}
	return &model.CoordinationMemberPayload{Coordination: c, Operator: o, Replayed: res.Replayed}, nil
}

func operatorRecordChange(in model.OperatorRecordInput) (store.OperatorRecordChange, error) {
	commune, err := optionalID(in.SeatCommune, "Territory", "input.seatCommune")
	if err != nil {
		return store.OperatorRecordChange{}, err
	}
	c := store.OperatorRecordChange{NameNl: in.NameNl, Acronym: in.Acronym, Street: in.Street, Postcode: in.Postcode,
		SeatCommuneID: commune, Website: in.Website, Email: in.Email, Phone: in.Phone, Description: in.Description,
		Languages: in.Languages}
	return c, operatorLists(&c, in.Sectors, in.Territories)
}
