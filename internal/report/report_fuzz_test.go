package report_test

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cohesio/cohesio/internal/cohesion"
	"github.com/cohesio/cohesio/internal/report"
)

// fuzzIndicators are the indicators fuzzed requests may name, one per rule that matters.
var fuzzIndicators = map[string]report.IndicatorInfo{
	"participants": {ID: 1, Code: "participants", Unit: cohesion.UnitPersons, Aggregation: cohesion.AggregateSum, Label: "Participants"},
	"employment":   {ID: 2, NumeratorID: 3, DenominatorID: 4, Code: "employment", Unit: cohesion.UnitPercent, Aggregation: cohesion.AggregateRatio, Label: "Taux d'emploi"},
	"hours":        {ID: 5, Code: "hours", Unit: cohesion.UnitHours, Aggregation: cohesion.AggregateAverage, Label: "Heures"},
	"staff":        {ID: 6, Code: "staff", Unit: cohesion.UnitFTE, Aggregation: cohesion.AggregateLast, Label: "ETP"},
	"max_wait":     {ID: 7, Code: "max_wait", Unit: cohesion.UnitMinutes, Aggregation: cohesion.AggregateMax, Label: "Attente"},
}

var (
	measureKinds = []report.MeasureKind{report.Value, report.Sum, report.Avg, report.Min, report.Max, report.ObservationCount,
		report.AchievementRate, report.OperatorCount, report.ProjectCount, report.Budget, report.EventCount, report.Participants}
	dimensionKinds = []report.DimensionKind{report.Territory, report.Programme, report.Policy, report.Funder, report.FunderLevel,
		report.OperatorKind, report.LegalForm, report.Sector, report.Theme, report.TargetPublic, report.Indicator, report.Axis,
		report.Disaggregation, report.Period}
	grains = []report.Grain{"", report.Year, report.Quarter, report.Month, report.SchoolYear, report.ProgrammeYear}
)

// picker draws the choices of a request from the fuzzer's bytes; past their end, it draws 0.
type picker struct {
	b     []byte
	words []string
}

func (p *picker) byte() byte {
	if len(p.b) == 0 {
		return 0
	}
	c := p.b[0]
	p.b = p.b[1:]
	return c
}

func (p *picker) bool() bool { return p.byte()&1 == 1 }

func pick[T any](p *picker, xs ...T) T { return xs[int(p.byte())%len(xs)] }

// word is one of the fuzzer's own words, or one of the given ones.
func (p *picker) word(known ...string) string {
	return pick(p, append(known, p.words...)...)
}

func (p *picker) date() *time.Time {
	if !p.bool() {
		return nil
	}
	t := time.Date(1990+int(p.byte()%60), time.Month(p.byte()%13), int(p.byte()%32), 0, 0, 0, 0, time.UTC)
	return &t
}

// fuzzRequest builds a report request the way graph.report does from the GraphQL arguments:
// kinds are the schema's enum values, the strings (indicator codes, aliases, orderBy keys,
// breakdowns) anything.
func fuzzRequest(shape []byte, text string) (report.Request, map[string]report.IndicatorInfo) {
	p := &picker{b: shape, words: strings.Split(text, ",")}
	r := report.Request{Limit: 1000, Totals: report.NoTotals, Lang: cohesion.LangFR}
	for range int(p.byte() % 5) {
		m := report.Measure{Kind: pick(p, measureKinds...)}
		m.Indicator = p.word("", "", "participants", "employment", "hours", "staff", "max_wait", "unknown")
		m.ValueKind = pick(p, "", cohesion.ObservationTarget, cohesion.ObservationRealised, cohesion.ObservationBaseline)
		m.PerMille = p.byte()%4 == 3
		m.Alias = p.word("", "", "", "x", "PERIOD", "sum", "value_participants", "sum_hours")
		r.Measures = append(r.Measures, m)
	}
	for range int(p.byte() % 5) {
		d := report.Dimension{Kind: pick(p, dimensionKinds...)}
		d.TerritoryLevel = pick(p, "", cohesion.TerritoryCommune, cohesion.TerritoryRegion, cohesion.TerritoryQuartier)
		d.Grain = pick(p, grains...)
		d.RollUp = p.bool()
		d.Breakdown = p.word("", "gender")
		r.Dimensions = append(r.Dimensions, d)
	}
	for range int(p.byte() % 4) {
		r.Order = append(r.Order, report.Order{By: p.word("PERIOD", "TERRITORY", "INDICATOR", "sum", "x", "value_participants", "1"), Desc: p.bool()})
	}
	switch p.byte() % 4 {
	case 1:
		r.Limit = pick(p, -1, 0, 1, report.MaxLimit, report.MaxLimit+1, 1<<31-1, -1<<31)
	case 2:
		r.Limit = int(int16(uint16(p.byte())<<8 | uint16(p.byte())))
	}
	r.Totals = pick(p, report.NoTotals, report.GrandTotal, report.Subtotals, report.Totals(""))
	r.Compare = p.bool()
	r.Lang = pick(p, cohesion.LangFR, cohesion.LangNL, "")
	r.Filter.From, r.Filter.To = p.date(), p.date()
	for range int(p.byte() % 3) {
		r.Filter.Status = append(r.Filter.Status, pick(p, cohesion.StatusDraft, cohesion.StatusValidated, cohesion.StatusRejected))
	}
	indicators := fuzzIndicators
	if p.byte()%8 == 7 {
		indicators = nil // graph.report looks none up when no measure names one
	}
	return r, indicators
}

func clone(r report.Request) report.Request {
	r.Measures = slices.Clone(r.Measures)
	r.Dimensions = slices.Clone(r.Dimensions)
	r.Order = slices.Clone(r.Order)
	r.Filter.Status = slices.Clone(r.Filter.Status)
	return r
}

func fact(m report.Measure) report.Fact {
	switch {
	case m.Kind == report.ProjectCount || m.Kind == report.Budget || m.Kind == report.OperatorCount && m.Indicator == "":
		return report.Projects
	case m.Kind == report.EventCount || m.Kind == report.Participants:
		return report.Events
	}
	return report.Observations
}

// groups tells whether the facts of a measure can be grouped by a dimension, as the schema
// describes the dimensions: projects have no indicator nor breakdown; events have a
// territory, a date, a theme and an organiser.
func groups(f report.Fact, d report.DimensionKind) bool {
	switch f {
	case report.Projects:
		return d != report.Indicator && d != report.Disaggregation
	case report.Events:
		return slices.Contains([]report.DimensionKind{report.Territory, report.Period, report.Theme, report.OperatorKind, report.LegalForm, report.Sector}, d)
	}
	return true
}

func alias(m report.Measure) string {
	if m.Alias != "" {
		return m.Alias
	}
	a := strings.ToLower(string(m.Kind))
	if m.Indicator != "" {
		a += "_" + m.Indicator
	}
	return a
}

// problems lists, by the field to blame, what is wrong with a request as the schema and
// Validate's rules describe it; Validate must refuse exactly the requests with a problem.
func problems(r report.Request, indicators map[string]report.IndicatorInfo) map[string]string {
	out := map[string]string{}
	add := func(field, why string) {
		if _, ok := out[field]; !ok {
			out[field] = why
		}
	}
	if len(r.Measures) == 0 {
		add("measures", "no measure")
	}
	if r.Limit < 1 || r.Limit > report.MaxLimit {
		add("limit", "out of range")
	}
	if r.Filter.From != nil && r.Filter.To != nil && r.Filter.From.After(*r.Filter.To) {
		add("filter.to", "ends before it starts")
	}
	names := map[string]bool{}
	has := map[report.DimensionKind]bool{}
	for i, d := range r.Dimensions {
		if names[d.Name()] {
			add(fmt.Sprintf("dimensions[%d]", i), "asked twice")
		}
		names[d.Name()] = true
		has[d.Kind] = true
		if d.Kind == report.Disaggregation && d.Breakdown == "" {
			add(fmt.Sprintf("dimensions[%d].disaggregation", i), "no breakdown")
		}
	}
	for i, m := range r.Measures {
		field := fmt.Sprintf("measures[%d]", i)
		if a := alias(m); names[a] {
			add(field+".alias", "names another column")
		} else {
			names[a] = true
		}
		if m.Indicator != "" {
			info, ok := indicators[m.Indicator]
			switch {
			case !ok:
				add(field+".indicator", "unknown indicator")
			case fact(m) != report.Observations:
				add(field+".indicator", "counts projects or events")
			case m.Kind == report.Value && info.Aggregation == cohesion.AggregateRatio && has[report.Indicator]:
				add(field, "ratio split by indicator")
			}
		} else if fact(m) == report.Observations && m.Kind != report.ObservationCount && (m.Kind == report.Value || !has[report.Indicator]) {
			add(field+".indicator", "values of different indicators do not add up")
		}
		if m.Kind == report.Budget && has[report.Period] {
			add(field, "budget by period")
		}
		for _, d := range r.Dimensions {
			if !groups(fact(m), d.Kind) {
				add(field, fmt.Sprintf("%s facts have no %s", m.Kind, d.Kind))
			}
		}
	}
	if r.Compare && !has[report.Period] {
		add("compareWithPreviousPeriod", "no period")
	}
	for i, o := range r.Order {
		if n, err := strconv.Atoi(o.By); err == nil && n >= 1 && n <= len(r.Measures) {
			continue // a measure's position
		}
		if !names[o.By] {
			add(fmt.Sprintf("orderBy[%d].by", i), "no such column")
		}
	}
	return out
}

var blamed = regexp.MustCompile(`^(measures|limit|filter\.to|compareWithPreviousPeriod|(dimensions)\[(\d+)\](\.disaggregation)?|(measures)\[(\d+)\](\.alias|\.indicator)?|(orderBy)\[(\d+)\]\.by)$`)

// A report request comes from the client: Validate must refuse exactly the requests that make
// no sense, naming the argument to blame, and complete the others with the documented
// defaults, leaving what the client asked as it was.
func FuzzValidate(f *testing.F) {
	// Bytes in the order fuzzRequest reads them; zeros keep the defaults.
	for _, s := range []struct {
		shape []byte
		text  string
	}{
		// VALUE of participants by MONTH, newest first, 2023, compared with the previous period.
		{[]byte{1, 0, 2, 0, 0, 0, 1, 13, 0, 3, 0, 0, 1, 0, 1, 0, 0, 1, 0, 1, 33, 1, 1, 1, 33, 12, 31, 0, 0}, ""},
		// BUDGET by PERIOD: refused.
		{[]byte{1, 9, 0, 0, 0, 0, 1, 13, 0, 0, 0, 0, 0}, ""},
		// The VALUE of a ratio by INDICATOR: refused.
		{[]byte{1, 0, 3, 0, 0, 0, 1, 10, 0, 0, 0, 0, 0}, ""},
		// EVENT_COUNT and PARTICIPANTS per 1,000 inhabitants by region and THEME, subtotals, 10,000 rows.
		{[]byte{2, 10, 0, 0, 0, 0, 11, 0, 0, 3, 0, 2, 0, 2, 0, 0, 0, 8, 0, 0, 0, 0, 0, 1, 3, 2}, ""},
		// SUM without indicator, 10,001 rows: refused.
		{[]byte{1, 1, 0, 0, 0, 0, 0, 0, 1, 4}, ""},
		// Two measures with the alias x: refused.
		{[]byte{2, 5, 0, 0, 0, 3, 5, 0, 0, 0, 3}, ""},
		// A measure named PERIOD beside the PERIOD dimension: refused.
		{[]byte{1, 5, 0, 0, 0, 4, 1, 13, 0, 0, 0, 0}, ""},
		// PROJECT_COUNT by QUARTER, compared, from 2024-06-30 to 2023-03-01 (after to).
		{[]byte{1, 8, 0, 0, 0, 0, 1, 13, 0, 2, 0, 0, 0, 0, 0, 1, 0, 1, 34, 6, 30, 1, 33, 2, 29, 0}, ""},
		// orderBy "1": the first measure.
		{[]byte{1, 5, 0, 0, 0, 0, 0, 1, 6, 0}, ""},
		// DISAGGREGATION without breakdown: refused.
		{[]byte{1, 5, 0, 0, 0, 0, 1, 12, 0, 0, 0, 0}, ""},
		// An indicator code of the client's that does not exist: refused.
		{[]byte{1, 1, 8, 0, 0, 0}, "nope"},
		// Comparison without PERIOD: refused.
		{[]byte{1, 5, 0, 0, 0, 0, 0, 0, 0, 0, 1}, ""},
		{nil, ""},
	} {
		f.Add(s.shape, s.text)
	}
	f.Fuzz(func(t *testing.T, shape []byte, text string) {
		asked, indicators := fuzzRequest(shape, text)
		r := clone(asked)
		err := r.Validate(indicators)
		again := clone(asked)
		if err2 := again.Validate(indicators); fmt.Sprint(err) != fmt.Sprint(err2) || !reflect.DeepEqual(r, again) {
			t.Fatalf("%+v: two validations differ: %v, %v", asked, err, err2)
		}
		wrong := problems(asked, indicators)
		if err != nil {
			var inv *cohesion.InvalidError
			if !errors.As(err, &inv) {
				t.Fatalf("%+v: %v is not an invalid-argument error", asked, err)
			}
			m := blamed.FindStringSubmatch(inv.Field)
			if m == nil {
				t.Fatalf("%+v: %v names no argument of the report", asked, err)
			}
			for _, at := range [][2]int{{2, 3}, {5, 6}, {8, 9}} {
				if m[at[0]] == "" {
					continue
				}
				i, _ := strconv.Atoi(m[at[1]])
				if n := map[string]int{"dimensions": len(asked.Dimensions), "measures": len(asked.Measures), "orderBy": len(asked.Order)}[m[at[0]]]; i >= n {
					t.Fatalf("%+v: %v names element %d of %d", asked, err, i, n)
				}
			}
			if _, ok := wrong[inv.Field]; !ok {
				t.Fatalf("%+v: refused with %v, but what is wrong with it is %v", asked, err, wrong)
			}
			return
		}
		if len(wrong) > 0 {
			t.Fatalf("%+v: accepted, but %v", asked, wrong)
		}
		checkValidated(t, asked, r, indicators)
		// Validating a validated request changes nothing.
		twice := clone(r)
		if err := twice.Validate(indicators); err != nil || !reflect.DeepEqual(twice, r) {
			t.Fatalf("%+v: validating again: %v, %+v", r, err, twice)
		}
	})
}

// checkValidated checks the request Validate accepted and completed, r, against the one asked.
func checkValidated(t *testing.T, asked, r report.Request, indicators map[string]report.IndicatorInfo) {
	t.Helper()
	// An order key naming a measure by position becomes the measure's alias.
	wantOrder := slices.Clone(asked.Order)
	for i, o := range wantOrder {
		if n, err := strconv.Atoi(o.By); err == nil && n >= 1 && n <= len(r.Measures) {
			wantOrder[i].By = r.Measures[n-1].Alias
		}
	}
	if len(r.Measures) != len(asked.Measures) || len(r.Dimensions) != len(asked.Dimensions) || !reflect.DeepEqual(r.Order, wantOrder) ||
		r.Limit != asked.Limit || r.Totals != asked.Totals || r.Compare != asked.Compare || r.Filter.From != asked.Filter.From || r.Filter.To != asked.Filter.To {
		t.Fatalf("Validate changed what was asked: %+v became %+v", asked, r)
	}
	if r.Limit < 1 || r.Limit > report.MaxLimit {
		t.Fatalf("accepted limit %d", r.Limit)
	}
	names := map[string]bool{}
	for i, d := range r.Dimensions {
		a := asked.Dimensions[i]
		want := a
		switch {
		case a.Kind == report.Territory && a.TerritoryLevel == "":
			want.TerritoryLevel = cohesion.TerritoryCommune
		case a.Kind == report.Period && a.Grain == "":
			want.Grain = report.Year
		}
		if d != want {
			t.Fatalf("dimension %d: %+v completed as %+v, want %+v", i, a, d, want)
		}
		if names[d.Name()] {
			t.Fatalf("dimension %s twice", d.Name())
		}
		names[d.Name()] = true
	}
	for i, m := range r.Measures {
		a := asked.Measures[i]
		want := a
		want.Alias = alias(a)
		if want.ValueKind == "" {
			want.ValueKind = cohesion.ObservationRealised
		}
		if m != want {
			t.Fatalf("measure %d: %+v completed as %+v, want %+v", i, a, m, want)
		}
		if m.Alias == "" || names[m.Alias] {
			t.Fatalf("measure %d: alias %q is empty or names another column", i, m.Alias)
		}
		names[m.Alias] = true
		if m.Fact() != fact(m) {
			t.Fatalf("measure %+v counts %v, want %v", m, m.Fact(), fact(m))
		}
		if _, ok := indicators[m.Indicator]; m.Indicator != "" && !ok {
			t.Fatalf("measure %+v names an unknown indicator", m)
		}
	}
	for _, o := range r.Order {
		if !names[o.By] {
			t.Fatalf("order by %q, which names no column", o.By)
		}
	}
	if want := cmpOr(asked.Lang, cohesion.LangFR); r.Lang != want {
		t.Fatalf("lang %q completed as %q", asked.Lang, r.Lang)
	}
	if want := asked.Filter.Status; len(want) == 0 && !reflect.DeepEqual(r.Filter.Status, []cohesion.ObservationStatus{cohesion.StatusValidated}) ||
		len(want) > 0 && !reflect.DeepEqual(r.Filter.Status, want) {
		t.Fatalf("status %v completed as %v", asked.Filter.Status, r.Filter.Status)
	}
	if reflect.ValueOf(r.Indicators).UnsafePointer() != reflect.ValueOf(indicators).UnsafePointer() {
		t.Fatalf("Indicators is not the map given")
	}

	// What the store and the resolvers read from a valid request.
	facts := r.Facts()
	if !slices.IsSorted(facts) || len(slices.Compact(slices.Clone(facts))) != len(facts) {
		t.Fatalf("facts %v are not sorted and distinct", facts)
	}
	for _, m := range r.Measures {
		if !slices.Contains(facts, m.Fact()) {
			t.Fatalf("facts %v miss %v", facts, m.Fact())
		}
	}
	dims, measures := r.Columns()
	if len(dims) != len(r.Dimensions) || len(measures) != len(r.Measures) {
		t.Fatalf("%d and %d columns for %d dimensions and %d measures", len(dims), len(measures), len(r.Dimensions), len(r.Measures))
	}
	for i, c := range dims {
		if c.Name != r.Dimensions[i].Name() || c.Label == "" || c.Unit != nil {
			t.Fatalf("dimension column %+v", c)
		}
	}
	for i, c := range measures {
		m := r.Measures[i]
		if c.Name != m.Alias || c.Label == "" {
			t.Fatalf("measure column %+v for %+v", c, m)
		}
		if m.PerMille && (c.Unit == nil || *c.Unit != cohesion.UnitPerMille) {
			t.Fatalf("measure %+v per 1,000 inhabitants has unit %v", m, c.Unit)
		}
	}
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}
