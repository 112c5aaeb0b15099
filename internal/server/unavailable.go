package server

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// unavailableMessage is what a client reads when the database cannot be reached: a condition
// to retry, not a bug to report.
const unavailableMessage = "the database is unavailable: try again shortly"

// isUnavailable reports whether err says the database could not be reached or dropped the
// connection (restart, failover, network), rather than that the statement was wrong.
func isUnavailable(err error) bool {
	var connect *pgconn.ConnectError
	if errors.As(err, &connect) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// Class 08: connection exception; 57P01-57P03: shutdown, crash, cannot connect now.
		switch pgErr.Code {
		case "57P01", "57P02", "57P03":
			return true
		}
		return strings.HasPrefix(pgErr.Code, "08")
	}
	// A connection that died under a statement: the socket's error, or the driver's word
	// that it closed the connection (pgx directly, or database/sql under bun).
	var opErr *net.OpError
	return errors.As(err, &opErr) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, pgconn.ErrConnClosed) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone)
}
