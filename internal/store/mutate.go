package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/audit"
	"github.com/cohesio/cohesio/internal/cohesion"
)

// Result is what a write returns: the record written and its version. A retry with the same
// idempotency key gets the first result again, with Replayed set.
type Result struct {
	ID       int64 `json:"id"`
	Version  int   `json:"version"`
	Replayed bool  `json:"-"`
}

// asPrincipal makes the rest of tx run as the request's principal, so that row-level security
// stands behind the checks of the application, and tells the audit trail who and which request
// it is. Outside a request it does nothing: the trail records the database user.
func asPrincipal(ctx context.Context, tx bun.Tx) error {
	p, ok := access.PrincipalIn(ctx)
	if !ok {
		return nil
	}
	args := append(principalSettings(p), p.Subject, audit.RequestID(ctx))
	if _, err := tx.ExecContext(ctx, setPrincipalLocal, args...); err != nil {
		return fmt.Errorf("run as the request's principal: %w", err)
	}
	return nil
}

// setPrincipalLocal is setPrincipal for the current transaction only, in Bun's placeholders,
// with what the audit trail records.
const setPrincipalLocal = `SELECT set_config('role', 'cohesio_api', true), set_config('cohesio.role', ?, true),
	set_config('cohesio.operator_id', ?, true), set_config('cohesio.commune_id', ?, true),
	set_config('cohesio.subject', ?, true), set_config('cohesio.request_id', ?, true)`

// transactAs runs fn in a transaction as the request's principal.
func (s *Store) transactAs(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	return s.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := asPrincipal(ctx, tx); err != nil {
			return err
		}
		return fn(ctx, tx)
	})
}

// mutate runs a write in a transaction as the request's principal. With an idempotency key,
// the key is taken first, in the same transaction: a retry of a committed write finds its
// result and writes nothing; a retry racing the first attempt waits for it on the key's row;
// a failed write releases the key with everything else. The key is the principal's own: the
// same key sent for a different request is refused.
func (s *Store) mutate(ctx context.Context, key *string, op string, request any, fn func(ctx context.Context, tx bun.Tx) (Result, error)) (Result, error) {
	return s.mutateIn(ctx, s.transactAs, key, op, request, fn)
}

// mutateAsOwner is mutate for the writes the platform makes with the owner's rights on a
// principal's behalf (API tokens, which the application's role may not read): the audit trail
// still names the principal and the request.
func (s *Store) mutateAsOwner(ctx context.Context, key *string, op string, request any, fn func(ctx context.Context, tx bun.Tx) (Result, error)) (Result, error) {
	return s.mutateIn(ctx, s.transactForAudit, key, op, request, fn)
}

// transactForAudit runs fn in a transaction as the owner, telling the audit trail who asked.
func (s *Store) transactForAudit(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	return s.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := namePrincipal(ctx, tx); err != nil {
			return err
		}
		return fn(ctx, tx)
	})
}

// namePrincipal tells the audit trail of tx who asked and which request, without changing
// the rights tx runs with.
func namePrincipal(ctx context.Context, tx bun.Tx) error {
	p, ok := access.PrincipalIn(ctx)
	if !ok {
		return nil
	}
	_, err := tx.ExecContext(ctx, `SELECT set_config('cohesio.role', ?, true), set_config('cohesio.subject', ?, true),
		set_config('cohesio.request_id', ?, true)`, string(p.Role), p.Subject, audit.RequestID(ctx))
	if err != nil {
		return fmt.Errorf("name the request's principal: %w", err)
	}
	return nil
}

func (s *Store) mutateIn(ctx context.Context, transact func(context.Context, func(context.Context, bun.Tx) error) error,
	key *string, op string, request any, fn func(ctx context.Context, tx bun.Tx) (Result, error)) (Result, error) {
	if key != nil && (len(*key) == 0 || len(*key) > 200) {
		return Result{}, cohesion.Invalid("idempotencyKey", "between 1 and 200 characters")
	}
	var out Result
	err := transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		if key == nil {
			r, err := fn(ctx, tx)
			out = r
			return err
		}
		req, err := json.Marshal(request)
		if err != nil {
			return fmt.Errorf("%s: encode request: %w", op, err)
		}
		who := keyOwner(ctx)
		res, err := tx.ExecContext(ctx, `INSERT INTO idempotency_key (principal, key, operation, request, result)
			VALUES (?, ?, ?, ?, 'null') ON CONFLICT DO NOTHING`, who, *key, op, string(req))
		if err != nil {
			return fmt.Errorf("%s: take idempotency key: %w", op, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var storedOp, storedReq string
			var result []byte
			err := tx.QueryRowContext(ctx, "SELECT operation, request, result FROM idempotency_key WHERE principal = ? AND key = ?",
				who, *key).Scan(&storedOp, &storedReq, &result)
			if err != nil {
				return fmt.Errorf("%s: read idempotency key: %w", op, err)
			}
			if storedOp != op || storedReq != string(req) {
				return cohesion.Invalid("idempotencyKey", fmt.Sprintf("already used for another request (%s): use a new key for a new request", storedOp))
			}
			if err := json.Unmarshal(result, &out); err != nil {
				return fmt.Errorf("%s: stored result: %w", op, err)
			}
			out.Replayed = true
			return nil
		}
		r, err := fn(ctx, tx)
		if err != nil {
			return err
		}
		stored, _ := json.Marshal(r)
		if _, err := tx.ExecContext(ctx, "UPDATE idempotency_key SET result = ? WHERE principal = ? AND key = ?", string(stored), who, *key); err != nil {
			return fmt.Errorf("%s: store result: %w", op, err)
		}
		out = r
		return nil
	})
	return out, err
}

// keyOwner names whose idempotency keys a request uses: its subject (a token, an OpenID
// Connect user), or its role and scope when it has none; the platform's own work is "system".
func keyOwner(ctx context.Context) string {
	p, ok := access.PrincipalIn(ctx)
	switch {
	case !ok:
		return "system"
	case p.Subject != "":
		return p.Subject
	}
	return fmt.Sprint(principalSettings(p))
}
