// Package disclosure withholds small person counts from published tables (small-cell
// suppression), for outputs served to roles below analyst.
//
// The rule:
//   - Threshold: a person count is published as is only when it is at least 5
//     (DefaultThreshold; the threshold is configurable).
//   - Primary suppression: a person count from 1 to threshold−1 is withheld.
//   - Zeros are published: a zero reveals nobody.
//   - Secondary suppression: wherever cells add up to a total (a margin and its breakdown),
//     either none or at least two of them are withheld, so that no withheld value can be
//     recovered by subtraction. When only one is withheld, the smallest non-zero published
//     component is withheld too (else a zero component, else the total); this is repeated
//     until it holds for every total, across the rows and columns of a cross-table alike.
//   - Withheld cells are published as empty (null) and marked as suppressed.
//
// Suppress protects one table on its own. What protects outputs against one another is that
// every output for roles below analyst is computed from the same published cells (the view
// observation_published, and event_published and meeting_published), never from a withheld
// value: a report's cells are sums of published cells, so subtracting published cells from
// them gives published cells back. Suppress then only adds withholding to a report table
// (an average or a minimum below the threshold, say); bounds (counts are never negative)
// still narrow withheld values, as they do for any suppressed table.
package disclosure

import "fmt"

// DefaultThreshold is the smallest person count published as is.
const DefaultThreshold = 5

// Table is a set of cells and the additive relations between them.
type Table struct {
	Values []float64 // one per cell
	// Sensitive marks the cells that are person counts; only they are primary-suppressed.
	// Cells that are not sensitive can still be chosen for secondary suppression when they
	// take part in a constraint with a sensitive cell.
	Sensitive   []bool
	Constraints []Constraint
}

// Constraint says Values[Total] = sum of Values[Parts] (a margin and its components).
type Constraint struct {
	Total int
	Parts []int
}

// Suppress returns, for each cell, whether it must be withheld.
// Primary: sensitive cells with 0 < value < threshold. (A zero is published: it reveals nobody.)
// Secondary: repeat until nothing changes: for each constraint, the set {Total} ∪ Parts must hold
// either no suppressed cell or at least two; when it holds exactly one, also suppress the
// unsuppressed part with the smallest non-zero value (ties: lowest index), or the smallest zero part if
// no non-zero part is left, or else the total. The result is deterministic.
// threshold <= 0 means DefaultThreshold.
//
// A table whose Sensitive length differs from Values, or whose constraints refer to cells
// out of range, is a programming error: Suppress panics. A cell repeated in a constraint
// counts once.
func Suppress(t Table, threshold float64) []bool {
	if threshold <= 0 {
		threshold = DefaultThreshold
	}
	rels := relations(t)
	out := make([]bool, len(t.Values))
	for i, v := range t.Values {
		out[i] = t.Sensitive[i] && v > 0 && v < threshold
	}
	// Each change adds a suppression and none is removed, so this ends after at most
	// len(Values) passes.
	for changed := true; changed; {
		changed = false
		for _, r := range rels {
			if r.suppressed(out) != 1 {
				continue
			}
			if j := r.next(t.Values, out); j >= 0 {
				out[j] = true
				changed = true
			}
		}
	}
	return out
}

// Group builds the Table of one group of rows sharing a margin: total is the row index of the
// margin (at most one per group; -1 when the group has no total row), and breakdowns lists
// each breakdown (e.g. by gender, by age band) as its own slice of row indexes whose values
// add up to the total. It is a convenience for callers that stream groups of observations.
//
// Each breakdown becomes one Constraint with that total; when total is -1 (any negative),
// breakdowns add no constraint, as there is no margin to subtract from. The slices are used,
// not copied.
func Group(values []float64, sensitive []bool, total int /* -1 when none */, breakdowns [][]int) Table {
	t := Table{Values: values, Sensitive: sensitive}
	if total < 0 {
		return t
	}
	for _, parts := range breakdowns {
		t.Constraints = append(t.Constraints, Constraint{Total: total, Parts: parts})
	}
	return t
}

// relation is a Constraint as a set: parts are distinct and exclude the total.
type relation struct {
	total int
	parts []int
}

// relations checks t and turns its constraints into sets, so that a repeated index cannot
// make one suppressed cell count as two.
func relations(t Table) []relation {
	n := len(t.Values)
	if len(t.Sensitive) != n {
		panic(fmt.Sprintf("disclosure: %d values but %d sensitivity flags", n, len(t.Sensitive)))
	}
	seen := make([]int, n) // seen[i] == k+1: cell i already in constraint k
	rels := make([]relation, len(t.Constraints))
	for k, c := range t.Constraints {
		if c.Total < 0 || c.Total >= n {
			panic(fmt.Sprintf("disclosure: constraint %d: total %d out of range [0,%d)", k, c.Total, n))
		}
		seen[c.Total] = k + 1
		parts := make([]int, 0, len(c.Parts))
		for _, p := range c.Parts {
			if p < 0 || p >= n {
				panic(fmt.Sprintf("disclosure: constraint %d: part %d out of range [0,%d)", k, p, n))
			}
			if seen[p] != k+1 {
				seen[p] = k + 1
				parts = append(parts, p)
			}
		}
		rels[k] = relation{total: c.Total, parts: parts}
	}
	return rels
}

// suppressed counts the withheld cells of r, stopping at 2: only 0, 1 or "several" matter.
func (r relation) suppressed(out []bool) int {
	n := 0
	if out[r.total] {
		n++
	}
	for _, p := range r.parts {
		if n >= 2 {
			break
		}
		if out[p] {
			n++
		}
	}
	return n
}

// next picks the cell to withhold alongside the lone withheld cell of r: the smallest
// non-zero published part costs the least information, a zero part hides nobody but still
// adds an unknown, and the total is the last resort. It returns -1 when r has no other cell.
func (r relation) next(values []float64, out []bool) int {
	best, zero := -1, -1
	for _, p := range r.parts {
		switch v := values[p]; {
		case out[p]:
		case v == 0:
			if zero < 0 || p < zero {
				zero = p
			}
		case best < 0 || v < values[best] || (v == values[best] && p < best):
			best = p
		}
	}
	switch {
	case best >= 0:
		return best
	case zero >= 0:
		return zero
	case !out[r.total]:
		return r.total
	}
	return -1
}
