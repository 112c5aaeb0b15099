package cohesion

import "errors"

// The few kinds of errors the edges turn into responses: anything else is an internal error.
var (
	// ErrInvalid: the request must be fixed by the client.
	ErrInvalid = errors.New("invalid")
	// ErrNotFound: the requested object does not exist.
	ErrNotFound = errors.New("not found")
)

// InvalidError names the offending field (or argument) and the reason. It matches ErrInvalid.
type InvalidError struct {
	Field  string
	Reason string
}

func (e *InvalidError) Error() string { return e.Field + ": " + e.Reason }

// Is makes errors.Is(err, ErrInvalid) hold.
func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }

// Invalid returns an InvalidError.
func Invalid(field, reason string) error { return &InvalidError{Field: field, Reason: reason} }
