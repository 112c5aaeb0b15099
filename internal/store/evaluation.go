package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/cohesion"
	"github.com/cohesio/cohesio/internal/evaluation"
)

// evaluatorsOnly refuses the request unless it is the support centre's (analysts) or the
// administration's, or the platform's own work. Row-level security says the same.
func evaluatorsOnly(ctx context.Context, what string) error {
	if p, ok := access.PrincipalIn(ctx); ok && p.Role != access.Admin && p.Role != access.Analyst {
		return fmt.Errorf("%w: %s only by the evaluators (analysts) and the administration", access.ErrForbidden, what)
	}
	return nil
}

// author names who writes: the principal's subject, else its role; the platform's own work is
// "system".
func author(ctx context.Context) string {
	p, ok := access.PrincipalIn(ctx)
	switch {
	case !ok:
		return "system"
	case p.Subject != "":
		return p.Subject
	}
	return string(p.Role)
}

// Narratives returns the commentary written for year's report, by section key, as the
// request's principal (evaluators and administrators read drafts; others read none).
func (s *Store) Narratives(ctx context.Context, year int) (map[string]*evaluation.Narrative, error) {
	out := map[string]*evaluation.Narrative{}
	err := s.transactAs(ctx, func(ctx context.Context, tx bun.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT section, body_fr, body_nl, version, updated_at, updated_by
			FROM evaluation_narrative WHERE year = ?`, year)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			n := &evaluation.Narrative{Year: year}
			if err := rows.Scan(&n.Section, &n.BodyFr, &n.BodyNl, &n.Version, &n.UpdatedAt, &n.UpdatedBy); err != nil {
				return err
			}
			out[n.Section] = n
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("narratives of %d: %w", year, err)
	}
	return out, nil
}

// SaveNarrative writes the commentary of one section of one year's report. version is the
// version the evaluator edited: 0 for a section not written yet. A stale version is refused
// with a ConflictError, so that two evaluators never overwrite each other's text.
func (s *Store) SaveNarrative(ctx context.Context, key *string, n evaluation.Narrative, version int) (Result, error) {
	request := struct {
		N       evaluation.Narrative
		Version int
	}{n, version}
	return s.mutate(ctx, key, "saveEvaluationNarrative", request, func(ctx context.Context, tx bun.Tx) (Result, error) {
		if err := evaluatorsOnly(ctx, "the evaluation report is written"); err != nil {
			return Result{}, err
		}
		if err := n.Validate(); err != nil {
			return Result{}, err
		}
		if version < 0 {
			return Result{}, cohesion.Invalid("version", "0 for a new section, else the version read")
		}
		what := fmt.Sprintf("commentary on %s %d", n.Section, n.Year)
		if version == 0 {
			res, err := tx.ExecContext(ctx, `INSERT INTO evaluation_narrative (year, section, body_fr, body_nl, updated_by)
				VALUES (?, ?, ?, ?, ?) ON CONFLICT (year, section) DO NOTHING`, n.Year, n.Section, n.BodyFr, n.BodyNl, author(ctx))
			if err != nil {
				return Result{}, fmt.Errorf("insert %s: %w", what, err)
			}
			if k, _ := res.RowsAffected(); k == 1 {
				return Result{Version: 1}, nil
			}
		}
		// The row lock makes two saves of one section queue, so the version check is exact.
		var cur int
		err := tx.QueryRowContext(ctx, "SELECT version FROM evaluation_narrative WHERE year = ? AND section = ? FOR UPDATE",
			n.Year, n.Section).Scan(&cur)
		if errors.Is(err, sql.ErrNoRows) {
			return Result{}, &cohesion.ConflictError{What: what, Current: 0, Sent: version}
		}
		if err != nil {
			return Result{}, fmt.Errorf("lock %s: %w", what, err)
		}
		if cur != version {
			return Result{}, &cohesion.ConflictError{What: what, Current: cur, Sent: version}
		}
		_, err = tx.ExecContext(ctx, `UPDATE evaluation_narrative SET body_fr = ?, body_nl = ?, version = version + 1,
			updated_at = now(), updated_by = ? WHERE year = ? AND section = ?`, n.BodyFr, n.BodyNl, author(ctx), n.Year, n.Section)
		if err != nil {
			return Result{}, fmt.Errorf("update %s: %w", what, err)
		}
		return Result{Version: cur + 1}, nil
	})
}

// Rendition is one language's rendering of a report, as one self-contained HTML document.
type Rendition struct {
	Lang cohesion.Lang
	HTML []byte
}

// PublishedReport is a frozen rendition: its id is the SHA-256 of its HTML.
type PublishedReport struct {
	ID          string
	Publication int64
	Year        int
	Lang        cohesion.Lang
	Size        int
	PublishedAt time.Time
	PublishedBy string
}

// PublishReport freezes year's report: the renditions are stored, immutable, under their
// hashes, in one transaction, as publication Result.ID. A retry with the same key publishes
// nothing more.
func (s *Store) PublishReport(ctx context.Context, key *string, year int, renditions []Rendition) (Result, error) {
	// The request a key stands for is the year: a retry renders again, with another date.
	request := struct{ Year int }{year}
	return s.mutate(ctx, key, "publishAnnualReport", request, func(ctx context.Context, tx bun.Tx) (Result, error) {
		if err := evaluatorsOnly(ctx, "the evaluation report is published"); err != nil {
			return Result{}, err
		}
		if err := evaluation.CheckYear("year", year); err != nil {
			return Result{}, err
		}
		if len(renditions) == 0 {
			return Result{}, cohesion.Invalid("renditions", "nothing to publish")
		}
		var pub int64
		if err := tx.QueryRowContext(ctx, "SELECT nextval('report_publication_seq')").Scan(&pub); err != nil {
			return Result{}, fmt.Errorf("number the publication: %w", err)
		}
		for _, r := range renditions {
			sum := sha256.Sum256(r.HTML)
			id := hex.EncodeToString(sum[:])
			_, err := tx.ExecContext(ctx, `INSERT INTO published_report (id, publication, year, lang, size, published_by)
				VALUES (?, ?, ?, ?, ?, ?)`, id, pub, year, string(r.Lang), len(r.HTML), author(ctx))
			if err != nil {
				return Result{}, fmt.Errorf("publish the %s report of %d: %w", r.Lang, year, err)
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO published_report_document (report_id, html) VALUES (?, ?)", id, r.HTML); err != nil {
				return Result{}, fmt.Errorf("store the %s report of %d: %w", r.Lang, year, err)
			}
		}
		return Result{ID: pub, Version: 1}, nil
	})
}

const publishedColumns = "id, publication, year, lang, size, published_at, published_by"

func scanPublished(rows *sql.Rows) (*PublishedReport, error) {
	p := new(PublishedReport)
	err := rows.Scan(&p.ID, &p.Publication, &p.Year, &p.Lang, &p.Size, &p.PublishedAt, &p.PublishedBy)
	return p, err
}

// PublishedReports lists the publications of year's report (every year when year is 0),
// newest first.
func (s *Store) PublishedReports(ctx context.Context, year int) ([]*PublishedReport, error) {
	var out []*PublishedReport
	err := s.transactAs(ctx, func(ctx context.Context, tx bun.Tx) error {
		rows, err := tx.QueryContext(ctx, "SELECT "+publishedColumns+` FROM published_report
			WHERE ? = 0 OR year = ? ORDER BY publication DESC, lang`, year, year)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			p, err := scanPublished(rows)
			if err != nil {
				return err
			}
			out = append(out, p)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("published reports: %w", err)
	}
	return out, nil
}

// PublishedReportByID returns a publication and its document; cohesion.ErrNotFound when
// there is none.
func (s *Store) PublishedReportByID(ctx context.Context, id string) (*PublishedReport, []byte, error) {
	var p *PublishedReport
	var html []byte
	err := s.transactAs(ctx, func(ctx context.Context, tx bun.Tx) error {
		rows, err := tx.QueryContext(ctx, "SELECT "+publishedColumns+" FROM published_report WHERE id = ?", id)
		if err != nil {
			return err
		}
		defer rows.Close()
		if !rows.Next() {
			return rows.Err()
		}
		if p, err = scanPublished(rows); err != nil {
			return err
		}
		rows.Close()
		return tx.QueryRowContext(ctx, "SELECT html FROM published_report_document WHERE report_id = ?", id).Scan(&html)
	})
	if err != nil {
		return nil, nil, fmt.Errorf("published report %s: %w", id, err)
	}
	if p == nil {
		return nil, nil, fmt.Errorf("published report %s: %w", id, cohesion.ErrNotFound)
	}
	return p, html, nil
}
