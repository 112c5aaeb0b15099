package store

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/importer"
)

// mayImportActivity: a coordination's activity is imported by the administration or by a
// coordinator (then only for the coordinations of its own commune, checked once the file's
// coordinations are known); anyone else is refused before the file is read.
func mayImportActivity(ctx context.Context) error {
	if p := principalOf(ctx); p.Role != access.Coordinator {
		return p.CheckCoordination(-1)
	}
	return nil
}

// checkCoordinations applies the coordination mutations' access check to every coordination
// the rows of table name (its coordination_id and commune columns): the whole import is refused
// when one of them is not the principal's.
func checkCoordinations(ctx context.Context, tx bun.Tx, table string) error {
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT ON (commune) coordination, commune, line FROM `+table+`
		WHERE commune IS NOT NULL ORDER BY commune, line`)
	if err != nil {
		return fmt.Errorf("check coordinations: %w", err)
	}
	defer rows.Close()
	p := principalOf(ctx)
	for rows.Next() {
		var code string
		var commune int64
		var line int
		if err := rows.Scan(&code, &commune, &line); err != nil {
			return fmt.Errorf("check coordinations: %w", err)
		}
		if err := p.CheckCoordination(commune); err != nil {
			return fmt.Errorf("coordination %s (line %d): %w", code, line, err)
		}
	}
	return rows.Err()
}

// ImportMeetings checks the meetings of an import and, with commit and no problem, writes
// them: a row whose working group, date and kind match a stored meeting updates it (its
// participant count and note; its version counts the change), others are created. The rows
// are written as the principal, so row-level security holds a coordinator to its commune too.
func (s *Store) ImportMeetings(ctx context.Context, rows *importer.Rows[importer.MeetingRow], commit bool) (importer.Outcome, error) {
	if err := mayImportActivity(ctx); err != nil {
		return importer.Outcome{}, err
	}
	return s.bulkImport(ctx, "importMeetings", false, func(ctx context.Context, tx bun.Tx, copyFrom copyFunc) (importer.Outcome, error) {
		var out importer.Outcome
		_, err := tx.ExecContext(ctx, `CREATE TEMP TABLE import_meeting_raw (
			line int NOT NULL, coordination text NOT NULL, working_group text NOT NULL, held_on date NOT NULL, kind text NOT NULL,
			participant_count int, note text) ON COMMIT DROP`)
		if err != nil {
			return out, fmt.Errorf("temporary table: %w", err)
		}
		copied, err := copyFrom(ctx, "import_meeting_raw", []string{"line", "coordination", "working_group", "held_on", "kind",
			"participant_count", "note"},
			&rowSource[importer.MeetingRow]{rows: rows, values: func(r importer.MeetingRow) []any {
				return []any{r.Line, r.Coordination, r.WorkingGroup, r.HeldOn, r.Kind, r.ParticipantCount, nullable(r.Note)}
			}})
		if err != nil {
			return out, err
		}
		// A working group is named within its coordination, in any case; names are not unique
		// in the table, so a name two groups share is ambiguous rather than either.
		_, err = tx.ExecContext(ctx, `CREATE TEMP TABLE import_meeting ON COMMIT DROP AS
			SELECT r.*, c.id AS coordination_id, c.territory_id AS commune, w.ids[1] AS working_group_id, coalesce(cardinality(w.ids), 0) AS groups
			FROM import_meeting_raw r
			LEFT JOIN coordination c ON c.code = r.coordination
			LEFT JOIN LATERAL (SELECT array_agg(g.id ORDER BY g.id) AS ids FROM working_group g
				WHERE g.coordination_id = c.id AND lower(btrim(g.name)) = lower(btrim(r.working_group))) w ON true`)
		if err != nil {
			return out, fmt.Errorf("resolve codes: %w", err)
		}
		if err := checkCoordinations(ctx, tx, "import_meeting"); err != nil {
			return out, err
		}
		const from = " FROM import_meeting WHERE "
		out, err = collectProblems(ctx, tx, []string{
			"SELECT line, 'coordination' AS field, format('unknown coordination %L', coordination) AS reason" + from + "coordination_id IS NULL",
			"SELECT line, 'working_group', format('unknown working group: coordination %s has no working group named %L', coordination, working_group)" +
				from + "coordination_id IS NOT NULL AND groups = 0",
			"SELECT line, 'working_group', format('ambiguous working group: coordination %s has %s working groups named %L', coordination, groups, working_group)" +
				from + "groups > 1",
		}, `SELECT line, 'held_on', format('duplicate within the file: line %s has the same working group, date and kind', first)
			FROM (SELECT line, first_value(line) OVER (PARTITION BY working_group_id, held_on, kind ORDER BY line) AS first
				FROM import_meeting t WHERE NOT EXISTS (SELECT FROM import_problem p WHERE p.line = t.line)) x
			WHERE line <> first`)
		if err != nil {
			return out, err
		}
		same, set := "true", "version = m.version + 1"
		if rows.Present("participant_count") {
			same += " AND m.participant_count IS NOT DISTINCT FROM t.participant_count"
			set += ", participant_count = t.participant_count"
		}
		if rows.Present("note") {
			same += " AND m.note IS NOT DISTINCT FROM t.note"
			set += ", note = t.note"
		}
		_, err = tx.ExecContext(ctx, `CREATE TEMP TABLE import_match ON COMMIT DROP AS
			SELECT t.line, m.id, `+same+` AS same
			FROM import_meeting t
			JOIN meeting m ON m.working_group_id = t.working_group_id AND m.held_on = t.held_on AND m.kind = t.kind
			WHERE NOT EXISTS (SELECT FROM import_problem p WHERE p.line = t.line)`)
		if err != nil {
			return out, fmt.Errorf("match stored meetings: %w", err)
		}
		if err := classify(ctx, tx, &out, copied); err != nil {
			return out, err
		}
		if !commit || out.ProblemCount > 0 || !rows.Clean() {
			return out, nil
		}
		if out.Created > 0 {
			source, err := ensureAPISource(ctx, tx)
			if err != nil {
				return out, err
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO meeting (working_group_id, year, held_on, kind, participant_count, note, source_id)
				SELECT working_group_id, extract(year FROM held_on), held_on, kind, participant_count, note, ?
				FROM import_meeting t WHERE NOT EXISTS (SELECT FROM import_match m WHERE m.line = t.line)`, source)
			if err != nil {
				return out, fmt.Errorf("create meetings: %w", refusedByPolicy(err))
			}
		}
		if out.Updated > 0 {
			_, err = tx.ExecContext(ctx, `UPDATE meeting m SET `+set+`
				FROM import_match x JOIN import_meeting t ON t.line = x.line WHERE m.id = x.id AND NOT x.same`)
			if err != nil {
				return out, fmt.Errorf("update meetings: %w", refusedByPolicy(err))
			}
		}
		out.Committed = true
		return out, nil
	})
}
