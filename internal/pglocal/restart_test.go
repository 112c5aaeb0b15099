package pglocal

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// After StopInPlace and StartInPlace the DSN is unchanged and a pool opened before the
// restart works again without being reopened.
func TestRestartInPlaceKeepsTheDSN(t *testing.T) {
	c := start(t, testDataDir(t))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dsn := c.DSN("postgres")
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close() // on failure; closing twice is harmless
	if err := pool.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.StopInPlace(ctx); err != nil {
		t.Fatal(err)
	}
	if err := pool.Ping(ctx); err == nil {
		t.Error("ping succeeded while postgres was stopped")
	}
	if err := c.StartInPlace(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.StartInPlace(ctx); err == nil {
		t.Error("StartInPlace on a running server succeeded")
	}
	if c.DSN("postgres") != dsn {
		t.Errorf("DSN changed: %s, then %s", dsn, c.DSN("postgres"))
	}
	if err := pool.Ping(ctx); err != nil {
		t.Errorf("pool did not reconnect: %v", err)
	}
	pool.Close()
	stop(t, c)
}
