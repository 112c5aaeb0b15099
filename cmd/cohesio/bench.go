package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/urfave/cli/v3"

	"github.com/cohesio/cohesio/bench"
	"github.com/cohesio/cohesio/internal/server"
	"github.com/cohesio/cohesio/internal/store"
)

func benchCommand() *cli.Command {
	return &cli.Command{
		Name:  "bench",
		Usage: "measure the GraphQL API against hand-written SQL on the synthetic dataset",
		Description: "Loads the synthetic dataset first if the database holds none (as `seed synthetic`),\n" +
			"serves the API on two loopback ports (the planned path: the read planner answers a read\n" +
			"with one SQL statement; and the resolvers only), checks that each workload's GraphQL\n" +
			"answers (both paths) and SQL answers (both modes) agree, then for each number of clients\n" +
			"measures the latency (p50, p95) of the GraphQL request on each path and of the SQL sent\n" +
			"prepared (cached prepared statements, pgx's default) and simple (the same SQL unprepared),\n" +
			"and prints one row per (workload, clients, path, SQL mode) with the ratio of the p50s.\n" +
			"The workloads are the files in bench/queries/.",
		Flags: []cli.Flag{
			databaseURLFlag,
			dataDirFlag,
			&cli.IntFlag{Name: "scale", Value: 1, Usage: "scale of the synthetic data loaded when the database holds none"},
			&cli.Uint64Flag{Name: "seed", Value: 42, Usage: "seed of the synthetic data loaded when the database holds none"},
			&cli.StringFlag{Name: "clients", Value: "1,8", Usage: "numbers of concurrent clients, comma-separated: one measurement each"},
			&cli.DurationFlag{Name: "duration", Value: 10 * time.Second, Usage: "how long GraphQL requests are sent per workload, client count and path (the SQL then runs as many in each mode)"},
			&cli.IntFlag{Name: "requests", Usage: "send exactly this many requests per path and SQL mode instead (overrides --duration)"},
			&cli.BoolFlag{Name: "json", Usage: "one JSON object per line and per (workload, clients, path, sql_mode)"},
			&cli.StringFlag{Name: "path", Value: "both", Usage: "the GraphQL path measured: planned (the read planner), resolvers (gqlgen's resolvers only) or both"},
			&cli.StringSliceFlag{Name: "workload", Usage: "measure only this workload (repeatable)"},
			&cli.StringFlag{Name: "cpuprofile", Usage: "write a CPU profile of the measurements (servers and clients, one process) to this file, for go tool pprof"},
		},
		Action:   runBench,
		Commands: []*cli.Command{benchExportCommand(), benchFaultCommand(), benchCollectionCommand(), benchReportCommand(), benchImportCommand()},
	}
}

func runBench(ctx context.Context, c *cli.Command) error {
	clients, err := parseClients(c.String("clients"))
	if err != nil {
		return err
	}
	budget := bench.Budget{Duration: c.Duration("duration"), Requests: int(c.Int("requests"))}
	if budget.Requests < 0 || budget.Requests == 0 && budget.Duration <= 0 {
		return errorf("give a positive --duration or --requests")
	}
	all, err := bench.Workloads()
	if err != nil {
		return err
	}
	workloads, err := bench.Select(all, c.StringSlice("workload"))
	if err != nil {
		return err
	}
	if c.Int("scale") < 1 {
		return errorf("--scale must be at least 1, got %d", c.Int("scale"))
	}
	paths, err := parsePaths(c.String("path"))
	if err != nil {
		return err
	}

	// The GraphQL paths (one store, measured one after the other) and the SQL path each get a
	// pool of as many connections as the most clients (4 at least), so that no client ever
	// waits for a connection.
	conns := int32(max(slices.Max(clients), 4))
	db, err := openDatabase(ctx, c, store.Options{MaxConns: conns})
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
	pool, err := openBenchPool(ctx, db.dsn(c), conns)
	if err != nil {
		return err
	}
	defer pool.Close()

	// One server per path, over the same store, each on a loopback port of its own.
	var endpoints []bench.Endpoint
	for _, path := range paths {
		h, err := server.New(server.Config{Store: db.Store, Logger: slog.Default(), DisablePlanner: path == bench.PathResolvers})
		if err != nil {
			return err
		}
		base, stop, err := serveLoopback(h)
		if err != nil {
			return err
		}
		defer stop()
		endpoints = append(endpoints, bench.Endpoint{Path: path, URL: base + "/graphql"})
	}

	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = int(conns) // keep-alive for every client (per host:port: per path)
	defer transport.CloseIdleConnections()
	target := &bench.Target{
		Endpoints: endpoints,
		HTTP:      &http.Client{Transport: transport},
		DB:        pool,
	}
	printer := bench.NewPrinter(c.Root().Writer, c.Bool("json"))
	cfg := bench.Config{Clients: clients, Budget: budget, Log: slog.Default()}
	if file := c.String("cpuprofile"); file != "" {
		stop, err := startCPUProfile(file)
		if err != nil {
			return err
		}
		defer stop()
	}
	return target.Run(ctx, workloads, cfg, printer.Print)
}

// startCPUProfile profiles the process's CPU into file until stop is called.
func startCPUProfile(file string) (stop func(), err error) {
	f, err := os.Create(file)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// ensureSyntheticData loads the synthetic dataset of --scale and --seed, as `seed synthetic`
// does, unless the database already holds synthetic data.
func ensureSyntheticData(ctx context.Context, c *cli.Command, db *database) error {
	sources, err := syntheticSources(ctx, db.dsn(c))
	if err != nil {
		return err
	}
	if len(sources) > 0 {
		slog.Info("the database holds synthetic data: measuring it", "sources", strings.Join(sources, ", "))
		return nil
	}
	slog.Info("no synthetic data in the database: loading it", "scale", c.Int("scale"), "seed", c.Uint64("seed"))
	// The summary goes to stderr: stdout is for the results (--json).
	return loadSynthetic(ctx, db, int(c.Int("scale")), c.Uint64("seed"), os.Stderr)
}

// syntheticSources lists the codes of the synthetic sources in the database.
func syntheticSources(ctx context.Context, dsn string) ([]string, error) {
	pool, err := openBenchPool(ctx, dsn, 1)
	if err != nil {
		return nil, err
	}
	defer pool.Close()
	rows, err := pool.Query(ctx, "SELECT code FROM source WHERE kind = 'synthetic' ORDER BY code")
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// dsn is the URL of the database db is connected to.
func (db *database) dsn(c *cli.Command) string {
	if db.cluster != nil {
		return db.cluster.DSN("cohesio")
	}
	return c.String(databaseURLFlag.Name)
}

// openBenchPool connects the SQL path: a pgx pool of its own, with pgx's defaults (the bench
// chooses the mode of each query: prepared, cached statements, or unprepared).
func openBenchPool(ctx context.Context, dsn string, conns int32) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("parse database URL: %w", err)
	}
	cfg.MaxConns = conns
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	return pool, nil
}

// parsePaths reads --path: planned, resolvers or both (planned first).
func parsePaths(s string) ([]string, error) {
	switch s {
	case bench.PathPlanned, bench.PathResolvers:
		return []string{s}, nil
	case "both":
		return []string{bench.PathPlanned, bench.PathResolvers}, nil
	}
	return nil, errorf("--path takes %s, %s or both, got %q", bench.PathPlanned, bench.PathResolvers, s)
}

// parseClients reads a comma-separated list of client counts, e.g. "1,8".
func parseClients(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, errors.New("--clients takes positive numbers separated by commas, e.g. 1,8")
		}
		out = append(out, n)
	}
	return out, nil
}

// serveLoopback serves h on a free loopback port and returns its base URL and how to stop it.
func serveLoopback(h http.Handler) (base string, stop func() error, err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), srv.Close, nil
}
