package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/cohesio/cohesio/internal/demo"
	"github.com/cohesio/cohesio/internal/store"
	"github.com/cohesio/cohesio/internal/synthetic"
)

func seedCommand() *cli.Command {
	flags := []cli.Flag{databaseURLFlag, dataDirFlag}
	return &cli.Command{
		Name:  "seed",
		Usage: "load data into an empty or demo database",
		Commands: []*cli.Command{
			{
				Name:  "demo",
				Usage: "load the demo dataset drawn from the source documents (into an empty database)",
				Flags: flags,
				Action: func(ctx context.Context, c *cli.Command) error {
					db, err := migrated(ctx, c)
					if err != nil {
						return err
					}
					defer db.Close()
					loaded, err := loadDemo(ctx, db)
					if err != nil {
						return err
					}
					if !loaded {
						return errorf("the database already holds data; the demo dataset loads into an empty database")
					}
					fmt.Println("demo dataset loaded")
					return nil
				},
			},
			{
				Name:  "synthetic",
				Usage: "generate a large deterministic dataset for performance work (loads the demo reference data first if the database is empty)",
				Flags: append(flags,
					&cli.IntFlag{Name: "scale", Value: 1, Usage: "1 = about 2,000 operators, 20,000 projects, 1,000,000 observations"},
					&cli.Uint64Flag{Name: "seed", Value: 42, Usage: "same seed and scale, same data"},
				),
				Action: seedSynthetic,
			},
		},
	}
}

func migrated(ctx context.Context, c *cli.Command) (*database, error) {
	// The suppression threshold, on the commands that have the flag, is the store's: every
	// output reads the published cells it defines.
	db, err := openDatabase(ctx, c, store.Options{SuppressionThreshold: int(c.Int(thresholdFlag.Name))})
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func seedSynthetic(ctx context.Context, c *cli.Command) error {
	scale := int(c.Int("scale"))
	if scale < 1 {
		return errorf("--scale must be at least 1, got %d", scale)
	}
	db, err := migrated(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	return loadSynthetic(ctx, db, scale, c.Uint64("seed"), os.Stdout)
}

// loadSynthetic loads the demo reference data into an empty database, then the synthetic
// dataset, and writes a summary to out.
func loadSynthetic(ctx context.Context, db *database, scale int, seed uint64, out io.Writer) error {
	if _, err := loadDemo(ctx, db); err != nil {
		return err
	}
	progress := newProgress(os.Stderr)
	stats, err := synthetic.Generate(ctx, db.Store, synthetic.Options{Scale: scale, Seed: seed, Progress: progress.update})
	progress.done()
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "synthetic data loaded in %s: %+v\n", stats.Elapsed.Round(time.Millisecond), stats)
	return nil
}

// loadDemo loads the demo dataset when the database is empty, and reports whether it did.
func loadDemo(ctx context.Context, db *database) (bool, error) {
	empty, err := db.Empty(ctx)
	if err != nil || !empty {
		return false, err
	}
	if err := demo.Load(ctx, db.Store); err != nil {
		return false, fmt.Errorf("load demo data: %w", err)
	}
	return true, nil
}
