package graph

import (
	"context"
	"fmt"

	"github.com/cohesio/cohesio/graph/model"
	"github.com/cohesio/cohesio/internal/cohesion"
	"github.com/cohesio/cohesio/internal/store"
)

// idList turns a list of global ids of typ into local ids; a list left out stays nil, so that
// "unchanged" and "empty" remain apart.
func idList(gids []string, typ, field string) ([]int64, error) {
	if gids == nil {
		return nil, nil
	}
	out := make([]int64, 0, len(gids))
	for i, g := range gids {
		id, err := localID(g, typ, fmt.Sprintf("%s[%d]", field, i))
		if err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, nil
}

// operatorLists adds the sectors and territories served to c.
func operatorLists(c *store.OperatorRecordChange, sectors, territories []string) error {
	var err error
	if c.Sectors, err = idList(sectors, "Sector", "input.sectors"); err != nil {
		return err
	}
	c.Territories, err = idList(territories, "Territory", "input.territories")
	return err
}

func operatorChange(in model.OperatorInput) (store.OperatorChange, error) {
	c := store.OperatorChange{EnterpriseNumber: in.EnterpriseNumber, Name: in.Name, Kind: in.Kind}
	var err error
	if c.LegalFormID, err = localID(in.LegalForm, "LegalForm", "input.legalForm"); err != nil {
		return c, err
	}
	commune, err := optionalID(in.SeatCommune, "Territory", "input.seatCommune")
	if err != nil {
		return c, err
	}
	c.Record = store.OperatorRecordChange{NameNl: in.NameNl, Acronym: in.Acronym, Street: in.Street, Postcode: in.Postcode,
		SeatCommuneID: commune, Website: in.Website, Email: in.Email, Phone: in.Phone, Description: in.Description,
		Languages: in.Languages}
	return c, operatorLists(&c.Record, in.Sectors, in.Territories)
}

func (r *Resolver) operatorPayload(ctx context.Context, res store.Result, err error) (*model.OperatorPayload, error) {
	o, err := written[cohesion.Operator](ctx, r, res, err)
	if err != nil {
		return nil, err
	}
	return &model.OperatorPayload{Operator: o, Version: int32(res.Version), Replayed: res.Replayed}, nil
}

func projectChange(in model.ProjectInput) (store.ProjectChange, error) {
	c := store.ProjectChange{Title: in.Title, Description: in.Description, StartDate: in.StartDate, EndDate: in.EndDate, Budget: in.Budget}
	var err error
	if c.OperatorID, err = localID(in.Operator, "Operator", "input.operator"); err != nil {
		return c, err
	}
	if c.ProgrammeID, err = localID(in.Programme, "Programme", "input.programme"); err != nil {
		return c, err
	}
	if c.AxisID, err = optionalID(in.Axis, "ProgrammeAxis", "input.axis"); err != nil {
		return c, err
	}
	c.TerritoryID, err = localID(in.Territory, "Territory", "input.territory")
	return c, err
}

func (r *Resolver) projectPayload(ctx context.Context, res store.Result, err error) (*model.ProjectPayload, error) {
	p, err := written[cohesion.Project](ctx, r, res, err)
	if err != nil {
		return nil, err
	}
	return &model.ProjectPayload{Project: p, Version: int32(res.Version), Replayed: res.Replayed}, nil
}

func approvalChange(in model.ApprovalInput) (store.ApprovalChange, error) {
	c := store.ApprovalChange{StartDate: in.StartDate, EndDate: in.EndDate, Status: in.Status, DecisionDate: in.DecisionDate}
	var err error
	if c.OperatorID, err = localID(in.Operator, "Operator", "input.operator"); err != nil {
		return c, err
	}
	if c.ProgrammeID, err = localID(in.Programme, "Programme", "input.programme"); err != nil {
		return c, err
	}
	c.AxisID, err = optionalID(in.Axis, "ProgrammeAxis", "input.axis")
	return c, err
}

func (r *Resolver) approvalPayload(ctx context.Context, res store.Result, err error) (*model.ApprovalPayload, error) {
	a, err := written[cohesion.Approval](ctx, r, res, err)
	if err != nil {
		return nil, err
	}
	return &model.ApprovalPayload{Approval: a, Version: int32(res.Version), Replayed: res.Replayed}, nil
}

func serviceChange(in model.OperatorServiceInput) (store.ServiceChange, error) {
	site, err := optionalID(in.Site, "OperatorSite", "input.site")
	return store.ServiceChange{Code: in.Code, Name: in.Name, SiteID: site}, err
}

func (r *Resolver) servicePayload(ctx context.Context, res store.Result, err error) (*model.OperatorServicePayload, error) {
	if err != nil {
		return nil, err
	}
	found, err := r.Store.ServicesByID(ctx, []int64{res.ID})
	if err != nil {
		return nil, err
	}
	s := found[res.ID]
	if s == nil {
		return nil, fmt.Errorf("service %d: %w", res.ID, cohesion.ErrNotFound)
	}
	return &model.OperatorServicePayload{Service: s, Version: int32(res.Version), Replayed: res.Replayed}, nil
}
