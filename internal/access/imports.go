package access

import "fmt"

// CheckImport tells whether p may send a file of kind at all, before it is read: the
// administration imports every kind; a coordinator a coordination's activity (meetings,
// events), and the store then holds it to the coordinations of its own commune.
func (p Principal) CheckImport(kind string) error {
	activity := kind == "meetings" || kind == "events"
	switch {
	case p.Role == Admin:
		return nil
	case activity && p.Role == Coordinator:
		return nil
	case activity:
		return fmt.Errorf("%w: importing %s is for the administration or a coordination's coordinator, not %s", ErrForbidden, kind, p.Role)
	}
	return fmt.Errorf("%w: importing %s is for the administration (admin role), not %s", ErrForbidden, kind, p.Role)
}
