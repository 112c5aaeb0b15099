package access

import (
	"errors"
	"fmt"
)

// ErrForbidden: the principal may not do this. Every decision about who may change what is
// taken here; PostgreSQL's row-level security checks the same rules again.
var ErrForbidden = errors.New("forbidden")

// CheckDraft tells whether p may create, change or submit the observations of an operator:
// its own operators and administrators may.
func (p Principal) CheckDraft(operatorID int64) error {
	switch {
	case p.Role == Admin:
		return nil
	case p.Role == Operator && p.OperatorID != nil && *p.OperatorID == operatorID:
		return nil
	case p.Role == Operator:
		return fmt.Errorf("%w: an operator submits only its own organisation's values", ErrForbidden)
	}
	return fmt.Errorf("%w: the %s role does not submit values", ErrForbidden, p.Role)
}

// CheckReview tells whether p may validate or reject the submissions of an operator seated
// in commune (nil when the operator has no seat): that commune's coordinators and
// administrators may.
func (p Principal) CheckReview(commune *int64) error {
	switch {
	case p.Role == Admin:
		return nil
	case p.Role == Coordinator && p.CommuneID != nil && commune != nil && *p.CommuneID == *commune:
		return nil
	case p.Role == Coordinator:
		return fmt.Errorf("%w: a coordinator reviews only the submissions of its commune's operators", ErrForbidden)
	}
	return fmt.Errorf("%w: the %s role does not review submissions", ErrForbidden, p.Role)
}

// CheckSnapshot tells whether r may freeze a snapshot. Snapshots are stored for ever, so
// anonymous callers may download them but not make them: every other role may.
func (r Role) CheckSnapshot() error {
	if r == Public {
		return fmt.Errorf("%w: freezing a snapshot needs a token (researcher or above)", ErrForbidden)
	}
	return nil
}
