package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/cohesio/cohesio/internal/pgtest"
	"github.com/cohesio/cohesio/internal/store"
)

// The collection bench runs the whole cycle on a real database with tiny numbers, twice on the
// same database (its codes never collide), and reports sane figures; timings are not checked.
func TestRunCollection(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, pgtest.NewDatabase(t), store.Options{MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	for run, clients := range [][]int{{1, 2}, {2}} {
		var got []CollectionResult
		cfg := CollectionConfig{Clients: clients, Budget: Budget{Requests: 3}, Submissions: 5}
		if err := RunCollection(ctx, st, cfg, func(r CollectionResult) error { got = append(got, r); return nil }); err != nil {
			t.Fatalf("run %d: %v", run+1, err)
		}
		if len(got) != len(clients)+1 {
			t.Fatalf("run %d: %d results, want %d: %+v", run+1, len(got), len(clients)+1, got)
		}
		for i, r := range got {
			// 5 reports of 40 indicator questions in part A and 16 in part B, for 2 sites.
			want := CollectionResult{Workload: WorkloadValidateCampaign, Clients: 1, Ops: 5, Observations: 5 * (40 + 16*2)}
			if i < len(clients) {
				want = CollectionResult{Workload: WorkloadSaveAnswers, Clients: clients[i], Ops: 3}
			}
			if r.Workload != want.Workload || r.Clients != want.Clients || r.Ops != want.Ops || r.Observations != want.Observations {
				t.Errorf("run %d, result %d: %+v, want %+v", run+1, i, r, want)
			}
			if r.Answers != 200 || r.P50 <= 0 || r.P99 < r.P50 || r.TotalMS <= 0 || r.PerSecond <= 0 {
				t.Errorf("run %d, result %d: %+v, want 200 answers and positive figures", run+1, i, r)
			}
		}
	}
}

func TestRunCollectionRefuses(t *testing.T) {
	for _, cfg := range []CollectionConfig{
		{Clients: []int{1}, Submissions: 1},
		{Clients: []int{0}, Budget: Budget{Requests: 1}, Submissions: 1},
		{Clients: []int{1}, Budget: Budget{Requests: 1}},
	} {
		if err := RunCollection(context.Background(), nil, cfg, nil); err == nil {
			t.Errorf("%+v: no error", cfg)
		}
	}
}

func TestCollectionPrinter(t *testing.T) {
	r := CollectionResult{Workload: WorkloadSaveAnswers, Clients: 8, Answers: 200, Ops: 10, P50: 1.5, P99: 2, TotalMS: 3000, PerSecond: 3.3}
	var table, lines bytes.Buffer
	for _, p := range []*CollectionPrinter{NewCollectionPrinter(&table, false), NewCollectionPrinter(&lines, true)} {
		for range 2 {
			if err := p.Print(r); err != nil {
				t.Fatal(err)
			}
		}
	}
	if rows := strings.Split(strings.TrimSpace(table.String()), "\n"); len(rows) != 3 || !strings.HasPrefix(rows[0], "workload") ||
		!strings.Contains(rows[1], "1.50 ms") || !strings.Contains(rows[1], "3.00 s") {
		t.Errorf("table:\n%s", table.String())
	}
	for line := range strings.Lines(lines.String()) {
		var back CollectionResult
		if err := json.Unmarshal([]byte(line), &back); err != nil || back != r {
			t.Errorf("JSON line %q: %+v, %v", line, back, err)
		}
	}
}
