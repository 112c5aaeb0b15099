package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/cohesion"
)

// The analyses of the annual evaluation. Each is one statement: the aggregation runs in
// PostgreSQL and only the result rows come back, with the ids of the objects they name; the
// caller loads those objects in batches. Filters are the read API's filters, compiled by the
// same builder.

// filterRow is the alias of the rows a filter applies to. The filter builder names its own
// sub-queries t1, t2...; this name never clashes with them.
const filterRow = "flt"

// selectsAll reports whether f selects every row.
func selectsAll(f Filter) bool {
	return len(f.And) == 0 && len(f.Or) == 0 && f.Not == nil && len(f.Conds) == 0 && len(f.Rels) == 0
}

// whereEntity writes f over alias for the named entity.
func (s *Store) whereEntity(b *builder, entity, alias string, f Filter) error {
	e, err := s.modelEntity(entity)
	if err != nil {
		return err
	}
	return b.where(e, alias, f)
}

// ConcordanceArgs selects the concordance between needs and activities.
type ConcordanceArgs struct {
	// Level is the territory kind rows are given at (commune, region, bassin...).
	Level cohesion.TerritoryKind
	// FromYear and ToYear clip the years compared; nil leaves that side open.
	FromYear, ToYear *int
	// Territory keeps the territories at Level that match it or lie within one that does.
	Territory Filter
	// LowActivityBelow: a need met by fewer projects than this is low activity.
	LowActivityBelow int
	// Status, when not nil, keeps the rows with one of these statuses.
	Status []string
}

// ConcordanceRow is a territory, theme and year with its needs and activity.
type ConcordanceRow struct {
	TerritoryID   int64
	ThemeID       int64
	Year          int32
	NeedCount     int32
	MaxSeverity   *int32
	ProjectCount  int32
	OperatorCount int32
	Budget        *decimal.Decimal
	// Status is need_without_activity, low_activity, matched or activity_without_need.
	Status string
}

// Concordance compares needs and projects per territory at args.Level, theme and year.
//
// Facts roll up the territory graph: along parent links (a CLSS quartier counts for its
// commune, a commune for the region) and from a member to its groups (a commune counts for
// its PSSI bassin). A fact reached by two paths counts once. Needs count for every year their
// period covers, projects for every year they are active (an open end runs to toYear, else to
// the current year); both are clipped to [fromYear, toYear].
func Concordance(ctx context.Context, s *Store, args ConcordanceArgs) ([]ConcordanceRow, error) {
	if args.FromYear != nil && args.ToYear != nil && *args.FromYear > *args.ToYear {
		return nil, invalid("fromYear", "fromYear %d is after toYear %d", *args.FromYear, *args.ToYear)
	}
	if args.LowActivityBelow < 0 {
		return nil, invalid("lowActivityBelow", "lowActivityBelow must not be negative, got %d", args.LowActivityBelow)
	}
	b := &builder{}
	level := b.param(string(args.Level), "text")
	from := b.param(args.FromYear, "int")
	to := b.param(args.ToYear, "int")
	low := b.param(args.LowActivityBelow, "int")
	var status string
	if args.Status != nil {
		status = b.param(args.Status, "text[]")
	}
	b.write(`WITH RECURSIVE `, territoryAncestors, `, lvl AS (
  SELECT t.id FROM territory t WHERE t.kind = `, level)
	if !selectsAll(args.Territory) {
		b.write(` AND EXISTS (SELECT 1 FROM territory_ancestors u JOIN territory `, filterRow, ` ON `, filterRow, `.id = u.ancestor_id WHERE u.territory_id = t.id AND `)
		if err := s.whereEntity(b, "Territory", filterRow, args.Territory); err != nil {
			return nil, err
		}
		b.write(`)`)
	}
	b.write(`
), need_year AS (
  SELECT n.id, n.theme_id, n.territory_id, n.severity, y.y
  FROM need n CROSS JOIN LATERAL generate_series(
    GREATEST(extract(year FROM n.period_start)::int, `, from, `),
    LEAST(extract(year FROM n.period_end)::int, `, to, `)) AS y(y)
), project_year AS (
  SELECT p.id, pt.theme_id, p.territory_id, p.operator_id, p.budget, y.y
  FROM project p JOIN project_theme pt ON pt.project_id = p.id
  CROSS JOIN LATERAL generate_series(
    GREATEST(extract(year FROM p.start_date)::int, `, from, `),
    LEAST(COALESCE(extract(year FROM p.end_date)::int, `, to, `,
                   GREATEST(extract(year FROM current_date)::int, extract(year FROM p.start_date)::int)), `, to, `)) AS y(y)
), need_cell AS (
  SELECT l.id AS territory_id, n.theme_id, n.y, count(DISTINCT n.id)::int AS needs, max(n.severity)::int AS severity
  FROM need_year n JOIN territory_ancestors u ON u.territory_id = n.territory_id JOIN lvl l ON l.id = u.ancestor_id
  GROUP BY 1, 2, 3
), project_cell AS (
  SELECT x.territory_id, x.theme_id, x.y, count(*)::int AS projects, count(DISTINCT x.operator_id)::int AS operators, sum(x.budget) AS budget
  FROM (SELECT DISTINCT l.id AS territory_id, p.theme_id, p.y, p.id, p.operator_id, p.budget
        FROM project_year p JOIN territory_ancestors u ON u.territory_id = p.territory_id JOIN lvl l ON l.id = u.ancestor_id) x
  GROUP BY 1, 2, 3
), cell AS (
  SELECT territory_id, theme_id, y, COALESCE(n.needs, 0) AS needs, n.severity,
         COALESCE(p.projects, 0) AS projects, COALESCE(p.operators, 0) AS operators, p.budget
  FROM need_cell n FULL JOIN project_cell p USING (territory_id, theme_id, y)
), judged AS (
  SELECT c.*, CASE WHEN c.needs = 0 THEN 'activity_without_need'
                   WHEN c.projects = 0 THEN 'need_without_activity'
                   WHEN c.projects < `, low, ` THEN 'low_activity'
                   ELSE 'matched' END AS status
  FROM cell c
)
SELECT c.territory_id, c.theme_id, c.y, c.needs, c.severity, c.projects, c.operators, c.budget, c.status
FROM judged c JOIN territory t ON t.id = c.territory_id JOIN theme th ON th.id = c.theme_id`)
	if status != "" {
		b.write(`
WHERE c.status = ANY(`, status, `)`)
	}
	b.write(`
ORDER BY t.code COLLATE "und-x-icu", th.code COLLATE "und-x-icu", c.y`)
	rows, err := s.readPool().Query(ctx, b.sb.String(), b.args...)
	if err != nil {
		return nil, fmt.Errorf("concordance: %w", err)
	}
	var out []ConcordanceRow
	var r ConcordanceRow
	_, err = pgx.ForEachRow(rows, []any{&r.TerritoryID, &r.ThemeID, &r.Year, &r.NeedCount, &r.MaxSeverity,
		&r.ProjectCount, &r.OperatorCount, &r.Budget, &r.Status}, func() error {
		out = append(out, r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("concordance: %w", err)
	}
	return out, nil
}

// CoherenceCell is a programme and another policy with the links between them.
type CoherenceCell struct {
	ProgrammeID    int64
	PolicyID       int64
	AuthorityLevel cohesion.AuthorityLevel
	// Relations are distinct, in alphabetical order of their codes.
	Relations []cohesion.LinkRelation
	LinkIDs   []int64
}

// Coherence crosses the programmes that match programme with the policies their transversal
// links (their own and their projects') point to.
func Coherence(ctx context.Context, s *Store, programme Filter) ([]CoherenceCell, error) {
	b := &builder{}
	b.write(`SELECT `, filterRow, `.id, pol.id, a.level,
  array_agg(DISTINCT l.relation ORDER BY l.relation), array_agg(l.id ORDER BY l.id)
FROM transversal_link l
LEFT JOIN project pj ON pj.id = l.project_id
JOIN programme `, filterRow, ` ON `, filterRow, `.id = COALESCE(l.programme_id, pj.programme_id)
JOIN policy pol ON pol.id = l.policy_id
JOIN authority a ON a.id = pol.authority_id
WHERE `)
	if err := s.whereEntity(b, "Programme", filterRow, programme); err != nil {
		return nil, err
	}
	b.write(`
GROUP BY `, filterRow, `.id, pol.id, a.level
ORDER BY `, filterRow, `.code COLLATE "und-x-icu", pol.code COLLATE "und-x-icu"`)
	rows, err := s.readPool().Query(ctx, b.sb.String(), b.args...)
	if err != nil {
		return nil, fmt.Errorf("coherence: %w", err)
	}
	var out []CoherenceCell
	var c CoherenceCell
	var relations []string
	_, err = pgx.ForEachRow(rows, []any{&c.ProgrammeID, &c.PolicyID, &c.AuthorityLevel, &relations, &c.LinkIDs}, func() error {
		cell := c
		cell.Relations = make([]cohesion.LinkRelation, len(relations))
		for i, rel := range relations {
			cell.Relations[i] = cohesion.LinkRelation(rel)
		}
		out = append(out, cell)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("coherence: %w", err)
	}
	return out, nil
}

// FundingOverlapArgs selects the funding overlaps.
type FundingOverlapArgs struct {
	// From and To keep the pairs whose common period meets [From, To]; nil leaves a side open.
	From, To *time.Time
	// Operator keeps the pairs of the operators that match it.
	Operator Filter
}

// FundingOverlap is a pair of projects of one operator under two programmes.
type FundingOverlap struct {
	OperatorID      int64
	ProjectID       int64 // the smaller id
	OtherProjectID  int64
	OverlapStart    time.Time
	OverlapEnd      *time.Time // nil when both projects are open-ended
	ThemeIDs        []int64
	TargetPublicIDs []int64
}

// FundingOverlaps finds the pairs of projects of the same operator, under different
// programmes, whose periods overlap (an open end runs forever) and which share a theme or a
// target public: candidates for double financing or double follow-up.
func FundingOverlaps(ctx context.Context, s *Store, args FundingOverlapArgs) ([]FundingOverlap, error) {
	if args.From != nil && args.To != nil && args.From.After(*args.To) {
		return nil, invalid("from", "from %s is after to %s", args.From.Format(time.DateOnly), args.To.Format(time.DateOnly))
	}
	b := &builder{}
	from := b.param(args.From, "date")
	to := b.param(args.To, "date")
	b.write(`SELECT x.operator_id, x.p1, x.p2, x.overlap_start, x.overlap_end, x.themes, x.publics FROM (
  SELECT p1.operator_id, p1.id AS p1, p2.id AS p2,
    GREATEST(p1.start_date, p2.start_date) AS overlap_start,
    LEAST(p1.end_date, p2.end_date) AS overlap_end,
    ARRAY(SELECT theme_id FROM project_theme WHERE project_id = p1.id
          INTERSECT SELECT theme_id FROM project_theme WHERE project_id = p2.id ORDER BY 1) AS themes,
    ARRAY(SELECT target_public_id FROM project_target_public WHERE project_id = p1.id
          INTERSECT SELECT target_public_id FROM project_target_public WHERE project_id = p2.id ORDER BY 1) AS publics,
    `, filterRow, `.name AS operator_name
  FROM project p1
  JOIN project p2 ON p2.operator_id = p1.operator_id AND p2.id > p1.id AND p2.programme_id <> p1.programme_id
   AND p1.start_date <= COALESCE(p2.end_date, 'infinity'::date)
   AND p2.start_date <= COALESCE(p1.end_date, 'infinity'::date)
  JOIN operator `, filterRow, ` ON `, filterRow, `.id = p1.operator_id
  WHERE `)
	if err := s.whereEntity(b, "Operator", filterRow, args.Operator); err != nil {
		return nil, err
	}
	b.write(`
) x
WHERE (cardinality(x.themes) > 0 OR cardinality(x.publics) > 0)
  AND (`, to, ` IS NULL OR x.overlap_start <= `, to, `)
  AND (`, from, ` IS NULL OR x.overlap_end IS NULL OR x.overlap_end >= `, from, `)
ORDER BY x.operator_name COLLATE "und-x-icu", x.operator_id, x.p1, x.p2`)
	rows, err := s.readPool().Query(ctx, b.sb.String(), b.args...)
	if err != nil {
		return nil, fmt.Errorf("funding overlaps: %w", err)
	}
	var out []FundingOverlap
	var o FundingOverlap
	_, err = pgx.ForEachRow(rows, []any{&o.OperatorID, &o.ProjectID, &o.OtherProjectID, &o.OverlapStart, &o.OverlapEnd,
		&o.ThemeIDs, &o.TargetPublicIDs}, func() error {
		out = append(out, o)
		o = FundingOverlap{}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("funding overlaps: %w", err)
	}
	return out, nil
}

// NetworkArgs selects the network of organisations.
type NetworkArgs struct {
	// Coordination, when set, limits the network to the operators of the matching
	// coordinations (their members and the members of their bodies) and the working-group ties
	// to their bodies.
	Coordination Filter
	// Year, when set, counts only the projects active that year.
	Year *int
}

// NetworkNode is an operator with its number of distinct partners.
type NetworkNode struct {
	OperatorID   int64
	PartnerCount int32
}

// NetworkTie is a pair of operators (OperatorID < PartnerID) and what ties them.
type NetworkTie struct {
	OperatorID          int64
	PartnerID           int64
	SharedWorkingGroups int32
	SharedProjects      int32
}

// Network computes who works with whom: operators sitting in the same body (working group,
// steering committee, platform) and operators on the same project (carrier and partner, or
// two partners). Nodes come most connected first, ties heaviest first.
func Network(ctx context.Context, s *Store, args NetworkArgs) ([]NetworkNode, []NetworkTie, error) {
	b := &builder{}
	year := b.param(args.Year, "int")
	if selectsAll(args.Coordination) {
		b.write(`WITH ops AS (SELECT id FROM operator), bodies AS (SELECT id FROM working_group)`)
	} else {
		b.write(`WITH sel AS (SELECT `, filterRow, `.id FROM coordination `, filterRow, ` WHERE `)
		if err := s.whereEntity(b, "Coordination", filterRow, args.Coordination); err != nil {
			return nil, nil, err
		}
		b.write(`), bodies AS (SELECT id FROM working_group WHERE coordination_id IN (SELECT id FROM sel)),
ops AS (
  SELECT operator_id AS id FROM coordination_member WHERE coordination_id IN (SELECT id FROM sel)
  UNION SELECT operator_id FROM working_group_member WHERE working_group_id IN (SELECT id FROM bodies))`)
	}
	b.write(`, body_pair AS (
  SELECT a.operator_id AS a, b.operator_id AS b, count(*)::int AS n
  FROM working_group_member a
  JOIN working_group_member b ON b.working_group_id = a.working_group_id AND b.operator_id > a.operator_id
  WHERE a.working_group_id IN (SELECT id FROM bodies)
    AND a.operator_id IN (SELECT id FROM ops) AND b.operator_id IN (SELECT id FROM ops)
  GROUP BY 1, 2
), active AS (
  SELECT id, operator_id FROM project p
  WHERE `, year, ` IS NULL OR (extract(year FROM p.start_date) <= `, year, `
    AND (p.end_date IS NULL OR extract(year FROM p.end_date) >= `, year, `))
), part AS (
  SELECT id AS project_id, operator_id FROM active
  UNION SELECT pp.project_id, pp.operator_id FROM project_partner pp JOIN active ON active.id = pp.project_id
), project_pair AS (
  SELECT a.operator_id AS a, b.operator_id AS b, count(*)::int AS n
  FROM part a JOIN part b ON b.project_id = a.project_id AND b.operator_id > a.operator_id
  WHERE a.operator_id IN (SELECT id FROM ops) AND b.operator_id IN (SELECT id FROM ops)
  GROUP BY 1, 2
), tie AS (
  SELECT a, b, COALESCE(w.n, 0) AS bodies, COALESCE(p.n, 0) AS projects
  FROM body_pair w FULL JOIN project_pair p USING (a, b)
), degree AS (
  SELECT ops.id, count(DISTINCT x.partner)::int AS n
  FROM ops LEFT JOIN (SELECT a AS id, b AS partner FROM tie UNION ALL SELECT b, a FROM tie) x ON x.id = ops.id
  GROUP BY ops.id
)
SELECT k, a, b, x, y FROM (
  SELECT 0 AS k, d.id AS a, 0::bigint AS b, d.n AS x, 0 AS y, o.name AS n1, '' AS n2
  FROM degree d JOIN operator o ON o.id = d.id
  UNION ALL
  SELECT 1, t.a, t.b, t.bodies, t.projects, oa.name, ob.name
  FROM tie t JOIN operator oa ON oa.id = t.a JOIN operator ob ON ob.id = t.b
) z
ORDER BY k, x + y DESC, n1 COLLATE "und-x-icu", n2 COLLATE "und-x-icu", a, b`)
	rows, err := s.readPool().Query(ctx, b.sb.String(), b.args...)
	if err != nil {
		return nil, nil, fmt.Errorf("network: %w", err)
	}
	var nodes []NetworkNode
	var ties []NetworkTie
	var k, x, y int32
	var a, bb int64
	_, err = pgx.ForEachRow(rows, []any{&k, &a, &bb, &x, &y}, func() error {
		if k == 0 {
			nodes = append(nodes, NetworkNode{OperatorID: a, PartnerCount: x})
		} else {
			ties = append(ties, NetworkTie{OperatorID: a, PartnerID: bb, SharedWorkingGroups: x, SharedProjects: y})
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("network: %w", err)
	}
	return nodes, ties, nil
}

// Rules returns every rule, by code.
func Rules(ctx context.Context, s *Store) ([]*cohesion.Rule, error) {
	rows, err := s.readPool().Query(ctx, `SELECT id, code, label_fr, label_nl, kind, threshold, programme_id,
  coordination_id, working_group_kind, note, source_id FROM rule ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	var out []*cohesion.Rule
	r := new(cohesion.Rule)
	_, err = pgx.ForEachRow(rows, []any{&r.ID, &r.Code, &r.LabelFr, &r.LabelNl, &r.Kind, &r.Threshold, &r.ProgrammeID,
		&r.CoordinationID, &r.WorkingGroupKind, &r.Note, &r.SourceID}, func() error {
		c := *r
		out = append(out, &c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	return out, nil
}

// RuleViolation is a subject that breaks a rule. SubjectType is the GraphQL type of the
// subject: WorkingGroup, Project or Observation.
type RuleViolation struct {
	RuleID       int64
	SubjectType  string
	SubjectID    int64
	SubjectLabel string
	Year         *int32
	Observed     decimal.Decimal
	Threshold    decimal.Decimal
	Evidence     string
}

// RuleViolations checks the rules (only the one with code, when given) and returns what
// breaks them, by rule code and subject. Each kind of rule is one generic check:
//
//   - min_meetings_per_year: for each body in the rule's scope and each year in which its
//     coordination recorded any meeting, the body's meetings that year (only year, when given);
//   - min_group_members, min_public_members, min_associative_members: the member
//     organisations of each body in scope, all of them or the public or associative ones; a
//     body without any recorded member is not judged, as nothing is known of it;
//   - max_project_budget: the budget of each project (of the rule's programme);
//   - children_within_parent: for each observation of an indicator (of the rule's programme)
//     with children, the sum of the children's observations for the same subject, period,
//     kind and breakdown must not exceed it. Rejected observations are left out.
func RuleViolations(ctx context.Context, s *Store, code *string, year *int) ([]RuleViolation, error) {
	// Roles below analyst judge observations by their published cells, as every output they
	// read is (factBase): evidence never quotes a withheld count.
	observation := "observation"
	if !access.RoleFrom(ctx).SeesSmallCounts() {
		observation = "observation_published"
	}
	b := &builder{}
	c := b.param(code, "text")
	y := b.param(year, "int")
	scope := `(` + c + ` IS NULL OR r.code = ` + c + `)`
	body := `(r.coordination_id IS NULL OR wg.coordination_id = r.coordination_id)
   AND (r.working_group_kind IS NULL OR wg.kind = r.working_group_kind)`
	// children sums the children's observations per parent indicator, subject, period, kind
	// and breakdown (ids are positive, so 0 stands for none and the join can hash).
	b.write(`WITH children AS (
  SELECT ci.parent_id, co.kind, co.period_start, co.period_end,
    COALESCE(co.project_id, 0) AS project_id, COALESCE(co.operator_id, 0) AS operator_id,
    COALESCE(co.coordination_id, 0) AS coordination_id, COALESCE(co.territory_id, 0) AS territory_id,
    COALESCE(co.disaggregation_id, 0) AS disaggregation_id,
    sum(co.value) AS total, array_agg(co.id) AS ids
  FROM `, observation, ` co JOIN indicator ci ON ci.id = co.indicator_id
  WHERE co.status <> 'rejected' AND ci.parent_id IN (
    SELECT pi.id FROM rule r JOIN indicator pi ON r.programme_id IS NULL OR pi.programme_id = r.programme_id
    WHERE r.kind = 'children_within_parent' AND `, scope, `)
  GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
)
SELECT rule_id, subject_type, subject_id, subject_label, year, observed, threshold, evidence FROM (
SELECT r.code, r.id AS rule_id, 'WorkingGroup' AS subject_type, wg.id AS subject_id, wg.name AS subject_label,
  y.year::int AS year, count(m.id)::numeric AS observed, r.threshold,
  format('%s: %s meeting(s) recorded in %s; the rule asks for at least %s.%s', wg.name, count(m.id), y.year,
    trim_scale(r.threshold), COALESCE(' Source: ' || string_agg(DISTINCT src.title, '; ') || '.', '')) AS evidence
FROM rule r
JOIN working_group wg ON `, body, `
CROSS JOIN LATERAL (SELECT DISTINCT m2.year FROM meeting m2 JOIN working_group w2 ON w2.id = m2.working_group_id
                    WHERE w2.coordination_id = wg.coordination_id) y
LEFT JOIN meeting m ON m.working_group_id = wg.id AND m.year = y.year
LEFT JOIN source src ON src.id = m.source_id
WHERE r.kind = 'min_meetings_per_year' AND `, scope, ` AND (`, y, ` IS NULL OR y.year = `, y, `)
GROUP BY r.id, wg.id, y.year
HAVING count(m.id) < r.threshold
UNION ALL
SELECT r.code, r.id, 'WorkingGroup', wg.id, wg.name, NULL, cnt.n::numeric, r.threshold,
  format('%s: %s %smember organisation(s) recorded (%s in all: %s public, %s associative); the rule asks for at least %s.',
    wg.name, cnt.n, cnt.what, m.total, m.public, m.associative, trim_scale(r.threshold))
FROM rule r
JOIN working_group wg ON `, body, `
CROSS JOIN LATERAL (SELECT count(*) AS total, count(*) FILTER (WHERE o.kind = 'public') AS public,
                           count(*) FILTER (WHERE o.kind = 'associative') AS associative
                    FROM working_group_member wm JOIN operator o ON o.id = wm.operator_id
                    WHERE wm.working_group_id = wg.id) m
CROSS JOIN LATERAL (SELECT CASE r.kind WHEN 'min_public_members' THEN m.public
                                       WHEN 'min_associative_members' THEN m.associative ELSE m.total END AS n,
                           CASE r.kind WHEN 'min_public_members' THEN 'public '
                                       WHEN 'min_associative_members' THEN 'associative ' ELSE '' END AS what) cnt
WHERE r.kind IN ('min_group_members', 'min_public_members', 'min_associative_members') AND `, scope, `
  AND m.total > 0 AND cnt.n < r.threshold
UNION ALL
SELECT r.code, r.id, 'Project', p.id, p.title, NULL, p.budget, r.threshold,
  format('%s: a budget of %s EUR under %s; the rule allows at most %s EUR.', p.title, trim_scale(p.budget), pr.code, trim_scale(r.threshold))
FROM rule r
JOIN project p ON r.programme_id IS NULL OR p.programme_id = r.programme_id
JOIN programme pr ON pr.id = p.programme_id
WHERE r.kind = 'max_project_budget' AND `, scope, ` AND p.budget > r.threshold
UNION ALL
SELECT r.code, r.id, 'Observation', po.id,
  format('%s, %s, %s to %s, %s', pi.code, po.kind, po.period_start, po.period_end,
    COALESCE((SELECT title FROM project WHERE id = po.project_id), (SELECT name FROM operator WHERE id = po.operator_id),
             (SELECT name FROM coordination WHERE id = po.coordination_id), (SELECT name_fr FROM territory WHERE id = po.territory_id))),
  NULL, c.total, po.value,
  format('%s (%s, %s to %s): the children add up to %s (%s), more than the parent''s %s.', pi.code, po.kind, po.period_start,
    po.period_end, trim_scale(c.total),
    (SELECT string_agg(ci.code || ' = ' || trim_scale(co.value), ', ' ORDER BY ci.code, co.id)
     FROM `, observation, ` co JOIN indicator ci ON ci.id = co.indicator_id WHERE co.id = ANY(c.ids)), trim_scale(po.value))
FROM rule r
JOIN indicator pi ON r.programme_id IS NULL OR pi.programme_id = r.programme_id
JOIN `, observation, ` po ON po.indicator_id = pi.id AND po.status <> 'rejected'
JOIN children c ON c.parent_id = pi.id AND c.kind = po.kind AND c.period_start = po.period_start AND c.period_end = po.period_end
  AND c.project_id = COALESCE(po.project_id, 0) AND c.operator_id = COALESCE(po.operator_id, 0)
  AND c.coordination_id = COALESCE(po.coordination_id, 0) AND c.territory_id = COALESCE(po.territory_id, 0)
  AND c.disaggregation_id = COALESCE(po.disaggregation_id, 0)
WHERE r.kind = 'children_within_parent' AND `, scope, ` AND c.total > po.value
) v
ORDER BY code, subject_label COLLATE "und-x-icu", year, subject_id`)
	rows, err := s.readPool().Query(ctx, b.sb.String(), b.args...)
	if err != nil {
		return nil, fmt.Errorf("rule violations: %w", err)
	}
	var out []RuleViolation
	var v RuleViolation
	_, err = pgx.ForEachRow(rows, []any{&v.RuleID, &v.SubjectType, &v.SubjectID, &v.SubjectLabel, &v.Year, &v.Observed,
		&v.Threshold, &v.Evidence}, func() error {
		out = append(out, v)
		v = RuleViolation{}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("rule violations: %w", err)
	}
	return out, nil
}
