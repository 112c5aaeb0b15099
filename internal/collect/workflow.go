package collect

import (
	"fmt"
	"strings"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/cohesion"
)

// Status is where a submission stands in the cycle.
type Status string

const (
	Draft       Status = "draft"
	Submitted   Status = "submitted"
	Returned    Status = "returned"
	Resubmitted Status = "resubmitted"
	// Validated submissions are locked; their indicator answers are observations.
	Validated Status = "validated"
	// Reopened: validated, then opened again by the administration to be corrected.
	Reopened Status = "reopened"
)

// Editable tells whether answers may be saved in status s.
func (s Status) Editable() bool { return s == Draft || s == Returned || s == Reopened }

// InReview tells whether s waits for a reviewer's decision.
func (s Status) InReview() bool { return s == Submitted || s == Resubmitted }

// Action is something done to a submission.
type Action string

const (
	Create    Action = "create"
	Save      Action = "save"
	Submit    Action = "submit"
	Return    Action = "return"
	Recommend Action = "recommend"
	Validate  Action = "validate"
	Reopen    Action = "reopen"
)

// Owner is whom a submission belongs to: an operator, or a local coordination, and the
// commune either is in.
type Owner struct {
	OperatorID     *int64
	CoordinationID *int64
	CommuneID      *int64
}

// Transition returns the status a submission in status from reaches when p does a, or why p
// may not: access.ErrForbidden when the role or scope does not allow it, cohesion.ErrInvalid
// when the submission's status does not. The rules:
//   - the reporter (the operator for its own organisation, the coordinator of the commune for
//     its coordination's report) and administrators create, save and submit;
//   - the coordinator of the operator's commune returns and recommends operators' reports,
//     administrators return any report;
//   - only administrators validate and reopen.
func Transition(p access.Principal, a Action, from Status, o Owner) (Status, error) {
	if err := authorize(p, a, o); err != nil {
		return "", err
	}
	to, ok := next(a, from)
	if !ok {
		return "", cohesion.Invalid("submission", fmt.Sprintf("the report is %s: it cannot be %s (%s)", from, pastTense(a), allowedFrom(a)))
	}
	return to, nil
}

// next is the status from reaches by a, if a can be done in status from.
func next(a Action, from Status) (Status, bool) {
	switch a {
	case Create:
		return Draft, from == ""
	case Save:
		return from, from.Editable()
	case Submit:
		switch from {
		case Draft:
			return Submitted, true
		case Returned, Reopened:
			return Resubmitted, true
		}
	case Return:
		return Returned, from.InReview()
	case Recommend:
		return from, from.InReview()
	case Validate:
		return Validated, from.InReview()
	case Reopen:
		return Reopened, from == Validated
	}
	return "", false
}

func authorize(p access.Principal, a Action, o Owner) error {
	reporter := p.Role == access.Operator && o.OperatorID != nil && p.OperatorID != nil && *p.OperatorID == *o.OperatorID ||
		p.Role == access.Coordinator && o.CoordinationID != nil && sameCommune(p, o)
	reviewer := p.Role == access.Coordinator && o.OperatorID != nil && sameCommune(p, o)
	admin := p.Role == access.Admin
	var ok bool
	var who string
	switch a {
	case Create, Save, Submit:
		ok, who = admin || reporter, "the reporting organisation (an operator for its own report, a coordinator for its coordination's) or an administrator"
	case Return:
		ok, who = admin || reviewer, "the coordinator of the operator's commune or an administrator"
	case Recommend:
		ok, who = reviewer || admin && o.OperatorID != nil, "the coordinator of the operator's commune"
	case Validate, Reopen:
		ok, who = admin, "the administration"
	}
	if !ok {
		return fmt.Errorf("%w: a report is %s only by %s", access.ErrForbidden, pastTense(a), who)
	}
	return nil
}

func sameCommune(p access.Principal, o Owner) bool {
	return p.CommuneID != nil && o.CommuneID != nil && *p.CommuneID == *o.CommuneID
}

func pastTense(a Action) string {
	switch a {
	case Create:
		return "created"
	case Save:
		return "changed"
	case Submit:
		return "submitted"
	case Return:
		return "returned"
	case Recommend:
		return "recommended"
	case Validate:
		return "validated"
	}
	return "reopened"
}

func allowedFrom(a Action) string {
	var from []string
	for _, s := range []Status{Draft, Submitted, Returned, Resubmitted, Validated, Reopened} {
		if _, ok := next(a, s); ok {
			from = append(from, string(s))
		}
	}
	if len(from) == 0 {
		return "it already exists"
	}
	return "only when " + strings.Join(from, ", ")
}
