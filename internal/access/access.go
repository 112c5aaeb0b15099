// Package access says who is asking and what that role may see. Until authentication lands,
// every request gets the role set in the configuration.
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

type roleKey struct{}

// WithRole returns a context carrying the caller's role.
func WithRole(ctx context.Context, r Role) context.Context {
	return context.WithValue(ctx, roleKey{}, r)
}

// RoleFrom returns the caller's role; a context without one is the public.
func RoleFrom(ctx context.Context) Role {
	if r, ok := ctx.Value(roleKey{}).(Role); ok {
		return r
	}
	return Public
}
