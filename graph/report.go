package graph

import (
	"context"

	"github.com/cohesio/cohesio/graph/model"
	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/catalog"
	"github.com/cohesio/cohesio/internal/cohesion"
	"github.com/cohesio/cohesio/internal/report"
)

// reportArgs maps the report query's arguments to a report request.
type reportArgs struct {
	measures   []*model.ReportMeasure
	dimensions []*model.ReportDimension
	filter     *model.ReportFilter
	orderBy    []*model.ReportOrder
	limit      *int32
	totals     *model.ReportTotals
	compare    *bool
	lang       *cohesion.Lang
}

func (r *Resolver) report(ctx context.Context, a reportArgs) (*model.Report, error) {
	req := report.Request{Limit: 1000, Totals: report.NoTotals, Lang: cohesion.LangFR}
	if a.limit != nil {
		req.Limit = int(*a.limit)
	}
	if a.totals != nil {
		req.Totals = report.Totals(*a.totals)
	}
	if a.compare != nil {
		req.Compare = *a.compare
	}
	if a.lang != nil {
		req.Lang = *a.lang
	}
	var codes []string
	for _, m := range a.measures {
		rm := report.Measure{Kind: report.MeasureKind(m.Kind)}
		if m.Indicator != nil {
			rm.Indicator = *m.Indicator
			codes = append(codes, rm.Indicator)
		}
		if m.ValueKind != nil {
			rm.ValueKind = *m.ValueKind
		}
		if m.PerThousandInhabitants != nil {
			rm.PerMille = *m.PerThousandInhabitants
		}
		if m.Alias != nil {
			rm.Alias = *m.Alias
		}
		req.Measures = append(req.Measures, rm)
	}
	for _, d := range a.dimensions {
		rd := report.Dimension{Kind: report.DimensionKind(d.Kind)}
		if d.TerritoryLevel != nil {
			rd.TerritoryLevel = *d.TerritoryLevel
		}
		if d.Grain != nil {
			rd.Grain = report.Grain(*d.Grain)
		}
		if d.RollUpToParent != nil {
			rd.RollUp = *d.RollUpToParent
		}
		if d.Disaggregation != nil {
			rd.Breakdown = *d.Disaggregation
		}
		req.Dimensions = append(req.Dimensions, rd)
	}
	for _, o := range a.orderBy {
		req.Order = append(req.Order, report.Order{By: o.By, Desc: o.Direction != nil && *o.Direction == model.OrderDirectionDesc})
	}
	if f := a.filter; f != nil {
		req.Filter.From, req.Filter.To, req.Filter.Status = f.From, f.To, f.Status
		for _, x := range []struct {
			in     map[string]any
			entity string
			out    **catalog.Filter
		}{
			{f.Territory, "Territory", &req.Filter.Territory},
			{f.Programme, "Programme", &req.Filter.Programme},
			{f.Project, "Project", &req.Filter.Project},
			{f.Operator, "Operator", &req.Filter.Operator},
			{f.Indicator, "Indicator", &req.Filter.Indicator},
			{f.Coordination, "Coordination", &req.Filter.Coordination},
		} {
			if x.in == nil {
				continue
			}
			cf, err := toFilter(r.Catalog.Entity(x.entity), x.in)
			if err != nil {
				return nil, err
			}
			*x.out = &cf
		}
	}
	// The indicators a request names are looked up first: validation needs their rule.
	var indicators map[string]report.IndicatorInfo
	if len(codes) > 0 {
		var err error
		if indicators, err = r.Store.IndicatorsByCode(ctx, codes, req.Lang); err != nil {
			return nil, err
		}
	}
	if err := req.Validate(indicators); err != nil {
		return nil, err
	}
	res, err := r.Store.Report(ctx, &req)
	if err != nil {
		return nil, err
	}
	if !access.RoleFrom(ctx).SeesSmallCounts() {
		if req.NeedsPersonIndicators() {
			if req.PersonIndicators, err = r.Store.PersonIndicators(ctx); err != nil {
				return nil, err
			}
		}
		req.Suppress(res, r.DatasetService.Threshold())
	}
	return toReport(&req, res), nil
}

func toReport(req *report.Request, res *report.Result) *model.Report {
	out := &model.Report{Truncated: res.Truncated, Rows: make([]*model.ReportRow, len(res.Rows))}
	dims, measures := req.Columns()
	for _, c := range dims {
		out.Dimensions = append(out.Dimensions, &model.ReportColumn{Name: c.Name, Label: c.Label, Unit: c.Unit})
	}
	for _, c := range measures {
		out.Measures = append(out.Measures, &model.ReportColumn{Name: c.Name, Label: c.Label, Unit: c.Unit})
	}
	for i, row := range res.Rows {
		mr := &model.ReportRow{IsTotal: row.IsTotal}
		for di, k := range row.Keys {
			d := req.Dimensions[di]
			label := k.Label
			if label == nil && k.Code != nil {
				if l := req.CodeLabel(d, *k.Code); l != "" {
					label = &l
				} else {
					label = k.Code
				}
			}
			mr.Keys = append(mr.Keys, &model.ReportKey{Dimension: d.Name(), Code: k.Code, Label: label})
		}
		for mi, c := range row.Cells {
			mr.Values = append(mr.Values, &model.ReportValue{Measure: req.Measures[mi].Alias, Value: c.Value, Previous: c.Previous, Change: c.Change, ChangePercent: c.ChangePercent,
				Suppressed: c.Suppressed, PreviousSuppressed: c.PreviousSuppressed})
		}
		out.Rows[i] = mr
	}
	return out
}
