package synthetic

import (
	"context"
	"fmt"
	"iter"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cohesio/cohesio/internal/store"
)

// generator holds what one Generate call has drawn so far: the parents' attributes that child
// tables need. It keeps a few bytes per operator and per project, never per observation.
type generator struct {
	opts      Options
	firstYear int
	ref       reference
	stats     Stats

	nOperators, nProjects int
	nObservations         int64

	// The ids of the rows written are base+1, base+2...
	sourceID                                                           int64
	operatorBase, approvalBase, projectBase, observationBase, needBase int64

	operators []operatorInfo
	ownerCDF  []int64 // cumulative weights: a few operators run many projects
	projects  []projectInfo
}

type operatorInfo struct {
	seat      int32 // index in ref.communes
	approvals []approvalInfo
}

type approvalInfo struct {
	programme int32 // index in ref.programmes
	axis      int64 // 0: the whole programme
}

type projectInfo struct {
	owner       int32 // index in operators
	programme   int32
	first, last int16 // years it runs
	startMonth  int8
}

// Each table draws from its own stream, so that changing how one table is generated leaves
// the others as they were.
const (
	streamOperator uint64 = iota + 0x5e4d_0000
	streamOperatorSector
	streamOperatorTerritory
	streamApproval
	streamProject
	streamProjectTheme
	streamProjectPublic
	streamProjectPartner
	streamObservation
	streamNeed
)

func (g *generator) rng(stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(g.opts.Seed, stream))
}

// progressEvery rows, the COPY reports progress and checks for cancellation.
const progressEvery = 1 << 16

// copy streams the rows of seq into table. seq may reuse one row slice: pgx encodes each row
// before asking for the next.
func (g *generator) copy(ctx context.Context, l *store.Loader, table string, columns []string, total int64, seq iter.Seq[[]any]) (int64, error) {
	next, stop := iter.Pull(seq)
	defer stop()
	var done int64
	src := pgx.CopyFromFunc(func() ([]any, error) {
		row, ok := next()
		if !ok {
			return nil, nil
		}
		done++
		if done%progressEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if g.opts.Progress != nil {
				g.opts.Progress(table, done, max(total, done))
			}
		}
		return row, nil
	})
	n, err := l.Copy(ctx, table, columns, src)
	if err != nil {
		return n, err
	}
	if g.opts.Progress != nil {
		g.opts.Progress(table, n, n)
	}
	return n, nil
}

func (g *generator) write(ctx context.Context, l *store.Loader) error {
	steps := []struct {
		table   string
		columns []string
		total   int64
		rows    func() iter.Seq[[]any]
		count   *int64
	}{
		{"source", []string{"id", "code", "kind", "title", "publisher", "note"}, 1, g.sourceRows, new(int64)},
		{"operator", []string{"id", "enterprise_number", "name", "name_nl", "acronym", "legal_form_id", "kind",
			"languages", "street", "postcode", "seat_commune_id", "website", "fictitious", "source_id"},
			int64(g.nOperators), g.operatorRows, &g.stats.Operators},
		{"operator_sector", []string{"operator_id", "sector_id"},
			int64(g.nOperators) * 2, g.operatorSectorRows, &g.stats.OperatorSectors},
		{"operator_territory", []string{"operator_id", "territory_id"},
			int64(g.nOperators) * 3 / 2, g.operatorTerritoryRows, &g.stats.OperatorTerritories},
		{"approval", []string{"id", "operator_id", "programme_id", "axis_id", "start_date", "end_date", "status",
			"decision_date", "source_id"}, int64(g.nOperators) * 4 / 3, g.approvalRows, &g.stats.Approvals},
		{"project", []string{"id", "code", "operator_id", "programme_id", "axis_id", "territory_id", "title",
			"description", "start_date", "end_date", "budget", "source_id"},
			int64(g.nProjects), g.projectRows, &g.stats.Projects},
		{"project_theme", []string{"project_id", "theme_id"},
			int64(g.nProjects) * 2, g.projectThemeRows, &g.stats.ProjectThemes},
		{"project_target_public", []string{"project_id", "target_public_id"},
			int64(g.nProjects) * 3 / 2, g.projectPublicRows, &g.stats.ProjectTargetPublics},
		{"project_partner", []string{"project_id", "operator_id"},
			int64(g.nProjects) * 13 / 20, g.projectPartnerRows, &g.stats.ProjectPartners},
		{"observation", []string{"id", "indicator_id", "project_id", "operator_id", "territory_id", "period_start",
			"period_end", "granularity", "kind", "value", "status", "source_id"},
			g.nObservations, g.observationRows, &g.stats.Observations},
		{"need", []string{"id", "territory_id", "theme_id", "target_public_id", "period_start", "period_end",
			"severity", "evidence", "source_id"},
			int64(len(g.ref.communes) * len(g.ref.themes) * g.opts.Years), g.needRows, &g.stats.Needs},
	}
	for _, s := range steps {
		n, err := g.copy(ctx, l, s.table, s.columns, s.total, s.rows())
		if err != nil {
			return err
		}
		*s.count = n
	}
	return nil
}

func (g *generator) sourceRows() iter.Seq[[]any] {
	return func(yield func([]any) bool) {
		title := fmt.Sprintf("Données synthétiques (échelle %d, graine %d)", g.opts.Scale, g.opts.Seed)
		if g.opts.divisor > 1 {
			title = fmt.Sprintf("Données synthétiques (échelle %d/%d, graine %d)", g.opts.Scale, g.opts.divisor, g.opts.Seed)
		}
		yield([]any{g.sourceID, g.stats.Source, "synthetic", title, "Cohesio",
			"Invented by the synthetic generator for performance work: no row describes a real organisation or activity."})
	}
}

var languageSets = []struct {
	langs  []string
	weight int
}{
	{[]string{"fr"}, 55},
	{[]string{"fr", "nl"}, 25},
	{[]string{"nl"}, 10},
	{[]string{"fr", "nl", "en"}, 7},
	{[]string{"fr", "en"}, 3},
}

func (g *generator) operatorRows() iter.Seq[[]any] {
	return func(yield func([]any) bool) {
		r := g.rng(streamOperator)
		g.operators = make([]operatorInfo, g.nOperators)
		g.ownerCDF = make([]int64, g.nOperators)
		// Numbers already in the database stay unique too.
		used := map[string]bool{}
		seatCDF := cumulative(len(g.ref.communes), func(i int) int64 { return g.ref.communes[i].weight })
		formCDF := cumulative(len(g.ref.forms), func(i int) int64 {
			if g.ref.forms[i].facto {
				return 0 // only for operators without a number
			}
			return int64(g.ref.forms[i].weight)
		})
		langCDF := cumulative(len(languageSets), func(i int) int64 { return int64(languageSets[i].weight) })
		facto := -1
		for i, f := range g.ref.forms {
			if f.facto {
				facto = i
				break
			}
		}
		var weight int64
		row := make([]any, 14)
		for i := range g.nOperators {
			n := i + 1
			var number any
			form := pick(r, formCDF)
			if r.IntN(10) == 0 {
				if facto >= 0 {
					form = facto
				}
			} else {
				number = g.enterpriseNumber(r, used)
			}
			f := g.ref.forms[form]
			kind := "associative"
			if f.public {
				kind = "public"
			} else if !f.facto && f.weight == 1 && r.IntN(2) == 0 {
				kind = "private"
			}
			langs := languageSets[pick(r, langCDF)].langs
			var nameNL any
			if langs[0] == "nl" || len(langs) > 1 && langs[1] == "nl" {
				nameNL = fmt.Sprintf("Synthetische operator %04d", n)
			}
			var acronym, website any
			if r.IntN(3) == 0 {
				acronym = fmt.Sprintf("OS%04d", n)
			}
			if r.IntN(2) == 0 {
				website = fmt.Sprintf("https://operateur-synthetique-%04d.example", n)
			}
			seat := pick(r, seatCDF)
			c := g.ref.communes[seat]
			var postcode any
			if len(c.postcodes) > 0 {
				postcode = c.postcodes[r.IntN(len(c.postcodes))]
			}
			g.operators[i].seat = int32(seat)
			weight += spread(r, 1, 6)
			g.ownerCDF[i] = weight

			row[0], row[1], row[2], row[3], row[4] = g.operatorBase+int64(n), number, fmt.Sprintf("Opérateur synthétique %04d", n), nameNL, acronym
			row[5], row[6], row[7], row[8], row[9] = f.id, kind, langs, fmt.Sprintf("Rue synthétique %d", 1+r.IntN(250)), postcode
			row[10], row[11], row[12], row[13] = c.id, website, true, g.sourceID
			if !yield(row) {
				return
			}
		}
	}
}

// enterpriseNumber draws a valid enterprise number not in used: eight digits starting with
// 0 or 1, then 97 minus their remainder modulo 97.
func (g *generator) enterpriseNumber(r *rand.Rand, used map[string]bool) string {
	for {
		body := 2_000_000 + r.Int64N(18_000_000)
		n := fmt.Sprintf("%08d%02d", body, 97-body%97)
		if !used[n] {
			used[n] = true
			return n
		}
	}
}

func (g *generator) operatorSectorRows() iter.Seq[[]any] {
	return func(yield func([]any) bool) {
		r := g.rng(streamOperatorSector)
		row := make([]any, 2)
		for i := range g.nOperators {
			row[0] = g.operatorBase + int64(i+1)
			for _, s := range distinct(r, len(g.ref.sectors), 1+r.IntN(3)) {
				row[1] = g.ref.sectors[s]
				if !yield(row) {
					return
				}
			}
		}
	}
}

func (g *generator) operatorTerritoryRows() iter.Seq[[]any] {
	return func(yield func([]any) bool) {
		r := g.rng(streamOperatorTerritory)
		row := make([]any, 2)
		for i, op := range g.operators {
			row[0] = g.operatorBase + int64(i+1)
			// Up to three communes served beyond the seat.
			for _, c := range distinct(r, len(g.ref.communes), r.IntN(4)) {
				if c == int(op.seat) {
					continue
				}
				row[1] = g.ref.communes[c].id
				if !yield(row) {
					return
				}
			}
		}
	}
}

var approvalStatuses = []struct {
	status string
	weight int
}{
	{"granted", 85}, {"ended", 5}, {"requested", 4}, {"refused", 3}, {"suspended", 3},
}

func (g *generator) approvalRows() iter.Seq[[]any] {
	return func(yield func([]any) bool) {
		r := g.rng(streamApproval)
		statusCDF := cumulative(len(approvalStatuses), func(i int) int64 { return int64(approvalStatuses[i].weight) })
		row := make([]any, 9)
		id := g.approvalBase
		for i := range g.operators {
			op := &g.operators[i]
			count := 1
			if r.IntN(3) == 0 {
				count = 2
			}
			for _, p := range distinct(r, len(g.ref.programmes), count) {
				prog := g.ref.programmes[p]
				a := approvalInfo{programme: int32(p)}
				var axis any
				if len(prog.axes) > 0 && r.IntN(5) < 3 {
					a.axis = prog.axes[r.IntN(len(prog.axes))]
					axis = a.axis
				}
				op.approvals = append(op.approvals, a)
				// Approvals run for five years, as the decree's.
				year := g.firstYear + r.IntN(g.opts.Years)
				status := approvalStatuses[pick(r, statusCDF)].status
				var decided any
				if status != "requested" {
					decided = date(year, 1, 1).AddDate(0, 0, -30-r.IntN(150))
				}
				id++
				row[0], row[1], row[2], row[3] = id, g.operatorBase+int64(i+1), prog.id, axis
				row[4], row[5], row[6], row[7], row[8] = date(year, 1, 1), date(year+4, 12, 31), status, decided, g.sourceID
				if !yield(row) {
					return
				}
			}
		}
	}
}

var (
	activities = []string{"Atelier", "Permanence sociale", "Accompagnement individuel", "École de devoirs",
		"Alphabétisation", "Français langue étrangère", "Table de conversation", "Espace public numérique",
		"Aide alimentaire", "Groupe de parents", "Accueil des primo-arrivants", "Soutien scolaire",
		"Permanence logement", "Médiation interculturelle", "Activités intergénérationnelles", "Écoute psychosociale"}
	audiences = []string{"pour les jeunes", "pour les seniors", "pour les familles", "du quartier", "pour les femmes",
		"pour les nouveaux arrivants", "pour les demandeurs d'emploi", "pour les enfants", "pour tous"}
)

func (g *generator) projectRows() iter.Seq[[]any] {
	return func(yield func([]any) bool) {
		r := g.rng(streamProject)
		g.projects = make([]projectInfo, g.nProjects)
		row := make([]any, 12)
		for j := range g.nProjects {
			owner := pick(r, g.ownerCDF)
			op := g.operators[owner]
			a := op.approvals[r.IntN(len(op.approvals))]
			prog := g.ref.programmes[a.programme]
			var axis any
			switch {
			case a.axis != 0:
				axis = a.axis
			case len(prog.axes) > 0 && r.IntN(2) == 0:
				axis = prog.axes[r.IntN(len(prog.axes))]
			}
			territory := g.ref.communes[op.seat].id
			if r.IntN(5) < 2 {
				territory = g.ref.communes[r.IntN(len(g.ref.communes))].id
			}
			first := g.firstYear + r.IntN(g.opts.Years)
			last := min(first+r.IntN(5), lastYear)
			month := 1
			if r.IntN(10) < 3 {
				month = 2 + r.IntN(8)
			}
			start := date(first, time.Month(month), 1)
			g.projects[j] = projectInfo{owner: int32(owner), programme: a.programme, first: int16(first), last: int16(last),
				startMonth: int8(month)}
			var end any = date(last, 12, 31)
			if last == lastYear && r.IntN(4) == 0 {
				end = nil // still running
			}
			// A yearly grant of a few thousand to a few hundred thousand euros, in cents.
			yearly := spread(r, 250_000, 7)
			budget := decimal(yearly*int64(last-first+1), -2) // exact cents, never a float
			title := fmt.Sprintf("%s %s (projet synthétique %06d)", activities[r.IntN(len(activities))],
				audiences[r.IntN(len(audiences))], j+1)
			var description any
			if r.IntN(3) == 0 {
				description = fmt.Sprintf("Projet inventé par le générateur synthétique, %d-%d.", first, last)
			}
			row[0], row[1], row[2], row[3], row[4] = g.projectBase+int64(j+1), fmt.Sprintf("%s-p%07d", g.stats.Source, j+1), g.operatorBase+int64(owner+1), prog.id, axis
			row[5], row[6], row[7], row[8], row[9], row[10], row[11] = territory, title, description, start, end, budget, g.sourceID
			if !yield(row) {
				return
			}
		}
	}
}

func (g *generator) projectThemeRows() iter.Seq[[]any] {
	return g.projectLinks(streamProjectTheme, g.ref.themes, []int{0, 40, 40, 20})
}

func (g *generator) projectPublicRows() iter.Seq[[]any] {
	return g.projectLinks(streamProjectPublic, g.ref.publics, []int{0, 60, 30, 10})
}

// projectLinks links each project to distinct ids; weights[k] is how often it gets k of them.
func (g *generator) projectLinks(stream uint64, ids []int64, weights []int) iter.Seq[[]any] {
	return func(yield func([]any) bool) {
		r := g.rng(stream)
		cdf := cumulative(len(weights), func(i int) int64 { return int64(weights[i]) })
		row := make([]any, 2)
		for j := range g.projects {
			row[0] = g.projectBase + int64(j+1)
			for _, k := range distinct(r, len(ids), pick(r, cdf)) {
				row[1] = ids[k]
				if !yield(row) {
					return
				}
			}
		}
	}
}

func (g *generator) projectPartnerRows() iter.Seq[[]any] {
	return func(yield func([]any) bool) {
		r := g.rng(streamProjectPartner)
		row := make([]any, 2)
		var partners [2]int
		for j, p := range g.projects {
			row[0] = g.projectBase + int64(j+1)
			count := 0 // half have no partner, a third one, the rest two
			if x := r.IntN(6); x >= 3 {
				count = 1 + x/5
			}
			count = min(count, g.nOperators-1)
			for k := 0; k < count; k++ {
				o := r.IntN(g.nOperators)
				if o == int(p.owner) || k == 1 && o == partners[0] {
					k-- // draw again: a partner is another operator, listed once
					continue
				}
				partners[k] = o
				row[1] = g.operatorBase + int64(o+1)
				if !yield(row) {
					return
				}
			}
		}
	}
}

var needEvidence = []string{
	"Diagnostic local synthétique : demandes en hausse aux permanences",
	"Diagnostic local synthétique : listes d'attente dans les associations",
	"Diagnostic local synthétique : constat partagé en coordination sociale",
	"Diagnostic local synthétique : indicateurs communaux défavorables",
}

func (g *generator) needRows() iter.Seq[[]any] {
	return func(yield func([]any) bool) {
		r := g.rng(streamNeed)
		row := make([]any, 9)
		id := g.needBase
		for _, c := range g.ref.communes {
			for _, theme := range g.ref.themes {
				// Severity drifts from year to year, so that evaluations see an evolution.
				severity := 1 + r.IntN(4)
				for year := g.firstYear; year <= lastYear; year++ {
					severity = min(4, max(1, severity+r.IntN(3)-1))
					var public any
					if r.IntN(10) < 3 {
						public = g.ref.publics[r.IntN(len(g.ref.publics))]
					}
					id++
					row[0], row[1], row[2], row[3] = id, c.id, theme, public
					row[4], row[5], row[6] = date(year, 1, 1), date(year, 12, 31), int16(severity)
					row[7], row[8] = needEvidence[r.IntN(len(needEvidence))], g.sourceID
					if !yield(row) {
						return
					}
				}
			}
		}
	}
}

func date(year int, month time.Month, day int) time.Time {
	return time.Date(year, month, day, 0, 0, 0, 0, time.UTC)
}

// cumulative returns the running sums of n weights. Weights and draws are integers so that
// the output does not depend on how a platform rounds floating point.
func cumulative(n int, weight func(int) int64) []int64 {
	cdf := make([]int64, n)
	var sum int64
	for i := range n {
		sum += weight(i)
		cdf[i] = sum
	}
	return cdf
}

// pick draws an index with the probabilities of the weights summed in cdf; an index of weight
// zero is never drawn.
func pick(r *rand.Rand, cdf []int64) int {
	x := r.Int64N(max(cdf[len(cdf)-1], 1))
	i, _ := slices.BinarySearch(cdf, x+1) // the first running sum above x
	return min(i, len(cdf)-1)
}

// spread draws a heavy-tailed amount: uniform within a doubling of lo, the doubling uniform
// among the first n.
func spread(r *rand.Rand, lo int64, n int) int64 {
	x := lo << r.IntN(n)
	return x + r.Int64N(x)
}

// distinct draws k distinct indices below n (fewer when n < k), by a partial Fisher-Yates
// shuffle of a fresh permutation so that each call depends only on r.
func distinct(r *rand.Rand, n, k int) []int {
	k = min(k, n)
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	for i := range k {
		j := i + r.IntN(n-i)
		perm[i], perm[j] = perm[j], perm[i]
	}
	return perm[:k]
}
