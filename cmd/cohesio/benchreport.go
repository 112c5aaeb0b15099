package main

import (
	"context"

	"github.com/urfave/cli/v3"

	"github.com/cohesio/cohesio/bench"
	"github.com/cohesio/cohesio/internal/server"
)

func benchReportCommand() *cli.Command {
	return &cli.Command{
		Name:  "report",
		Usage: "measure rendering the annual evaluation report as HTML and as PDF, cold and warm",
		Description: "Renders the report on --year from the database as it is (seed a synthetic database first for\n" +
			"figures at scale: cohesio seed synthetic --scale 1), once cold and --rounds times warm, as HTML\n" +
			"and then as PDF (the cold PDF includes starting Chromium). Nothing is published.",
		Flags: []cli.Flag{databaseURLFlag, dataDirFlag, chromiumFlag,
			&cli.IntFlag{Name: "year", Value: 2025, Usage: "the year the report is on"},
			&cli.IntFlag{Name: "rounds", Value: 5, Usage: "warm renderings per format"},
			&cli.BoolFlag{Name: "json", Usage: "one JSON object per line and per format"},
		},
		Action: func(ctx context.Context, c *cli.Command) error {
			if c.Int("rounds") < 1 {
				return errorf("--rounds must be at least 1")
			}
			db, err := migrated(ctx, c)
			if err != nil {
				return err
			}
			defer db.Close()
			_, pages, err := server.Build(server.Config{Store: db.Store})
			if err != nil {
				return err
			}
			printer := newPrinter(c.String(chromiumFlag.Name))
			defer printer.Close()
			out := bench.NewReportPrinter(c.Root().Writer, c.Bool("json"))
			return bench.RunReport(ctx, pages, printer, int(c.Int("year")), int(c.Int("rounds")), out.Print)
		},
	}
}
