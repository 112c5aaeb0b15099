package synthetic

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/cohesio/cohesio/internal/store"
)

// reference is what the generator reads from the reference data, in a fixed order (sorted by
// natural key) so that the output does not depend on map iteration.
type reference struct {
	communes   []commune
	themes     []int64
	publics    []int64
	sectors    []int64
	forms      []legalForm
	programmes []programme
	indicators []indicator
	shared     []indicator // indicators of no programme: any subject may report them
}

type commune struct {
	id        int64
	postcodes []string
	weight    int64 // population, so that seats follow where people live
}

type legalForm struct {
	id     int64
	public bool
	facto  bool // an association de fait: no legal personality, hence no enterprise number
	weight int
}

type programme struct {
	id         int64
	axes       []int64
	indicators []indicator // its own indicators and the shared ones
}

type indicator struct {
	id   int64
	unit string
}

// brusselsCommunes are the NIS codes the reference data must hold.
func brusselsCommunes() []string {
	codes := make([]string, 19)
	for i := range codes {
		codes[i] = strconv.Itoa(21001 + i)
	}
	return codes
}

func (g *generator) loadReference(ctx context.Context, l *store.Loader) error {
	ref := &g.ref
	sources, err := l.IDsByKey(ctx, "source", "code")
	if err != nil {
		return err
	}
	if _, ok := sources[g.stats.Source]; ok {
		return fmt.Errorf("source %q already exists: this scale and seed are already loaded", g.stats.Source)
	}

	// Only communes have a NIS code (a check constraint says so).
	nis, err := l.IDsByKey(ctx, "territory", "nis_code")
	if err != nil {
		return err
	}
	postcodes, err := l.ColumnByID(ctx, "territory", "postcodes")
	if err != nil {
		return err
	}
	population, err := l.ColumnByID(ctx, "territory", "population")
	if err != nil {
		return err
	}
	for _, code := range brusselsCommunes() {
		id, ok := nis[code]
		if !ok {
			return fmt.Errorf("commune %s is missing: %w", code, ErrNoReferenceData)
		}
		c := commune{id: id, postcodes: parseTextArray(postcodes[id]), weight: 50_000}
		if p, err := strconv.ParseInt(population[id], 10, 64); err == nil && p > 0 {
			c.weight = p
		}
		ref.communes = append(ref.communes, c)
	}

	for _, v := range []struct {
		table string
		ids   *[]int64
	}{
		{"theme", &ref.themes},
		{"target_public", &ref.publics},
		{"sector", &ref.sectors},
	} {
		if *v.ids, err = sortedIDs(ctx, l, v.table); err != nil {
			return err
		}
	}

	formIDs, err := l.IDsByKey(ctx, "legal_form", "code")
	if err != nil {
		return err
	}
	public, err := l.ColumnByID(ctx, "legal_form", "is_public")
	if err != nil {
		return err
	}
	for _, code := range sortedKeys(formIDs) {
		if code == "unknown" {
			continue // for real organisations whose form no document gives
		}
		f := legalForm{id: formIDs[code], public: public[formIDs[code]] == "true", weight: 1}
		switch {
		case strings.Contains(code, "fait"):
			f.facto = true
		case strings.Contains(code, "asbl") || strings.Contains(code, "vzw"):
			f.weight = 12 // the main form of operators
		case f.public:
			f.weight = 2
		}
		ref.forms = append(ref.forms, f)
	}
	if len(ref.forms) == 0 {
		return fmt.Errorf("no legal form: %w", ErrNoReferenceData)
	}

	return g.loadProgrammes(ctx, l)
}

// loadProgrammes reads the programmes, their axes and their indicators.
func (g *generator) loadProgrammes(ctx context.Context, l *store.Loader) error {
	ref := &g.ref
	progIDs, err := sortedIDs(ctx, l, "programme")
	if err != nil {
		return err
	}
	axisProgramme, err := l.ColumnByID(ctx, "programme_axis", "programme_id")
	if err != nil {
		return err
	}
	indIDs, err := sortedIDs(ctx, l, "indicator")
	if err != nil {
		return err
	}
	if len(indIDs) == 0 {
		return fmt.Errorf("no indicator: %w", ErrNoReferenceData)
	}
	units, err := l.ColumnByID(ctx, "indicator", "unit")
	if err != nil {
		return err
	}
	indProgramme, err := l.ColumnByID(ctx, "indicator", "programme_id")
	if err != nil {
		return err
	}

	own := map[int64][]indicator{}
	for _, id := range indIDs {
		ind := indicator{id: id, unit: units[id]}
		ref.indicators = append(ref.indicators, ind)
		if p, ok := indProgramme[id]; ok {
			pid, _ := strconv.ParseInt(p, 10, 64)
			own[pid] = append(own[pid], ind)
		} else {
			ref.shared = append(ref.shared, ind)
		}
	}
	axes := map[int64][]int64{}
	for _, id := range sortedKeys(axisProgramme) {
		pid, _ := strconv.ParseInt(axisProgramme[id], 10, 64)
		axes[pid] = append(axes[pid], id)
	}
	for _, id := range progIDs {
		p := programme{id: id, axes: axes[id], indicators: slices.Concat(own[id], ref.shared)}
		if len(p.indicators) == 0 {
			p.indicators = ref.indicators // nothing of its own or shared: any will do
		}
		ref.programmes = append(ref.programmes, p)
	}
	if len(ref.programmes) == 0 {
		return fmt.Errorf("no programme: %w", ErrNoReferenceData)
	}
	if len(ref.shared) == 0 {
		ref.shared = ref.indicators
	}
	return nil
}

// sortedIDs returns the ids of a vocabulary table in the order of their codes, or
// ErrNoReferenceData when it is empty.
func sortedIDs(ctx context.Context, l *store.Loader, table string) ([]int64, error) {
	m, err := l.IDsByKey(ctx, table, "code")
	if err != nil {
		return nil, err
	}
	if len(m) == 0 {
		return nil, fmt.Errorf("no %s: %w", table, ErrNoReferenceData)
	}
	ids := make([]int64, 0, len(m))
	for _, code := range sortedKeys(m) {
		ids = append(ids, m[code])
	}
	return ids, nil
}

func sortedKeys[K cmp.Ordered, V any](m map[K]V) []K {
	return slices.Sorted(maps.Keys(m))
}

// parseTextArray reads PostgreSQL's text form of a text[] of plain words, such as "{1000,1020}".
func parseTextArray(s string) []string {
	s = strings.Trim(s, "{}")
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
