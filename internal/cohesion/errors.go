package cohesion

import (
	"errors"
	"fmt"
)

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

// ErrConflict: the request was made on a version of the data that is no longer current.
var ErrConflict = errors.New("conflict")

// ConflictError says what changed under the request and which version is current, so that the
// client can re-read and try again. It matches ErrConflict.
type ConflictError struct {
	What    string
	Current int
	Sent    int
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("%s changed since version %d: it is at version %d; read it again and redo the change", e.What, e.Sent, e.Current)
}

// Is makes errors.Is(err, ErrConflict) hold.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }
