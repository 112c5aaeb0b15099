package graph

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cohesio/cohesio/graph/model"
	"github.com/cohesio/cohesio/internal/cohesion"
	"github.com/cohesio/cohesio/internal/store"
)

// The analyses of the annual evaluation. The store computes each one in a single statement and
// returns ids; the objects they name are loaded here with one statement per type and
// registered as siblings, so that their own fields batch too.

// loadGroup loads the rows of entity with these ids (duplicates allowed) and registers them as
// one group of siblings.
func loadGroup[T any](ctx context.Context, r *Resolver, entity string, ids []int64) (map[int64]*T, error) {
	if len(ids) == 0 {
		return map[int64]*T{}, nil
	}
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	byID, err := store.ByIDs[T](ctx, r.Store, entity, ids)
	if err != nil {
		return nil, err
	}
	nodes := make([]*T, 0, len(byID))
	for _, id := range ids {
		if n := byID[id]; n != nil {
			nodes = append(nodes, n)
		}
	}
	register(ctx, nodes)
	return byID, nil
}

// pickLoaded returns the loaded objects of ids, in order.
func pickLoaded[T any](byID map[int64]*T, ids []int64) []*T {
	out := make([]*T, 0, len(ids))
	for _, id := range ids {
		if n := byID[id]; n != nil {
			out = append(out, n)
		}
	}
	return out
}

// analysisFilter converts a GraphQL filter input on entity into the store's filter.
func analysisFilter(r *Resolver, entity string, m map[string]any) (store.Filter, error) {
	return toFilter(r.Catalog.Entity(entity), m)
}

func optionalInt(n *int32) *int {
	if n == nil {
		return nil
	}
	v := int(*n)
	return &v
}

func (r *queryResolver) concordance(ctx context.Context, level *cohesion.TerritoryKind, fromYear, toYear *int32, territory map[string]any, lowActivityBelow *int32, status []model.ConcordanceStatus) ([]*model.ConcordanceRow, error) {
	args := store.ConcordanceArgs{Level: cohesion.TerritoryCommune, FromYear: optionalInt(fromYear), ToYear: optionalInt(toYear), LowActivityBelow: 2}
	if level != nil {
		args.Level = *level
	}
	if lowActivityBelow != nil {
		args.LowActivityBelow = int(*lowActivityBelow)
	}
	if status != nil {
		args.Status = make([]string, len(status))
		for i, s := range status {
			args.Status[i] = strings.ToLower(string(s))
		}
	}
	var err error
	if args.Territory, err = analysisFilter(r.Resolver, "Territory", territory); err != nil {
		return nil, err
	}
	rows, err := store.Concordance(ctx, r.Store, args)
	if err != nil {
		return nil, err
	}
	var territoryIDs, themeIDs []int64
	for _, row := range rows {
		territoryIDs = append(territoryIDs, row.TerritoryID)
		themeIDs = append(themeIDs, row.ThemeID)
	}
	territories, err := loadGroup[cohesion.Territory](ctx, r.Resolver, "Territory", territoryIDs)
	if err != nil {
		return nil, err
	}
	themes, err := loadGroup[cohesion.Theme](ctx, r.Resolver, "Theme", themeIDs)
	if err != nil {
		return nil, err
	}
	out := make([]*model.ConcordanceRow, len(rows))
	for i, row := range rows {
		out[i] = &model.ConcordanceRow{
			Territory:     territories[row.TerritoryID],
			Theme:         themes[row.ThemeID],
			Year:          row.Year,
			NeedCount:     row.NeedCount,
			MaxSeverity:   row.MaxSeverity,
			ProjectCount:  row.ProjectCount,
			OperatorCount: row.OperatorCount,
			Budget:        row.Budget,
			Status:        model.ConcordanceStatus(strings.ToUpper(row.Status)),
		}
	}
	return out, nil
}

func (r *queryResolver) coherence(ctx context.Context, programme map[string]any) ([]*model.CoherenceCell, error) {
	f, err := analysisFilter(r.Resolver, "Programme", programme)
	if err != nil {
		return nil, err
	}
	cells, err := store.Coherence(ctx, r.Store, f)
	if err != nil {
		return nil, err
	}
	var programmeIDs, policyIDs, linkIDs []int64
	for _, c := range cells {
		programmeIDs = append(programmeIDs, c.ProgrammeID)
		policyIDs = append(policyIDs, c.PolicyID)
		linkIDs = append(linkIDs, c.LinkIDs...)
	}
	programmes, err := loadGroup[cohesion.Programme](ctx, r.Resolver, "Programme", programmeIDs)
	if err != nil {
		return nil, err
	}
	policies, err := loadGroup[cohesion.Policy](ctx, r.Resolver, "Policy", policyIDs)
	if err != nil {
		return nil, err
	}
	links, err := loadGroup[cohesion.TransversalLink](ctx, r.Resolver, "TransversalLink", linkIDs)
	if err != nil {
		return nil, err
	}
	out := make([]*model.CoherenceCell, len(cells))
	for i, c := range cells {
		out[i] = &model.CoherenceCell{
			Programme:      programmes[c.ProgrammeID],
			Policy:         policies[c.PolicyID],
			AuthorityLevel: c.AuthorityLevel,
			Relations:      c.Relations,
			Links:          pickLoaded(links, c.LinkIDs),
		}
	}
	return out, nil
}

func (r *queryResolver) fundingOverlaps(ctx context.Context, from, to *time.Time, operator map[string]any) ([]*model.FundingOverlap, error) {
	f, err := analysisFilter(r.Resolver, "Operator", operator)
	if err != nil {
		return nil, err
	}
	pairs, err := store.FundingOverlaps(ctx, r.Store, store.FundingOverlapArgs{From: from, To: to, Operator: f})
	if err != nil {
		return nil, err
	}
	var operatorIDs, projectIDs, themeIDs, publicIDs []int64
	for _, p := range pairs {
		operatorIDs = append(operatorIDs, p.OperatorID)
		projectIDs = append(projectIDs, p.ProjectID, p.OtherProjectID)
		themeIDs = append(themeIDs, p.ThemeIDs...)
		publicIDs = append(publicIDs, p.TargetPublicIDs...)
	}
	operators, err := loadGroup[cohesion.Operator](ctx, r.Resolver, "Operator", operatorIDs)
	if err != nil {
		return nil, err
	}
	projects, err := loadGroup[cohesion.Project](ctx, r.Resolver, "Project", projectIDs)
	if err != nil {
		return nil, err
	}
	themes, err := loadGroup[cohesion.Theme](ctx, r.Resolver, "Theme", themeIDs)
	if err != nil {
		return nil, err
	}
	publics, err := loadGroup[cohesion.TargetPublic](ctx, r.Resolver, "TargetPublic", publicIDs)
	if err != nil {
		return nil, err
	}
	out := make([]*model.FundingOverlap, len(pairs))
	for i, p := range pairs {
		out[i] = &model.FundingOverlap{
			Operator:            operators[p.OperatorID],
			Project:             projects[p.ProjectID],
			OtherProject:        projects[p.OtherProjectID],
			OverlapStart:        p.OverlapStart,
			OverlapEnd:          p.OverlapEnd,
			SharedThemes:        pickLoaded(themes, p.ThemeIDs),
			SharedTargetPublics: pickLoaded(publics, p.TargetPublicIDs),
		}
	}
	return out, nil
}

func (r *queryResolver) network(ctx context.Context, coordination map[string]any, year *int32) (*model.Network, error) {
	f, err := analysisFilter(r.Resolver, "Coordination", coordination)
	if err != nil {
		return nil, err
	}
	nodes, ties, err := store.Network(ctx, r.Store, store.NetworkArgs{Coordination: f, Year: optionalInt(year)})
	if err != nil {
		return nil, err
	}
	ids := make([]int64, 0, len(nodes))
	for _, n := range nodes {
		ids = append(ids, n.OperatorID)
	}
	for _, t := range ties {
		ids = append(ids, t.OperatorID, t.PartnerID)
	}
	operators, err := loadGroup[cohesion.Operator](ctx, r.Resolver, "Operator", ids)
	if err != nil {
		return nil, err
	}
	out := &model.Network{Nodes: make([]*model.NetworkNode, len(nodes)), Ties: make([]*model.NetworkTie, len(ties))}
	for i, n := range nodes {
		out.Nodes[i] = &model.NetworkNode{Operator: operators[n.OperatorID], PartnerCount: n.PartnerCount, Isolated: n.PartnerCount == 0}
	}
	for i, t := range ties {
		out.Ties[i] = &model.NetworkTie{
			Operator:            operators[t.OperatorID],
			Partner:             operators[t.PartnerID],
			SharedWorkingGroups: t.SharedWorkingGroups,
			SharedProjects:      t.SharedProjects,
			Weight:              t.SharedWorkingGroups + t.SharedProjects,
		}
	}
	return out, nil
}

func (r *queryResolver) rules(ctx context.Context) ([]*cohesion.Rule, error) {
	rules, err := store.Rules(ctx, r.Store)
	if err != nil {
		return nil, err
	}
	register(ctx, rules)
	return rules, nil
}

func (r *queryResolver) ruleViolations(ctx context.Context, code *string, year *int32) ([]*model.RuleViolation, error) {
	rules, err := store.Rules(ctx, r.Store)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]*cohesion.Rule, len(rules))
	known := false
	for _, rule := range rules {
		byID[rule.ID] = rule
		known = known || (code != nil && rule.Code == *code)
	}
	if code != nil && !known {
		return nil, cohesion.Invalid("rule", "no rule has the code "+*code)
	}
	found, err := store.RuleViolations(ctx, r.Store, code, optionalInt(year))
	if err != nil {
		return nil, err
	}
	// The rules that are broken form one group, so that their sources load together.
	var broken []*cohesion.Rule
	seen := map[int64]bool{}
	subjects := map[string][]int64{}
	for _, v := range found {
		if !seen[v.RuleID] {
			seen[v.RuleID] = true
			broken = append(broken, byID[v.RuleID])
		}
		subjects[v.SubjectType] = append(subjects[v.SubjectType], v.SubjectID)
	}
	register(ctx, broken)
	loaded := map[string]func(int64) model.Node{}
	for typ, ids := range subjects {
		var get func(int64) model.Node
		switch typ {
		case "WorkingGroup":
			get, err = subjectLoader[cohesion.WorkingGroup](ctx, r.Resolver, typ, ids)
		case "Project":
			get, err = subjectLoader[cohesion.Project](ctx, r.Resolver, typ, ids)
		case "Observation":
			get, err = subjectLoader[cohesion.Observation](ctx, r.Resolver, typ, ids)
		default:
			err = fmt.Errorf("rule violation of unknown subject type %s", typ)
		}
		if err != nil {
			return nil, err
		}
		loaded[typ] = get
	}
	out := make([]*model.RuleViolation, len(found))
	for i, v := range found {
		out[i] = &model.RuleViolation{
			Rule:         byID[v.RuleID],
			Subject:      loaded[v.SubjectType](v.SubjectID),
			SubjectLabel: v.SubjectLabel,
			Year:         v.Year,
			Observed:     v.Observed,
			Threshold:    v.Threshold,
			Evidence:     v.Evidence,
		}
	}
	return out, nil
}

// subjectLoader loads the subjects of one type and returns a look-up that gives each as a Node.
func subjectLoader[T any](ctx context.Context, r *Resolver, entity string, ids []int64) (func(int64) model.Node, error) {
	byID, err := loadGroup[T](ctx, r, entity, ids)
	if err != nil {
		return nil, err
	}
	return func(id int64) model.Node {
		if n := byID[id]; n != nil {
			return n
		}
		return nil
	}, nil
}

// ruleRef resolves a to-one reference of a rule (its source, programme or coordination) for
// all the rules of its group at once: rules are not an entity of the catalog, so the
// catalog-driven one() cannot serve them.
func ruleRef[T any](ctx context.Context, r *Resolver, rule *cohesion.Rule, entity string, ref func(*cohesion.Rule) *int64) (*T, error) {
	g := groupOf(ctx, rule)
	v, err := g.do("rule."+entity, func() (any, error) {
		var ids []int64
		for _, m := range g.members {
			if id := ref(m.(*cohesion.Rule)); id != nil {
				ids = append(ids, *id)
			}
		}
		return loadGroup[T](ctx, r, entity, ids)
	})
	if err != nil {
		return nil, err
	}
	id := ref(rule)
	if id == nil {
		return nil, nil
	}
	return v.(map[int64]*T)[*id], nil
}
