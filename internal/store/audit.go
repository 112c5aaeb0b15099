package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// AuditEntry is one change to one row, as the audit trail recorded it.
type AuditEntry struct {
	bun.BaseModel `bun:"table:audit_log,alias:al"`

	ID           int64           `bun:"id"`
	At           time.Time       `bun:"at"`
	Role         string          `bun:"role"`
	Subject      *string         `bun:"subject"`
	RequestID    *string         `bun:"request_id"`
	Table        string          `bun:"table_name"`
	RowID        *string         `bun:"row_id"`
	OperatorID   *int64          `bun:"operator_id"`
	SubmissionID *int64          `bun:"submission_id"`
	Operation    string          `bun:"operation"`
	Before       json.RawMessage `bun:"before,type:jsonb"`
	After        json.RawMessage `bun:"after,type:jsonb"`
}

// AuditFilter chooses the history asked for: a submission's (with its answers, events,
// comments and the observations it produced), an operator's, or one row's.
type AuditFilter struct {
	SubmissionID *int64
	OperatorID   *int64
	Table        *string
	RowID        *string
	// After is the id of the previous page's last entry.
	After *int64
	Limit int
}

// AuditEntries returns the entries of the trail matching f that the caller may read, oldest
// first: row-level security gives each principal the scope of the records themselves.
func (s *Store) AuditEntries(ctx context.Context, f AuditFilter) ([]*AuditEntry, error) {
	var out []*AuditEntry
	err := s.transactAs(ctx, func(ctx context.Context, tx bun.Tx) error {
		q := tx.NewSelect().Model(&out).Order("id").Limit(int64(f.Limit))
		if f.SubmissionID != nil {
			q = q.Where("submission_id = ?", *f.SubmissionID)
		}
		if f.OperatorID != nil {
			q = q.Where("operator_id = ?", *f.OperatorID)
		}
		if f.Table != nil {
			q = q.Where("table_name = ?", *f.Table)
		}
		if f.RowID != nil {
			q = q.Where("row_id = ?", *f.RowID)
		}
		if f.After != nil {
			q = q.Where("id > ?", *f.After)
		}
		return q.Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("read the audit trail: %w", err)
	}
	return out, nil
}
