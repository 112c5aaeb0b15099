package synthetic

import (
	"iter"
	"math/big"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
)

// Observations come in the long format: one row per indicator, subject, period and kind.
// Each subject reports a few indicators; for each of them and each year it runs, a target and
// a realised value for the year or, for some, for each quarter; some also have a baseline.

// Where the subject's id goes in an observation row.
const (
	colProject   = 2
	colOperator  = 3
	colTerritory = 4
)

const (
	quarterlyShare = 30 // percent of indicator-years reported by quarter
	baselineShare  = 20 // percent of subject-indicators with a baseline
)

type subject struct {
	column      int
	id          int64
	first, last int // years
	startMonth  int // no quarter of the first year ends before it
	indicators  []indicator
	big         bool // a whole commune: larger counts
}

type observationWriter struct {
	g       *generator
	r       *rand.Rand
	row     []any
	yield   func([]any) bool
	id      int64
	written int64
}

func (g *generator) observationRows() iter.Seq[[]any] {
	return func(yield func([]any) bool) {
		w := &observationWriter{g: g, r: g.rng(streamObservation), row: make([]any, 12), yield: yield, id: g.observationBase}
		w.row[11] = g.sourceID
		total := g.nObservations
		// About 5% for communes, 10% for operators, the rest for projects; a phase that
		// cannot use its share (too few indicators) leaves it to the next.
		if !w.phase(total*5/100, len(g.ref.communes), func(i int) subject {
			return subject{column: colTerritory, id: g.ref.communes[i].id, first: g.firstYear, last: lastYear,
				indicators: g.ref.shared, big: true}
		}) {
			return
		}
		if !w.phase(total*15/100-w.written, len(g.operators), func(i int) subject {
			prog := g.ref.programmes[g.operators[i].approvals[0].programme]
			return subject{column: colOperator, id: g.operatorBase + int64(i+1), first: g.firstYear, last: lastYear,
				indicators: prog.indicators}
		}) {
			return
		}
		w.phase(total-w.written, len(g.projects), func(i int) subject {
			p := g.projects[i]
			return subject{column: colProject, id: g.projectBase + int64(i+1), first: int(p.first), last: int(p.last),
				startMonth: int(p.startMonth), indicators: g.ref.programmes[p.programme].indicators}
		})
	}
}

// phase spreads budget rows over n subjects: each takes its fair share of what is left, so
// that the total lands close to the budget whatever the durations drawn.
func (w *observationWriter) phase(budget int64, n int, subjectOf func(int) subject) bool {
	start := w.written
	for i := range n {
		left := budget - (w.written - start)
		if !w.subject(subjectOf(i), max(left, 0)*100/int64(n-i)) {
			return false
		}
	}
	return true
}

// subject writes about want/100 rows for s (want is in hundredths of a row).
func (w *observationWriter) subject(s subject, want int64) bool {
	r := w.r
	years := int64(s.last - s.first + 1)
	quarterly := int64(quarterlyShare)
	// Hundredths of a row per indicator: 2 rows a year, 8 when quarterly, and the baseline.
	perIndicator := years*(200+6*quarterly) + baselineShare
	k := want / perIndicator
	if r.Int64N(perIndicator) < want%perIndicator {
		k++ // round at random, so that the average is right
	}
	if n := int64(len(s.indicators)); k > n && n > 0 {
		// Not enough indicators: report more of them by quarter.
		k = n
		quarterly = min(100, max(quarterlyShare, ((want/k-baselineShare)/years-200)/6))
	}
	for _, i := range distinct(r, len(s.indicators), int(k)) {
		ind := s.indicators[i]
		base := magnitude(r, ind.unit, s.big)
		if r.IntN(100) < baselineShare {
			v := base * int64(70+r.IntN(40)) / 100
			if !w.emit(s, ind, date(s.first, 1, 1), date(s.first, 12, 31), "year", "baseline", v, "validated") {
				return false
			}
		}
		for y := s.first; y <= s.last; y++ {
			// Targets grow a little every year.
			target := base * int64(100+5*(y-s.first)) / 100
			if r.Int64N(100) >= quarterly {
				if !w.pair(s, ind, date(y, 1, 1), date(y, 12, 31), "year", target) {
					return false
				}
				continue
			}
			if additive(ind.unit) {
				target = max(target/4, 1)
			}
			for q := range 4 {
				if y == s.first && 3*q+3 < s.startMonth {
					continue
				}
				start := date(y, time.Month(1+3*q), 1)
				if !w.pair(s, ind, start, start.AddDate(0, 3, -1), "quarter", target) {
					return false
				}
			}
		}
	}
	return true
}

// pair writes the target and what was realised, 60% to 120% of it.
func (w *observationWriter) pair(s subject, ind indicator, start, end time.Time, granularity string, target int64) bool {
	realised := target * int64(60+w.r.IntN(61)) / 100
	return w.emit(s, ind, start, end, granularity, "target", target, "validated") &&
		w.emit(s, ind, start, end, granularity, "realised", realised, w.status(start.Year()))
}

// status: reports of past years are validated; the last year's are still being reviewed.
func (w *observationWriter) status(year int) string {
	x := w.r.IntN(100)
	if year == lastYear {
		switch {
		case x < 5:
			return "draft"
		case x < 20:
			return "submitted"
		case x < 30:
			return "reviewed"
		}
		return "validated"
	}
	switch {
	case x < 1:
		return "rejected"
	case x < 3:
		return "reviewed"
	}
	return "validated"
}

func (w *observationWriter) emit(s subject, ind indicator, start, end time.Time, granularity, kind string, v int64, status string) bool {
	w.id++
	w.written++
	row := w.row
	row[0], row[1] = w.id, ind.id
	row[colProject], row[colOperator], row[colTerritory] = nil, nil, nil
	row[s.column] = s.id
	row[5], row[6], row[7], row[8], row[9], row[10] = start, end, granularity, kind, value(ind.unit, v), status
	return w.yield(row)
}

// magnitude draws a yearly value in the unit's smallest step (see value).
func magnitude(r *rand.Rand, unit string, big bool) int64 {
	var v int64
	switch unit {
	case "percent":
		return 100 + r.Int64N(850) // 10.0% to 95.0%
	case "per_mille":
		return 10 + r.Int64N(300)
	case "fte":
		v = spread(r, 50, 5) // 0.50 to 16 FTE
	case "eur":
		v = spread(r, 100_000, 8) // 1,000 to 256,000 EUR
	case "hours":
		v = spread(r, 20, 7)
	case "minutes":
		v = spread(r, 600, 7)
	default: // persons, actions, files, sessions, count
		v = spread(r, 5, 7)
	}
	if big {
		v *= 20
	}
	return v
}

// additive units add up over quarters; shares and staff do not.
func additive(unit string) bool {
	return unit != "percent" && unit != "per_mille" && unit != "fte"
}

// value turns v, counted in the unit's smallest step, into an exact decimal.
func value(unit string, v int64) any {
	switch unit {
	case "percent":
		return decimal(min(v, 1000), -1)
	case "per_mille":
		return decimal(min(v, 10000), -1)
	case "fte", "eur":
		return decimal(v, -2)
	}
	return v
}

func decimal(v int64, exp int32) pgtype.Numeric {
	return pgtype.Numeric{Int: big.NewInt(v), Exp: exp, Valid: true}
}
