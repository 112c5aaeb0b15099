package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"sync/atomic"

	"github.com/urfave/cli/v3"

	"github.com/cohesio/cohesio/internal/importer"
)

func importCommand() *cli.Command {
	return &cli.Command{
		Name:      "import",
		Usage:     "check and import a spreadsheet (" + strings.Join(importer.Kinds(), ", ") + "): a dry run unless --commit",
		ArgsUsage: "KIND FILE",
		Description: "Reads FILE (CSV with ';' or ',', UTF-8 or Windows-1252, or XLSX; headers in French, Dutch\n" +
			"or English) and reports, per entity, what it creates, updates, leaves unchanged or rejects,\n" +
			"with every problem by line and column. Without --commit nothing is written; with it, the\n" +
			"whole file is written in one transaction, or nothing when any row is rejected. The exit\n" +
			"status is 1 when something is rejected. On a terminal a progress line is drawn on stderr.\n" +
			"Templates: GET /imports/templates/KIND.xlsx on a running server, or --template.",
		Flags: []cli.Flag{databaseURLFlag, dataDirFlag,
			&cli.BoolFlag{Name: "commit", Usage: "write the rows (all or nothing); without it, a dry run"},
			&cli.BoolFlag{Name: "json", Usage: "print the report as JSON"},
			&cli.BoolFlag{Name: "template", Usage: "write the XLSX template of KIND to FILE instead (- for stdout), without the database"},
		},
		Action: runImport,
	}
}

// importMemoryLimit is the Go heap's soft limit during an import, unless GOMEMLIMIT says
// otherwise: rows stream, and collecting their garbage sooner keeps the process small.
const importMemoryLimit = 64 << 20

func runImport(ctx context.Context, c *cli.Command) error {
	if c.Args().Len() != 2 {
		return errorf("give the kind (%s) and the file", strings.Join(importer.Kinds(), " or "))
	}
	kind, path := c.Args().Get(0), c.Args().Get(1)
	if _, ok := importer.KindColumns(kind); !ok {
		return errorf("no import of kind %q: choose %s", kind, strings.Join(importer.Kinds(), " or "))
	}
	if c.Bool("template") {
		return writeTemplate(kind, path, c.Root().Writer)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(importMemoryLimit)
	}
	db, err := migrated(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := importFile(ctx, db, kind, path, c.Bool("commit"))
	if err != nil {
		return err
	}
	out := c.Root().Writer
	if c.Bool("json") {
		b, _ := json.MarshalIndent(rep, "", "  ")
		fmt.Fprintln(out, string(b))
	} else {
		printReport(out, rep)
	}
	if rep.Rejected() {
		return errorf("%d problems in %s: nothing written", rep.ProblemCount, path)
	}
	return nil
}

// importFile imports the file at path into db, drawing its progress on stderr when stderr is a
// terminal: what `cohesio import` and `cohesio bench import` run.
func importFile(ctx context.Context, db *database, kind, path string, commit bool) (*importer.Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	bar := newProgress(os.Stderr)
	read := &readCounter{r: f}
	opts := importer.Options{Commit: commit}
	if bar.terminal {
		opts.Progress = func(int) { bar.update("import "+kind+" (bytes)", read.n.Load(), fi.Size()) }
	}
	rep, err := importer.Run(ctx, kind, read, db.Store, opts)
	bar.done()
	return rep, err
}

func writeTemplate(kind, path string, stdout io.Writer) error {
	if path == "-" {
		return importer.WriteTemplate(stdout, kind)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := importer.WriteTemplate(f, kind); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// printReport writes a report for people: what happened, then the problems.
func printReport(w io.Writer, rep *importer.Report) {
	mode := "dry run: nothing written"
	switch {
	case rep.Committed:
		mode = "committed"
	case rep.Commit:
		mode = "rejected: nothing written"
	}
	read := string(rep.Format)
	if rep.Encoding != "" {
		read += ", " + rep.Encoding + ", separator " + rep.Separator
	}
	fmt.Fprintf(w, "import %s (%s): %d rows, %s\n", rep.Kind, read, rep.Rows, mode)
	fmt.Fprintf(w, "%-14s %10s %10s %10s %10s\n", "entity", "created", "updated", "unchanged", "rejected")
	for _, e := range rep.Entities {
		fmt.Fprintf(w, "%-14s %10d %10d %10d %10d\n", e.Entity, e.Created, e.Updated, e.Unchanged, e.Rejected)
	}
	if rep.ProblemCount == 0 {
		return
	}
	fmt.Fprintf(w, "%d problems:\n", rep.ProblemCount)
	for _, p := range rep.Problems {
		fmt.Fprintln(w, "  "+p.String())
	}
	if more := rep.ProblemCount - len(rep.Problems); more > 0 {
		fmt.Fprintf(w, "  ... and %d more\n", more)
	}
}

// readCounter counts the bytes read, for the progress line (read from another goroutine).
type readCounter struct {
	r io.Reader
	n atomic.Int64
}

func (c *readCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}
