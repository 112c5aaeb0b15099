// Package audit carries what the audit trail records about a request besides its principal:
// the request's id, set by the server and written by the database with every change the
// request makes (migrations/20261207000002_audit.tx.up.sql).
package audit

import "context"

type requestIDKey struct{}

// WithRequestID returns a context carrying the id of the request it belongs to.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the id of the request ctx belongs to, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}
