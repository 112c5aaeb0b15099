// Package collect holds the yearly reporting cycle's rules, apart from storage: what a report
// template is (sections, questions and rules, all data), how answers are checked against it,
// how next year's version is made from this year's, and which transitions of a submission each
// role may make in each state.
package collect

import (
	"fmt"
	"regexp"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cohesio/cohesio/internal/cohesion"
)

// Audience is who reports with a template.
type Audience string

const (
	ForOperators     Audience = "operator"
	ForCoordinations Audience = "coordination"
)

// Kind is the kind of answer a question takes.
type Kind string

const (
	Text           Kind = "text"
	Number         Kind = "number"
	SingleChoice   Kind = "single_choice"
	MultipleChoice Kind = "multiple_choice"
	Date           Kind = "date"
	YesNo          Kind = "yes_no"
	// Indicator questions take a number in the unit of an indicator of the catalogue; once the
	// submission is validated their answers are observations.
	Indicator Kind = "indicator"
)

var kinds = []Kind{Text, Number, SingleChoice, MultipleChoice, Date, YesNo, Indicator}

// Repeat says how often a section is answered.
type Repeat string

const (
	Once Repeat = "once"
	// PerSite: once for each of the operator's sites (part B of axis 1).
	PerSite Repeat = "per_site"
)

// RuleKind is the kind of a rule across questions.
type RuleKind string

const (
	// SumAtMost: the answers to the questions add up to at most the threshold.
	SumAtMost RuleKind = "sum_at_most"
	// NotAbove: the answer to the first question is not above the answer to the second.
	NotAbove RuleKind = "not_above"
)

// Template is one version of a report template.
type Template struct {
	ID          int64
	Code        string
	Version     int
	Audience    Audience
	ProgrammeID int64
	AxisID      *int64
	PeriodStart time.Time
	PeriodEnd   time.Time
	TitleFr     string
	TitleNl     string
	DescFr      *string
	DescNl      *string
	BasedOnID   *int64
	Sections    []Section
	Rules       []Rule
}

// Section is a part of a template.
type Section struct {
	Key       string
	LabelFr   string
	LabelNl   string
	HelpFr    *string
	HelpNl    *string
	Repeat    Repeat
	Questions []Question
}

// Question is one question. Its key is stable across the versions of a template.
type Question struct {
	Key         string
	Kind        Kind
	LabelFr     string
	LabelNl     string
	HelpFr      *string
	HelpNl      *string
	Unit        *string
	IndicatorID *int64
	// IndicatorUnit is the bound indicator's unit ("persons" answers are whole numbers).
	IndicatorUnit string
	Options       []Option
	Required      bool
	Min           *decimal.Decimal
	Max           *decimal.Decimal
	// AskedWhen makes the question conditional: asked only when the answer to the question
	// AskedWhen.Key equals AskedWhen.Equals ("true"/"false" for yes/no, an option's code).
	AskedWhen *Condition
}

// Option is a choice of a choice question.
type Option struct {
	Code    string `json:"code"`
	LabelFr string `json:"labelFr"`
	LabelNl string `json:"labelNl"`
}

// Condition is the answer a conditional question depends on.
type Condition struct {
	Key    string
	Equals string
}

// Rule is a check across questions, kept as data so that each year's template carries its own.
type Rule struct {
	Key       string
	Kind      RuleKind
	Questions []string
	Threshold *decimal.Decimal
	LabelFr   string
	LabelNl   string
}

// Question returns the question with key and the section it is in.
func (t *Template) Question(key string) (*Question, *Section, bool) {
	for i := range t.Sections {
		s := &t.Sections[i]
		for j := range s.Questions {
			if s.Questions[j].Key == key {
				return &s.Questions[j], s, true
			}
		}
	}
	return nil, nil, false
}

// Repeats tells whether the template has a section answered once per site.
func (t *Template) Repeats() bool {
	for _, s := range t.Sections {
		if s.Repeat == PerSite {
			return true
		}
	}
	return false
}

var keyPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]*$`)

// ValidKey tells whether s is a valid code or key: lowercase letters, digits, '.', '-', '_'.
func ValidKey(s string) bool { return keyPattern.MatchString(s) }

// Validate checks that the template makes sense, naming the field of the first problem with
// its path in the template (sections[1].questions[0].options, rules[0].questions, ...).
func (t *Template) Validate() error {
	switch {
	case !keyPattern.MatchString(t.Code):
		return cohesion.Invalid("code", "lowercase letters, digits, '-' and '_' only")
	case t.Audience != ForOperators && t.Audience != ForCoordinations:
		return cohesion.Invalid("audience", "OPERATOR or COORDINATION")
	case t.PeriodEnd.Before(t.PeriodStart):
		return cohesion.Invalid("periodEnd", "the period ends before it starts")
	case t.TitleFr == "" || t.TitleNl == "":
		return cohesion.Invalid("title", "a template needs a French and a Dutch title")
	case len(t.Sections) == 0:
		return cohesion.Invalid("sections", "a template needs at least one section")
	case t.Audience == ForCoordinations && t.Repeats():
		return cohesion.Invalid("sections", "coordinations have no sites: no section can repeat per site")
	}
	sections := map[string]bool{}
	questions := map[string]*Question{}
	for i, s := range t.Sections {
		at := fmt.Sprintf("sections[%d]", i)
		switch {
		case !keyPattern.MatchString(s.Key):
			return cohesion.Invalid(at+".key", "lowercase letters, digits, '.', '-' and '_' only")
		case sections[s.Key]:
			return cohesion.Invalid(at+".key", fmt.Sprintf("section %q appears twice", s.Key))
		case s.LabelFr == "" || s.LabelNl == "":
			return cohesion.Invalid(at+".label", "a section needs a French and a Dutch label")
		case s.Repeat != Once && s.Repeat != PerSite:
			return cohesion.Invalid(at+".repeat", "ONCE or PER_SITE")
		}
		sections[s.Key] = true
		for j := range s.Questions {
			q := &s.Questions[j]
			if err := q.validate(fmt.Sprintf("%s.questions[%d]", at, j)); err != nil {
				return err
			}
			if questions[q.Key] != nil {
				return cohesion.Invalid(fmt.Sprintf("%s.questions[%d].key", at, j), fmt.Sprintf("question %q appears twice", q.Key))
			}
			questions[q.Key] = q
		}
	}
	for i, s := range t.Sections {
		for j, q := range s.Questions {
			if q.AskedWhen == nil {
				continue
			}
			at := fmt.Sprintf("sections[%d].questions[%d].askedWhen", i, j)
			dep := questions[q.AskedWhen.Key]
			if dep == nil {
				return cohesion.Invalid(at, fmt.Sprintf("no question %q in this template", q.AskedWhen.Key))
			}
			if !dep.accepts(q.AskedWhen.Equals) {
				return cohesion.Invalid(at, fmt.Sprintf("question %q (%s) never answers %q", dep.Key, dep.Kind, q.AskedWhen.Equals))
			}
		}
	}
	rules := map[string]bool{}
	for i, r := range t.Rules {
		at := fmt.Sprintf("rules[%d]", i)
		switch {
		case !keyPattern.MatchString(r.Key):
			return cohesion.Invalid(at+".key", "lowercase letters, digits, '.', '-' and '_' only")
		case rules[r.Key]:
			return cohesion.Invalid(at+".key", fmt.Sprintf("rule %q appears twice", r.Key))
		case r.LabelFr == "" || r.LabelNl == "":
			return cohesion.Invalid(at+".label", "a rule needs a French and a Dutch label")
		case r.Kind == SumAtMost && (r.Threshold == nil || len(r.Questions) < 2):
			return cohesion.Invalid(at, "SUM_AT_MOST needs a threshold and at least two questions")
		case r.Kind == NotAbove && (r.Threshold != nil || len(r.Questions) != 2):
			return cohesion.Invalid(at, "NOT_ABOVE takes exactly two questions and no threshold")
		case r.Kind != SumAtMost && r.Kind != NotAbove:
			return cohesion.Invalid(at+".kind", "SUM_AT_MOST or NOT_ABOVE")
		}
		rules[r.Key] = true
		for _, k := range r.Questions {
			q := questions[k]
			if q == nil {
				return cohesion.Invalid(at+".questions", fmt.Sprintf("no question %q in this template", k))
			}
			if q.Kind != Number && q.Kind != Indicator {
				return cohesion.Invalid(at+".questions", fmt.Sprintf("question %q is %s: rules compare numbers", k, q.Kind))
			}
		}
	}
	return nil
}

func (q *Question) validate(at string) error {
	known := false
	for _, k := range kinds {
		known = known || q.Kind == k
	}
	switch {
	case !keyPattern.MatchString(q.Key):
		return cohesion.Invalid(at+".key", "lowercase letters, digits, '.', '-' and '_' only")
	case !known:
		return cohesion.Invalid(at+".kind", fmt.Sprintf("unknown kind %q", q.Kind))
	case q.LabelFr == "" || q.LabelNl == "":
		return cohesion.Invalid(at+".label", "a question needs a French and a Dutch label")
	case (q.Kind == Indicator) != (q.IndicatorID != nil):
		return cohesion.Invalid(at+".indicator", "INDICATOR questions, and only they, name an indicator")
	case q.isChoice() && len(q.Options) == 0:
		return cohesion.Invalid(at+".options", "a choice question needs options")
	case !q.isChoice() && len(q.Options) > 0:
		return cohesion.Invalid(at+".options", "only choice questions have options")
	case (q.Min != nil || q.Max != nil) && q.Kind != Number && q.Kind != Indicator:
		return cohesion.Invalid(at+".min", "only numbers have a range")
	case q.Min != nil && q.Max != nil && q.Min.GreaterThan(*q.Max):
		return cohesion.Invalid(at+".max", "the maximum is below the minimum")
	}
	codes := map[string]bool{}
	for i, o := range q.Options {
		switch {
		case !keyPattern.MatchString(o.Code):
			return cohesion.Invalid(fmt.Sprintf("%s.options[%d].code", at, i), "lowercase letters, digits, '.', '-' and '_' only")
		case codes[o.Code]:
			return cohesion.Invalid(fmt.Sprintf("%s.options[%d].code", at, i), fmt.Sprintf("option %q appears twice", o.Code))
		case o.LabelFr == "" || o.LabelNl == "":
			return cohesion.Invalid(fmt.Sprintf("%s.options[%d].label", at, i), "an option needs a French and a Dutch label")
		}
		codes[o.Code] = true
	}
	return nil
}

func (q *Question) isChoice() bool { return q.Kind == SingleChoice || q.Kind == MultipleChoice }

// accepts tells whether an answer to q can equal s, as a condition compares it.
func (q *Question) accepts(s string) bool {
	switch {
	case q.Kind == YesNo:
		return s == "true" || s == "false"
	case q.isChoice():
		return q.option(s)
	}
	return false
}

func (q *Question) option(code string) bool {
	for _, o := range q.Options {
		if o.Code == code {
			return true
		}
	}
	return false
}

// Revision is what changes from one version of a template to the next.
type Revision struct {
	PeriodStart time.Time
	PeriodEnd   time.Time
	// Add puts new questions at the end of the sections they name.
	Add []Addition
	// Change replaces questions, found by key; the key stays.
	Change []Question
	// Retire removes questions (and the rules and conditions that use them) by key.
	Retire []string
}

// Addition is a new question and the key of its section.
type Addition struct {
	Section  string
	Question Question
}

// Revise returns the next version of t: a copy with rev applied. The copy is checked like any
// template; a change or retirement of a question that does not exist is refused.
func (t *Template) Revise(rev Revision) (Template, error) {
	next := *t
	next.ID = 0
	next.Version = t.Version + 1
	next.BasedOnID = &t.ID
	next.PeriodStart, next.PeriodEnd = rev.PeriodStart, rev.PeriodEnd
	next.Sections = make([]Section, len(t.Sections))
	for i, s := range t.Sections {
		next.Sections[i] = s
		next.Sections[i].Questions = append([]Question(nil), s.Questions...)
	}
	for i, q := range rev.Change {
		cur, _, ok := next.Question(q.Key)
		if !ok {
			return Template{}, cohesion.Invalid(fmt.Sprintf("change[%d].key", i), fmt.Sprintf("no question %q in version %d", q.Key, t.Version))
		}
		*cur = q
	}
	retired := map[string]bool{}
	for i, k := range rev.Retire {
		if _, _, ok := next.Question(k); !ok {
			return Template{}, cohesion.Invalid(fmt.Sprintf("retire[%d]", i), fmt.Sprintf("no question %q in version %d", k, t.Version))
		}
		retired[k] = true
	}
	for i := range next.Sections {
		kept := next.Sections[i].Questions[:0]
		for _, q := range next.Sections[i].Questions {
			if retired[q.Key] {
				continue
			}
			if q.AskedWhen != nil && retired[q.AskedWhen.Key] {
				q.AskedWhen = nil // what it depended on is no longer asked: it is asked always
			}
			kept = append(kept, q)
		}
		next.Sections[i].Questions = kept
	}
	next.Rules = nil
	for _, r := range t.Rules {
		uses := false
		for _, k := range r.Questions {
			uses = uses || retired[k]
		}
		if !uses {
			next.Rules = append(next.Rules, r)
		}
	}
	for i, a := range rev.Add {
		found := false
		for j := range next.Sections {
			if next.Sections[j].Key == a.Section {
				next.Sections[j].Questions = append(next.Sections[j].Questions, a.Question)
				found = true
			}
		}
		if !found {
			return Template{}, cohesion.Invalid(fmt.Sprintf("add[%d].section", i), fmt.Sprintf("no section %q in version %d", a.Section, t.Version))
		}
	}
	if err := next.Validate(); err != nil {
		return Template{}, err
	}
	return next, nil
}
