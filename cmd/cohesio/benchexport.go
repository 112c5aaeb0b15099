package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"

	"github.com/urfave/cli/v3"

	"github.com/cohesio/cohesio/internal/store"
	"github.com/cohesio/cohesio/internal/tabular"
)

func benchExportCommand() *cli.Command {
	return &cli.Command{
		Name:  "exports",
		Usage: "measure the dataset exports: rows per second and peak memory, per format",
		Description: "Loads the synthetic dataset first if the database holds none, then writes the dataset\n" +
			"in each format with a child `cohesio export` process, --runs times, and reports the\n" +
			"median throughput and the child's peak resident memory (the export's whole footprint).",
		Flags: []cli.Flag{
			databaseURLFlag, dataDirFlag,
			&cli.IntFlag{Name: "scale", Value: 1, Usage: "scale of the synthetic data loaded when the database holds none"},
			&cli.Uint64Flag{Name: "seed", Value: 42, Usage: "seed of the synthetic data loaded when the database holds none"},
			&cli.StringFlag{Name: "dataset", Value: "observations", Usage: "dataset to export"},
			&cli.IntFlag{Name: "runs", Value: 3, Usage: "exports per format; the median is reported"},
			&cli.BoolFlag{Name: "json", Usage: "one JSON object per line and per format"},
		},
		Action: runBenchExport,
	}
}

// exportResult is one format's measurement.
type exportResult struct {
	Workload      string  `json:"workload"`
	Dataset       string  `json:"dataset"`
	Format        string  `json:"format"`
	Role          string  `json:"role"`
	Rows          int64   `json:"rows"`
	Bytes         int64   `json:"bytes"`
	Seconds       float64 `json:"seconds"`
	RowsPerSecond float64 `json:"rows_per_second"`
	PeakRSSMB     float64 `json:"peak_rss_mb"`
}

func runBenchExport(ctx context.Context, c *cli.Command) error {
	db, err := openDatabase(ctx, c, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	if err := ensureSyntheticData(ctx, c, db); err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "cohesio-bench-export-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	type run struct {
		format tabular.Format
		role   string
	}
	var runs []run
	for _, f := range tabular.Formats() {
		runs = append(runs, run{f, "analyst"})
	}
	// The same CSV for the public: the cost of small-cell suppression.
	runs = append(runs, run{tabular.CSV, "public"})
	out := c.Root().Writer
	if !c.Bool("json") {
		fmt.Fprintf(out, "%-12s %-10s %-8s %10s %12s %10s %14s %12s\n", "dataset", "format", "role", "rows", "MB", "seconds", "rows/s", "peak RSS MB")
	}
	for _, r := range runs {
		var results []exportResult
		for i := 0; i < int(max(c.Int("runs"), 1)); i++ {
			res, err := exportOnce(ctx, self, db.dsn(c), c.String("dataset"), r.format, r.role, filepath.Join(dir, "out"))
			if err != nil {
				return err
			}
			results = append(results, res)
		}
		slices.SortFunc(results, func(a, b exportResult) int { return int(a.RowsPerSecond - b.RowsPerSecond) })
		m := results[len(results)/2]
		for _, x := range results {
			m.PeakRSSMB = max(m.PeakRSSMB, x.PeakRSSMB)
		}
		if c.Bool("json") {
			b, _ := json.Marshal(m)
			fmt.Fprintln(out, string(b))
			continue
		}
		fmt.Fprintf(out, "%-12s %-10s %-8s %10d %12.1f %10.2f %14.0f %12.1f\n", m.Dataset, m.Format, m.Role, m.Rows, float64(m.Bytes)/1e6, m.Seconds, m.RowsPerSecond, m.PeakRSSMB)
	}
	return nil
}

// exportOnce runs `cohesio export` in a child process and reads its summary line and its
// peak resident memory.
func exportOnce(ctx context.Context, self, dsn, dataset string, f tabular.Format, role, path string) (exportResult, error) {
	cmd := exec.CommandContext(ctx, self, "export", dataset, "--format", string(f), "--out", path, "--role", role, "--database-url", dsn)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, io.MultiWriter(&stderr)
	if err := cmd.Run(); err != nil {
		return exportResult{}, fmt.Errorf("export %s as %s: %w\n%s", dataset, f, err, stderr.String())
	}
	var res exportResult
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		return exportResult{}, fmt.Errorf("export summary %q: %w", stdout.String(), err)
	}
	res.Workload = "export"
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		res.PeakRSSMB = float64(ru.Maxrss) / 1024 // kilobytes on Linux
	}
	return res, nil
}
