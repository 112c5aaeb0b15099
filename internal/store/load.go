package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// Loader writes bulk data inside one transaction: a rejected load writes nothing.
type Loader struct {
	tx pgx.Tx
}

// Load runs fn in one transaction on a single connection, so that COPYs and scripts commit
// together or not at all.
func (s *Store) Load(ctx context.Context, fn func(ctx context.Context, l *Loader) error) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("load: %w", err)
	}
	defer conn.Close()
	return conn.Raw(func(driverConn any) error {
		pc := driverConn.(*stdlib.Conn).Conn()
		return pgx.BeginFunc(ctx, pc, func(tx pgx.Tx) error {
			return fn(ctx, &Loader{tx: tx})
		})
	})
}

// ExecScript runs a static SQL script (several statements, no parameters), such as the demo
// dataset.
func (l *Loader) ExecScript(ctx context.Context, script string) error {
	// The simple protocol allows several statements in one call.
	if _, err := l.tx.Exec(ctx, script, pgx.QueryExecModeSimpleProtocol); err != nil {
		return fmt.Errorf("run script: %w", err)
	}
	return nil
}

// Copy streams rows into table with COPY FROM STDIN and returns how many it wrote.
func (l *Loader) Copy(ctx context.Context, table string, columns []string, rows pgx.CopyFromSource) (int64, error) {
	n, err := l.tx.CopyFrom(ctx, pgx.Identifier{table}, columns, rows)
	if err != nil {
		return n, fmt.Errorf("copy into %s: %w", table, err)
	}
	return n, nil
}

// MaxID returns the largest id of table (0 when empty), so that a generator can number the
// rows it copies.
func (l *Loader) MaxID(ctx context.Context, table string) (int64, error) {
	var id sql.NullInt64
	q := fmt.Sprintf("SELECT max(id) FROM %s", pgx.Identifier{table}.Sanitize())
	if err := l.tx.QueryRow(ctx, q).Scan(&id); err != nil {
		return 0, fmt.Errorf("max id of %s: %w", table, err)
	}
	return id.Int64, nil
}

// IDsByKey maps a natural key column of table (code, nis_code, enterprise_number...) to ids.
func (l *Loader) IDsByKey(ctx context.Context, table, keyColumn string) (map[string]int64, error) {
	q := fmt.Sprintf("SELECT %s, id FROM %s WHERE %[1]s IS NOT NULL",
		pgx.Identifier{keyColumn}.Sanitize(), pgx.Identifier{table}.Sanitize())
	rows, err := l.tx.Query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("ids of %s: %w", table, err)
	}
	out := map[string]int64{}
	var key string
	var id int64
	_, err = pgx.ForEachRow(rows, []any{&key, &id}, func() error {
		out[key] = id
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("ids of %s: %w", table, err)
	}
	return out, nil
}

// SyncSequence moves table's identity sequence past the ids a COPY wrote explicitly.
func (l *Loader) SyncSequence(ctx context.Context, table string) error {
	q := fmt.Sprintf("SELECT setval(pg_get_serial_sequence($1, 'id'), GREATEST((SELECT max(id) FROM %s), 1))",
		pgx.Identifier{table}.Sanitize())
	if _, err := l.tx.Exec(ctx, q, table); err != nil {
		return fmt.Errorf("sync sequence of %s: %w", table, err)
	}
	return nil
}

// Analyze refreshes the planner statistics after a bulk load.
func (l *Loader) Analyze(ctx context.Context) error {
	if _, err := l.tx.Exec(ctx, "ANALYZE"); err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	return nil
}

// ColumnByID maps the id of each row of table to the text of column, skipping NULLs. A
// generator uses it for attributes that IDsByKey cannot give, such as the programme of an
// axis or whether a legal form is public.
func (l *Loader) ColumnByID(ctx context.Context, table, column string) (map[int64]string, error) {
	q := fmt.Sprintf("SELECT id, %s::text FROM %s WHERE %[1]s IS NOT NULL",
		pgx.Identifier{column}.Sanitize(), pgx.Identifier{table}.Sanitize())
	rows, err := l.tx.Query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("%s of %s: %w", column, table, err)
	}
	out := map[int64]string{}
	var id int64
	var value string
	_, err = pgx.ForEachRow(rows, []any{&id, &value}, func() error {
		out[id] = value
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s of %s: %w", column, table, err)
	}
	return out, nil
}
