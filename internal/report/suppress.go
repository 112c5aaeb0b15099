package report

import (
	"strings"

	"github.com/shopspring/decimal"

	"github.com/cohesio/cohesio/internal/cohesion"
	"github.com/cohesio/cohesio/internal/disclosure"
)

// Suppress withholds the small person counts of res, for roles that may not see them: the
// cells of measures counted in persons go through disclosure.Suppress, with the report's
// subtotals and grand total as the margins of additive measures. A value per 1,000
// inhabitants of persons is judged by the count it comes from, since the population would
// give that count back. A withheld value is nil and marked; a change computed from one is nil
// too.
func (r *Request) Suppress(res *Result, threshold int) {
	var margins []disclosure.Constraint
	indicatorDim := r.indicatorDimension()
	for mi, m := range r.Measures {
		byRow := m.Indicator == "" && indicatorDim >= 0 && r.mayCountPersons(m)
		if !r.countsPersons(m) && !byRow {
			continue
		}
		if margins == nil {
			margins = r.margins(res)
		}
		var constraints []disclosure.Constraint
		if r.additive(m) {
			constraints = margins
		}
		for _, previous := range []bool{false, true} {
			slot := func(c *Cell) **decimal.Decimal {
				if previous {
					return &c.Previous
				}
				return &c.Value
			}
			// The count a cell is judged by: its value, or what its value per 1,000 comes from.
			count := func(c *Cell) *decimal.Decimal {
				switch {
				case !m.PerMille:
					return *slot(c)
				case previous:
					return c.PreviousCount
				}
				return c.Count
			}
			t := disclosure.Table{Values: make([]float64, len(res.Rows)), Sensitive: make([]bool, len(res.Rows)), Constraints: constraints}
			for i, row := range res.Rows {
				if v := count(&res.Rows[i].Cells[mi]); v != nil {
					t.Values[i], _ = v.Float64()
					t.Sensitive[i] = true
					if byRow {
						// Each row is one indicator's (a total mixes them: it stays sensitive).
						code := row.Keys[indicatorDim].Code
						t.Sensitive[i] = code == nil || r.PersonIndicators[*code]
					}
				}
			}
			for i, withheld := range disclosure.Suppress(t, float64(threshold)) {
				c := &res.Rows[i].Cells[mi]
				if !withheld || *slot(c) == nil {
					continue
				}
				*slot(c) = nil
				c.Change, c.ChangePercent = nil, nil
				if previous {
					c.PreviousSuppressed = true
				} else {
					c.Suppressed = true
				}
			}
		}
	}
}

// ReadsPersonCounts tells whether a measure of r may read person counts: only then must a
// reader below analyst be answered from the published cells (store.factBase).
func (r *Request) ReadsPersonCounts() bool {
	for _, m := range r.Measures {
		if r.countsPersons(m) || (m.Indicator == "" && r.mayCountPersons(m)) {
			return true
		}
	}
	return false
}

// NeedsPersonIndicators tells whether Suppress must know which indicators count persons: a
// measure without indicator split by the INDICATOR dimension mixes indicators of all units.
func (r *Request) NeedsPersonIndicators() bool {
	if r.indicatorDimension() < 0 {
		return false
	}
	for _, m := range r.Measures {
		if m.Indicator == "" && r.mayCountPersons(m) {
			return true
		}
	}
	return false
}

func (r *Request) indicatorDimension() int {
	for i, d := range r.Dimensions {
		if d.Kind == Indicator {
			return i
		}
	}
	return -1
}

// mayCountPersons tells whether m adds up or compares indicator values, which may be persons.
func (r *Request) mayCountPersons(m Measure) bool {
	switch m.Kind {
	case Value, Sum, Avg, Min, Max:
		return true
	}
	return false
}

// countsPersons tells whether m is a number of persons, or one per 1,000 inhabitants.
func (r *Request) countsPersons(m Measure) bool {
	switch m.Kind {
	case Participants:
		return true
	case Value, Sum, Avg, Min, Max:
		return r.Indicators[m.Indicator].Unit == cohesion.UnitPersons
	}
	return false
}

// additive tells whether a total of m (or of the counts behind a value per 1,000) is the sum
// of its parts.
func (r *Request) additive(m Measure) bool {
	switch m.Kind {
	case Sum, Participants:
		return true
	case Value:
		return r.Indicators[m.Indicator].Aggregation == cohesion.AggregateSum
	}
	return false
}

// margins relates each total row to the rows it totals: for a row with no key on dimension
// d, the rows with a key on d and the same keys elsewhere.
func (r *Request) margins(res *Result) []disclosure.Constraint {
	key := func(row Row, skip int) string {
		var b strings.Builder
		for j, k := range row.Keys {
			switch {
			case j == skip:
				b.WriteString("*")
			case k.Code == nil:
				b.WriteString("\x00")
			default:
				b.WriteString(*k.Code)
			}
			b.WriteString("\x1f")
		}
		return b.String()
	}
	// key(row, d) names the margin a row with a key on d adds up to; the star marks d.
	parts := map[string][]int{}
	for i, row := range res.Rows {
		for d, k := range row.Keys {
			if k.Code != nil {
				parts[key(row, d)] = append(parts[key(row, d)], i)
			}
		}
	}
	var out []disclosure.Constraint
	for i, row := range res.Rows {
		for d, k := range row.Keys {
			if k.Code == nil {
				if p := parts[key(row, d)]; len(p) > 0 {
					out = append(out, disclosure.Constraint{Total: i, Parts: p})
				}
			}
		}
	}
	return out
}
