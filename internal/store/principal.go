package store

import (
	"context"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/cohesio/cohesio/internal/access"
)

// The request's principal reaches PostgreSQL as the role cohesio_api and three settings that
// the row-level security policies read (migrations/20261123000006_row_security.tx.up.sql).
// A connection is switched only when the next user differs from the last, so a steady stream
// of requests of one kind costs no extra round trip.

const principalKey = "cohesio.principal"

// principalSettings returns the settings of p, in the order of setPrincipal's parameters.
func principalSettings(p access.Principal) []any {
	id := func(v *int64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatInt(*v, 10)
	}
	return []any{string(p.Role), id(p.OperatorID), id(p.CommuneID)}
}

const setPrincipal = `SELECT set_config('role', 'cohesio_api', $4), set_config('cohesio.role', $1, $4),
	set_config('cohesio.operator_id', $2, $4), set_config('cohesio.commune_id', $3, $4)`

// preparePrincipal switches a connection to the principal of ctx, or back to the owner for the
// platform's own work.
func preparePrincipal(ctx context.Context, conn *pgx.Conn) (bool, error) {
	p, inRequest := access.PrincipalIn(ctx)
	want := "owner"
	if inRequest {
		want = fmt.Sprint(principalSettings(p))
	}
	data := conn.PgConn().CustomData()
	if data[principalKey] == want {
		return true, nil
	}
	var err error
	if inRequest {
		_, err = conn.Exec(ctx, setPrincipal, append(principalSettings(p), false)...)
	} else {
		_, err = conn.Exec(ctx, "RESET ROLE; RESET cohesio.role; RESET cohesio.operator_id; RESET cohesio.commune_id")
	}
	if err != nil {
		// A connection in an unknown state must not serve anyone.
		return false, fmt.Errorf("switch connection to %s: %w", want, err)
	}
	data[principalKey] = want
	return true, nil
}
