package report

import (
	"strings"

	"github.com/shopspring/decimal"

	"github.com/cohesio/cohesio/internal/cohesion"
	"github.com/cohesio/cohesio/internal/disclosure"
)

// Suppress withholds the small person counts of res, for roles that may not see them: the
// cells of measures counted in persons go through disclosure.Suppress, with the report's
// subtotals and grand total as the margins of additive measures. A withheld value is nil and
// marked; a change computed from one is nil too.
func (r *Request) Suppress(res *Result, threshold int) {
	_, cols := r.Columns()
	var margins []disclosure.Constraint
	for mi, m := range r.Measures {
		if cols[mi].Unit == nil || *cols[mi].Unit != cohesion.UnitPersons {
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
			t := disclosure.Table{Values: make([]float64, len(res.Rows)), Sensitive: make([]bool, len(res.Rows)), Constraints: constraints}
			for i := range res.Rows {
				if v := *slot(&res.Rows[i].Cells[mi]); v != nil {
					t.Values[i], _ = v.Float64()
					t.Sensitive[i] = true
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

// additive tells whether a total of m is the sum of its parts.
func (r *Request) additive(m Measure) bool {
	switch m.Kind {
	case Sum, Participants:
		return !m.PerMille
	case Value:
		return !m.PerMille && r.Indicators[m.Indicator].Aggregation == cohesion.AggregateSum
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
