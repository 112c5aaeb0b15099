package main

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/cohesio/cohesio/bench"
	"github.com/cohesio/cohesio/internal/store"
)

func benchCollectionCommand() *cli.Command {
	return &cli.Command{
		Name:  "collection",
		Usage: "measure the reporting cycle: saving a full report and validating a campaign",
		Description: "Sets up a fictitious programme with its indicators, operators (two sites each), a report\n" +
			"template of 200 answers and campaigns, under codes of their own (any database will do, and\n" +
			"again). Then, for each number of clients, each an operator saving its own report, measures\n" +
			"saving all 200 answers, every value changed (p50, p99, saves per second); then fills and\n" +
			"submits --submissions reports (not measured) and measures an administrator validating\n" +
			"them one after the other (in all, and p50 and p99 per report). It calls the store, not the\n" +
			"GraphQL API. What it writes stays in the database, marked fictitious.",
		Flags: []cli.Flag{
			databaseURLFlag,
			dataDirFlag,
			&cli.StringFlag{Name: "clients", Value: "1,8", Usage: "numbers of operators saving at the same time, comma-separated: one measurement each"},
			&cli.DurationFlag{Name: "duration", Value: 10 * time.Second, Usage: "how long reports are saved per client count"},
			&cli.IntFlag{Name: "saves", Usage: "make exactly this many saves per client count instead (overrides --duration)"},
			&cli.IntFlag{Name: "submissions", Value: 350, Usage: "reports in the campaign validated"},
			&cli.BoolFlag{Name: "json", Usage: "one JSON object per line and per measurement"},
		},
		Action: runBenchCollection,
	}
}

func runBenchCollection(ctx context.Context, c *cli.Command) error {
	clients, err := parseClients(c.String("clients"))
	if err != nil {
		return err
	}
	budget := bench.Budget{Duration: c.Duration("duration"), Requests: int(c.Int("saves"))}
	if budget.Requests < 0 || budget.Requests == 0 && budget.Duration <= 0 {
		return errorf("give a positive --duration or --saves")
	}
	if c.Int("submissions") < 1 {
		return errorf("--submissions must be at least 1, got %d", c.Int("submissions"))
	}
	// As many connections as the most clients (4 at least), so that no client ever waits for one.
	db, err := openDatabase(ctx, c, store.Options{MaxConns: int32(max(slices.Max(clients), 4))})
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	printer := bench.NewCollectionPrinter(c.Root().Writer, c.Bool("json"))
	cfg := bench.CollectionConfig{Clients: clients, Budget: budget, Submissions: int(c.Int("submissions")), Log: slog.Default()}
	return bench.RunCollection(ctx, db.Store, cfg, printer.Print)
}
