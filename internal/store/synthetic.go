package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

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
