package store

import "github.com/jackc/pgx/v5/pgxpool"

// PoolStats returns a snapshot of each connection pool's counters, by the pool's role:
// "request" (reads and writes as the request's principal), "replica" (read-only operations,
// when a replica is configured) and "owner" (migrations, bulk loads and writes through Bun).
func (s *Store) PoolStats() map[string]*pgxpool.Stat {
	stats := map[string]*pgxpool.Stat{"request": s.pool.Stat(), "owner": s.owner.Stat()}
	if s.read != s.pool {
		stats["replica"] = s.read.Stat()
	}
	return stats
}
