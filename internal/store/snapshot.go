package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/cohesio/cohesio/internal/cohesion"
)

// Snapshot is a frozen export of a dataset; its rows are stored in chunks.
type Snapshot struct {
	bun.BaseModel `bun:"table:snapshot"`

	ID                   string          `bun:"id,pk"`
	Dataset              string          `bun:"dataset"`
	Filter               json.RawMessage `bun:"filter,type:jsonb"`
	Query                string          `bun:"query"`
	Fields               json.RawMessage `bun:"fields,type:jsonb"`
	RowCount             int64           `bun:"row_count"`
	SuppressionThreshold *int            `bun:"suppression_threshold"`
	CreatedAt            time.Time       `bun:"created_at,nullzero,notnull,default:now()"`
}

type snapshotChunk struct {
	bun.BaseModel `bun:"table:snapshot_chunk"`

	SnapshotID string `bun:"snapshot_id,pk"`
	Seq        int    `bun:"seq,pk"`
	Data       []byte `bun:"data"`
}

// SaveSnapshot stores snap and the chunks next yields, in order, in one transaction. A
// snapshot with the same id (the same content) is kept as it is: SaveSnapshot then returns it
// with created false.
func (s *Store) SaveSnapshot(ctx context.Context, snap *Snapshot, next func() ([]byte, error)) (saved *Snapshot, created bool, err error) {
	err = s.Transact(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewInsert().Model(snap).On("CONFLICT (id) DO NOTHING").Returning("created_at").Exec(ctx)
		if err != nil {
			return fmt.Errorf("save snapshot: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			saved = new(Snapshot)
			return tx.NewSelect().Model(saved).Where("id = ?", snap.ID).Scan(ctx)
		}
		saved, created = snap, true
		for seq := 0; ; seq++ {
			data, err := next()
			if err != nil {
				return err
			}
			if data == nil {
				return nil
			}
			chunk := &snapshotChunk{SnapshotID: snap.ID, Seq: seq, Data: data}
			if _, err := tx.NewInsert().Model(chunk).Exec(ctx); err != nil {
				return fmt.Errorf("save snapshot chunk %d: %w", seq, err)
			}
		}
	})
	return saved, created, err
}

// Snapshots lists the snapshots of a dataset (every dataset when it is empty), newest first.
func (s *Store) Snapshots(ctx context.Context, dataset string) ([]*Snapshot, error) {
	var out []*Snapshot
	q := s.db.NewSelect().Model(&out).Order("created_at DESC", "id")
	if dataset != "" {
		q = q.Where("dataset = ?", dataset)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("list snapshots: %w", err)
	}
	return out, nil
}

// SnapshotByID returns a snapshot, or an error wrapping cohesion.ErrNotFound.
func (s *Store) SnapshotByID(ctx context.Context, id string) (*Snapshot, error) {
	snap := new(Snapshot)
	err := s.db.NewSelect().Model(snap).Where("id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("snapshot %q: %w", id, cohesion.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("snapshot %q: %w", id, err)
	}
	return snap, nil
}

// SnapshotChunks passes the stored chunks of a snapshot to fn, in order, one at a time.
func (s *Store) SnapshotChunks(ctx context.Context, id string, fn func(data []byte) error) error {
	rows, err := s.readPool().Query(ctx, "SELECT data FROM snapshot_chunk WHERE snapshot_id = $1 ORDER BY seq", id)
	if err != nil {
		return fmt.Errorf("read snapshot %q: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows.RawValues()[0]); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read snapshot %q: %w", id, err)
	}
	return nil
}
