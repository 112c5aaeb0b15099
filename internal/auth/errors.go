package auth

import "errors"

// Why credentials are refused. Their messages are written for the client: match them with
// errors.Is on an error from Authenticate.
var (
	ErrMalformed    = errors.New("malformed credentials")
	ErrUnknownToken = errors.New("unknown token")
	ErrRevoked      = errors.New("token revoked")
	ErrExpired      = errors.New("token expired")
	ErrNotYetValid  = errors.New("token not valid yet")
	ErrSignature    = errors.New("invalid token signature")
	ErrUnknownKey   = errors.New("token signed by an unknown key")
	ErrAlgorithm    = errors.New("token signing algorithm not accepted")
	ErrIssuer       = errors.New("token from an unknown issuer")
	ErrAudience     = errors.New("token not meant for this service")
	ErrClaims       = errors.New("invalid token claims")
	ErrOIDCDisabled = errors.New("OpenID Connect tokens are not accepted by this server")
)

// Error is refused credentials. Its message is Kind's, with Detail when there is one: both
// are safe to show the client. Cause, never shown, is the internal reason, for the log.
type Error struct {
	Kind   error  // ErrExpired, ErrRevoked... (the Err variables of this package)
	Detail string // a client-safe precision, or ""
	Cause  error  // or nil
}

func (e *Error) Error() string {
	if e.Detail == "" {
		return e.Kind.Error()
	}
	return e.Kind.Error() + ": " + e.Detail
}

// Unwrap makes errors.Is see both the kind and the cause.
func (e *Error) Unwrap() []error {
	if e.Cause == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Cause}
}

func refuse(kind error, detail string, cause error) error {
	return &Error{Kind: kind, Detail: detail, Cause: cause}
}
