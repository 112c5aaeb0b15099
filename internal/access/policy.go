package access

import (
	"errors"
	"fmt"
)

// ErrForbidden: the principal may not do this. Every decision about who may change what is
// taken here; PostgreSQL's row-level security checks the same rules again.
var ErrForbidden = errors.New("forbidden")

// CheckSnapshot tells whether r may freeze a snapshot. Snapshots are stored for ever, so
// anonymous callers may download them but not make them: every other role may.
func (r Role) CheckSnapshot() error {
	if r == Public {
		return fmt.Errorf("%w: freezing a snapshot needs a token (researcher or above)", ErrForbidden)
	}
	return nil
}
