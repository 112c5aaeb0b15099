package graph

import (
	"context"
	"fmt"
	"time"

	"github.com/cohesio/cohesio/graph/model"
	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/auth"
	"github.com/cohesio/cohesio/internal/catalog"
	"github.com/cohesio/cohesio/internal/cohesion"
	"github.com/cohesio/cohesio/internal/store"
)

func rfc3339(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

func requireAdmin(ctx context.Context) error {
	if p := access.PrincipalFrom(ctx); p.Role != access.Admin {
		return fmt.Errorf("%w: only administrators manage API tokens", access.ErrForbidden)
	}
	return nil
}

func (r *Resolver) createToken(ctx context.Context, name string, role access.Role, operator, commune, expiresAt, key *string) (*model.NewAPIToken, error) {
	if err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	t := &store.APIToken{Name: name, Role: role}
	var err error
	if t.OperatorID, err = optionalID(operator, "Operator", "operator"); err != nil {
		return nil, err
	}
	if t.CommuneID, err = optionalID(commune, "Territory", "commune"); err != nil {
		return nil, err
	}
	switch {
	case name == "":
		return nil, cohesion.Invalid("name", "say what the token is for")
	case (role == access.Operator) != (t.OperatorID != nil):
		return nil, cohesion.Invalid("operator", "an operator token, and only an operator token, names its operator")
	case (role == access.Coordinator) != (t.CommuneID != nil):
		return nil, cohesion.Invalid("commune", "a coordinator token, and only a coordinator token, names its commune")
	}
	if expiresAt != nil {
		at, err := time.Parse(time.RFC3339, *expiresAt)
		if err != nil || !at.After(time.Now()) {
			return nil, cohesion.Invalid("expiresAt", "give a future time in RFC 3339, e.g. 2027-06-30T00:00:00Z")
		}
		t.ExpiresAt = &at
	}
	secret, hash, err := auth.NewToken()
	if err != nil {
		return nil, err
	}
	t.TokenHash = hash
	replayed, err := r.Store.CreateAPITokenOnce(ctx, key, t)
	if err != nil {
		return nil, err
	}
	if replayed {
		return nil, cohesion.Invalid("idempotencyKey", fmt.Sprintf("this request already created token %s, whose secret was shown once: "+
			"revoke it (revokeApiToken) and create another if the secret was lost", catalog.GlobalID("ApiToken", t.ID)))
	}
	return &model.NewAPIToken{Secret: secret, Token: t}, nil
}

func (r *Resolver) revokeToken(ctx context.Context, gid string) (*store.APIToken, error) {
	if err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	id, err := localID(gid, "ApiToken", "id")
	if err != nil {
		return nil, err
	}
	if err := r.Store.RevokeAPIToken(ctx, id); err != nil {
		return nil, err
	}
	tokens, err := r.Store.APITokens(ctx)
	if err != nil {
		return nil, err
	}
	for _, t := range tokens {
		if t.ID == id {
			return t, nil
		}
	}
	return nil, fmt.Errorf("token %d: %w", id, cohesion.ErrNotFound)
}
