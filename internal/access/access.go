// Package access says who is asking (the principal: a role and, for operators and
// coordinators, the organisation or commune they act for) and what that role may see and do.
// Authentication (internal/auth) makes the principal; every decision about data is taken from
// it, here and in PostgreSQL's row-level security.
package access

import (
	"context"
	"fmt"
	"strings"
)

// Role is what a caller is allowed to see and do.
type Role string

const (
	Admin       Role = "admin"
	Analyst     Role = "analyst"
	Coordinator Role = "coordinator"
	Operator    Role = "operator"
	Researcher  Role = "researcher"
	Public      Role = "public"
)

// Roles lists every role, most trusted first.
func Roles() []Role { return []Role{Admin, Analyst, Coordinator, Operator, Researcher, Public} }

// ParseRole reads a role name.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles() {
		if strings.EqualFold(s, string(r)) {
			return r, nil
		}
	}
	return "", fmt.Errorf("unknown role %q (want one of admin, analyst, coordinator, operator, researcher, public)", s)
}

// SeesSmallCounts tells whether person counts below the suppression threshold reach this
// role as they are. Analysts and administrators see them; everyone else gets suppressed cells.
func (r Role) SeesSmallCounts() bool { return r == Admin || r == Analyst }

// Principal is who a request acts for.
type Principal struct {
	Role Role
	// Subject identifies the caller in logs and rate limits: "token:ID" for an API token,
	// "oidc:SUB" for an OpenID Connect user; empty for an anonymous caller.
	Subject string
	// OperatorID is the organisation an operator acts for.
	OperatorID *int64
	// CommuneID is the commune (territory id) a coordinator acts for.
	CommuneID *int64
}

// Anonymous is the principal of a request without credentials.
var Anonymous = Principal{Role: Public}

type principalKey struct{}

// WithPrincipal returns a context carrying the caller.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the caller; a context without one is anonymous (the public).
func PrincipalFrom(ctx context.Context) Principal {
	if p, ok := PrincipalIn(ctx); ok {
		return p
	}
	return Anonymous
}

// PrincipalIn returns the caller and true when ctx belongs to a request; false for the
// trusted work of the platform's own commands (migrations, loads, command-line exports).
func PrincipalIn(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// RoleFrom returns the caller's role; a context without one is the public.
func RoleFrom(ctx context.Context) Role { return PrincipalFrom(ctx).Role }
