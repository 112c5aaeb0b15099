// Package report describes the reports analysts ask for — measures computed for every
// combination of dimensions over a filtered set of facts — and checks that a request makes
// sense before the store compiles it into one SQL statement.
package report

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cohesio/cohesio/internal/catalog"
	"github.com/cohesio/cohesio/internal/cohesion"
)

// MeasureKind is what a measure computes.
type MeasureKind string

const (
	Value            MeasureKind = "VALUE"
	Sum              MeasureKind = "SUM"
	Avg              MeasureKind = "AVG"
	Min              MeasureKind = "MIN"
	Max              MeasureKind = "MAX"
	ObservationCount MeasureKind = "OBSERVATION_COUNT"
	AchievementRate  MeasureKind = "ACHIEVEMENT_RATE"
	OperatorCount    MeasureKind = "OPERATOR_COUNT"
	ProjectCount     MeasureKind = "PROJECT_COUNT"
	Budget           MeasureKind = "BUDGET"
	EventCount       MeasureKind = "EVENT_COUNT"
	Participants     MeasureKind = "PARTICIPANTS"
)

// DimensionKind is what a report groups by.
type DimensionKind string

const (
	Territory      DimensionKind = "TERRITORY"
	Programme      DimensionKind = "PROGRAMME"
	Policy         DimensionKind = "POLICY"
	Funder         DimensionKind = "FUNDER"
	FunderLevel    DimensionKind = "FUNDER_LEVEL"
	OperatorKind   DimensionKind = "OPERATOR_KIND"
	LegalForm      DimensionKind = "LEGAL_FORM"
	Sector         DimensionKind = "SECTOR"
	Theme          DimensionKind = "THEME"
	TargetPublic   DimensionKind = "TARGET_PUBLIC"
	Indicator      DimensionKind = "INDICATOR"
	Axis           DimensionKind = "AXIS"
	Disaggregation DimensionKind = "DISAGGREGATION"
	Period         DimensionKind = "PERIOD"
)

// Grain is the grain of the period dimension.
type Grain string

const (
	Year       Grain = "YEAR"
	Quarter    Grain = "QUARTER"
	Month      Grain = "MONTH"
	SchoolYear Grain = "SCHOOL_YEAR"
	// ProgrammeYear is the year of each fact's programme, which may start in any month
	// (school years, financial years).
	ProgrammeYear Grain = "PROGRAMME_YEAR"
)

// Totals asks for subtotal rows.
type Totals string

const (
	NoTotals   Totals = "NONE"
	GrandTotal Totals = "GRAND_TOTAL"
	Subtotals  Totals = "SUBTOTALS"
)

// Fact is the table a measure counts: observations of indicators, or projects.
type Fact int

const (
	Observations Fact = iota
	Projects
	Events
)

// Measure is one column of values.
type Measure struct {
	Kind      MeasureKind
	Indicator string // code; resolved into IndicatorInfo by the store
	ValueKind cohesion.ObservationKind
	PerMille  bool // per 1,000 inhabitants
	Alias     string
}

// Fact tells which table the measure counts.
func (m Measure) Fact() Fact {
	switch m.Kind {
	case ProjectCount, Budget:
		return Projects
	case EventCount, Participants:
		return Events
	case OperatorCount:
		if m.Indicator == "" {
			return Projects
		}
	}
	return Observations
}

// Dimension is one grouping key.
type Dimension struct {
	Kind           DimensionKind
	TerritoryLevel cohesion.TerritoryKind
	Grain          Grain
	RollUp         bool   // indicators: count children under their top-level parent
	Breakdown      string // disaggregation dimension, e.g. gender
}

// Name is how the dimension is named in orderBy and in results.
func (d Dimension) Name() string { return string(d.Kind) }

// Filter selects the facts: a period, and filters on the entities facts belong to, in the
// read API's selection language.
type Filter struct {
	From, To     *time.Time
	Territory    *catalog.Filter
	Programme    *catalog.Filter
	Project      *catalog.Filter
	Operator     *catalog.Filter
	Indicator    *catalog.Filter
	Coordination *catalog.Filter
	Status       []cohesion.ObservationStatus
}

// Order is a sort key: a dimension name or a measure alias.
type Order struct {
	By   string
	Desc bool
}

// MaxLimit caps the rows of a report.
const MaxLimit = 10000

// Request is a report request.
type Request struct {
	Measures   []Measure
	Dimensions []Dimension
	Filter     Filter
	Order      []Order
	Limit      int
	Totals     Totals
	Compare    bool // previous-period comparison
	Lang       cohesion.Lang
	// Indicators are the indicators the measures name, by code; set by Validate.
	Indicators map[string]IndicatorInfo
	// PersonIndicators are the codes of the indicators counted in persons, for Suppress to
	// judge the rows of an INDICATOR dimension (see NeedsPersonIndicators).
	PersonIndicators map[string]bool
}

// IndicatorInfo is what validation needs to know of an indicator.
type IndicatorInfo struct {
	ID, NumeratorID, DenominatorID int64
	Code                           string
	Unit                           cohesion.Unit
	Aggregation                    cohesion.Aggregation
	Label                          string
}

// Validate fills defaults and rejects requests that make no sense, naming the offending part.
// indicators gives the known indicators by code.
func (r *Request) Validate(indicators map[string]IndicatorInfo) error {
	if len(r.Measures) == 0 {
		return cohesion.Invalid("measures", "ask for at least one measure")
	}
	if r.Limit <= 0 || r.Limit > MaxLimit {
		return cohesion.Invalid("limit", fmt.Sprintf("must be between 1 and %d, got %d", MaxLimit, r.Limit))
	}
	if f := r.Filter; f.From != nil && f.To != nil && f.From.After(*f.To) {
		return cohesion.Invalid("filter.to", "the period ends before it starts")
	}
	// The entity filters all compile into the one statement: they are bounded as one filter.
	f := r.Filter
	if err := catalog.CheckFilters("filter", f.Territory, f.Programme, f.Project, f.Operator, f.Indicator, f.Coordination); err != nil {
		return err
	}
	seen := map[string]bool{}
	var hasPeriod, hasIndicator bool
	for i := range r.Dimensions {
		d := &r.Dimensions[i]
		field := fmt.Sprintf("dimensions[%d]", i)
		if seen[d.Name()] {
			return cohesion.Invalid(field, fmt.Sprintf("%s is asked twice", d.Kind))
		}
		seen[d.Name()] = true
		switch d.Kind {
		case Territory:
			if d.TerritoryLevel == "" {
				d.TerritoryLevel = cohesion.TerritoryCommune
			}
		case Period:
			hasPeriod = true
			if d.Grain == "" {
				d.Grain = Year
			}
		case Indicator:
			hasIndicator = true
		case Disaggregation:
			if d.Breakdown == "" {
				return cohesion.Invalid(field+".disaggregation", "name the breakdown (e.g. gender)")
			}
		}
	}
	for i := range r.Measures {
		m := &r.Measures[i]
		field := fmt.Sprintf("measures[%d]", i)
		if m.ValueKind == "" {
			m.ValueKind = cohesion.ObservationRealised
		}
		if m.Alias == "" {
			m.Alias = strings.ToLower(string(m.Kind))
			if m.Indicator != "" {
				m.Alias += "_" + m.Indicator
			}
		}
		if seen[m.Alias] {
			return cohesion.Invalid(field+".alias", fmt.Sprintf("%q names another column", m.Alias))
		}
		seen[m.Alias] = true
		if m.Indicator != "" {
			info, ok := indicators[m.Indicator]
			if !ok {
				return cohesion.Invalid(field+".indicator", fmt.Sprintf("no indicator has the code %q", m.Indicator))
			}
			if m.Fact() != Observations {
				return cohesion.Invalid(field+".indicator", fmt.Sprintf("%s counts %s, not observations of an indicator", m.Kind, factNames[m.Fact()]))
			}
			if m.Kind == Value && info.Aggregation == cohesion.AggregateRatio && hasIndicator {
				return cohesion.Invalid(field, "a ratio indicator cannot be split by INDICATOR: its numerator and denominator would fall in different rows")
			}
		} else if m.Fact() == Observations && m.Kind != ObservationCount && (m.Kind == Value || !hasIndicator) {
			// Values of different indicators only add up within one indicator.
			return cohesion.Invalid(field+".indicator", fmt.Sprintf("%s needs an indicator, or an INDICATOR dimension (VALUE always needs one)", m.Kind))
		}
		if m.Kind == Budget && hasPeriod {
			return cohesion.Invalid(field, "BUDGET cannot be split by PERIOD: a budget covers a project's whole period")
		}
		for _, d := range r.Dimensions {
			if !applies(m.Fact(), d.Kind) {
				return cohesion.Invalid(field, fmt.Sprintf("%s counts %s, which have no %s", m.Kind, factNames[m.Fact()], d.Kind))
			}
		}
	}
	if r.Compare && !hasPeriod {
		return cohesion.Invalid("compareWithPreviousPeriod", "needs a PERIOD dimension to know what the previous period is")
	}
	for i, o := range r.Order {
		// A measure may be named by its position, from 1.
		if n, err := strconv.Atoi(o.By); err == nil && n >= 1 && n <= len(r.Measures) {
			r.Order[i].By = r.Measures[n-1].Alias
			continue
		}
		if !seen[o.By] {
			return cohesion.Invalid(fmt.Sprintf("orderBy[%d].by", i), fmt.Sprintf("%q is neither a dimension of the report nor a measure alias", o.By))
		}
	}
	if r.Lang == "" {
		r.Lang = cohesion.LangFR
	}
	r.Indicators = indicators
	if len(r.Filter.Status) == 0 {
		r.Filter.Status = []cohesion.ObservationStatus{cohesion.StatusValidated}
	}
	return nil
}

var factNames = map[Fact]string{Observations: "observations", Projects: "projects", Events: "events"}

// applies tells whether facts of a kind can be grouped by a dimension.
func applies(f Fact, d DimensionKind) bool {
	switch f {
	case Projects:
		return d != Indicator && d != Disaggregation
	case Events:
		switch d {
		case Territory, Period, Theme, OperatorKind, LegalForm, Sector:
			return true
		}
		return false
	}
	return true
}

// Facts lists the facts the request's measures count, in a stable order.
func (r *Request) Facts() []Fact {
	var out []Fact
	for _, m := range r.Measures {
		if !slices.Contains(out, m.Fact()) {
			out = append(out, m.Fact())
		}
	}
	slices.Sort(out)
	return out
}

// Column describes a column of the result.
type Column struct {
	Name  string
	Label string
	Unit  *cohesion.Unit
}

// Key is the value of a dimension in a row; nil in a total row.
type Key struct {
	Code  *string
	Label *string
}

// Cell is the value of a measure in a row.
type Cell struct {
	Value, Previous, Change, ChangePercent *decimal.Decimal
	// Count and PreviousCount are, for a value per 1,000 inhabitants, the counts it is
	// computed from: never shown, they decide its suppression.
	Count, PreviousCount *decimal.Decimal
	// Suppressed and PreviousSuppressed: the value was withheld (small-cell suppression).
	Suppressed, PreviousSuppressed bool
}

// Row is one row of a report.
type Row struct {
	Keys    []Key
	Cells   []Cell
	IsTotal bool
}

// Result is a computed report.
type Result struct {
	Dimensions []Column
	Measures   []Column
	Rows       []Row
	Truncated  bool
}
