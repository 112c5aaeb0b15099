package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/urfave/cli/v3"

	"github.com/cohesio/cohesio/internal/importer"
)

func benchImportCommand() *cli.Command {
	return &cli.Command{
		Name:  "import",
		Usage: "measure importing a CSV of observations: a dry run, then a commit",
		Description: "Writes a CSV of --rows observation rows into a temporary file, all new and valid against\n" +
			"the database (an indicator and operators it holds, one day each, after the days earlier runs\n" +
			"wrote, citing the source bench-import), then imports it as `cohesio import observations`\n" +
			"does: a dry run, then a commit. Prints, for each, the rows per second and the peak resident\n" +
			"memory of this process (VmHWM) during it. What the commit writes stays in the database.",
		Flags: []cli.Flag{databaseURLFlag, dataDirFlag,
			&cli.IntFlag{Name: "rows", Value: 1000000, Usage: "observation rows in the file"},
			&cli.BoolFlag{Name: "json", Usage: "one JSON object per line and per phase (dry-run, commit)"},
		},
		Action: runBenchImport,
	}
}

// benchImportSource is the source the generated rows cite; the days of the rows it already
// has tell the next run where to start, so that every run's rows are new.
const benchImportSource = "bench-import"

// importPhase is the measurement of one import of the generated file.
type importPhase struct {
	Phase      string  `json:"phase"`
	Rows       int     `json:"rows"`
	Seconds    float64 `json:"seconds"`
	RowsPerSec float64 `json:"rows_per_s"`
	PeakRSSMB  float64 `json:"peak_rss_mb"`
}

func runBenchImport(ctx context.Context, c *cli.Command) error {
	n := int(c.Int("rows"))
	if n < 1 {
		return errorf("--rows must be at least 1, got %d", n)
	}
	// As `cohesio import` runs.
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(importMemoryLimit)
	}
	db, err := migrated(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	plan, err := planImportRows(ctx, db.dsn(c))
	if err != nil {
		return err
	}
	f, err := os.CreateTemp("", "cohesio-bench-import-*.csv")
	if err != nil {
		return fmt.Errorf("bench import: %w", err)
	}
	defer os.Remove(f.Name())
	if err := plan.write(f, n); err != nil {
		f.Close()
		return fmt.Errorf("bench import: write %s: %w", f.Name(), err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("bench import: %w", err)
	}

	out := c.Root().Writer
	if !c.Bool("json") {
		fmt.Fprintf(out, "%-8s %10s %9s %10s %12s\n", "phase", "rows", "seconds", "rows/s", "peak RSS MB")
	}
	for _, commit := range []bool{false, true} {
		p := importPhase{Phase: "dry-run", Rows: n}
		if commit {
			p.Phase = "commit"
		}
		resetPeakRSS()
		start := time.Now()
		rep, err := importFile(ctx, db, "observations", f.Name(), commit)
		if err != nil {
			return err
		}
		p.Seconds = time.Since(start).Seconds()
		if err := checkBenchReport(rep, n, commit); err != nil {
			return err
		}
		p.RowsPerSec = float64(n) / p.Seconds
		p.PeakRSSMB = float64(peakRSS()) / (1 << 20)
		if c.Bool("json") {
			b, _ := json.Marshal(p)
			fmt.Fprintln(out, string(b))
		} else {
			fmt.Fprintf(out, "%-8s %10d %9.2f %10.0f %12.1f\n", p.Phase, p.Rows, p.Seconds, p.RowsPerSec, p.PeakRSSMB)
		}
	}
	return nil
}

// checkBenchReport checks that the import did what the bench measures: every row new, none
// rejected, and written by the commit.
func checkBenchReport(rep *importer.Report, n int, commit bool) error {
	created := 0
	for _, e := range rep.Entities {
		created += e.Created
	}
	if rep.Rejected() || created != n || rep.Committed != commit {
		msg := ""
		if len(rep.Problems) > 0 {
			msg = ": " + rep.Problems[0].String()
		}
		return errorf("bench import: want %d new rows, %d created, %d problems, committed %v%s", n, created, rep.ProblemCount, rep.Committed, msg)
	}
	return nil
}

// importRows is what the generated rows refer to: an indicator counting whole numbers without
// breakdown, operators by enterprise number, and the first day free.
type importRows struct {
	indicator string
	operators []string
	first     time.Time
}

var importKinds = []string{"target", "realised", "baseline"}

// planImportRows reads the references of the rows from the database, and creates the source
// they cite if it is not there.
func planImportRows(ctx context.Context, dsn string) (importRows, error) {
	var p importRows
	pool, err := openBenchPool(ctx, dsn, 1)
	if err != nil {
		return p, err
	}
	defer pool.Close()
	_, err = pool.Exec(ctx, `INSERT INTO source (code, kind, title, note) VALUES ($1, 'illustrative',
		'Banc d''essai de l''import / Benchmark van de import', 'Fictitious observations written by the import benchmark')
		ON CONFLICT (code) DO NOTHING`, benchImportSource)
	if err != nil {
		return p, fmt.Errorf("bench import: source: %w", err)
	}
	err = pool.QueryRow(ctx, `SELECT code FROM indicator WHERE disaggregations = '{}'
		AND unit IN ('persons', 'actions', 'files', 'sessions', 'count') ORDER BY id LIMIT 1`).Scan(&p.indicator)
	if err != nil {
		return p, fmt.Errorf("bench import: no indicator counting persons, actions, files, sessions or a count without breakdown (seed the database first): %w", err)
	}
	rows, err := pool.Query(ctx, "SELECT enterprise_number FROM operator WHERE enterprise_number IS NOT NULL ORDER BY id LIMIT 20")
	if err != nil {
		return p, fmt.Errorf("bench import: operators: %w", err)
	}
	if p.operators, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		return p, fmt.Errorf("bench import: operators: %w", err)
	}
	if len(p.operators) == 0 {
		return p, errorf("bench import: no operator with an enterprise number (seed the database first)")
	}
	// One day per row and (operator, kind), from the year 1000 on: days no real data has, after
	// those earlier runs wrote.
	err = pool.QueryRow(ctx, `SELECT coalesce(max(o.period_end) + 1, date '1000-01-01')::timestamp
		FROM observation o JOIN source s ON s.id = o.source_id WHERE s.code = $1`, benchImportSource).Scan(&p.first)
	if err != nil {
		return p, fmt.Errorf("bench import: first day: %w", err)
	}
	return p, nil
}

// write writes n rows of CSV to w, streaming: each row a new (operator, kind, day).
func (p importRows) write(w io.Writer, n int) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.WriteString("indicator;operator;period start;period end;granularity;kind;value;source\n")
	per := len(p.operators) * len(importKinds)
	line := make([]byte, 0, 128)
	for i := range n {
		day := p.first.AddDate(0, 0, i/per).Format(time.DateOnly)
		line = append(line[:0], p.indicator...)
		line = append(line, ';')
		line = append(line, p.operators[i%len(p.operators)]...)
		line = append(line, ';')
		line = append(line, day...)
		line = append(line, ';')
		line = append(line, day...)
		line = append(line, ";range;"...)
		line = append(line, importKinds[(i/len(p.operators))%len(importKinds)]...)
		line = append(line, ';')
		line = strconv.AppendInt(line, int64(1+i%100), 10)
		line = append(line, ';')
		line = append(line, benchImportSource...)
		line = append(line, '\n')
		if _, err := bw.Write(line); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// resetPeakRSS starts a new peak of the process's resident memory (Linux: VmHWM is reset by
// writing 5 to clear_refs); where it cannot, peakRSS reports the peak since the start.
func resetPeakRSS() {
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// peakRSS is the peak resident memory of the process in bytes: VmHWM, or getrusage's Maxrss
// where /proc is not there.
func peakRSS() int64 {
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for line := range strings.SplitSeq(string(b), "\n") {
			if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				f := strings.Fields(rest)
				if kb, err := strconv.ParseInt(f[0], 10, 64); err == nil && len(f) == 2 && f[1] == "kB" {
					return kb << 10
				}
			}
		}
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Maxrss << 10 // kilobytes on Linux
}
