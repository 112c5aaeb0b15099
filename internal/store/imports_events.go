package store

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/cohesio/cohesio/internal/importer"
)

// ImportEvents checks the events of an import and, with commit and no problem, writes them: a
// row whose coordination, date and title match a stored event updates it (its kind, count,
// description and, when the file has the column, its organisations, replaced as a whole; its
// version counts the change), others are created. Like meetings, the rows are written as the
// principal, a coordinator only for its own commune.
func (s *Store) ImportEvents(ctx context.Context, rows *importer.Rows[importer.EventRow], commit bool) (importer.Outcome, error) {
	if err := mayImportActivity(ctx); err != nil {
		return importer.Outcome{}, err
	}
	return s.bulkImport(ctx, "importEvents", false, func(ctx context.Context, tx bun.Tx, copyFrom copyFunc) (importer.Outcome, error) {
		var out importer.Outcome
		_, err := tx.ExecContext(ctx, `CREATE TEMP TABLE import_event_raw (
			line int NOT NULL, coordination text NOT NULL, title text NOT NULL, kind text NOT NULL, held_on date NOT NULL,
			participant_count int, organisations text[] NOT NULL, description text) ON COMMIT DROP`)
		if err != nil {
			return out, fmt.Errorf("temporary table: %w", err)
		}
		copied, err := copyFrom(ctx, "import_event_raw", []string{"line", "coordination", "title", "kind", "held_on",
			"participant_count", "organisations", "description"},
			&rowSource[importer.EventRow]{rows: rows, values: func(r importer.EventRow) []any {
				return []any{r.Line, r.Coordination, r.Title, r.Kind, r.HeldOn, r.ParticipantCount, r.Organisations, nullable(r.Description)}
			}})
		if err != nil {
			return out, err
		}
		// The organisations as sorted ids (compared with the stored ones as arrays), and the
		// enterprise numbers no operator has.
		_, err = tx.ExecContext(ctx, `CREATE TEMP TABLE import_event ON COMMIT DROP AS
			SELECT r.*, c.id AS coordination_id, c.territory_id AS commune, o.ids AS organisation_ids, o.unknown
			FROM import_event_raw r
			LEFT JOIN coordination c ON c.code = r.coordination
			CROSS JOIN LATERAL (SELECT coalesce(array_agg(op.id ORDER BY op.id) FILTER (WHERE op.id IS NOT NULL), '{}') AS ids,
					string_agg(n.number, ', ' ORDER BY n.i) FILTER (WHERE op.id IS NULL) AS unknown
				FROM unnest(r.organisations) WITH ORDINALITY n(number, i) LEFT JOIN operator op ON op.enterprise_number = n.number) o`)
		if err != nil {
			return out, fmt.Errorf("resolve codes: %w", err)
		}
		if err := checkCoordinations(ctx, tx, "import_event"); err != nil {
			return out, err
		}
		const from = " FROM import_event WHERE "
		out, err = collectProblems(ctx, tx, []string{
			"SELECT line, 'coordination' AS field, format('unknown coordination %L', coordination) AS reason" + from + "coordination_id IS NULL",
			"SELECT line, 'organisations', format('unknown operator: no operator has enterprise number %s', unknown)" + from + "unknown IS NOT NULL",
		}, `SELECT line, 'title', format('duplicate within the file: line %s has the same coordination, date and title', first)
			FROM (SELECT line, first_value(line) OVER (PARTITION BY coordination_id, held_on, title ORDER BY line) AS first
				FROM import_event t WHERE NOT EXISTS (SELECT FROM import_problem p WHERE p.line = t.line)) x
			WHERE line <> first`)
		if err != nil {
			return out, err
		}
		organisations := rows.Present("organisations")
		same, set := "e.kind = t.kind", "kind = t.kind, version = e.version + 1"
		if rows.Present("participant_count") {
			same += " AND e.participant_count IS NOT DISTINCT FROM t.participant_count"
			set += ", participant_count = t.participant_count"
		}
		if rows.Present("description") {
			same += " AND e.description IS NOT DISTINCT FROM t.description"
			set += ", description = t.description"
		}
		if organisations {
			same += ` AND t.organisation_ids = (SELECT coalesce(array_agg(eo.operator_id ORDER BY eo.operator_id), '{}')
				FROM event_organisation eo WHERE eo.event_id = e.id)`
		}
		_, err = tx.ExecContext(ctx, `CREATE TEMP TABLE import_match ON COMMIT DROP AS
			SELECT t.line, e.id, `+same+` AS same
			FROM import_event t
			JOIN event e ON e.coordination_id = t.coordination_id AND e.held_on = t.held_on AND e.title = t.title
			WHERE NOT EXISTS (SELECT FROM import_problem p WHERE p.line = t.line)`)
		if err != nil {
			return out, fmt.Errorf("match stored events: %w", err)
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
			// The new events' ids are drawn first, so that their organisations can follow them.
			_, err = tx.ExecContext(ctx, `CREATE TEMP TABLE import_event_new ON COMMIT DROP AS
				SELECT line, nextval(pg_get_serial_sequence('event', 'id')) AS id
				FROM import_event t WHERE NOT EXISTS (SELECT FROM import_match m WHERE m.line = t.line)`)
			if err != nil {
				return out, fmt.Errorf("create events: %w", err)
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO event (id, coordination_id, title, kind, held_on, participant_count, description, source_id)
				SELECT n.id, t.coordination_id, t.title, t.kind, t.held_on, t.participant_count, t.description, ?
				FROM import_event_new n JOIN import_event t ON t.line = n.line`, source)
			if err != nil {
				return out, fmt.Errorf("create events: %w", refusedByPolicy(err))
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO event_organisation (event_id, operator_id)
				SELECT n.id, unnest(t.organisation_ids) FROM import_event_new n JOIN import_event t ON t.line = n.line`)
			if err != nil {
				return out, fmt.Errorf("create events' organisations: %w", refusedByPolicy(err))
			}
		}
		if out.Updated > 0 {
			_, err = tx.ExecContext(ctx, `UPDATE event e SET `+set+`
				FROM import_match m JOIN import_event t ON t.line = m.line WHERE e.id = m.id AND NOT m.same`)
			if err != nil {
				return out, fmt.Errorf("update events: %w", refusedByPolicy(err))
			}
			if organisations {
				_, err = tx.ExecContext(ctx, `DELETE FROM event_organisation eo USING import_match m JOIN import_event t ON t.line = m.line
					WHERE eo.event_id = m.id AND NOT m.same AND NOT eo.operator_id = ANY (t.organisation_ids)`)
				if err != nil {
					return out, fmt.Errorf("update events' organisations: %w", refusedByPolicy(err))
				}
				_, err = tx.ExecContext(ctx, `INSERT INTO event_organisation (event_id, operator_id)
					SELECT m.id, unnest(t.organisation_ids) FROM import_match m JOIN import_event t ON t.line = m.line
					WHERE NOT m.same ON CONFLICT DO NOTHING`)
				if err != nil {
					return out, fmt.Errorf("update events' organisations: %w", refusedByPolicy(err))
				}
			}
		}
		out.Committed = true
		return out, nil
	})
}
