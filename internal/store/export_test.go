package store

import "github.com/uptrace/bun"

// DB gives the package's tests the owner's connections, to look behind the API.
func (s *Store) DB() *bun.DB { return s.db }

// SetInsertBatch makes imports write n lines per statement, until restore is called.
func SetInsertBatch(n int) (restore func()) {
	old := insertBatch
	insertBatch = n
	return func() { insertBatch = old }
}
