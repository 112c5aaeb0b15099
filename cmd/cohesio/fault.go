package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/pglocal"
	"github.com/cohesio/cohesio/internal/server"
	"github.com/cohesio/cohesio/internal/store"
)

func benchFaultCommand() *cli.Command {
	return &cli.Command{
		Name:  "fault",
		Usage: "restart PostgreSQL under load and check that the API rides it out",
		Description: "Starts an embedded PostgreSQL (in a fresh temporary --data-dir unless one is given),\n" +
			"loads the demo data and serves the API on a loopback port. Then --clients clients send\n" +
			"GraphQL reads and snapshot writes while PostgreSQL is stopped at --restart-at, kept down\n" +
			"for --outage once /readyz reports it, and started again on the same socket. The load goes\n" +
			"on for at least --duration and until /readyz is ready again and every client has sent\n" +
			"requests after that. It checks that every request is answered, that errors are clean\n" +
			"(503 or TIMEOUT/UNAVAILABLE), that /readyz reports the outage and the recovery, that\n" +
			"requests after the recovery succeed, that every acknowledged snapshot is still there, and\n" +
			"that goroutines and heap return to their baseline; it exits non-zero when a check fails.\n" +
			"The durations it prints are figures for humans: no check depends on how fast the machine\n" +
			"is, and --safety-deadline only bounds the waits, so that a broken server cannot hang it.",
		Flags: []cli.Flag{
			// No environment sources: this command never uses an external server nor, unless
			// told, the user's cluster.
			&cli.StringFlag{Name: "database-url", Usage: "not supported: the command must restart PostgreSQL, so it runs its own"},
			&cli.StringFlag{Name: "data-dir", Usage: "embedded cluster to use (default: a fresh temporary directory, removed at the end)"},
			&cli.IntFlag{Name: "clients", Value: 16, Usage: "concurrent clients"},
			&cli.DurationFlag{Name: "duration", Value: 20 * time.Second, Usage: "how long the clients send requests at least (they go on until the recovery is seen)"},
			&cli.DurationFlag{Name: "outage", Value: 3 * time.Second, Usage: "how long PostgreSQL stays down once /readyz reports it"},
			&cli.DurationFlag{Name: "restart-at", Usage: "when PostgreSQL is stopped, from the start of the load (default: a third of --duration)"},
			&cli.DurationFlag{Name: "request-timeout", Value: 2 * time.Second, Usage: "the server's request timeout"},
			&cli.DurationFlag{Name: "safety-deadline", Value: 2 * time.Minute, Usage: "longest wait for each event (PostgreSQL down, /readyz 503, /readyz 200, the requests after it) and for a request past its timeout: a safety net, not a measure"},
			&cli.BoolFlag{Name: "json", Usage: "print the result as one JSON object"},
		},
		Action: runBenchFault,
	}
}

// faultConfig is the validated command line.
type faultConfig struct {
	clients                              int
	duration, outage, restartAt, timeout time.Duration
	safety                               time.Duration // longest wait for an event or past a request's timeout
}

const (
	lateMargin      = time.Second // a request longer than its timeout plus this is late: a figure, not a check
	goroutineSlack  = 10
	heapGrowthLimit = 1.5 // heap after / baseline above this is a leak
	afterRequests   = 5   // requests each client sends after the recovery, at least
	pollEvery       = 50 * time.Millisecond
	writeEvery      = 10 // one request in writeEvery is a snapshot write
)

// faultResult is what the command prints; durations are in milliseconds, times are from the
// start of the load.
type faultResult struct {
	Clients          int     `json:"clients"`
	DurationMS       float64 `json:"duration_ms"` // the load's least duration
	RestartAtMS      float64 `json:"restart_at_ms"`
	OutageMS         float64 `json:"outage_ms"`
	RequestTimeoutMS float64 `json:"request_timeout_ms"`
	SafetyDeadlineMS float64 `json:"safety_deadline_ms"`
	LoadMS           float64 `json:"load_ms"` // how long the load ran

	Requests   int            `json:"requests"`
	Succeeded  int            `json:"succeeded"`
	Failed     int            `json:"failed"`
	Unanswered int            `json:"unanswered"` // no HTTP response within the timeout plus the safety deadline
	Unclean    int            `json:"unclean"`    // answered failures other than 503 and TIMEOUT/UNAVAILABLE
	Errors     map[string]int `json:"errors"`     // failures by answer: "503", "200 TIMEOUT", "no answer"...
	Phases     []faultPhase   `json:"phases"`     // before, outage, after
	Timeline   faultTimeline  `json:"timeline"`

	MaxRequestMS  float64  `json:"max_request_ms"`
	LateOverMS    float64  `json:"late_over_ms"`
	Late          int      `json:"late"`              // longer than late_over_ms: a figure, not a check
	LateWrites    int      `json:"late_writes"`       // of the late requests
	MaxStallMS    float64  `json:"max_stall_ms"`      // longest this process itself got no CPU
	RecoveryRead  *float64 `json:"recovery_read_ms"`  // restart to the end of the first successful read; null: never
	RecoveryReady *float64 `json:"recovery_ready_ms"` // restart to the first /readyz 200; null: never

	ReadinessProbes    int  `json:"readiness_probes"`
	ReadinessDropped   bool `json:"readiness_dropped"`   // a 503 while PostgreSQL was down
	ReadinessRecovered bool `json:"readiness_recovered"` // 200 again after, and at the end

	WritesAcknowledged int `json:"writes_acknowledged"`
	WritesFound        int `json:"writes_found"`
	WritesLost         int `json:"writes_lost"`

	GoroutinesBaseline int     `json:"goroutines_baseline"`
	GoroutinesAfter    int     `json:"goroutines_after"`
	HeapBaselineMB     float64 `json:"heap_baseline_mb"`
	HeapAfterMB        float64 `json:"heap_after_mb"`
	GoroutineLeak      bool    `json:"goroutine_leak"` // still more than goroutineSlack above baseline at the safety deadline
	HeapLeak           bool    `json:"heap_leak"`      // more than heapGrowthLimit times baseline
	Leak               bool    `json:"leak"`           // either

	Failures []string `json:"failures"` // failed checks; empty when all passed
}

type faultPhase struct {
	Phase     string  `json:"phase"`
	Requests  int     `json:"requests"`
	Succeeded int     `json:"succeeded"`
	Failed    int     `json:"failed"`
	Writes    int     `json:"writes"` // of the requests
	LongestMS float64 `json:"longest_ms"`
	Late      int     `json:"late"`
}

// faultTimeline is when the fault happened, in ms from the start of the load.
type faultTimeline struct {
	StopMS    float64 `json:"stop_ms"`    // PostgreSQL asked to stop
	DownMS    float64 `json:"down_ms"`    // PostgreSQL exited
	DroppedMS float64 `json:"dropped_ms"` // /readyz answered 503
	RestartMS float64 `json:"restart_ms"` // PostgreSQL started again
	UpMS      float64 `json:"up_ms"`      // PostgreSQL accepts connections
	ReadyMS   float64 `json:"ready_ms"`   // /readyz answered 200 again: the recovery
	EndMS     float64 `json:"end_ms"`     // every client had sent its requests after the recovery
}

func runBenchFault(ctx context.Context, c *cli.Command) error {
	if c.IsSet("database-url") {
		return errorf("bench fault restarts PostgreSQL, so it runs its own embedded cluster: drop --database-url (use --data-dir to choose the cluster)")
	}
	cfg := faultConfig{
		clients: int(c.Int("clients")), duration: c.Duration("duration"), outage: c.Duration("outage"),
		restartAt: c.Duration("restart-at"), timeout: c.Duration("request-timeout"), safety: c.Duration("safety-deadline"),
	}
	if cfg.restartAt == 0 {
		cfg.restartAt = cfg.duration / 3
	}
	switch {
	case cfg.clients < 1:
		return errorf("--clients must be at least 1")
	case cfg.timeout <= 0 || cfg.outage <= 0 || cfg.restartAt <= 0 || cfg.safety <= 0:
		return errorf("--request-timeout, --outage, --restart-at and --safety-deadline must be positive")
	case cfg.restartAt >= cfg.duration:
		return errorf("--restart-at (%s) must come before the end of --duration (%s)", cfg.restartAt, cfg.duration)
	}

	dataDir := c.String("data-dir")
	if dataDir == "" {
		tmp, err := os.MkdirTemp("", "cohesio-bench-fault-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dataDir = tmp
	}
	db, err := openFaultDatabase(ctx, dataDir, cfg)
	if err != nil {
		return err
	}
	defer db.Close()

	// The server's own logs would repeat every failure of the outage: the result counts them.
	h, err := server.New(server.Config{Store: db.Store, Logger: slog.New(slog.DiscardHandler), Timeout: cfg.timeout, Role: access.Analyst})
	if err != nil {
		return err
	}
	base, stop, err := serveLoopback(h)
	if err != nil {
		return err
	}
	defer stop()

	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = cfg.clients + 1
	defer transport.CloseIdleConnections()
	// The client waits the safety deadline past the server's timeout: a request cut there
	// hung, whatever the machine's speed.
	fc := &faultClient{base: base, http: &http.Client{Transport: transport, Timeout: cfg.timeout + cfg.safety}}

	res, err := runFault(ctx, cfg, db.cluster, fc, transport)
	if err != nil {
		return err
	}
	if err := printFault(c.Root().Writer, res, c.Bool("json")); err != nil {
		return err
	}
	if len(res.Failures) > 0 {
		return fmt.Errorf("bench fault: %s", strings.Join(res.Failures, "; "))
	}
	return nil
}

// openFaultDatabase starts the embedded cluster in dataDir, opens the store on it, migrates
// it and loads the demo data when it is empty.
func openFaultDatabase(ctx context.Context, dataDir string, cfg faultConfig) (*database, error) {
	cluster, err := pglocal.Start(ctx, pglocal.Options{DataDir: dataDir, Logger: slog.Default()})
	if err != nil {
		return nil, err
	}
	db := &database{cluster: cluster}
	if err := store.EnsureDatabase(ctx, cluster.DSN("postgres"), "cohesio"); err != nil {
		db.Close()
		return nil, err
	}
	// A connection per client and one for the readiness probe, so that nobody waits for one;
	// the statement timeout stands behind the request timeout.
	st, err := store.Open(ctx, cluster.DSN("cohesio"), store.Options{MaxConns: int32(cfg.clients + 1), StatementTimeout: cfg.timeout + time.Second})
	if err != nil {
		db.Close()
		return nil, err
	}
	db.Store = st
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if _, err := loadDemo(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// faultSample is one request: times from the start of the load.
type faultSample struct {
	start, end time.Duration
	write      bool
	outcome    faultOutcome
}

// faultOutcome is how a request ended.
type faultOutcome struct {
	answered bool   // an HTTP response came back
	ok       bool   // and it was a success
	status   int    // its status
	code     string // the code of its first error, if any
}

// kind names a failure for the result's error counts.
func (o faultOutcome) kind() string {
	switch {
	case !o.answered:
		return "no answer"
	case o.code != "":
		return fmt.Sprintf("%d %s", o.status, o.code)
	}
	return fmt.Sprint(o.status)
}

// clean reports whether a failure says what happened and invites a retry: a 503, or a
// TIMEOUT or UNAVAILABLE error. Anything else (an internal error, a 500) is a bug to fix.
func (o faultOutcome) clean() bool {
	return o.ok || (o.answered && (o.status == http.StatusServiceUnavailable || o.code == "TIMEOUT" || o.code == "UNAVAILABLE"))
}

// faultEvents is when the fault happened, written by the fault goroutine and read after it
// ends. A missed event (the safety deadline passed first) is a failure, not an error: the
// result still says what happened.
type faultEvents struct {
	stop, down, dropped, restart, up, ready, end time.Duration
	probes                                       int
	failures                                     []string
	err                                          error
}

func runFault(ctx context.Context, cfg faultConfig, cluster *pglocal.Cluster, fc *faultClient, transport *http.Transport) (*faultResult, error) {
	ids, err := fc.operatorIDs(ctx)
	if err != nil {
		return nil, err
	}
	if len(ids) < 2 {
		return nil, errorf("the database holds %d operators; snapshot writes need at least 2", len(ids))
	}

	// Warm up (caches, pool connections) before the baseline, so that it is the steady state.
	// The warm-up writes are acknowledged before the outage: they must survive it too.
	var mu sync.Mutex
	var acked []string
	var wg sync.WaitGroup
	for i := range cfg.clients {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(i), 1))
			for _, q := range faultReads {
				fc.read(ctx, q, rng, ids)
			}
			if id, o := fc.write(ctx, rng, ids); o.ok {
				mu.Lock()
				acked = append(acked, id)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(acked) == 0 {
		return nil, errorf("no snapshot write succeeded during the warm-up")
	}
	transport.CloseIdleConnections()
	time.Sleep(100 * time.Millisecond) // let the server's connection goroutines end
	baseGoroutines, baseHeap := goroutinesAndHeap()

	// The samples die with faultLoad: they must not count in the heap measured after.
	res, loadAcked, err := faultLoad(ctx, cfg, cluster, fc, ids)
	if err != nil {
		return nil, err
	}
	acked = append(acked, loadAcked...)
	transport.CloseIdleConnections()
	// The server's goroutines end when they see their connections closed: wait for that
	// rather than for a fixed time, with the safety deadline as the bound.
	afterGoroutines, afterHeap := goroutinesAndHeap()
	for deadline := time.Now().Add(cfg.safety); afterGoroutines > baseGoroutines+goroutineSlack && time.Now().Before(deadline); {
		time.Sleep(pollEvery)
		afterGoroutines, afterHeap = goroutinesAndHeap()
	}

	found, err := fc.countSnapshots(ctx, acked, cfg.safety)
	if err != nil {
		return nil, err
	}
	res.WritesAcknowledged, res.WritesFound, res.WritesLost = len(acked), found, len(acked)-found
	res.GoroutinesBaseline, res.GoroutinesAfter = baseGoroutines, afterGoroutines
	res.HeapBaselineMB, res.HeapAfterMB = float64(baseHeap)/1e6, float64(afterHeap)/1e6
	res.GoroutineLeak = afterGoroutines > baseGoroutines+goroutineSlack
	res.HeapLeak = float64(afterHeap) > heapGrowthLimit*float64(baseHeap)
	res.Leak = res.GoroutineLeak || res.HeapLeak
	res.Failures = append(res.Failures, faultFailures(res)...)
	return res, nil
}

// faultLoad runs the clients while PostgreSQL is restarted, until cfg.duration has passed
// and every client has sent afterRequests requests after the recovery, and returns what
// they saw and the ids of the acknowledged snapshots.
func faultLoad(ctx context.Context, cfg faultConfig, cluster *pglocal.Cluster, fc *faultClient, ids []string) (*faultResult, []string, error) {
	start := time.Now()
	since := func() time.Duration { return time.Since(start) }
	stopLoad := make(chan struct{})

	// readyAt is when /readyz answered 200 again, from start plus one (0: not yet); after[i]
	// counts client i's requests begun since then.
	var readyAt atomic.Int64
	after := make([]atomic.Int64, cfg.clients)

	var events faultEvents
	faultDone := make(chan struct{})
	go func() {
		defer close(faultDone)
		defer close(stopLoad)
		events = restartPostgres(ctx, cfg, cluster, fc, since, &readyAt, after)
	}()

	// How late a short ticker fires is how long this process got no CPU: on an overloaded
	// machine that, not the server, can make a request late.
	var maxStall time.Duration
	stallDone := make(chan struct{})
	go func() {
		defer close(stallDone)
		const every = 10 * time.Millisecond
		tick := time.NewTicker(every)
		defer tick.Stop()
		last := time.Now()
		for {
			select {
			case <-stopLoad:
				return
			case <-tick.C:
			}
			now := time.Now()
			maxStall = max(maxStall, now.Sub(last)-every)
			last = now
		}
	}()

	samples := make([][]faultSample, cfg.clients)
	acked := make([][]string, cfg.clients)
	var wg sync.WaitGroup
	for i := range cfg.clients {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(i), 2))
			for {
				select {
				case <-stopLoad:
					return
				default:
				}
				s := faultSample{start: since(), write: rng.IntN(writeEvery) == 0}
				if s.write {
					var id string
					id, s.outcome = fc.write(ctx, rng, ids)
					if s.outcome.ok {
						acked[i] = append(acked[i], id)
					}
				} else {
					s.outcome = fc.read(ctx, faultReads[rng.IntN(len(faultReads))], rng, ids)
				}
				s.end = since()
				samples[i] = append(samples[i], s)
				if r := readyAt.Load(); r > 0 && int64(s.start) >= r-1 {
					after[i].Add(1)
				}
			}
		})
	}
	wg.Wait()
	<-stallDone
	<-faultDone
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	if events.err != nil {
		return nil, nil, events.err
	}
	// One last probe: readiness must be back for good, not just for a moment.
	last := fc.ready(ctx)
	events.probes++

	var all []faultSample
	var allAcked []string
	for i := range samples {
		all = append(all, samples[i]...)
		allAcked = append(allAcked, acked[i]...)
	}
	res := summarizeFault(cfg, all, events, since())
	res.ReadinessRecovered = res.RecoveryReady != nil && last == http.StatusOK
	res.MaxStallMS = float64(maxStall.Microseconds()) / 1000
	return res, allAcked, nil
}

// restartPostgres drives the fault, one event after the other: it stops PostgreSQL at
// cfg.restartAt, waits for /readyz to report it, keeps it down cfg.outage longer and starts
// it again in place (the store keeps its pool, which must reconnect by itself), waits for
// /readyz to answer 200, then for every client to send afterRequests requests. Each wait is
// bounded by cfg.safety only; a missed event ends the load with a failure.
func restartPostgres(ctx context.Context, cfg faultConfig, cluster *pglocal.Cluster, fc *faultClient,
	since func() time.Duration, readyAt *atomic.Int64, after []atomic.Int64) faultEvents {
	var ev faultEvents
	select {
	case <-time.After(cfg.restartAt - since()):
	case <-ctx.Done():
		ev.err = ctx.Err()
		return ev
	}
	ev.stop = since()
	if err := cluster.StopInPlace(ctx); err != nil {
		ev.err = fmt.Errorf("stop PostgreSQL: %w", err)
		return ev
	}
	ev.down = since()
	// waitFor polls cond until it holds, or the safety deadline passes (a failure named by what).
	waitFor := func(what string, cond func() bool) bool {
		for deadline := time.Now().Add(cfg.safety); ctx.Err() == nil; time.Sleep(pollEvery) {
			if cond() {
				return true
			}
			if time.Now().After(deadline) {
				ev.failures = append(ev.failures, fmt.Sprintf("%s within the safety deadline (%s)", what, cfg.safety))
				return false
			}
		}
		return false
	}
	probe := func(want int) func() bool {
		return func() bool {
			ev.probes++
			return fc.ready(ctx) == want
		}
	}
	if waitFor("/readyz did not answer 503 while PostgreSQL was down", probe(http.StatusServiceUnavailable)) {
		ev.dropped = since()
	}
	select {
	case <-time.After(ev.down + cfg.outage - since()):
	case <-ctx.Done():
	}
	// Started again even when ctx ended, so that the cluster can be stopped cleanly.
	ev.restart = since()
	startCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.safety)
	defer cancel()
	if err := cluster.StartInPlace(startCtx); err != nil {
		ev.err = fmt.Errorf("start PostgreSQL again: %w", err)
		return ev
	}
	ev.up = since()
	if !waitFor("/readyz did not answer 200 again after the restart", probe(http.StatusOK)) {
		return ev
	}
	ev.ready = since()
	readyAt.Store(int64(ev.ready) + 1)
	waitFor(fmt.Sprintf("the clients did not send %d requests each after the recovery", afterRequests), func() bool {
		for i := range after {
			if after[i].Load() < afterRequests {
				return false
			}
		}
		return since() >= cfg.duration
	})
	ev.end = since()
	return ev
}

func summarizeFault(cfg faultConfig, samples []faultSample, ev faultEvents, load time.Duration) *faultResult {
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	res := &faultResult{
		Clients: cfg.clients, DurationMS: ms(cfg.duration), RestartAtMS: ms(cfg.restartAt), OutageMS: ms(cfg.outage),
		RequestTimeoutMS: ms(cfg.timeout), SafetyDeadlineMS: ms(cfg.safety), LoadMS: ms(load), LateOverMS: ms(cfg.timeout + lateMargin),
		Timeline: faultTimeline{StopMS: ms(ev.stop), DownMS: ms(ev.down), DroppedMS: ms(ev.dropped), RestartMS: ms(ev.restart),
			UpMS: ms(ev.up), ReadyMS: ms(ev.ready), EndMS: ms(ev.end)},
		Phases:          []faultPhase{{Phase: "before"}, {Phase: "outage"}, {Phase: "after"}},
		Errors:          map[string]int{},
		ReadinessProbes: ev.probes,
		Failures:        append([]string{}, ev.failures...),
	}
	recovered := ev.ready > 0
	res.ReadinessDropped = ev.dropped > 0
	if recovered {
		r := ms(ev.ready - ev.restart)
		res.RecoveryReady = &r
	}
	var longest time.Duration
	for _, s := range samples {
		// Phases by start: the outage runs from the stop signal until /readyz is 200 again.
		p := &res.Phases[1]
		if s.start < ev.stop {
			p = &res.Phases[0]
		} else if recovered && s.start >= ev.ready {
			p = &res.Phases[2]
		}
		p.Requests++
		res.Requests++
		if s.outcome.ok {
			p.Succeeded++
			res.Succeeded++
		} else {
			p.Failed++
			res.Failed++
			res.Errors[s.outcome.kind()]++
			if !s.outcome.answered {
				res.Unanswered++
			} else if !s.outcome.clean() {
				res.Unclean++
			}
		}
		if s.write {
			p.Writes++
		}
		d := s.end - s.start
		longest = max(longest, d)
		p.LongestMS = max(p.LongestMS, ms(d))
		if d > cfg.timeout+lateMargin {
			p.Late++
			res.Late++
			if s.write {
				res.LateWrites++
			}
		}
		// Only a request begun once PostgreSQL had exited can have used the new server.
		if !s.write && s.outcome.ok && s.start >= ev.down && ev.restart > 0 {
			if r := ms(s.end - ev.restart); res.RecoveryRead == nil || r < *res.RecoveryRead {
				res.RecoveryRead = &r
			}
		}
	}
	res.MaxRequestMS = ms(longest)
	return res
}

func faultFailures(res *faultResult) []string {
	var failures []string
	kinds := func(keep func(string) bool) string {
		var out []string
		for k, n := range res.Errors {
			if keep(k) {
				out = append(out, fmt.Sprintf("%s: %d", k, n))
			}
		}
		slices.Sort(out)
		return strings.Join(out, ", ")
	}
	if res.Unanswered > 0 {
		failures = append(failures, fmt.Sprintf("%d requests got no HTTP response within the request timeout plus the safety deadline", res.Unanswered))
	}
	if res.Unclean > 0 {
		failures = append(failures, fmt.Sprintf("%d requests failed with neither 503 nor TIMEOUT/UNAVAILABLE (%s)", res.Unclean,
			kinds(func(k string) bool {
				return k != "no answer" && !strings.HasPrefix(k, "503") && !strings.HasSuffix(k, " TIMEOUT") && !strings.HasSuffix(k, " UNAVAILABLE")
			})))
	}
	if a := res.Phases[2]; a.Failed > 0 {
		failures = append(failures, fmt.Sprintf("%d of the %d requests sent after the recovery failed", a.Failed, a.Requests))
	}
	if res.WritesLost > 0 {
		failures = append(failures, fmt.Sprintf("%d acknowledged snapshots are missing", res.WritesLost))
	}
	if res.RecoveryRead == nil {
		failures = append(failures, "no read succeeded after PostgreSQL came back")
	}
	if !res.ReadinessRecovered {
		failures = append(failures, "/readyz did not answer 200 again after the restart, for good")
	}
	if res.GoroutineLeak {
		failures = append(failures, fmt.Sprintf("goroutine leak: %d -> %d", res.GoroutinesBaseline, res.GoroutinesAfter))
	}
	if res.HeapLeak {
		failures = append(failures, fmt.Sprintf("heap leak: %.1f -> %.1f MB", res.HeapBaselineMB, res.HeapAfterMB))
	}
	return failures
}

// goroutinesAndHeap returns the number of goroutines and the live heap. Two collections:
// sync.Pool contents survive the first one.
func goroutinesAndHeap() (int, uint64) {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return runtime.NumGoroutine(), m.HeapAlloc
}

func printFault(w io.Writer, r *faultResult, asJSON bool) error {
	if asJSON {
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(w, string(b))
		return err
	}
	optMS := func(v *float64) string {
		if v == nil {
			return "never"
		}
		return fmt.Sprintf("%.0f ms", *v)
	}
	yes := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	t := r.Timeline
	fmt.Fprintf(w, "%d clients for %.1f s; PostgreSQL stopped at %.0f ms, down at %.0f ms, /readyz 503 at %.0f ms, restarted at %.0f ms, up at %.0f ms, /readyz 200 at %.0f ms; request timeout %.0f ms\n\n",
		r.Clients, r.LoadMS/1000, t.StopMS, t.DownMS, t.DroppedMS, t.RestartMS, t.UpMS, t.ReadyMS, r.RequestTimeoutMS)
	fmt.Fprintf(w, "%-8s %10s %10s %10s %10s %12s %6s\n", "phase", "requests", "succeeded", "failed", "writes", "longest ms", "late")
	writes := 0
	for _, p := range r.Phases {
		fmt.Fprintf(w, "%-8s %10d %10d %10d %10d %12.0f %6d\n", p.Phase, p.Requests, p.Succeeded, p.Failed, p.Writes, p.LongestMS, p.Late)
		writes += p.Writes
	}
	fmt.Fprintf(w, "%-8s %10d %10d %10d %10d %12.0f %6d\n\n", "total", r.Requests, r.Succeeded, r.Failed, writes, r.MaxRequestMS, r.Late)
	var errs []string
	for k, n := range r.Errors {
		errs = append(errs, fmt.Sprintf("%s: %d", k, n))
	}
	slices.Sort(errs)
	rows := [][2]string{
		{"errors by answer", strings.Join(errs, ", ")},
		{"unanswered requests", fmt.Sprint(r.Unanswered)},
		{"unclean errors", fmt.Sprint(r.Unclean)},
		{"late: longer than", fmt.Sprintf("%.0f ms", r.LateOverMS)},
		{"longest stall of this process", fmt.Sprintf("%.0f ms", r.MaxStallMS)},
		{"first read after restart", optMS(r.RecoveryRead)},
		{"first /readyz 200 after restart", optMS(r.RecoveryReady)},
		{"/readyz 503 during outage", yes(r.ReadinessDropped)},
		{"/readyz 200 again", yes(r.ReadinessRecovered)},
		{"writes acknowledged", fmt.Sprint(r.WritesAcknowledged)},
		{"writes found afterwards", fmt.Sprint(r.WritesFound)},
		{"writes lost", fmt.Sprint(r.WritesLost)},
		{"goroutines baseline -> after", fmt.Sprintf("%d -> %d", r.GoroutinesBaseline, r.GoroutinesAfter)},
		{"heap baseline -> after", fmt.Sprintf("%.1f -> %.1f MB", r.HeapBaselineMB, r.HeapAfterMB)},
		{"leak", yes(r.Leak)},
	}
	for _, row := range rows {
		fmt.Fprintf(w, "%-32s %s\n", row[0], row[1])
	}
	if len(r.Failures) == 0 {
		fmt.Fprintf(w, "%-32s %s\n", "result", "PASS")
		return nil
	}
	_, err := fmt.Fprintf(w, "%-32s FAIL: %s\n", "result", strings.Join(r.Failures, "; "))
	return err
}

// faultRead is a GraphQL read of the demo data; vars fills its variables.
type faultRead struct {
	query string
	vars  func(rng *rand.Rand, ids []string) map[string]any
}

// faultReads are what a user of the demo does: a commune's operators with their projects, an
// operator by id, a report, the communes.
var faultReads = []faultRead{
	{
		query: `query($nis: String!) { commune(nisCode: $nis) { name servedBy(first: 50, orderBy: [{field: NAME}]) {
			totalCount nodes { name kind legalForm { label } projects(first: 10) { nodes { title startDate budget programme { name } } } } } } }`,
		vars: func(rng *rand.Rand, _ []string) map[string]any {
			return map[string]any{"nis": []string{"21015", "21004", "21001", "21009"}[rng.IntN(4)]}
		},
	},
	{
		query: `query($id: ID!) { node(id: $id) { ... on Operator { name enterpriseNumber seatCommune { name }
			approvals { nodes { status startDate programme { name } } } projects { nodes { title budget } } } } }`,
		vars: func(rng *rand.Rand, ids []string) map[string]any {
			return map[string]any{"id": ids[rng.IntN(len(ids))]}
		},
	},
	{
		query: `{ report(measures: [{kind: BUDGET, alias: "budget"}, {kind: PROJECT_COUNT, alias: "projects"}]
			dimensions: [{kind: FUNDER}, {kind: PROGRAMME}] filter: {territory: {nisCode: {eq: "21015"}}} totals: SUBTOTALS) {
			rows { isTotal keys { code label } values { measure value } } } }`,
	},
	{
		query: `{ territories(filter: {kind: {eq: COMMUNE}}, orderBy: [{field: CODE}]) { totalCount nodes { nisCode name population } } }`,
	},
}

// faultClient sends the requests of the fault test.
type faultClient struct {
	base string
	http *http.Client
}

// do sends body (nil: none) as JSON and returns the status and the whole response body; status 0 and an
// error when no response came back.
func (fc *faultClient) do(ctx context.Context, method, path string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, fc.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := fc.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, nil, err
	}
	return res.StatusCode, b, nil
}

// graphql runs a query and returns its data, whether the server answered, and an error when
// the response is not a success.
func (fc *faultClient) graphql(ctx context.Context, query string, vars map[string]any) (json.RawMessage, faultOutcome, error) {
	status, b, err := fc.do(ctx, http.MethodPost, "/graphql", map[string]any{"query": query, "variables": vars})
	if err != nil {
		return nil, faultOutcome{}, err
	}
	o := faultOutcome{answered: true, status: status}
	var out struct {
		Data   json.RawMessage
		Errors []faultError
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, o, fmt.Errorf("status %d: %w", status, err)
	}
	if len(out.Errors) > 0 {
		o.code = out.Errors[0].Extensions.Code
	}
	if status != http.StatusOK || len(out.Errors) > 0 {
		msg := ""
		if len(out.Errors) > 0 {
			msg = out.Errors[0].Message
		}
		return nil, o, fmt.Errorf("status %d: %s", status, msg)
	}
	o.ok = true
	return out.Data, o, nil
}

// faultError is a GraphQL error as the fault test reads it.
type faultError struct {
	Message    string
	Extensions struct{ Code string }
}

func (fc *faultClient) read(ctx context.Context, q faultRead, rng *rand.Rand, ids []string) faultOutcome {
	var vars map[string]any
	if q.vars != nil {
		vars = q.vars(rng, ids)
	}
	_, o, _ := fc.graphql(ctx, q.query, vars)
	return o
}

// write snapshots a random half of the operators: a distinct content (2^n subsets), so a
// distinct snapshot row, per write. It returns the snapshot's id when the server acknowledged it.
func (fc *faultClient) write(ctx context.Context, rng *rand.Rand, ids []string) (string, faultOutcome) {
	var subset []string
	for _, id := range ids {
		if rng.IntN(2) == 0 {
			subset = append(subset, id)
		}
	}
	if len(subset) == 0 {
		subset = ids[:1]
	}
	body := map[string]any{"filter": map[string]any{"id": map[string]any{"in": subset}}}
	status, b, err := fc.do(ctx, http.MethodPost, "/datasets/operators/snapshots", body)
	if err != nil {
		return "", faultOutcome{}
	}
	o := faultOutcome{answered: true, status: status}
	var snap struct {
		ID   string
		Code string
	}
	if (status != http.StatusCreated && status != http.StatusOK) || json.Unmarshal(b, &snap) != nil || snap.ID == "" {
		o.code = snap.Code
		return "", o
	}
	o.ok = true
	return snap.ID, o
}

// ready returns the status of /readyz, 0 when it did not answer.
func (fc *faultClient) ready(ctx context.Context) int {
	status, _, err := fc.do(ctx, http.MethodGet, "/readyz", nil)
	if err != nil {
		return 0
	}
	return status
}

// operatorIDs lists the global ids of the operators.
func (fc *faultClient) operatorIDs(ctx context.Context) ([]string, error) {
	data, _, err := fc.graphql(ctx, `{ operators(first: 500) { nodes { id } } }`, nil)
	if err != nil {
		return nil, fmt.Errorf("list operators: %w", err)
	}
	var out struct {
		Operators struct{ Nodes []struct{ ID string } }
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("list operators: %w", err)
	}
	ids := make([]string, 0, len(out.Operators.Nodes))
	for _, n := range out.Operators.Nodes {
		ids = append(ids, n.ID)
	}
	return ids, nil
}

// countSnapshots counts the snapshots among ids that GET /snapshots/ID finds. Anything but
// 200 or 404 is retried until the safety deadline, so that a slow moment is not mistaken for
// a lost write.
func (fc *faultClient) countSnapshots(ctx context.Context, ids []string, safety time.Duration) (int, error) {
	found := 0
	for _, id := range ids {
		for deadline := time.Now().Add(safety); ; {
			status, _, err := fc.do(ctx, http.MethodGet, "/snapshots/"+id, nil)
			if status == http.StatusOK {
				found++
				break
			}
			if status == http.StatusNotFound {
				break
			}
			if time.Now().After(deadline) {
				return 0, fmt.Errorf("check snapshot %s: status %d: %v", id, status, errors.Join(err, ctx.Err()))
			}
			time.Sleep(pollEvery)
		}
	}
	return found, nil
}
