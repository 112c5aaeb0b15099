package store

import (
	"context"
	"fmt"
)

// DataVersion returns the data version: a number that grows whenever a transaction that wrote
// data the API reads commits, and only then (migrations/20261207000003_data_version). Two
// reads that return the same number saw the same data. It is read where the API reads, the
// replica when there is one, so that it names the data the read queries see.
func (s *Store) DataVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := s.readPool().QueryRow(ctx, "SELECT sum(changes)::bigint FROM data_version").Scan(&v); err != nil {
		return 0, fmt.Errorf("read the data version: %w", err)
	}
	return v, nil
}
