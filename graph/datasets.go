package graph

import (
	"context"
	"fmt"
	"time"

	"github.com/cohesio/cohesio/graph/model"
	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/cohesion"
	"github.com/cohesio/cohesio/internal/dataset"
	"github.com/cohesio/cohesio/internal/tabular"
)

// pick returns the text in the requested language, English when none is asked.
func pick(en, fr, nl string, lang *cohesion.Lang) string {
	switch {
	case lang == nil:
		return en
	case *lang == cohesion.LangFR:
		return fr
	}
	return nl
}

func suppressionRule(ctx context.Context, svc *dataset.Service, d *dataset.Dataset) *model.SuppressionRule {
	if d.Suppression == nil {
		return nil
	}
	return &model.SuppressionRule{
		Threshold:    int32(svc.Threshold()),
		AppliesToYou: !access.RoleFrom(ctx).SeesSmallCounts(),
		Rule:         dataset.SuppressionText(svc.Threshold()),
	}
}

// downloads links base (a path without extension) in every format.
func downloads(base string) []*model.Download {
	var out []*model.Download
	for _, f := range tabular.Formats() {
		out = append(out, &model.Download{Format: string(f), MediaType: f.ContentType(), URL: base + "." + f.Extension()})
	}
	return out
}

// coverage measures the coverage of d and of its siblings in one statement, as the caller
// would download them.
func (r *Resolver) coverage(ctx context.Context, d *dataset.Dataset) (*model.DatasetCoverage, error) {
	g := groupOf(ctx, d)
	v, err := g.do("coverage", func() (any, error) {
		reqs := make([]dataset.Request, len(g.members))
		for i, m := range g.members {
			reqs[i] = dataset.Request{Dataset: m.(*dataset.Dataset), Role: access.RoleFrom(ctx)}
		}
		covs, err := r.DatasetService.Coverages(ctx, reqs)
		if err != nil {
			return nil, err
		}
		out := map[*dataset.Dataset]dataset.Coverage{}
		for i, m := range g.members {
			out[m.(*dataset.Dataset)] = covs[i]
		}
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	c := v.(map[*dataset.Dataset]dataset.Coverage)[d]
	out := &model.DatasetCoverage{Rows: int32(c.Rows), Territories: c.Territories}
	for _, p := range []struct {
		text *string
		date **time.Time
	}{{c.From, &out.From}, {c.To, &out.To}} {
		if p.text != nil {
			t, err := time.Parse(time.DateOnly, *p.text)
			if err != nil {
				return nil, fmt.Errorf("coverage of %s: %w", d.Name, err)
			}
			*p.date = &t
		}
	}
	for i := range c.Sources {
		out.Sources = append(out.Sources, &c.Sources[i])
	}
	if out.Territories == nil {
		out.Territories = []string{}
	}
	return out, nil
}
