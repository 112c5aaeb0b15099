package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/importer"
)

// Imports write set by set: the rows are copied (COPY) into a temporary table, checked against
// the database in a few statements, and written with one INSERT ... SELECT and one
// UPDATE ... FROM, never a statement per row. The audit triggers record each row written, per
// statement (from their transition tables), in the same transaction; a dry run and an import
// with a problem roll everything back, so they leave no trace.

// errRollback ends an import's transaction without writing: a dry run, or rows rejected.
var errRollback = errors.New("import: nothing to write")

// copyFunc copies rows into a table on the import's connection, inside its transaction.
type copyFunc func(ctx context.Context, table string, columns []string, rows pgx.CopyFromSource) (int64, error)

// mayImport: imports are the administration's (a trusted command, outside a request, is too).
func mayImport(ctx context.Context, kind string) error {
	if p, ok := access.PrincipalIn(ctx); ok && p.Role != access.Admin {
		return fmt.Errorf("%w: importing %s is for the administration (admin role), not %s", access.ErrForbidden, kind, p.Role)
	}
	return nil
}

// bulkImport runs fn in the audited mutation path (mutateIn), on one connection so that COPY
// can run inside the transaction. asOwner writes with the owner's rights (the directory, which
// the API's role may not write) while the audit trail still names the principal; otherwise
// the transaction runs as the principal, behind row-level security. The transaction commits
// only when fn's outcome says Committed.
func (s *Store) bulkImport(ctx context.Context, op string, asOwner bool,
	fn func(ctx context.Context, tx bun.Tx, copyFrom copyFunc) (importer.Outcome, error)) (importer.Outcome, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return importer.Outcome{}, fmt.Errorf("%s: %w", op, err)
	}
	defer conn.Close()
	copyFrom := func(ctx context.Context, table string, columns []string, rows pgx.CopyFromSource) (int64, error) {
		var n int64
		err := conn.Raw(func(driverConn any) error {
			var err error
			n, err = driverConn.(*stdlib.Conn).Conn().CopyFrom(ctx, pgx.Identifier{table}, columns, rows)
			return err
		})
		if err != nil {
			return n, fmt.Errorf("copy into %s: %w", table, err)
		}
		return n, nil
	}
	transact := func(ctx context.Context, f func(context.Context, bun.Tx) error) error {
		return conn.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			name := asPrincipal
			if asOwner {
				name = namePrincipal
			}
			if err := name(ctx, tx); err != nil {
				return err
			}
			return f(ctx, tx)
		})
	}
	var out importer.Outcome
	_, err = s.mutateIn(ctx, transact, nil, op, nil, func(ctx context.Context, tx bun.Tx) (Result, error) {
		// Imports of one kind queue: two of them would otherwise both create the same rows.
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtext(?))", op); err != nil {
			return Result{}, fmt.Errorf("%s: lock: %w", op, err)
		}
		o, err := fn(ctx, tx, copyFrom)
		out = o
		if err != nil {
			return Result{}, err
		}
		if !out.Committed {
			return Result{}, errRollback
		}
		return Result{}, nil
	})
	if errors.Is(err, errRollback) {
		err = nil
	}
	if err != nil {
		return importer.Outcome{}, fmt.Errorf("%s: %w", op, err)
	}
	return out, nil
}

// rowSource adapts importer rows to COPY.
type rowSource[T any] struct {
	rows   *importer.Rows[T]
	values func(T) []any
}

func (r *rowSource[T]) Next() bool             { return r.rows.Next() }
func (r *rowSource[T]) Values() ([]any, error) { return r.values(r.rows.Row()), nil }
func (r *rowSource[T]) Err() error             { return r.rows.Err() }

// nullable is s, or NULL when empty.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// collectProblems creates import_problem (line, field, reason) from the union of checks, then
// adds the duplicates among the rows without a problem (a row with an unknown code is not
// also the duplicate of another).
func collectProblems(ctx context.Context, tx bun.Tx, checks []string, duplicates string) (importer.Outcome, error) {
	var out importer.Outcome
	q := "CREATE TEMP TABLE import_problem ON COMMIT DROP AS " + strings.Join(checks, "\nUNION ALL ")
	if _, err := tx.ExecContext(ctx, q); err != nil {
		return out, fmt.Errorf("check rows: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO import_problem "+duplicates); err != nil {
		return out, fmt.Errorf("find duplicates: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "ANALYZE import_problem"); err != nil {
		return out, fmt.Errorf("check rows: %w", err)
	}
	err := tx.QueryRowContext(ctx, "SELECT count(*), count(DISTINCT line) FROM import_problem").Scan(&out.ProblemCount, &out.Rejected)
	if err != nil {
		return out, fmt.Errorf("count problems: %w", err)
	}
	rows, err := tx.QueryContext(ctx, "SELECT line, field, reason FROM import_problem ORDER BY line, field LIMIT ?", importer.MaxProblems)
	if err != nil {
		return out, fmt.Errorf("read problems: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p importer.Problem
		if err := rows.Scan(&p.Line, &p.Field, &p.Reason); err != nil {
			return out, fmt.Errorf("read problems: %w", err)
		}
		out.Problems = append(out.Problems, p)
	}
	return out, rows.Err()
}

// classify counts the rows that would be created, updated or left unchanged, from
// import_match (line, id, same): the stored rows each line matches by its natural key.
func classify(ctx context.Context, tx bun.Tx, out *importer.Outcome, copied int64) error {
	err := tx.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE same), count(*) FILTER (WHERE NOT same)
		FROM (SELECT line, bool_and(same) AS same FROM import_match GROUP BY line) m`).Scan(&out.Unchanged, &out.Updated)
	if err != nil {
		return fmt.Errorf("compare with stored rows: %w", err)
	}
	out.Created = int(copied) - out.Rejected - out.Unchanged - out.Updated
	return nil
}

// insertBatch is how many lines of an import one INSERT writes.
var insertBatch = 100000

// ImportObservations checks the observations of an import and, with commit and no problem,
// writes them: a row whose indicator, subject, period, kind and breakdown match an observation
// (not one a report's validation produced) updates it; others are created.
func (s *Store) ImportObservations(ctx context.Context, rows *importer.Rows[importer.ObservationRow], commit bool) (importer.Outcome, error) {
	if err := mayImport(ctx, "observations"); err != nil {
		return importer.Outcome{}, err
	}
	return s.bulkImport(ctx, "importObservations", false, func(ctx context.Context, tx bun.Tx, copyFrom copyFunc) (importer.Outcome, error) {
		var out importer.Outcome
		_, err := tx.ExecContext(ctx, `CREATE TEMP TABLE import_observation_raw (
			line int NOT NULL, indicator text NOT NULL, project text, operator text, territory text, coordination text,
			period_start date NOT NULL, period_end date NOT NULL, granularity text NOT NULL, kind text NOT NULL,
			value text NOT NULL, dimension text, breakdown text, source text NOT NULL, note text) ON COMMIT DROP`)
		if err != nil {
			return out, fmt.Errorf("temporary table: %w", err)
		}
		copied, err := copyFrom(ctx, "import_observation_raw", []string{"line", "indicator", "project", "operator", "territory",
			"coordination", "period_start", "period_end", "granularity", "kind", "value", "dimension", "breakdown", "source", "note"},
			&rowSource[importer.ObservationRow]{rows: rows, values: func(r importer.ObservationRow) []any {
				return []any{r.Line, r.Indicator, nullable(r.Project), nullable(r.Operator), nullable(r.Territory), nullable(r.Coordination),
					r.PeriodStart, r.PeriodEnd, r.Granularity, r.Kind, r.Value, nullable(r.Dimension), nullable(r.Breakdown), r.Source, nullable(r.Note)}
			}})
		if err != nil {
			return out, err
		}
		// Codes to ids, in one pass over the rows (hash joins against small tables).
		_, err = tx.ExecContext(ctx, `CREATE TEMP TABLE import_observation ON COMMIT DROP AS
			-- The value travels as text (the importer checked it is a number): COPY encodes text fastest.
			SELECT r.line, r.indicator, r.project, r.operator, r.territory, r.coordination, r.period_start, r.period_end, r.granularity,
				r.kind, r.value::numeric(20, 4) AS value, r.dimension, r.breakdown, r.source, r.note, i.id AS indicator_id, i.unit, i.disaggregations, coalesce(pc.id, pi.id) AS project_id, o.id AS operator_id,
				coalesce(tn.id, tc.id) AS territory_id, c.id AS coordination_id, s.id AS source_id, d.id AS disaggregation_id
			FROM import_observation_raw r
			LEFT JOIN indicator i ON i.code = r.indicator
			LEFT JOIN project pc ON pc.code = r.project
			LEFT JOIN project pi ON pi.id = CASE WHEN r.project ~ '^[0-9]{1,18}$' THEN r.project::bigint END
			LEFT JOIN operator o ON o.enterprise_number = r.operator
			LEFT JOIN territory tn ON tn.nis_code = r.territory
			LEFT JOIN territory tc ON tc.code = r.territory
			LEFT JOIN coordination c ON c.code = r.coordination
			LEFT JOIN source s ON s.code = r.source
			LEFT JOIN disaggregation d ON d.dimension = r.dimension AND d.code = r.breakdown`)
		if err != nil {
			return out, fmt.Errorf("resolve codes: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "ANALYZE import_observation"); err != nil {
			return out, fmt.Errorf("resolve codes: %w", err)
		}
		const from = " FROM import_observation WHERE "
		out, err = collectProblems(ctx, tx, []string{
			"SELECT line, 'indicator' AS field, format('unknown indicator %L', indicator) AS reason" + from + "indicator_id IS NULL",
			"SELECT line, 'project', format('unknown project %L', project)" + from + "project IS NOT NULL AND project_id IS NULL",
			"SELECT line, 'operator', format('unknown operator: no operator has enterprise number %s', operator)" + from + "operator IS NOT NULL AND operator_id IS NULL",
			"SELECT line, 'territory', format('unknown commune or territory %L (a NIS code or a territory code)', territory)" + from + "territory IS NOT NULL AND territory_id IS NULL",
			"SELECT line, 'coordination', format('unknown coordination %L', coordination)" + from + "coordination IS NOT NULL AND coordination_id IS NULL",
			"SELECT line, 'source', format('unknown source %L', source)" + from + "source_id IS NULL",
			"SELECT line, 'breakdown', format('unknown breakdown %s = %L', dimension, breakdown)" + from + "dimension IS NOT NULL AND disaggregation_id IS NULL",
			"SELECT line, 'dimension', format('indicator %s is not broken down by %s (it is by: %s)', indicator, dimension, coalesce(nullif(array_to_string(disaggregations, ', '), ''), 'nothing'))" +
				from + "disaggregation_id IS NOT NULL AND indicator_id IS NOT NULL AND NOT dimension = ANY (disaggregations)",
			"SELECT line, 'value', format('value out of range: %s is negative, and indicator %s counts %s', value, indicator, unit)" +
				from + "unit IN ('persons', 'actions', 'files', 'sessions', 'hours', 'minutes', 'eur', 'fte', 'count') AND value < 0",
			"SELECT line, 'value', format('value out of range: indicator %s counts %s, a whole number, not %s', indicator, unit, value)" +
				from + "unit IN ('persons', 'actions', 'files', 'sessions', 'count') AND value >= 0 AND value <> trunc(value)",
			"SELECT line, 'value', format('value out of range: %s is not a percentage between 0 and 100', value)" + from + "unit = 'percent' AND value NOT BETWEEN 0 AND 100",
			"SELECT line, 'value', format('value out of range: %s is not a rate per thousand between 0 and 1000', value)" + from + "unit = 'per_mille' AND value NOT BETWEEN 0 AND 1000",
		}, `SELECT line, 'indicator', format('duplicate within the file: line %s has the same indicator, subject, period, kind and breakdown', first)
			FROM (SELECT line, first_value(line) OVER (PARTITION BY indicator_id, project_id, operator_id, coordination_id, territory_id,
				period_start, period_end, kind, disaggregation_id ORDER BY line) AS first
				FROM import_observation t WHERE NOT EXISTS (SELECT FROM import_problem p WHERE p.line = t.line)) x
			WHERE line <> first`)
		if err != nil {
			return out, err
		}
		same := "o.value = t.value AND o.granularity = t.granularity AND o.source_id = t.source_id"
		set := "value = t.value, granularity = t.granularity, source_id = t.source_id"
		if rows.Present("note") {
			same += " AND o.note IS NOT DISTINCT FROM t.note"
			set += ", note = t.note"
		}
		// The natural key, NULL-safe in a way a hash join can use.
		_, err = tx.ExecContext(ctx, `CREATE TEMP TABLE import_match ON COMMIT DROP AS
			SELECT t.line, o.id, `+same+` AS same
			FROM import_observation t
			JOIN observation o ON o.indicator_id = t.indicator_id AND o.period_start = t.period_start AND o.period_end = t.period_end
				AND o.kind = t.kind AND coalesce(o.project_id, 0) = coalesce(t.project_id, 0)
				AND coalesce(o.operator_id, 0) = coalesce(t.operator_id, 0) AND coalesce(o.coordination_id, 0) = coalesce(t.coordination_id, 0)
				AND coalesce(o.territory_id, 0) = coalesce(t.territory_id, 0) AND coalesce(o.disaggregation_id, 0) = coalesce(t.disaggregation_id, 0)
				AND o.submission_id IS NULL
			WHERE NOT EXISTS (SELECT FROM import_problem p WHERE p.line = t.line)`)
		if err != nil {
			return out, fmt.Errorf("match stored observations: %w", err)
		}
		if err := classify(ctx, tx, &out, copied); err != nil {
			return out, err
		}
		if !commit || out.ProblemCount > 0 || !rows.Clean() {
			return out, nil
		}
		if out.Created > 0 {
			// In batches of lines, in the same transaction: one statement's foreign-key checks,
			// transition table and audit entries for a million rows outgrow memory and run
			// slower per row than those of a tenth of them.
			var first, last int
			if err := tx.QueryRowContext(ctx, "SELECT min(line), max(line) FROM import_observation").Scan(&first, &last); err != nil {
				return out, fmt.Errorf("create observations: %w", err)
			}
			for lo := first; lo <= last; lo += insertBatch {
				_, err = tx.ExecContext(ctx, `INSERT INTO observation (indicator_id, project_id, operator_id, coordination_id, territory_id,
						period_start, period_end, granularity, kind, value, disaggregation_id, note, source_id)
					SELECT indicator_id, project_id, operator_id, coordination_id, territory_id, period_start, period_end, granularity, kind,
						value, disaggregation_id, note, source_id
					FROM import_observation t WHERE t.line >= ? AND t.line < ?
						AND NOT EXISTS (SELECT FROM import_match m WHERE m.line = t.line)`, lo, lo+insertBatch)
				if err != nil {
					return out, fmt.Errorf("create observations: %w", err)
				}
			}
		}
		if out.Updated > 0 {
			_, err = tx.ExecContext(ctx, `UPDATE observation o SET `+set+`
				FROM import_match m JOIN import_observation t ON t.line = m.line WHERE o.id = m.id AND NOT m.same`)
			if err != nil {
				return out, fmt.Errorf("update observations: %w", err)
			}
		}
		out.Committed = true
		return out, nil
	})
}

// operatorOptional are the directory's optional columns: the column of the operator table,
// and the value the import gives it. An optional column absent from the file leaves the
// stored values alone.
var operatorOptional = []struct{ key, column, value string }{
	{"name_nl", "name_nl", "t.name_nl"}, {"acronym", "acronym", "t.acronym"}, {"seat_commune", "seat_commune_id", "t.seat_commune_id"},
	{"street", "street", "t.street"}, {"postcode", "postcode", "t.postcode"}, {"languages", "languages", "t.languages"},
	{"website", "website", "t.website"}, {"description", "description", "t.description"},
}

// ImportOperators checks the directory's rows and, with commit and no problem, writes them:
// a row whose enterprise number is known updates that operator, others create one.
func (s *Store) ImportOperators(ctx context.Context, rows *importer.Rows[importer.OperatorRow], commit bool) (importer.Outcome, error) {
	if err := mayImport(ctx, "operators"); err != nil {
		return importer.Outcome{}, err
	}
	// The API's role may not write the directory: the import writes it as the owner, the
	// audit trail naming the principal.
	return s.bulkImport(ctx, "importOperators", true, func(ctx context.Context, tx bun.Tx, copyFrom copyFunc) (importer.Outcome, error) {
		var out importer.Outcome
		_, err := tx.ExecContext(ctx, `CREATE TEMP TABLE import_operator_raw (
			line int NOT NULL, enterprise_number text NOT NULL, name text NOT NULL, name_nl text, acronym text, kind text NOT NULL,
			legal_form text NOT NULL, seat_commune text, street text, postcode text, languages text[] NOT NULL, website text,
			description text, source text NOT NULL) ON COMMIT DROP`)
		if err != nil {
			return out, fmt.Errorf("temporary table: %w", err)
		}
		copied, err := copyFrom(ctx, "import_operator_raw", []string{"line", "enterprise_number", "name", "name_nl", "acronym", "kind",
			"legal_form", "seat_commune", "street", "postcode", "languages", "website", "description", "source"},
			&rowSource[importer.OperatorRow]{rows: rows, values: func(r importer.OperatorRow) []any {
				return []any{r.Line, r.EnterpriseNumber, r.Name, nullable(r.NameNL), nullable(r.Acronym), r.Kind, r.LegalForm,
					nullable(r.SeatCommune), nullable(r.Street), nullable(r.Postcode), r.Languages, nullable(r.Website),
					nullable(r.Description), r.Source}
			}})
		if err != nil {
			return out, err
		}
		_, err = tx.ExecContext(ctx, `CREATE TEMP TABLE import_operator ON COMMIT DROP AS
			SELECT r.*, lf.id AS legal_form_id, c.id AS seat_commune_id, s.id AS source_id
			FROM import_operator_raw r
			LEFT JOIN legal_form lf ON lf.code = r.legal_form
			LEFT JOIN territory c ON c.kind = 'commune' AND c.nis_code = r.seat_commune
			LEFT JOIN source s ON s.code = r.source`)
		if err != nil {
			return out, fmt.Errorf("resolve codes: %w", err)
		}
		const from = " FROM import_operator WHERE "
		out, err = collectProblems(ctx, tx, []string{
			"SELECT line, 'legal_form' AS field, format('unknown legal form %L', legal_form) AS reason" + from + "legal_form_id IS NULL",
			"SELECT line, 'seat_commune', format('unknown commune: no commune has NIS code %s', seat_commune)" + from + "seat_commune IS NOT NULL AND seat_commune_id IS NULL",
			"SELECT line, 'source', format('unknown source %L', source)" + from + "source_id IS NULL",
		}, `SELECT line, 'enterprise_number', format('duplicate within the file: line %s has the same enterprise number %s', first, enterprise_number)
			FROM (SELECT line, enterprise_number, first_value(line) OVER (PARTITION BY enterprise_number ORDER BY line) AS first FROM import_operator) x
			WHERE line <> first`)
		if err != nil {
			return out, err
		}
		same := "o.name = t.name AND o.kind = t.kind AND o.legal_form_id = t.legal_form_id AND o.source_id = t.source_id"
		set := "name = t.name, kind = t.kind, legal_form_id = t.legal_form_id, source_id = t.source_id"
		for _, c := range operatorOptional {
			if rows.Present(c.key) {
				same += fmt.Sprintf(" AND o.%s IS NOT DISTINCT FROM %s", c.column, c.value)
				set += fmt.Sprintf(", %s = %s", c.column, c.value)
			}
		}
		_, err = tx.ExecContext(ctx, `CREATE TEMP TABLE import_match ON COMMIT DROP AS
			SELECT t.line, o.id, `+same+` AS same
			FROM import_operator t JOIN operator o ON o.enterprise_number = t.enterprise_number
			WHERE NOT EXISTS (SELECT FROM import_problem p WHERE p.line = t.line)`)
		if err != nil {
			return out, fmt.Errorf("match stored operators: %w", err)
		}
		if err := classify(ctx, tx, &out, copied); err != nil {
			return out, err
		}
		if !commit || out.ProblemCount > 0 || !rows.Clean() {
			return out, nil
		}
		if out.Created > 0 {
			_, err = tx.ExecContext(ctx, `INSERT INTO operator (enterprise_number, name, name_nl, acronym, legal_form_id, kind, languages,
					street, postcode, seat_commune_id, website, description, source_id)
				SELECT enterprise_number, name, name_nl, acronym, legal_form_id, kind, languages, street, postcode, seat_commune_id,
					website, description, source_id
				FROM import_operator t WHERE NOT EXISTS (SELECT FROM import_match m WHERE m.line = t.line)`)
			if err != nil {
				return out, fmt.Errorf("create operators: %w", err)
			}
		}
		if out.Updated > 0 {
			_, err = tx.ExecContext(ctx, `UPDATE operator o SET `+set+`
				FROM import_match m JOIN import_operator t ON t.line = m.line WHERE o.id = m.id AND NOT m.same`)
			if err != nil {
				return out, fmt.Errorf("update operators: %w", err)
			}
		}
		out.Committed = true
		return out, nil
	})
}
