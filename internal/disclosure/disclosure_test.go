package disclosure

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// A person count from 1 to threshold−1 is withheld; zeros and counts from the threshold up
// are published; cells that are not person counts are never withheld for their own value.
func TestPrimarySuppression(t *testing.T) {
	tab := Table{
		Values:    []float64{0, 1, 2, 3, 4, 5, 6, 120, 2, 0.5},
		Sensitive: []bool{true, true, true, true, true, true, true, true, false, false},
	}
	got := Suppress(tab, DefaultThreshold)
	want := []bool{false, true, true, true, true, false, false, false, false, false}
	if !slices.Equal(got, want) {
		t.Fatalf("Suppress(%v)\n got %v\nwant %v", tab.Values, got, want)
	}
}

// The example of the package documentation: total 12, women 3, men 9. Withholding only the
// 3 lets anyone compute it as 12 − 9, so men must be withheld too.
func TestSecondarySuppressionInAGroup(t *testing.T) {
	const total, women, men = 0, 1, 2
	tab := Group([]float64{12, 3, 9}, []bool{true, true, true}, total, [][]int{{women, men}})

	naive := primaryOnly(tab, DefaultThreshold)
	if leaked := recoverByDifference(tab, naive); leaked[women] != 3 {
		t.Fatalf("premise: primary suppression alone should leak women = 12 - 9 = 3, leaked %v", leaked)
	}

	got := Suppress(tab, DefaultThreshold)
	if want := []bool{false, true, true}; !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v (men withheld with women)", got, want)
	}
	if leaked := recoverByDifference(tab, got); len(leaked) > 0 {
		t.Fatalf("withheld values recovered by difference: %v", leaked)
	}
}

// The second withheld part is the smallest non-zero published one: it hides the most for the
// least information lost. Zeros are skipped while a non-zero part is left.
func TestSecondarySuppressionPicksSmallestNonZeroPart(t *testing.T) {
	// total 20 = women 3 + men 9 + other 0 + unknown 8
	tab := Group([]float64{20, 3, 9, 0, 8}, []bool{true, true, true, true, true}, 0, [][]int{{1, 2, 3, 4}})

	naive := primaryOnly(tab, DefaultThreshold)
	if leaked := recoverByDifference(tab, naive); leaked[1] != 3 {
		t.Fatalf("premise: primary suppression alone should leak women = 20 - (9+0+8) = 3, leaked %v", leaked)
	}

	got := Suppress(tab, DefaultThreshold)
	if want := []bool{false, true, false, false, true}; !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v (unknown = 8 withheld, not men = 9 nor other = 0)", got, want)
	}
	if leaked := recoverByDifference(tab, got); len(leaked) > 0 {
		t.Fatalf("withheld values recovered by difference: %v", leaked)
	}
}

// Which cell joins a lone withheld cell, in order of preference.
func TestSecondarySuppressionChoice(t *testing.T) {
	for _, tc := range []struct {
		name      string
		values    []float64
		sensitive []bool
		c         Constraint
		want      []bool
	}{{
		name:      "ties go to the lowest cell index, whatever the order of Parts",
		values:    []float64{21, 3, 6, 6, 6},
		sensitive: []bool{true, true, true, true, true},
		c:         Constraint{Total: 0, Parts: []int{4, 3, 2, 1}},
		want:      []bool{false, true, true, false, false},
	}, {
		name:      "a zero part when no non-zero part is left",
		values:    []float64{3, 3, 0, 0},
		sensitive: []bool{false, true, true, true},
		c:         Constraint{Total: 0, Parts: []int{3, 2, 1}},
		want:      []bool{false, true, true, false},
	}, {
		name:      "the total when no part is left",
		values:    []float64{3, 3},
		sensitive: []bool{false, true},
		c:         Constraint{Total: 0, Parts: []int{1}},
		want:      []bool{true, true},
	}, {
		name:      "a part when the lone withheld cell is the total",
		values:    []float64{3, 1, 2},
		sensitive: []bool{true, false, false},
		c:         Constraint{Total: 0, Parts: []int{1, 2}},
		want:      []bool{true, true, false},
	}, {
		name:      "a part listed twice counts once",
		values:    []float64{12, 3, 9},
		sensitive: []bool{true, true, true},
		c:         Constraint{Total: 0, Parts: []int{1, 1, 2}},
		want:      []bool{false, true, true},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			tab := Table{Values: tc.values, Sensitive: tc.sensitive, Constraints: []Constraint{tc.c}}
			got := Suppress(tab, DefaultThreshold)
			if !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			checkProtected(t, "", tab, DefaultThreshold, got)
		})
	}
}

// Communes × years with row totals, column totals and a grand total. Secondary suppression
// in one row leaves a column with a lone withheld cell, whose own secondary suppression
// leaves other rows with a lone one: suppression must cascade until every total holds none
// or at least two withheld cells.
func TestCrossTableCascade(t *testing.T) {
	tab, at := grid([][]float64{
		{12, 30, 40}, // commune A: 82
		{3, 25, 50},  // commune B: 78, with the only small count
		{20, 14, 60}, // commune C: 94
	}) // years: 35, 69, 150; grand total 254

	naive := primaryOnly(tab, DefaultThreshold)
	if leaked := recoverByDifference(tab, naive); leaked[at(1, 0)] != 3 {
		t.Fatalf("premise: primary suppression alone should leak B/year 1 = 78 - 25 - 50 = 3, leaked %v", leaked)
	}

	got := Suppress(tab, DefaultThreshold)
	// Row B withholds 25 with the 3; column 1 then withholds 12 (A), column 2 withholds 14 (C);
	// that leaves rows A and C with a lone withheld cell, so they withhold 30 and 20.
	want := make([]bool, len(tab.Values))
	for _, rc := range [][2]int{{1, 0}, {1, 1}, {0, 0}, {2, 1}, {0, 1}, {2, 0}} {
		want[at(rc[0], rc[1])] = true
	}
	if !slices.Equal(got, want) {
		t.Fatalf("withheld cells\n got %s\nwant %s", showGrid(got, 3), showGrid(want, 3))
	}
	checkProtected(t, "", tab, DefaultThreshold, got)
	if leaked := recoverByDifference(tab, got); len(leaked) > 0 {
		t.Fatalf("withheld values recovered by difference: %v", leaked)
	}
}

// When the total itself is a small count, it is withheld along with every non-zero part.
func TestTotalBelowThreshold(t *testing.T) {
	// total 4 = women 1 + men 3 = under 18: 0 + 18–64: 2 + 65 and over: 2
	values := []float64{4, 1, 3, 0, 2, 2}
	sensitive := []bool{true, true, true, true, true, true}
	tab := Group(values, sensitive, 0, [][]int{{1, 2}, {3, 4, 5}})

	got := Suppress(tab, DefaultThreshold)
	if want := []bool{true, true, true, false, true, true}; !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v (everything but the zero withheld)", got, want)
	}
	checkProtected(t, "", tab, DefaultThreshold, got)
}

// The threshold is configurable; zero or negative means DefaultThreshold.
func TestThreshold(t *testing.T) {
	tab := Table{Values: []float64{4, 5, 7, 9, 10, 12}, Sensitive: []bool{true, true, true, true, true, true}}
	for _, tc := range []struct {
		threshold float64
		want      []bool
	}{
		{10, []bool{true, true, true, true, false, false}},
		{DefaultThreshold, []bool{true, false, false, false, false, false}},
		{0, []bool{true, false, false, false, false, false}},
		{-1, []bool{true, false, false, false, false, false}},
	} {
		if got := Suppress(tab, tc.threshold); !slices.Equal(got, tc.want) {
			t.Errorf("threshold %v: got %v, want %v", tc.threshold, got, tc.want)
		}
	}

	// Secondary suppression follows the threshold: at 10, total 30 = 7 + 9 + 14 withholds 7 and 9.
	g := Group([]float64{30, 7, 9, 14}, []bool{true, true, true, true}, 0, [][]int{{1, 2, 3}})
	if got, want := Suppress(g, 10), []bool{false, true, true, false}; !slices.Equal(got, want) {
		t.Errorf("threshold 10: got %v, want %v", got, want)
	}
	// At the default threshold, the same group is published in full.
	if got, want := Suppress(g, DefaultThreshold), []bool{false, false, false, false}; !slices.Equal(got, want) {
		t.Errorf("default threshold: got %v, want %v", got, want)
	}
}

// Without a total row, a group's breakdowns cannot be differenced: only primary suppression applies.
func TestGroupWithoutTotal(t *testing.T) {
	tab := Group([]float64{3, 9}, []bool{true, true}, -1, [][]int{{0, 1}})
	if len(tab.Constraints) != 0 {
		t.Fatalf("constraints %v, want none", tab.Constraints)
	}
	if got, want := Suppress(tab, 0), []bool{true, false}; !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

// The same table gives the same cells, call after call and whatever the order of Parts; the
// input is left as it was.
func TestDeterministic(t *testing.T) {
	for seed := uint64(0); seed < 50; seed++ {
		rng := rand.New(rand.NewPCG(seed, 1))
		tab := randomTable(rng)
		values, sensitive := slices.Clone(tab.Values), slices.Clone(tab.Sensitive)
		first := Suppress(tab, DefaultThreshold)
		for range 5 {
			if got := Suppress(tab, DefaultThreshold); !slices.Equal(got, first) {
				t.Fatalf("seed %d: second call gave %v, first %v", seed, got, first)
			}
		}
		if !slices.Equal(tab.Values, values) || !slices.Equal(tab.Sensitive, sensitive) {
			t.Fatalf("seed %d: Suppress changed its input", seed)
		}
		shuffled := tab
		shuffled.Constraints = nil
		for _, c := range tab.Constraints {
			parts := slices.Clone(c.Parts)
			rng.Shuffle(len(parts), func(i, j int) { parts[i], parts[j] = parts[j], parts[i] })
			shuffled.Constraints = append(shuffled.Constraints, Constraint{Total: c.Total, Parts: parts})
		}
		if got := Suppress(shuffled, DefaultThreshold); !slices.Equal(got, first) {
			t.Fatalf("seed %d: shuffling Parts gave %v, want %v", seed, got, first)
		}
	}
}

// On small random groups and cross-tables: every small count is withheld, and no total holds
// exactly one withheld cell, so no withheld value can be recovered by subtraction.
func TestRandomTablesAreProtected(t *testing.T) {
	for seed := uint64(0); seed < 2000; seed++ {
		rng := rand.New(rand.NewPCG(seed, 2))
		tab := randomTable(rng)
		threshold := float64(DefaultThreshold)
		if rng.IntN(4) == 0 {
			threshold = 10
		}
		got := Suppress(tab, threshold)
		label := fmt.Sprintf("seed %d, threshold %v, values %v: ", seed, threshold, tab.Values)
		checkProtected(t, label, tab, threshold, got)
		if leaked := recoverByDifference(tab, got); len(leaked) > 0 {
			t.Errorf("%swithheld values recovered by difference: %v", label, leaked)
		}
	}
}

// A malformed table is a programming error, reported at once.
func TestMalformedTablePanics(t *testing.T) {
	for name, tab := range map[string]Table{
		"sensitivity length": {Values: []float64{1, 2}, Sensitive: []bool{true}},
		"total out of range": {Values: []float64{1}, Sensitive: []bool{true}, Constraints: []Constraint{{Total: 1}}},
		"part out of range":  {Values: []float64{1}, Sensitive: []bool{true}, Constraints: []Constraint{{Total: 0, Parts: []int{-1}}}},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if r := recover(); r == nil || !strings.HasPrefix(fmt.Sprint(r), "disclosure: ") {
					t.Fatalf("recovered %v, want a disclosure panic", r)
				}
			}()
			Suppress(tab, 0)
		})
	}
}

func BenchmarkSuppress(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 3))
	b.Run("group of 20", func(b *testing.B) {
		// total, 3 genders, 8 age bands, 8 communes
		values := make([]float64, 20)
		sensitive := make([]bool, 20)
		for i := range sensitive {
			sensitive[i] = true
		}
		breakdowns := [][]int{{1, 2, 3}, {4, 5, 6, 7, 8, 9, 10, 11}, {12, 13, 14, 15, 16, 17, 18, 19}}
		values[0] = 60
		for _, parts := range breakdowns {
			split(rng, values[0], values, parts)
		}
		tab := Group(values, sensitive, 0, breakdowns)
		for b.Loop() {
			Suppress(tab, DefaultThreshold)
		}
	})
	b.Run("50x10 with margins", func(b *testing.B) {
		cells := make([][]float64, 50)
		for r := range cells {
			cells[r] = make([]float64, 10)
			for c := range cells[r] {
				cells[r][c] = smallish(rng)
			}
		}
		tab, _ := grid(cells)
		for b.Loop() {
			Suppress(tab, DefaultThreshold)
		}
	})
}

// primaryOnly is the naive protection: small counts withheld, totals ignored.
func primaryOnly(t Table, threshold float64) []bool {
	return Suppress(Table{Values: t.Values, Sensitive: t.Sensitive}, threshold)
}

// recoverByDifference plays the attacker: as long as a constraint has a single unknown cell,
// it computes that cell from the others (total − published parts, or sum of parts), and
// uses it in turn. It returns the withheld cells it recovered.
func recoverByDifference(t Table, withheld []bool) map[int]float64 {
	known := make([]bool, len(t.Values))
	for i, w := range withheld {
		known[i] = !w
	}
	leaked := map[int]float64{}
	for progress := true; progress; {
		progress = false
		for _, c := range t.Constraints {
			cells := cellsOf(c)
			unknown := -1
			n := 0
			for _, i := range cells {
				if !known[i] {
					unknown, n = i, n+1
				}
			}
			if n != 1 {
				continue
			}
			sum := 0.0
			for _, i := range cells[1:] {
				if i != unknown {
					sum += t.Values[i]
				}
			}
			v := sum
			if unknown != c.Total {
				v = t.Values[c.Total] - sum
			}
			known[unknown], leaked[unknown], progress = true, v, true
		}
	}
	return leaked
}

// checkProtected is the generic verifier: every primary cell is withheld and every
// constraint holds no withheld cell or at least two.
func checkProtected(t *testing.T, label string, tab Table, threshold float64, withheld []bool) {
	t.Helper()
	for i, v := range tab.Values {
		if tab.Sensitive[i] && v > 0 && v < threshold && !withheld[i] {
			t.Errorf("%scell %d = %v is below threshold %v but published", label, i, v, threshold)
		}
	}
	for k, c := range tab.Constraints {
		cells := cellsOf(c)
		n := 0
		for _, i := range cells {
			if withheld[i] {
				n++
			}
		}
		if n == 1 && len(cells) > 1 {
			t.Errorf("%sconstraint %d (cells %v) holds exactly one withheld cell", label, k, cells)
		}
	}
}

// cellsOf returns the set {Total} ∪ Parts, total first.
func cellsOf(c Constraint) []int {
	cells := []int{c.Total}
	for _, p := range c.Parts {
		if !slices.Contains(cells, p) {
			cells = append(cells, p)
		}
	}
	return cells
}

// grid builds a cross-table of person counts from its inner cells, adding row totals (last
// column), column totals (last row) and the grand total (last cell), with row constraints
// first, then column ones, then the grand total both ways. at(r, c) is the index of a cell;
// r = len(cells) is the column-total row and c = len(cells[0]) the row-total column.
func grid(cells [][]float64) (Table, func(r, c int) int) {
	rows, cols := len(cells), len(cells[0])
	at := func(r, c int) int { return r*(cols+1) + c }
	n := (rows + 1) * (cols + 1)
	tab := Table{Values: make([]float64, n), Sensitive: make([]bool, n)}
	for i := range tab.Sensitive {
		tab.Sensitive[i] = true
	}
	for r := range rows {
		for c := range cols {
			v := cells[r][c]
			tab.Values[at(r, c)] = v
			tab.Values[at(r, cols)] += v
			tab.Values[at(rows, c)] += v
			tab.Values[at(rows, cols)] += v
		}
	}
	for r := range rows {
		c := Constraint{Total: at(r, cols)}
		for col := range cols {
			c.Parts = append(c.Parts, at(r, col))
		}
		tab.Constraints = append(tab.Constraints, c)
	}
	for col := range cols {
		c := Constraint{Total: at(rows, col)}
		for r := range rows {
			c.Parts = append(c.Parts, at(r, col))
		}
		tab.Constraints = append(tab.Constraints, c)
	}
	byRow, byCol := Constraint{Total: at(rows, cols)}, Constraint{Total: at(rows, cols)}
	for r := range rows {
		byRow.Parts = append(byRow.Parts, at(r, cols))
	}
	for col := range cols {
		byCol.Parts = append(byCol.Parts, at(rows, col))
	}
	tab.Constraints = append(tab.Constraints, byRow, byCol)
	return tab, at
}

// showGrid draws the withheld cells of a grid built by grid, margins included.
func showGrid(withheld []bool, cols int) string {
	var s strings.Builder
	for i, w := range withheld {
		if i%(cols+1) == 0 {
			s.WriteString("\n")
		}
		if w {
			s.WriteString(" X")
		} else {
			s.WriteString(" .")
		}
	}
	return s.String()
}

// randomTable returns a small group (a total and one to three breakdowns) or a small
// cross-table with margins, rich in zeros and small counts, with a few cells not sensitive.
func randomTable(rng *rand.Rand) Table {
	var tab Table
	if rng.IntN(2) == 0 {
		k := 1 + rng.IntN(3)
		var breakdowns [][]int
		n := 1
		for range k {
			size := 2 + rng.IntN(4)
			parts := make([]int, size)
			for i := range parts {
				parts[i] = n + i
			}
			n += size
			breakdowns = append(breakdowns, parts)
		}
		values := make([]float64, n)
		values[0] = smallish(rng) + smallish(rng)
		for _, parts := range breakdowns {
			split(rng, values[0], values, parts)
		}
		total := 0
		if rng.IntN(8) == 0 {
			total = -1
		}
		tab = Group(values, make([]bool, n), total, breakdowns)
		for i := range tab.Sensitive {
			tab.Sensitive[i] = true
		}
	} else {
		cells := make([][]float64, 2+rng.IntN(4))
		cols := 2 + rng.IntN(4)
		for r := range cells {
			cells[r] = make([]float64, cols)
			for c := range cells[r] {
				cells[r][c] = smallish(rng)
			}
		}
		tab, _ = grid(cells)
	}
	for i := range tab.Sensitive {
		if rng.IntN(10) == 0 {
			tab.Sensitive[i] = false
		}
	}
	return tab
}

// smallish returns 0 (30%), a small count 1–4 (40%) or a count 5–30 (30%).
func smallish(rng *rand.Rand) float64 {
	switch x := rng.IntN(10); {
	case x < 3:
		return 0
	case x < 7:
		return float64(1 + rng.IntN(4))
	default:
		return float64(5 + rng.IntN(26))
	}
}

// split spreads the whole count total over values[parts] at random.
func split(rng *rand.Rand, total float64, values []float64, parts []int) {
	for _, p := range parts {
		values[p] = 0
	}
	for range int(total) {
		values[parts[rng.IntN(len(parts))]]++
	}
}
