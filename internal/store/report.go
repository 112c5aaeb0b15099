package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/catalog"
	"github.com/cohesio/cohesio/internal/cohesion"
	"github.com/cohesio/cohesio/internal/report"
)

// Reports compile to one statement: a CTE per fact (observations, projects) that joins the
// dimensions and applies the filters, grouped (with ROLLUP when totals are asked); the facts'
// groups are merged, compared with the previous period if asked, sorted and limited. Every
// identifier comes from the code below, every value is a parameter.

// territoryAncestors defines territory_ancestors(territory_id, ancestor_id): every territory
// with itself and everything it rolls up into, up the hierarchy (a quartier into its commune and
// the region) and into groupings (a commune into its PSSI bassin). UNION stops the recursion.
const territoryAncestors = `territory_edge(down, up) AS (
  SELECT id, parent_id FROM territory WHERE parent_id IS NOT NULL
  UNION ALL SELECT member_id, group_id FROM territory_group_member
), territory_ancestors(territory_id, ancestor_id) AS (
  SELECT id, id FROM territory
  UNION SELECT a.territory_id, e.up FROM territory_ancestors a JOIN territory_edge e ON e.down = a.ancestor_id
)`

// IndicatorsByCode returns what reports need to know of the indicators with these codes.
func (s *Store) IndicatorsByCode(ctx context.Context, codes []string, lang cohesion.Lang) (map[string]report.IndicatorInfo, error) {
	rows, err := s.read.Query(ctx, `SELECT id, code, unit, aggregation, COALESCE(numerator_id, 0), COALESCE(denominator_id, 0), label_fr, label_nl
		FROM indicator WHERE code = ANY($1)`, codes)
	if err != nil {
		return nil, fmt.Errorf("look up indicators: %w", err)
	}
	out := map[string]report.IndicatorInfo{}
	var info report.IndicatorInfo
	var fr, nl string
	_, err = pgx.ForEachRow(rows, []any{&info.ID, &info.Code, &info.Unit, &info.Aggregation, &info.NumeratorID, &info.DenominatorID, &fr, &nl}, func() error {
		info.Label = fr
		if lang == cohesion.LangNL {
			info.Label = nl
		}
		out[info.Code] = info
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("look up indicators: %w", err)
	}
	return out, nil
}

// PersonIndicators returns the codes of the indicators counted in persons.
func (s *Store) PersonIndicators(ctx context.Context) (map[string]bool, error) {
	rows, err := s.read.Query(ctx, "SELECT code FROM indicator WHERE unit = 'persons'")
	if err != nil {
		return nil, fmt.Errorf("person indicators: %w", err)
	}
	codes, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("person indicators: %w", err)
	}
	out := make(map[string]bool, len(codes))
	for _, c := range codes {
		out[c] = true
	}
	return out, nil
}

// dimSQL is how one dimension enters the fact CTE.
type dimSQL struct {
	join string // joins from the fact row f
	key  string // the grouping key
	// label and pop look a key's label and population up, %s standing for the key: looking
	// them up for the few result rows is cheaper than carrying them through the grouping.
	label string // "" when the label comes from a code list (report.CodeLabel)
	pop   string // TERRITORY only
	multi bool   // a fact may fall in several keys (a project's themes)
}

// modelDims are the dimensions that follow the relational model (internal/catalog) from a
// column of the fact: the entity whose id it holds, the relations to follow from there, and
// the field of the last entity that keys the groups (its FR/NL name or label labels them,
// when it has one). The catalog gives tables, columns and join keys.
var modelDims = map[report.DimensionKind]modelDim{
	report.Programme:    {"programme_id", "Programme", nil, "code"},
	report.Policy:       {"programme_id", "Programme", []string{"policy"}, "code"},
	report.Funder:       {"programme_id", "Programme", []string{"funder"}, "code"},
	report.FunderLevel:  {"programme_id", "Programme", []string{"funder"}, "level"},
	report.OperatorKind: {"operator_id", "Operator", nil, "kind"},
	report.LegalForm:    {"operator_id", "Operator", []string{"legalForm"}, "code"},
	report.Sector:       {"operator_id", "Operator", []string{"sectors"}, "code"},
	report.Theme:        {"project_id", "Project", []string{"themes"}, "code"},
	report.TargetPublic: {"project_id", "Project", []string{"targetPublics"}, "code"},
}

// eventTheme: an event has one theme of its own.
var eventTheme = modelDim{"theme_id", "Theme", nil, "code"}

type modelDim struct {
	col    string // of the fact row f
	entity string // whose id col holds
	path   []string
	key    string // a field of the last entity
}

// sql joins the dimension from the fact row f, aliases starting with a.
func (d modelDim) sql(cat *catalog.Catalog, a string, lang cohesion.Lang) dimSQL {
	e := cat.Entity(d.entity)
	id := "f." + d.col // the id of the current entity
	var out dimSQL
	var join strings.Builder
	for i, name := range d.path {
		r := e.Relation(name)
		x := fmt.Sprintf("%s%d", a, i)
		switch {
		case !r.Many: // through the current row's key
			fmt.Fprintf(&join, " JOIN %s %s ON %s.id = %s", e.Table, x, x, id)
			id = x + "." + r.FK
		case r.Link != "":
			fmt.Fprintf(&join, " JOIN %s %s ON %s.%s = %s", r.Link, x, x, r.Ref, id)
			id, out.multi = x+"."+r.FK, true
		default:
			fmt.Fprintf(&join, " JOIN %s %s ON %s.%s = %s", r.Target.Table, x, x, r.Ref, id)
			id, out.multi = x+".id", true
		}
		e = r.Target
	}
	fmt.Fprintf(&join, " JOIN %s %s ON %s.id = %s", e.Table, a, a, id)
	key := e.Field(d.key)
	out.join, out.key = join.String(), a+"."+key.Column
	if key.Kind == catalog.KindEnum {
		return out // labelled from a code list (report.CodeLabel)
	}
	for _, label := range []string{"name", "label"} {
		if fr, nl := e.Field(label+"Fr"), e.Field(label+"Nl"); fr != nil && nl != nil {
			out.label = byCode(e.Table, lc(lang, fr.Column, nl.Column))
		}
	}
	return out
}

// byCode looks a column of table up by its unique code.
func byCode(table, column string) string {
	return "(SELECT " + column + " FROM " + table + " WHERE code = %s)"
}

func lc(lang cohesion.Lang, fr, nl string) string {
	if lang == cohesion.LangNL {
		return nl
	}
	return fr
}

// dimension returns the SQL of dimension d numbered i for fact, writing its parameters in b.
func (s *Store) dimension(b *builder, i int, d report.Dimension, fact report.Fact, r *report.Request) dimSQL {
	lang := r.Lang
	a := fmt.Sprintf("d%d", i)
	name := lc(lang, "name_fr", "name_nl")
	label := lc(lang, "label_fr", "label_nl")
	if d.Kind == report.Theme && fact == report.Events {
		return eventTheme.sql(s.catalog, a, lang)
	}
	if md, ok := modelDims[d.Kind]; ok {
		return md.sql(s.catalog, a, lang)
	}
	switch d.Kind {
	case report.Territory:
		return dimSQL{
			join: fmt.Sprintf(" JOIN territory_ancestors %[1]sa ON %[1]sa.territory_id = f.territory_id JOIN territory %[1]s ON %[1]s.id = %[1]sa.ancestor_id AND %[1]s.kind = %s",
				a, b.param(string(d.TerritoryLevel), "text")),
			key: a + ".code", label: byCode("territory", name), pop: byCode("territory", "population"),
			multi: d.TerritoryLevel == cohesion.TerritoryBassin || d.TerritoryLevel == cohesion.TerritoryCLSS,
		}
	case report.Indicator:
		if d.RollUp {
			return dimSQL{join: fmt.Sprintf(" JOIN indicator_roots %[1]sr ON %[1]sr.indicator_id = f.indicator_id AND %[1]sr.parent_id IS NULL JOIN indicator %[1]s ON %[1]s.id = %[1]sr.root_id", a), key: a + ".code", label: byCode("indicator", label)}
		}
		return modelDim{"indicator_id", "Indicator", nil, "code"}.sql(s.catalog, a, lang)
	case report.Axis:
		return dimSQL{join: fmt.Sprintf(" JOIN programme_axis %[1]s ON %[1]s.id = f.axis_id JOIN programme %[1]sp ON %[1]sp.id = %[1]s.programme_id", a),
			key:   fmt.Sprintf("%[1]sp.code || ':' || %[1]s.code", a),
			label: "(SELECT x." + name + " FROM programme_axis x JOIN programme xp ON xp.id = x.programme_id WHERE xp.code || ':' || x.code = %s)"}
	case report.Disaggregation:
		dim := b.param(d.Breakdown, "text")
		return dimSQL{join: fmt.Sprintf(" JOIN disaggregation %[1]s ON %[1]s.id = f.disaggregation_id AND %[1]s.dimension = %s", a, dim), key: a + ".code",
			label: "(SELECT " + label + " FROM disaggregation WHERE dimension = " + dim + " AND code = %s)"}
	case report.Period:
		unit := periodUnit(d.Grain)
		offset, join := "", ""
		if d.Grain == report.ProgrammeYear {
			// Each fact's programme says when its year starts; facts without one use January.
			join = fmt.Sprintf(" LEFT JOIN programme %[1]sy ON %[1]sy.id = f.programme_id", a)
			offset = fmt.Sprintf("make_interval(months => COALESCE(%sy.year_start_month, 1) - 1)", a)
		}
		bucket := periodBucket(d.Grain, "f.period_start", offset)
		if fact == report.Projects {
			// A project counts in every period it is active in, within the filter's dates
			// (open ends: until today).
			first, last := bucket, "LEAST(f.period_end, current_date)"
			if r.Filter.From != nil {
				first = fmt.Sprintf("GREATEST(%s, %s)", bucket, periodBucket(d.Grain, b.param(*r.Filter.From, "date"), offset))
			}
			if r.Filter.To != nil {
				last = fmt.Sprintf("LEAST(f.period_end, current_date, %s)", b.param(*r.Filter.To, "date"))
			}
			return dimSQL{join: join + fmt.Sprintf(" CROSS JOIN LATERAL generate_series(%s, %s, interval '%s') AS %s(bucket)", first, last, unit, a), key: a + ".bucket::date"}
		}
		return dimSQL{join: join, key: bucket}
	}
	panic("unknown dimension " + d.Kind)
}

func periodUnit(g report.Grain) string {
	switch g {
	case report.Quarter:
		return "3 months"
	case report.Month:
		return "1 month"
	}
	return "1 year"
}

// periodBucket is the first day of the period holding the date col; offset is the start of a
// programme year (an interval expression).
func periodBucket(g report.Grain, col, offset string) string {
	// On a timestamp without time zone: date_trunc of a date would go through timestamptz and
	// the session's time zone, which costs about 10% of a report.
	ts := "(" + col + ")::timestamp"
	switch g {
	case report.ProgrammeYear:
		return "(date_trunc('year', " + ts + " - " + offset + ") + " + offset + ")::date"
	case report.Quarter:
		return "date_trunc('quarter', " + ts + ")::date"
	case report.Month:
		return "date_trunc('month', " + ts + ")::date"
	case report.SchoolYear:
		return "(date_trunc('year', " + ts + " - interval '8 months') + interval '8 months')::date"
	}
	return "date_trunc('year', " + ts + ")::date"
}

func periodCode(g report.Grain, col string) string {
	switch g {
	case report.Quarter:
		return "to_char(" + col + ", 'YYYY-\"Q\"Q')"
	case report.Month:
		return "to_char(" + col + ", 'YYYY-MM')"
	case report.SchoolYear:
		return "to_char(" + col + ", 'YYYY') || '-' || to_char(" + col + " + interval '1 year', 'YYYY')"
	case report.ProgrammeYear:
		return "CASE WHEN extract(month FROM " + col + ") = 1 THEN to_char(" + col + ", 'YYYY') ELSE to_char(" + col + ", 'YYYY') || '-' || to_char(" + col + " + interval '1 year', 'YYYY') END"
	}
	return "to_char(" + col + ", 'YYYY')"
}

// factBase selects the rows of a fact with the same columns for both facts.
// published reads person counts from the published views (observation_published,
// event_published), for roles that may not see small counts: a report's cells are then sums
// of published cells only, so that no combination of reports and other outputs gives a
// withheld count back (migrations/20261207000005_published_cells.tx.up.sql).
// projectsOnly is true when the request only concerns observations of projects (it groups by
// a project's theme, public or axis): the base can then join projects with an inner join, which
// leaves the planner free to join the small project tables first.
func factBase(fact report.Fact, projectsOnly, published bool) string {
	observation, event := "observation", "event"
	if published {
		observation, event = "observation_published", "event_published"
	}
	switch fact {
	case report.Projects:
		return `SELECT p.id AS fact_id, NULL::bigint AS indicator_id, NULL::text AS kind, NULL::numeric AS value,
			p.start_date AS period_start, COALESCE(p.end_date, 'infinity') AS period_end, NULL::bigint AS disaggregation_id,
			p.id AS project_id, p.operator_id, p.programme_id, p.axis_id, p.territory_id, p.budget, NULL::text AS status,
			NULL::bigint AS theme_id, NULL::bigint AS coordination_id
			FROM project p`
	case report.Events:
		// An event's operator is its organiser; its territory its own or its coordination's.
		return `SELECT e.id AS fact_id, NULL::bigint AS indicator_id, NULL::text AS kind, e.participant_count::numeric AS value,
			e.held_on AS period_start, e.held_on AS period_end, NULL::bigint AS disaggregation_id,
			NULL::bigint AS project_id, e.organiser_id AS operator_id, NULL::bigint AS programme_id, NULL::bigint AS axis_id,
			COALESCE(e.territory_id, c.territory_id) AS territory_id, NULL::numeric AS budget, NULL::text AS status,
			e.theme_id, e.coordination_id
			FROM ` + event + ` e LEFT JOIN coordination c ON c.id = e.coordination_id`
	}
	if projectsOnly {
		return `SELECT o.id AS fact_id, o.indicator_id, o.kind, o.value, o.period_start, o.period_end, o.disaggregation_id,
			o.project_id, pr.operator_id, pr.programme_id, pr.axis_id, pr.territory_id,
			NULL::numeric AS budget, o.status, NULL::bigint AS theme_id, o.coordination_id
			FROM ` + observation + ` o JOIN project pr ON pr.id = o.project_id`
	}
	// The subject of an observation gives its project, operator, programme and territory.
	return `SELECT o.id AS fact_id, o.indicator_id, o.kind, o.value, o.period_start, o.period_end, o.disaggregation_id,
		o.project_id, COALESCE(o.operator_id, pr.operator_id) AS operator_id, COALESCE(pr.programme_id, i.programme_id) AS programme_id,
		pr.axis_id, COALESCE(o.territory_id, pr.territory_id, co.territory_id, op.seat_commune_id) AS territory_id,
		NULL::numeric AS budget, o.status, NULL::bigint AS theme_id, o.coordination_id
		FROM ` + observation + ` o JOIN indicator i ON i.id = o.indicator_id
		LEFT JOIN project pr ON pr.id = o.project_id
		LEFT JOIN coordination co ON co.id = o.coordination_id
		LEFT JOIN operator op ON op.id = COALESCE(o.operator_id, pr.operator_id)`
}

// withheldSQL tells whether any published cell that measure m would read is withheld: a
// value computed from the published cells alone then leaves some out (NULL::boolean when
// nothing is withheld from this reader, or m reads another fact).
func withheldSQL(b *builder, m report.Measure, info report.IndicatorInfo, fact report.Fact, published bool) string {
	switch {
	case !published || m.Fact() != fact || fact == report.Projects:
		return "NULL::boolean"
	case fact == report.Events:
		if m.Kind == report.EventCount {
			return "NULL::boolean"
		}
		return "bool_or(f.value IS NULL)"
	case m.Kind == report.ObservationCount || m.Kind == report.OperatorCount:
		return "NULL::boolean"
	}
	c := "TRUE" // an achievement rate reads both targets and realised values
	if m.Kind != report.AchievementRate {
		c = "f.kind = " + b.param(string(m.ValueKind), "text")
	}
	if m.Indicator != "" {
		c += " AND f.indicator_id = " + b.param(info.ID, "bigint")
	}
	return "bool_or(f.value IS NULL) FILTER (WHERE " + c + ")"
}

// measureSQL returns the aggregate of measure m over fact rows f.
func measureSQL(b *builder, m report.Measure, info report.IndicatorInfo) string {
	if m.Fact() == report.Events {
		if m.Kind == report.EventCount {
			return "count(DISTINCT f.fact_id)"
		}
		return "sum(f.value)"
	}
	if m.Fact() == report.Projects {
		switch m.Kind {
		case report.ProjectCount:
			return "count(DISTINCT f.project_id)"
		case report.OperatorCount:
			return "count(DISTINCT f.operator_id)"
		case report.Budget:
			return "sum(f.budget)"
		}
	}
	onIndicator := func(id int64) string { return "f.indicator_id = " + b.param(id, "bigint") }
	// cond selects the observations the measure reads; a parameter is only added when used.
	cond := func() string {
		c := "f.kind = " + b.param(string(m.ValueKind), "text")
		if m.Indicator != "" {
			c += " AND " + onIndicator(info.ID)
		}
		return c
	}
	agg := func(fn string) string { return fmt.Sprintf("%s(f.value) FILTER (WHERE %s)", fn, cond()) }
	switch m.Kind {
	case report.Sum:
		return agg("sum")
	case report.Avg:
		return "round(" + agg("avg") + ", 4)"
	case report.Min:
		return agg("min")
	case report.Max:
		return agg("max")
	case report.ObservationCount:
		return fmt.Sprintf("count(*) FILTER (WHERE %s)", cond())
	case report.OperatorCount:
		return fmt.Sprintf("count(DISTINCT f.operator_id) FILTER (WHERE %s)", cond())
	case report.AchievementRate:
		ind := "TRUE"
		if m.Indicator != "" {
			ind = onIndicator(info.ID)
		}
		return fmt.Sprintf("round(100 * sum(f.value) FILTER (WHERE %[1]s AND f.kind = %[2]s) / NULLIF(sum(f.value) FILTER (WHERE %[1]s AND f.kind = %[3]s), 0), 2)",
			ind, b.param(string(cohesion.ObservationRealised), "text"), b.param(string(cohesion.ObservationTarget), "text"))
	case report.Value:
		// The indicator's own rule: the matching measure, or sum(numerator) / sum(denominator)
		// for a ratio, never an average of ratios.
		switch info.Aggregation {
		case cohesion.AggregateRatio:
			kind := b.param(string(m.ValueKind), "text")
			return fmt.Sprintf("round(sum(f.value) FILTER (WHERE f.kind = %[1]s AND f.indicator_id = %[2]s) / NULLIF(sum(f.value) FILTER (WHERE f.kind = %[1]s AND f.indicator_id = %[3]s), 0), 4)",
				kind, b.param(info.NumeratorID, "bigint"), b.param(info.DenominatorID, "bigint"))
		case cohesion.AggregateLast:
			return fmt.Sprintf("(array_agg(f.value ORDER BY f.period_end DESC) FILTER (WHERE %s))[1]", cond())
		}
		m.Kind = map[cohesion.Aggregation]report.MeasureKind{
			cohesion.AggregateAverage: report.Avg, cohesion.AggregateMin: report.Min, cohesion.AggregateMax: report.Max,
		}[info.Aggregation]
		if m.Kind == "" {
			m.Kind = report.Sum
		}
		return measureSQL(b, m, info)
	}
	panic("unknown measure " + m.Kind)
}

// Report computes a validated report request in one statement.
func (s *Store) Report(ctx context.Context, r *report.Request) (*report.Result, error) {
	// Other measures read the same values in the base tables, faster.
	b, err := s.reportSQL(r, !access.RoleFrom(ctx).SeesSmallCounts() && r.ReadsPersonCounts())
	if err != nil {
		return nil, err
	}
	nd := len(r.Dimensions)
	// Planned for its actual values every time (an unnamed statement): a generic plan, made
	// once for any indicator or status, can be far slower, and planning costs little here
	// (measured with `cohesio bench`: within a few percent of the prepared statement, with no
	// risk of a bad generic plan).
	args := append([]any{pgx.QueryExecModeExec}, b.args...)
	rows, err := s.read.Query(ctx, b.sb.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	defer rows.Close()
	res := &report.Result{}
	for rows.Next() {
		var gset int32
		row := report.Row{Keys: make([]report.Key, nd), Cells: make([]report.Cell, len(r.Measures))}
		targets := []any{&gset}
		for i := range nd {
			targets = append(targets, &row.Keys[i].Code, &row.Keys[i].Label)
		}
		for i := range r.Measures {
			c := &row.Cells[i]
			targets = append(targets, &c.Value, &c.Previous, &c.Change, &c.ChangePercent, &c.Count, &c.PreviousCount)
		}
		withheld := make([]*bool, 2*len(r.Measures))
		for i := range withheld {
			targets = append(targets, &withheld[i])
		}
		if err := rows.Scan(targets...); err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
		row.IsTotal = gset != 0
		// A value that only withheld cells would make is withheld too, not missing.
		for i := range row.Cells {
			c := &row.Cells[i]
			if w := withheld[2*i]; w != nil && *w && c.Value == nil {
				c.Suppressed = true
			}
			if w := withheld[2*i+1]; w != nil && *w && c.Previous == nil {
				c.PreviousSuppressed = true
			}
		}
		res.Rows = append(res.Rows, row)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	if len(res.Rows) > r.Limit {
		res.Rows, res.Truncated = res.Rows[:r.Limit], true
	}
	return res, nil
}

// reportSQL writes the statement of a report: a CTE per fact, each grouped, then merged, then
// the final selection. published reads the published cells only (see factBase).
func (s *Store) reportSQL(r *report.Request, published bool) (*builder, error) {
	b := &builder{}
	facts := r.Facts()
	dims, multi, err := s.reportFacts(b, r, facts, published)
	if err != nil {
		return nil, err
	}
	if multi && r.Totals != report.NoTotals {
		for i, m := range r.Measures {
			if m.Kind != report.ProjectCount && m.Kind != report.OperatorCount && m.Kind != report.ObservationCount && m.Kind != report.EventCount {
				return nil, cohesion.Invalid(fmt.Sprintf("measures[%d]", i), "totals over a dimension where one fact falls in several rows (themes, target publics, sectors, bassins) would count it twice; ask for counts, or no totals")
			}
		}
	}
	reportGroups(b, r, facts, published)
	reportSelection(b, r, dims)
	return b, nil
}

// reportFacts writes the CTE of each fact, with its dimension keys, and returns the
// dimensions' lookups (the same for every fact) and whether one fact may fall in several rows.
func (s *Store) reportFacts(b *builder, r *report.Request, facts []report.Fact, published bool) ([]dimSQL, bool, error) {
	nd := len(r.Dimensions)
	var multi bool
	// Dimension columns of the merged groups: k<i> (key), l<i> (label), p<i> (population).
	// Territories roll up into their ancestors; an indicator's ancestors, the root being the
	// one without parent.
	b.write("WITH RECURSIVE ", territoryAncestors, ",",
		" indicator_roots AS (SELECT id AS indicator_id, id AS root_id, parent_id FROM indicator",
		" UNION ALL SELECT r.indicator_id, i.id, i.parent_id FROM indicator_roots r JOIN indicator i ON i.id = r.parent_id)")
	var dims []dimSQL // the same lookups for every fact
	for _, fact := range facts {
		name := factName(fact)
		b.write(", ", name, " AS (SELECT f.fact_id, f.indicator_id, f.kind, f.value, f.operator_id, f.project_id, f.budget, f.period_end")
		dims = make([]dimSQL, nd)
		for i, d := range r.Dimensions {
			dims[i] = s.dimension(b, i, d, fact, r)
			multi = multi || dims[i].multi
			fmt.Fprintf(&b.sb, ", %s AS k%d", dims[i].key, i)
		}
		projectsOnly := false
		for _, d := range r.Dimensions {
			projectsOnly = projectsOnly || d.Kind == report.Theme || d.Kind == report.TargetPublic || d.Kind == report.Axis
		}
		b.write(" FROM (", factBase(fact, projectsOnly, published), ") AS f")
		for _, d := range dims {
			b.write(d.join)
		}
		b.write(" WHERE TRUE")
		if err := s.factFilter(b, fact, r); err != nil {
			return nil, false, err
		}
		b.write(")")
	}
	return dims, multi, nil
}

// reportGroups writes each fact's groups, then their merge as g.
func reportGroups(b *builder, r *report.Request, facts []report.Fact, published bool) {
	nd := len(r.Dimensions)
	// Group each fact, then merge the facts' groups (a fact's measures are null in the other's rows).
	keys := make([]string, nd)
	for i := range keys {
		keys[i] = fmt.Sprintf("k%d", i)
	}
	group := "GROUP BY " + strings.Join(keys, ", ")
	switch {
	case nd == 0:
		group = ""
	case r.Totals == report.Subtotals:
		group = "GROUP BY ROLLUP (" + strings.Join(keys, ", ") + ")"
	case r.Totals == report.GrandTotal:
		group = "GROUP BY GROUPING SETS ((" + strings.Join(keys, ", ") + "), ())"
	}
	grouping := "0"
	if nd > 0 {
		grouping = "GROUPING(" + strings.Join(keys, ", ") + ")"
	}
	for _, fact := range facts {
		b.write(", g", factName(fact), " AS (SELECT ", grouping, " AS gset")
		for i := range nd {
			fmt.Fprintf(&b.sb, ", k%d", i)
		}
		for mi, m := range r.Measures {
			if m.Fact() == fact {
				fmt.Fprintf(&b.sb, ", %s AS m%d", measureSQL(b, m, r.Indicators[m.Indicator]), mi)
			} else {
				fmt.Fprintf(&b.sb, ", NULL::numeric AS m%d", mi)
			}
		}
		for mi, m := range r.Measures {
			fmt.Fprintf(&b.sb, ", %s AS w%d", withheldSQL(b, m, r.Indicators[m.Indicator], fact, published), mi)
		}
		b.write(" FROM ", factName(fact), " AS f ", group, ")")
	}
	b.write(", g AS (")
	if len(facts) == 1 {
		b.write("SELECT * FROM g", factName(facts[0]))
	} else {
		var union []string
		for _, fact := range facts {
			union = append(union, "SELECT * FROM g"+factName(fact))
		}
		b.write("SELECT gset")
		for i := range nd {
			fmt.Fprintf(&b.sb, ", k%d", i)
		}
		for mi := range r.Measures {
			fmt.Fprintf(&b.sb, ", max(m%d) AS m%d", mi, mi)
		}
		for mi := range r.Measures {
			fmt.Fprintf(&b.sb, ", bool_or(w%d) AS w%d", mi, mi)
		}
		b.write(" FROM (", strings.Join(union, " UNION ALL "), ") AS u GROUP BY gset")
		for i := range nd {
			fmt.Fprintf(&b.sb, ", k%d", i)
		}
	}
	b.write(")")
}

// reportSelection writes the final selection over g.
func reportSelection(b *builder, r *report.Request, dims []dimSQL) {
	nd := len(r.Dimensions)
	// The final selection: codes, labels, values per 1,000 inhabitants, previous period.
	periodDim := -1
	territoryDim := -1
	for i, d := range r.Dimensions {
		switch d.Kind {
		case report.Period:
			periodDim = i
		case report.Territory:
			territoryDim = i
		}
	}
	b.write(" SELECT c.gset")
	for i, d := range r.Dimensions {
		key := fmt.Sprintf("c.k%d", i)
		code, label := key+"::text", "NULL::text"
		if d.Kind == report.Period {
			code = periodCode(d.Grain, key)
		}
		if dims[i].label != "" {
			label = fmt.Sprintf(dims[i].label, key)
		}
		fmt.Fprintf(&b.sb, ", %s, %s", code, label)
	}
	// Per 1,000 inhabitants of the row's territory; rows without one (totals, or no territory
	// dimension) use the region's population.
	population := func(alias string) string {
		region := "(SELECT population FROM territory WHERE kind = 'region' LIMIT 1)"
		if territoryDim < 0 {
			return region
		}
		return fmt.Sprintf("COALESCE(%s, %s)", fmt.Sprintf(dims[territoryDim].pop, fmt.Sprintf("%s.k%d", alias, territoryDim)), region)
	}
	value := func(alias string, mi int, m report.Measure) string {
		v := fmt.Sprintf("%s.m%d", alias, mi)
		if m.Kind == report.ProjectCount || m.Kind == report.OperatorCount || m.Kind == report.ObservationCount || m.Kind == report.EventCount {
			v = "COALESCE(" + v + ", 0)" // a group of the other fact counts nothing here
		}
		if m.PerMille {
			v = fmt.Sprintf("round(%s::numeric * 1000 / NULLIF(%s, 0), 4)", v, population(alias))
		}
		return v
	}
	for mi, m := range r.Measures {
		cur := value("c", mi, m)
		if r.Compare {
			prev := value("prev", mi, m)
			fmt.Fprintf(&b.sb, ", %[1]s, %[2]s, %[1]s - %[2]s, round(100 * (%[1]s - %[2]s) / NULLIF(%[2]s, 0), 2)", cur, prev)
		} else {
			fmt.Fprintf(&b.sb, ", %s, NULL::numeric, NULL::numeric, NULL::numeric", cur)
		}
		// What a value per 1,000 inhabitants is computed from, for small-cell suppression.
		switch {
		case m.PerMille && r.Compare:
			fmt.Fprintf(&b.sb, ", c.m%[1]d::numeric, prev.m%[1]d::numeric", mi)
		case m.PerMille:
			fmt.Fprintf(&b.sb, ", c.m%d::numeric, NULL::numeric", mi)
		default:
			b.write(", NULL::numeric, NULL::numeric")
		}
	}
	for mi := range r.Measures {
		if r.Compare {
			fmt.Fprintf(&b.sb, ", c.w%[1]d, prev.w%[1]d", mi)
		} else {
			fmt.Fprintf(&b.sb, ", c.w%d, NULL::boolean", mi)
		}
	}
	b.write(" FROM g AS c")
	if r.Compare {
		b.write(" LEFT JOIN g AS prev ON prev.gset = c.gset")
		for i := range nd {
			if i == periodDim {
				fmt.Fprintf(&b.sb, " AND prev.k%[1]d = c.k%[1]d - interval '%[2]s'", i, periodUnit(r.Dimensions[i].Grain))
			} else {
				fmt.Fprintf(&b.sb, " AND prev.k%[1]d IS NOT DISTINCT FROM c.k%[1]d", i)
			}
		}
		if r.Filter.From != nil {
			// The period before the one holding `from` was read for the comparison only: keep
			// the periods that start less than one period before `from`.
			fmt.Fprintf(&b.sb, " WHERE c.k%[1]d IS NULL OR c.k%[1]d > %[2]s - interval '%[3]s'", periodDim, b.param(*r.Filter.From, "date"), periodUnit(r.Dimensions[periodDim].Grain))
		}
	}
	b.write(" ORDER BY ")
	var order []string
	for _, o := range r.Order {
		dir := " ASC"
		if o.Desc {
			dir = " DESC"
		}
		for i, d := range r.Dimensions {
			if d.Name() == o.By {
				order = append(order, fmt.Sprintf("c.k%d%s NULLS LAST", i, dir))
			}
		}
		for mi, m := range r.Measures {
			if m.Alias == o.By {
				order = append(order, fmt.Sprintf("%d%s NULLS LAST", 2+2*nd+6*mi, dir)) // six columns per measure
			}
		}
	}
	for i := range nd {
		order = append(order, fmt.Sprintf("c.k%d NULLS LAST", i))
	}
	order = append(order, "c.gset")
	b.write(strings.Join(order, ", "))
	fmt.Fprintf(&b.sb, " LIMIT %d", r.Limit+1)
}

func factName(f report.Fact) string {
	switch f {
	case report.Projects:
		return "projects"
	case report.Events:
		return "events"
	}
	return "observations"
}

// factFilter writes the request's filters over fact rows f.
func (s *Store) factFilter(b *builder, fact report.Fact, r *report.Request) error {
	f := r.Filter
	if fact == report.Observations {
		b.write(" AND f.status = ANY(", b.param(statusStrings(f.Status), "text[]"), ")")
		hasBreakdown := false
		for _, d := range r.Dimensions {
			hasBreakdown = hasBreakdown || d.Kind == report.Disaggregation
		}
		if !hasBreakdown {
			// Without a breakdown only the totals count; breakdown rows would count twice.
			b.write(" AND f.disaggregation_id IS NULL")
		}
		// Read only the kinds of value and the indicators the measures use.
		var kinds []string
		for _, m := range r.Measures {
			switch {
			case m.Fact() != report.Observations:
			case m.Kind == report.AchievementRate:
				kinds = append(kinds, string(cohesion.ObservationRealised), string(cohesion.ObservationTarget))
			default:
				kinds = append(kinds, string(m.ValueKind))
			}
		}
		b.write(" AND f.kind = ANY(", b.param(kinds, "text[]"), ")")
		var ids []int64
		all := true
		for _, m := range r.Measures {
			if m.Fact() != report.Observations {
				continue
			}
			read, ok := indicatorsRead(m, r)
			if !ok {
				all = false
				break
			}
			ids = append(ids, read...)
		}
		if all && len(ids) > 0 {
			b.write(" AND f.indicator_id = ANY(", b.param(ids, "bigint[]"), ")")
		}
	}
	from, to := f.From, f.To
	if from != nil && r.Compare {
		for _, d := range r.Dimensions {
			if d.Kind == report.Period {
				earlier := previousPeriodStart(*from, d.Grain)
				from = &earlier
			}
		}
	}
	if from != nil {
		b.write(" AND f.period_end >= ", b.param(*from, "date"))
	}
	if to != nil {
		b.write(" AND f.period_start <= ", b.param(*to, "date"))
	}
	exists := func(table, on string, filter *catalog.Filter, entity string) error {
		if filter == nil {
			return nil
		}
		e, err := s.modelEntity(entity)
		if err != nil {
			return err
		}
		alias := b.alias()
		b.write(" AND EXISTS (SELECT 1 FROM ", ident(table), " AS ", alias, " WHERE ", fmt.Sprintf(on, alias), " AND ")
		if err := b.where(e, alias, *filter); err != nil {
			return err
		}
		b.write(")")
		return nil
	}
	if f.Territory != nil {
		// A fact in a quartier is in its commune: match any ancestor of the fact's territory.
		e, _ := s.modelEntity("Territory")
		alias := b.alias()
		b.write(" AND EXISTS (SELECT 1 FROM territory_ancestors ta JOIN territory ", alias, " ON ", alias, ".id = ta.ancestor_id WHERE ta.territory_id = f.territory_id AND ")
		if err := b.where(e, alias, *f.Territory); err != nil {
			return err
		}
		b.write(")")
	}
	if err := exists("programme", "%s.id = f.programme_id", f.Programme, "Programme"); err != nil {
		return err
	}
	if err := exists("project", "%s.id = f.project_id", f.Project, "Project"); err != nil {
		return err
	}
	if err := exists("operator", "%s.id = f.operator_id", f.Operator, "Operator"); err != nil {
		return err
	}
	if fact == report.Observations {
		if err := exists("indicator", "%s.id = f.indicator_id", f.Indicator, "Indicator"); err != nil {
			return err
		}
	}
	return exists("coordination", "%s.id = f.coordination_id", f.Coordination, "Coordination")
}

// indicatorsRead lists the indicator ids measure m reads, and false when it reads any.
func indicatorsRead(m report.Measure, r *report.Request) ([]int64, bool) {
	info, ok := r.Indicators[m.Indicator]
	if !ok {
		return nil, false
	}
	ids := []int64{info.ID}
	if info.NumeratorID != 0 {
		ids = append(ids, info.NumeratorID, info.DenominatorID)
	}
	return ids, true
}

func statusStrings(st []cohesion.ObservationStatus) []string {
	out := make([]string, len(st))
	for i, s := range st {
		out[i] = string(s)
	}
	return out
}

// previousPeriodStart is a day on or before the start of the period before the one holding t:
// a comparison reads facts from there.
func previousPeriodStart(t time.Time, g report.Grain) time.Time {
	month := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	switch g {
	case report.Month:
		return month.AddDate(0, -1, 0)
	case report.Quarter:
		return time.Date(t.Year(), (t.Month()-1)/3*3+1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, -3, 0)
	case report.Year:
		return time.Date(t.Year()-1, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	// School and programme years start in a month that varies: two years back covers any.
	return month.AddDate(-2, 0, 0)
}
