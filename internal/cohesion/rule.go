package cohesion

import "github.com/shopspring/decimal"

// Rule is a rule from a statute or a call, stored as data: the kind names a generic check and
// the row gives its threshold and scope. Scope columns left empty mean "every".
type Rule struct {
	ID      int64
	Code    string
	LabelFr string
	LabelNl string
	Kind    RuleKind
	// Threshold is the minimum count or maximum amount; none for CHILDREN_WITHIN_PARENT,
	// whose limit is the parent's value.
	Threshold *decimal.Decimal
	// ProgrammeID scopes budget and indicator rules to one programme.
	ProgrammeID *int64
	// CoordinationID and WorkingGroupKind scope the rules on bodies.
	CoordinationID   *int64
	WorkingGroupKind *WorkingGroupKind
	Note             *string
	SourceID         int64
}

// Label returns what the rule says in lang.
func (r *Rule) Label(lang Lang) string { return pick(lang, r.LabelFr, r.LabelNl) }

// RuleKind names the generic check a rule applies.
type RuleKind string

const (
	RuleMinMeetingsPerYear    RuleKind = "min_meetings_per_year"
	RuleMinGroupMembers       RuleKind = "min_group_members"
	RuleMinPublicMembers      RuleKind = "min_public_members"
	RuleMinAssociativeMembers RuleKind = "min_associative_members"
	RuleMaxProjectBudget      RuleKind = "max_project_budget"
	RuleChildrenWithinParent  RuleKind = "children_within_parent"
)
