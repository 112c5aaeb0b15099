package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/cohesio/cohesio/graph"
	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/catalog"
	"github.com/cohesio/cohesio/internal/dataset"
	"github.com/cohesio/cohesio/internal/store"
	"github.com/cohesio/cohesio/internal/tabular"
)

var (
	roleFlag = &cli.StringFlag{
		Name:    "role",
		Usage:   "role the output is for: admin, analyst, coordinator, operator, researcher or public (below analyst, small person counts are suppressed)",
		Value:   string(access.Analyst),
		Sources: cli.EnvVars("COHESIO_EXPORT_ROLE"),
	}
	thresholdFlag = &cli.IntFlag{
		Name:    "suppression-threshold",
		Usage:   "person counts below this are withheld from roles below analyst",
		Value:   5,
		Sources: cli.EnvVars("COHESIO_SUPPRESSION_THRESHOLD"),
	}
)

func exportCommand() *cli.Command {
	var names []string
	if cat, err := catalog.Default(); err == nil {
		if c, err := dataset.NewCatalogue(cat); err == nil {
			for _, d := range c.Datasets() {
				names = append(names, d.Name)
			}
		}
	}
	var formats []string
	for _, f := range tabular.Formats() {
		formats = append(formats, string(f))
	}
	return &cli.Command{
		Name:      "export",
		Usage:     "write a dataset to a file (" + strings.Join(names, ", ") + ")",
		ArgsUsage: "DATASET",
		Description: "Streams the dataset from the database into --out. On a terminal a progress line is drawn on\n" +
			"stderr; otherwise the only output is one JSON line on stdout describing what was written.",
		Flags: []cli.Flag{databaseURLFlag, dataDirFlag, roleFlag, thresholdFlag,
			&cli.StringFlag{Name: "format", Value: "csv", Usage: strings.Join(formats, ", ")},
			&cli.StringFlag{Name: "out", Usage: "file to write; - for stdout", Required: true},
			&cli.StringFlag{Name: "filter", Usage: "JSON filter on the dataset's entity, as in the GraphQL read API"},
			&cli.BoolFlag{Name: "snapshot", Usage: "freeze the rows into an immutable snapshot first, and write the snapshot"},
		},
		Action: runExport,
	}
}

// exportMemoryLimit is the Go heap's soft limit during an export, unless GOMEMLIMIT says
// otherwise: the XLSX writer makes much short-lived garbage, and collecting it sooner keeps
// the process well under 100 MB whatever the size of the export.
const exportMemoryLimit = 64 << 20

func runExport(ctx context.Context, c *cli.Command) error {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(exportMemoryLimit)
	}
	if c.Args().Len() != 1 {
		return errorf("give one dataset name")
	}
	format, err := tabular.ParseFormat(c.String("format"))
	if err != nil {
		return err
	}
	role, err := access.ParseRole(c.String("role"))
	if err != nil {
		return err
	}
	db, err := migrated(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	svc, err := datasetService(db.Store)
	if err != nil {
		return err
	}
	d := svc.Catalogue().Dataset(c.Args().First())
	if d == nil {
		return errorf("no dataset %q", c.Args().First())
	}
	cat, _ := catalog.Default()
	filter, err := graph.FilterFromJSON(cat, d.Entity, []byte(c.String("filter")))
	if err != nil {
		return err
	}
	req := dataset.Request{Dataset: d, Filter: filter, Role: role}

	var out io.Writer = os.Stdout
	if path := c.String("out"); path != "-" {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		defer f.Close()
		out = f
	}
	counter := &byteCounter{w: out}
	start := time.Now()
	bar := newProgress(os.Stderr)
	if bar.terminal {
		total, err := svc.Count(ctx, req)
		if err != nil {
			return err
		}
		req.Progress = func(n int64) { bar.update(d.Name, n, total) }
	}
	summary := map[string]any{"dataset": d.Name, "format": format, "out": c.String("out"), "role": role}
	var rows int64
	if c.Bool("snapshot") {
		snap, _, err := svc.CreateSnapshot(ctx, req, json.RawMessage(c.String("filter")))
		if err != nil {
			return err
		}
		summary["snapshot"] = snap.ID
		rows, err = svc.ExportSnapshot(ctx, snap, counter, format)
		if err != nil {
			return err
		}
	} else if rows, err = svc.Export(ctx, req, counter, format); err != nil {
		return err
	}
	bar.done()
	secs := time.Since(start).Seconds()
	summary["rows"], summary["bytes"], summary["seconds"] = rows, counter.n, secs
	if secs > 0 {
		summary["rows_per_second"] = int64(float64(rows) / secs)
	}
	line, _ := json.Marshal(summary)
	if c.String("out") == "-" {
		fmt.Fprintln(c.Root().ErrWriter, string(line))
	} else {
		fmt.Fprintln(c.Root().Writer, string(line))
	}
	return nil
}

func datasetService(st *store.Store) (*dataset.Service, error) {
	cat, err := catalog.Default()
	if err != nil {
		return nil, err
	}
	c, err := dataset.NewCatalogue(cat)
	if err != nil {
		return nil, err
	}
	return dataset.NewService(st, c), nil
}

type byteCounter struct {
	w io.Writer
	n int64
}

func (b *byteCounter) Write(p []byte) (int, error) {
	n, err := b.w.Write(p)
	b.n += int64(n)
	return n, err
}
