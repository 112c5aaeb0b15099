package collect

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cohesio/cohesio/internal/cohesion"
)

// Value is an answer's value: exactly one field is set, the one of its question's kind.
type Value struct {
	Text    *string
	Number  *decimal.Decimal
	Choices []string
	Date    *time.Time
	Bool    *bool
}

// Empty tells whether v holds nothing (saving it clears the answer).
func (v Value) Empty() bool {
	return v.Text == nil && v.Number == nil && v.Choices == nil && v.Date == nil && v.Bool == nil
}

// Answer is the answer to one question (for one site, in a section repeated per site).
type Answer struct {
	QuestionKey string
	SiteID      *int64
	Value
}

// Problem is one thing that keeps a submission from being submitted: the question (key and
// label), the site for repeated sections, the rule broken and what is wrong.
type Problem struct {
	QuestionKey   string
	QuestionLabel string
	SiteID        *int64
	// Rule is "required", "range", "whole", "asked_when", or a template rule's key.
	Rule    string
	Message string
}

// CheckAnswer checks that a saved answer fits its question: the question exists, the value is
// of its kind, choices are among its options and the site is one of sites where the section
// repeats (and absent where it does not: an organisation without registered sites answers
// such sections once). Ranges and rules wait for the submission, so that
// partial saves are possible; field names the answer in the request.
func (t *Template) CheckAnswer(field string, a Answer, sites []int64) error {
	q, s, ok := t.Question(a.QuestionKey)
	if !ok {
		return cohesion.Invalid(field+".question", fmt.Sprintf("no question %q in version %d of template %s", a.QuestionKey, t.Version, t.Code))
	}
	perSite := s.Repeat == PerSite && len(sites) > 0
	switch {
	case perSite && a.SiteID == nil:
		return cohesion.Invalid(field+".site", fmt.Sprintf("question %q is asked once per site: name the site", q.Key))
	case perSite && !slices.Contains(sites, *a.SiteID):
		return cohesion.Invalid(field+".site", "not one of this organisation's sites")
	case !perSite && a.SiteID != nil:
		return cohesion.Invalid(field+".site", fmt.Sprintf("question %q is asked once, not per site", q.Key))
	}
	if a.Empty() {
		return nil
	}
	want := map[Kind]bool{Text: a.Text != nil, Number: a.Number != nil, Indicator: a.Number != nil,
		SingleChoice: a.Choices != nil, MultipleChoice: a.Choices != nil, Date: a.Date != nil, YesNo: a.Bool != nil}
	set := 0
	for _, b := range []bool{a.Text != nil, a.Number != nil, a.Choices != nil, a.Date != nil, a.Bool != nil} {
		if b {
			set++
		}
	}
	if set != 1 || !want[q.Kind] {
		return cohesion.Invalid(field, fmt.Sprintf("question %q takes %s", q.Key, q.Kind.takes()))
	}
	if q.isChoice() {
		if q.Kind == SingleChoice && len(a.Choices) != 1 {
			return cohesion.Invalid(field+".choices", fmt.Sprintf("question %q takes exactly one choice", q.Key))
		}
		for _, c := range a.Choices {
			if !q.option(c) {
				return cohesion.Invalid(field+".choices", fmt.Sprintf("%q is not an option of question %q", c, q.Key))
			}
		}
	}
	if q.Kind == Text && *a.Text == "" {
		return cohesion.Invalid(field+".text", "an empty text is no answer: send no value to clear it")
	}
	return nil
}

func (k Kind) takes() string {
	switch k {
	case Text:
		return "a text"
	case Number, Indicator:
		return "a number"
	case SingleChoice, MultipleChoice:
		return "choices"
	case Date:
		return "a date"
	}
	return "yes or no"
}

// Check lists every problem of a set of answers against the template, in the template's
// order: required questions not answered, numbers out of range, rules broken, and answers to
// conditional questions that are not asked. Sections repeated per site are checked for each
// of sites.
func (t *Template) Check(answers []Answer, sites []int64) []Problem {
	type at struct {
		key  string
		site int64 // 0: not per site
	}
	given := map[at]Value{}
	for _, a := range answers {
		var site int64
		if a.SiteID != nil {
			site = *a.SiteID
		}
		given[at{a.QuestionKey, site}] = a.Value
	}
	// value finds the answer to key for site, or the section-once answer when key is not
	// asked per site.
	value := func(key string, site int64) (Value, bool) {
		if v, ok := given[at{key, site}]; ok {
			return v, true
		}
		v, ok := given[at{key, 0}]
		return v, ok
	}
	asked := func(q *Question, site int64) bool {
		if q.AskedWhen == nil {
			return true
		}
		v, ok := value(q.AskedWhen.Key, site)
		return ok && v.equals(q.AskedWhen.Equals)
	}
	var problems []Problem
	for _, s := range t.Sections {
		scopes := []int64{0}
		if s.Repeat == PerSite && len(sites) > 0 {
			scopes = sites
		}
		for _, site := range scopes {
			for i := range s.Questions {
				q := &s.Questions[i]
				problem := func(rule, msg string) {
					p := Problem{QuestionKey: q.Key, QuestionLabel: q.LabelFr, Rule: rule, Message: msg}
					if site != 0 {
						p.SiteID = &site
					}
					problems = append(problems, p)
				}
				v, answered := given[at{q.Key, site}]
				switch {
				case !asked(q, site) && answered:
					problem("asked_when", fmt.Sprintf("answered, but asked only when %q is %q: clear the answer", q.AskedWhen.Key, q.AskedWhen.Equals))
				case !asked(q, site):
				case !answered && q.Required:
					problem("required", "an answer is required")
				case answered && v.Number != nil:
					n := *v.Number
					switch {
					case q.Min != nil && n.LessThan(*q.Min):
						problem("range", fmt.Sprintf("%s is below the minimum %s", n, q.Min))
					case q.Max != nil && n.GreaterThan(*q.Max):
						problem("range", fmt.Sprintf("%s is above the maximum %s", n, q.Max))
					case q.Kind == Indicator && n.IsNegative():
						problem("range", "an indicator's value cannot be negative")
					case q.Kind == Indicator && q.IndicatorUnit == "persons" && !n.IsInteger():
						problem("whole", "a number of persons is a whole number")
					}
				}
			}
		}
	}
	for _, r := range t.Rules {
		perSite := false
		for _, k := range r.Questions {
			if _, s, ok := t.Question(k); ok && s.Repeat == PerSite {
				perSite = true
			}
		}
		scopes := []int64{0}
		if perSite && len(sites) > 0 {
			scopes = sites
		}
		for _, site := range scopes {
			nums := make([]*decimal.Decimal, len(r.Questions))
			for i, k := range r.Questions {
				if v, ok := value(k, site); ok {
					nums[i] = v.Number
				}
			}
			label := strings.TrimSuffix(r.LabelFr, ".") // the message goes on after it
			q, _, _ := t.Question(r.Questions[0])
			p := Problem{QuestionKey: q.Key, QuestionLabel: q.LabelFr, Rule: r.Key}
			if site != 0 {
				p.SiteID = &site
			}
			switch r.Kind {
			case SumAtMost:
				sum := decimal.Zero
				for _, n := range nums {
					if n != nil {
						sum = sum.Add(*n)
					}
				}
				if sum.GreaterThan(*r.Threshold) {
					p.Message = fmt.Sprintf("%s: %s add up to %s, more than %s", label, strings.Join(r.Questions, " + "), sum, r.Threshold)
					problems = append(problems, p)
				}
			case NotAbove:
				if nums[0] != nil && nums[1] != nil && nums[0].GreaterThan(*nums[1]) {
					p.Message = fmt.Sprintf("%s: %s (%s) is above %s (%s)", label, r.Questions[0], nums[0], r.Questions[1], nums[1])
					problems = append(problems, p)
				}
			}
		}
	}
	return problems
}

func (v Value) equals(s string) bool {
	switch {
	case v.Bool != nil:
		return strconv.FormatBool(*v.Bool) == s
	case v.Choices != nil:
		return slices.Contains(v.Choices, s)
	}
	return false
}

// CheckError is a refused submission: every problem found. It matches cohesion.ErrInvalid.
type CheckError struct{ Problems []Problem }

func (e *CheckError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = fmt.Sprintf("%s (%s): %s", p.QuestionKey, p.Rule, p.Message)
	}
	return fmt.Sprintf("the report has %d problem(s): %s", len(e.Problems), strings.Join(msgs, "; "))
}

// Is makes errors.Is(err, cohesion.ErrInvalid) hold.
func (e *CheckError) Is(target error) bool { return target == cohesion.ErrInvalid }
