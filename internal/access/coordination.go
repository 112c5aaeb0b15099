package access

import "fmt"

// CheckCoordination tells whether p may change the activity of a coordination of commune (its
// members, working groups, meetings and events): the administration, or the coordinator of
// that commune.
func (p Principal) CheckCoordination(commune int64) error {
	switch {
	case p.Role == Admin:
		return nil
	case p.Role == Coordinator && p.CommuneID != nil && *p.CommuneID == commune:
		return nil
	case p.Role == Coordinator:
		return fmt.Errorf("%w: a coordinator changes only the coordination of its own commune", ErrForbidden)
	}
	return fmt.Errorf("%w: only the coordinator of its commune or the administration changes a coordination's activity", ErrForbidden)
}

// CheckOperatorRecord tells whether p may change the directory record of operator: the
// administration, or the operator itself.
func (p Principal) CheckOperatorRecord(operator int64) error {
	switch {
	case p.Role == Admin:
		return nil
	case p.Role == Operator && p.OperatorID != nil && *p.OperatorID == operator:
		return nil
	}
	return fmt.Errorf("%w: an operator's record is changed only by the operator itself or the administration", ErrForbidden)
}

// CheckDirectory tells whether p may create and change the directory's operators, projects,
// approvals and services: the administration only.
func (p Principal) CheckDirectory() error {
	if p.Role == Admin {
		return nil
	}
	return fmt.Errorf("%w: only the administration creates and changes the directory's operators, projects, approvals and services", ErrForbidden)
}
