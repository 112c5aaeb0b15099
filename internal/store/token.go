package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/cohesion"
)

// APIToken is a credential for a researcher or a machine. Only the SHA-256 of its secret is
// stored (internal/auth makes both).
type APIToken struct {
	bun.BaseModel `bun:"table:api_token"`

	ID        int64       `bun:"id,pk,autoincrement"`
	Name      string      `bun:"name"`
	TokenHash []byte      `bun:"token_hash"`
	Role      access.Role `bun:"role"`
	// OperatorID is set for, and only for, the operator role; CommuneID for the coordinator role.
	OperatorID *int64     `bun:"operator_id"`
	CommuneID  *int64     `bun:"commune_id"`
	CreatedAt  time.Time  `bun:"created_at,nullzero,notnull,default:now()"`
	ExpiresAt  *time.Time `bun:"expires_at"` // nil: never
	RevokedAt  *time.Time `bun:"revoked_at"`
}

// CreateAPIToken stores t and fills its ID and CreatedAt.
func (s *Store) CreateAPIToken(ctx context.Context, t *APIToken) error {
	_, err := s.CreateAPITokenOnce(ctx, nil, t)
	return err
}

// CreateAPITokenOnce is CreateAPIToken with an idempotency key: a retry of a request already
// made creates nothing, fills t.ID with the first token's and reports it (replayed). The
// secret cannot be given again: only its hash is stored.
func (s *Store) CreateAPITokenOnce(ctx context.Context, key *string, t *APIToken) (replayed bool, err error) {
	request := struct {
		Name                  string
		Role                  access.Role
		OperatorID, CommuneID *int64
		ExpiresAt             *time.Time
	}{t.Name, t.Role, t.OperatorID, t.CommuneID, t.ExpiresAt}
	res, err := s.mutateAsOwner(ctx, key, "createApiToken", request, func(ctx context.Context, tx bun.Tx) (Result, error) {
		if _, err := tx.NewInsert().Model(t).Returning("id, created_at").Exec(ctx); err != nil {
			return Result{}, fmt.Errorf("create API token %q: %w", t.Name, err)
		}
		return Result{ID: t.ID, Version: 1}, nil
	})
	if err != nil {
		return false, err
	}
	t.ID = res.ID
	return res.Replayed, nil
}

// APITokenByHash returns the token whose secret hashes to hash, revoked and expired ones
// included (the caller tells why it refuses them), or an error wrapping cohesion.ErrNotFound.
func (s *Store) APITokenByHash(ctx context.Context, hash []byte) (*APIToken, error) {
	t := new(APIToken)
	err := s.db.NewSelect().Model(t).Where("token_hash = ?", hash).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("API token: %w", cohesion.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("look up API token: %w", err)
	}
	return t, nil
}

// APITokens lists every token, newest first.
func (s *Store) APITokens(ctx context.Context) ([]*APIToken, error) {
	var out []*APIToken
	if err := s.db.NewSelect().Model(&out).Order("created_at DESC", "id DESC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("list API tokens: %w", err)
	}
	return out, nil
}

// RevokeAPIToken revokes a token for good. Revoking it again keeps the first revocation's
// time. An unknown id gives an error wrapping cohesion.ErrNotFound.
func (s *Store) RevokeAPIToken(ctx context.Context, id int64) error {
	return s.transactForAudit(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*APIToken)(nil)).
			Set("revoked_at = coalesce(revoked_at, now())").Where("id = ?", id).Exec(ctx)
		if err != nil {
			return fmt.Errorf("revoke API token %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("API token %d: %w", id, cohesion.ErrNotFound)
		}
		return nil
	})
}

var enterpriseNumberRE = regexp.MustCompile(`^[01][0-9]{9}$`)

// ResolveOperator returns the id of the operator that ref names: an enterprise number
// ("0999000129"; dots, spaces and a BE prefix are ignored) or else an operator id. An operator
// that does not exist gives an error wrapping cohesion.ErrNotFound.
func (s *Store) ResolveOperator(ctx context.Context, ref string) (int64, error) {
	number := strings.NewReplacer(".", "", " ", "").Replace(strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(ref)), "BE"))
	q := s.db.NewSelect().Table("operator").Column("id")
	if enterpriseNumberRE.MatchString(number) {
		q = q.Where("enterprise_number = ?", number)
	} else if id, err := strconv.ParseInt(ref, 10, 64); err == nil && id > 0 {
		q = q.Where("id = ?", id)
	} else {
		return 0, cohesion.Invalid("operator", fmt.Sprintf("%q is neither an enterprise number nor an operator id", ref))
	}
	var id int64
	err := q.Scan(ctx, &id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("operator %q: %w", ref, cohesion.ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("operator %q: %w", ref, err)
	}
	return id, nil
}

// CommuneIDByNIS returns the territory id of the commune with that NIS code ("21015"), or an
// error wrapping cohesion.ErrNotFound.
func (s *Store) CommuneIDByNIS(ctx context.Context, nis string) (int64, error) {
	var id int64
	err := s.db.NewSelect().Table("territory").Column("id").
		Where("kind = 'commune' AND nis_code = ?", strings.TrimSpace(nis)).Scan(ctx, &id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("commune %q: %w", nis, cohesion.ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("commune %q: %w", nis, err)
	}
	return id, nil
}
