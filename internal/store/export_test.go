package store

import "github.com/uptrace/bun"

// DB gives the package's tests the owner's connections, to look behind the API.
func (s *Store) DB() *bun.DB { return s.db }
