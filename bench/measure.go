package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Budget is how many requests a measurement sends: for Duration on each GraphQL path, then as
// many as the busier path sent in each SQL mode; or exactly Requests on each.
type Budget struct {
	Duration time.Duration
	Requests int
}

// warmupPerClient is how many requests each client sends on each path and in each SQL mode
// before measuring: enough for every connection of both pools to have prepared its statements
// and for the data to be in PostgreSQL's buffers.
const warmupPerClient = 3

// Result is the measurement of one workload at one number of concurrent clients, on one GraphQL
// path against the SQL in one mode.
type Result struct {
	Workload   string  `json:"workload"`
	Kind       string  `json:"kind"`
	Clients    int     `json:"clients"`
	Path       string  `json:"path"`     // PathPlanned or PathResolvers
	SQLMode    string  `json:"sql_mode"` // SQLPrepared or SQLSimple
	Requests   int     `json:"requests"` // GraphQL requests on this path (the SQL ran as many, or more)
	GraphQLP50 float64 `json:"graphql_p50_ms"`
	GraphQLP95 float64 `json:"graphql_p95_ms"`
	SQLP50     float64 `json:"sql_p50_ms"`
	SQLP95     float64 `json:"sql_p95_ms"`
	Ratio      float64 `json:"ratio"` // GraphQLP50 / SQLP50
}

// Config is what Run measures.
type Config struct {
	Clients []int
	Budget  Budget
	Log     *slog.Logger // the checks; nil: silent
}

// Run prepares and checks every workload (the GraphQL answers of every path and the SQL
// answers of every mode must agree), then measures each at each number of clients and passes
// the results to emit as they come: by workload, clients, path (the target's endpoints, in
// order), then SQL mode (SQLModes).
func (t *Target) Run(ctx context.Context, workloads []*Workload, cfg Config, emit func(Result) error) error {
	if err := t.check(); err != nil {
		return err
	}
	if cfg.Budget.Duration <= 0 && cfg.Budget.Requests <= 0 {
		return errors.New("bench: give a duration or a number of requests")
	}
	if len(cfg.Clients) == 0 || slices.Min(cfg.Clients) < 1 {
		return fmt.Errorf("bench: client counts must be at least 1, got %v", cfg.Clients)
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var paths []string
	for _, e := range t.Endpoints {
		paths = append(paths, e.Path)
	}
	var prepared []*Prepared
	for _, w := range workloads {
		p, err := t.Prepare(ctx, w)
		if err != nil {
			return err
		}
		rows, err := t.Check(ctx, p)
		if err != nil {
			return err
		}
		log.Info("GraphQL and SQL answers agree", "workload", w.Name, "rows", rows, "params", p.Params,
			"paths", paths, "sql_modes", SQLModes)
		prepared = append(prepared, p)
	}
	for _, p := range prepared {
		for _, n := range cfg.Clients {
			results, err := t.Measure(ctx, p, n, cfg.Budget)
			if err != nil {
				return err
			}
			for _, r := range results {
				if err := emit(r); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// Measure warms every path and SQL mode up, then measures each GraphQL path within the budget
// and each SQL mode for as many requests as the busier path sent, each from clients concurrent
// clients, one after the other. It returns one result per (path, SQL mode), by path.
func (t *Target) Measure(ctx context.Context, p *Prepared, clients int, b Budget) ([]Result, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	viaGraphQL := make([]func(context.Context) error, len(t.Endpoints))
	for i, e := range t.Endpoints {
		buffers := sync.Pool{New: func() any { return new(bytes.Buffer) }} // one per client at a time
		viaGraphQL[i] = func(ctx context.Context) error {
			buf := buffers.Get().(*bytes.Buffer)
			_, err := t.queryGraphQL(ctx, e, p, buf)
			buffers.Put(buf)
			return err
		}
	}
	viaSQL := make([]func(context.Context) error, len(SQLModes))
	for i, mode := range SQLModes {
		args, err := p.sqlArgs(mode)
		if err != nil {
			return nil, err
		}
		viaSQL[i] = func(ctx context.Context) error { return t.querySQL(ctx, p, args, nil) }
	}
	warmup := Budget{Requests: warmupPerClient * clients}
	for _, run := range slices.Concat(viaGraphQL, viaSQL) {
		if _, err := load(ctx, run, clients, warmup); err != nil {
			return nil, err
		}
	}
	g := make([][]time.Duration, len(viaGraphQL))
	most := 0
	for i, run := range viaGraphQL {
		var err error
		if g[i], err = load(ctx, run, clients, b); err != nil {
			return nil, err
		}
		most = max(most, len(g[i]))
	}
	s := make([][]time.Duration, len(viaSQL))
	for i, run := range viaSQL {
		var err error
		if s[i], err = load(ctx, run, clients, Budget{Requests: most}); err != nil {
			return nil, err
		}
	}
	var out []Result
	for i, e := range t.Endpoints {
		for j, mode := range SQLModes {
			r := Result{
				Workload: p.Name, Kind: p.Kind, Clients: clients, Path: e.Path, SQLMode: mode, Requests: len(g[i]),
				GraphQLP50: millis(percentile(g[i], 0.50)), GraphQLP95: millis(percentile(g[i], 0.95)),
				SQLP50: millis(percentile(s[j], 0.50)), SQLP95: millis(percentile(s[j], 0.95)),
			}
			if r.SQLP50 > 0 {
				r.Ratio = math.Round(100*r.GraphQLP50/r.SQLP50) / 100
			}
			out = append(out, r)
		}
	}
	return out, nil
}

// load runs requests from clients goroutines until the budget is spent, and returns their
// latencies, sorted. The first error stops everything.
func load(ctx context.Context, run func(context.Context) error, clients int, b Budget) ([]time.Duration, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	deadline := time.Now().Add(b.Duration)
	var issued atomic.Int64
	another := func() bool {
		if b.Requests > 0 {
			return issued.Add(1) <= int64(b.Requests)
		}
		return time.Now().Before(deadline)
	}
	var (
		mu        sync.Mutex
		latencies []time.Duration
		wg        sync.WaitGroup
	)
	for range clients {
		wg.Go(func() {
			var mine []time.Duration
			for ctx.Err() == nil && another() {
				start := time.Now()
				if err := run(ctx); err != nil {
					cancel(err)
					return
				}
				mine = append(mine, time.Since(start))
			}
			mu.Lock()
			latencies = append(latencies, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	if len(latencies) == 0 {
		return nil, errors.New("bench: no request completed within the budget")
	}
	slices.Sort(latencies)
	return latencies, nil
}

// percentile returns the q-quantile of sorted latencies (nearest rank).
func percentile(sorted []time.Duration, q float64) time.Duration {
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(i, 0)]
}

// millis is d in milliseconds, to the microsecond.
func millis(d time.Duration) float64 {
	return math.Round(float64(d)/1e3) / 1e3
}

// Printer writes results as a table, or as one JSON object per line.
type Printer[R row] struct {
	w         io.Writer
	jsonLines bool
	header    bool
}

// row is a result the Printer writes: a table row of a format, under a header.
type row interface {
	format() string
	header() []any
	cells() []any
}

// NewPrinter returns a printer of read results to w.
func NewPrinter(w io.Writer, jsonLines bool) *Printer[Result] {
	return &Printer[Result]{w: w, jsonLines: jsonLines}
}

// Print writes one result (a table writes its header first).
func (p *Printer[R]) Print(r R) error {
	if p.jsonLines {
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(p.w, "%s\n", b)
		return err
	}
	if !p.header {
		p.header = true
		if _, err := fmt.Fprintf(p.w, r.format(), r.header()...); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(p.w, r.format(), r.cells()...)
	return err
}

func ms(v float64) string { return fmt.Sprintf("%.2f ms", v) }

func (Result) format() string {
	return "%-24s %-7s %7v %-9s %-8s %8v %12v %12v %12v %12v %6v\n"
}

func (Result) header() []any {
	return []any{"workload", "kind", "clients", "path", "sql mode", "requests", "graphql p50", "graphql p95", "sql p50", "sql p95", "ratio"}
}

func (r Result) cells() []any {
	return []any{r.Workload, r.Kind, r.Clients, r.Path, r.SQLMode, r.Requests,
		ms(r.GraphQLP50), ms(r.GraphQLP95), ms(r.SQLP50), ms(r.SQLP95), fmt.Sprintf("%.2f", r.Ratio)}
}
