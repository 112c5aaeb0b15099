package graph

import (
	"context"

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
