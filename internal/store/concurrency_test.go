package store_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cohesio/cohesio/internal/cohesion"
	"github.com/cohesio/cohesio/internal/collect"
	"github.com/cohesio/cohesio/internal/store"
)

var collectionFor = flag.Duration("collection.duration", 0,
	"run the concurrent collection test for this long (e.g. 30s) instead of a fixed number of saves per client")

// 32 clients save and submit three reports at once, and the administration returns what was
// submitted so that saving goes on. Whatever the interleaving: every
// acknowledged change got a version of its own (no lost update), every refusal is a conflict,
// the last acknowledged save is what the report holds, and the audit trail holds exactly one
// entry per acknowledged change of a report.
func TestConcurrentSavesAndSubmitsLoseNothing(t *testing.T) {
	const clients, savesPerClient = 32, 8
	c := newCycle(t, "2099-03-31")
	must := mustResult(t)
	var reports []store.Result
	for _, op := range []int64{1, 2, 3} {
		r := must(c.st.CreateSubmission(context.Background(), nil, c.campaign, id64(op), nil))
		// Answered in full but for part A's summary, which the clients write.
		if op == 1 {
			answers := complete("30")[1:]
			r = must(c.st.SaveAnswers(context.Background(), nil, r.ID, r.Version, answers))
		} else {
			r = must(c.st.SaveAnswers(context.Background(), nil, r.ID, r.Version, []collect.Answer{
				answer("a.partners", nil, yes(false)), answer("b.pupils", nil, num("12"))}))
		}
		reports = append(reports, r)
	}
	owner := map[int64]int64{reports[0].ID: 1, reports[1].ID: 2, reports[2].ID: 3}
	principal := func(report int64) context.Context {
		p := operator1
		p.OperatorID, p.Subject = id64(owner[report]), fmt.Sprintf("test:op%d", owner[report])
		return as(p)
	}
	entriesBefore := map[int64]int{}
	for _, r := range reports {
		entriesBefore[r.ID] = c.count(t, "SELECT count(*) FROM audit_log WHERE table_name = 'submission' AND row_id = ?::text", r.ID)
	}

	var mu sync.Mutex
	acks := map[int64][]ack{}
	var refused, conflicts int
	var unexpected []error
	deadline := time.Now().Add(*collectionFor)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			report := reports[i%len(reports)].ID
			ctx := principal(report)
			for n := 0; ; n++ {
				if *collectionFor == 0 && n == savesPerClient || *collectionFor > 0 && time.Now().After(deadline) {
					break
				}
				found, err := c.st.SubmissionsByID(ctx, []int64{report})
				if err != nil {
					mu.Lock()
					unexpected = append(unexpected, err)
					mu.Unlock()
					return
				}
				cur := found[report]
				var r store.Result
				var a ack
				switch {
				case !cur.Status.Editable():
					// Someone submitted it: the administration sends it back, and the saving goes on.
					r, err = c.st.Decide(as(admin), nil, report, store.Decision{Action: collect.Return, Version: cur.Version, Reason: ptr("again")})
				case n%savesPerClient == savesPerClient-1 && i%4 == 0:
					r, err = c.st.Decide(ctx, nil, report, store.Decision{Action: collect.Submit, Version: cur.Version})
				default:
					a.text = fmt.Sprintf("client %d, save %d", i, n)
					r, err = c.st.SaveAnswers(ctx, nil, report, cur.Version, []collect.Answer{answer("a.summary", nil, text(a.text))})
				}
				mu.Lock()
				switch {
				case err == nil:
					a.version = r.Version
					acks[report] = append(acks[report], a)
				case errors.Is(err, cohesion.ErrConflict):
					refused++
					conflicts++
				case errors.Is(err, cohesion.ErrInvalid):
					// Submitted or returned between this client's read and its change: the
					// state moved on, which is not a lost update either.
					refused++
				default:
					unexpected = append(unexpected, err)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(unexpected) > 0 {
		t.Fatalf("unexpected errors: %v", unexpected)
	}
	total := 0
	for _, r := range reports {
		got := acks[r.ID]
		total += len(got)
		versions := make([]int, len(got))
		for i, a := range got {
			versions[i] = a.version
		}
		slices.Sort(versions)
		want := make([]int, len(got))
		for i := range want {
			want[i] = r.Version + 1 + i
		}
		if !slices.Equal(versions, want) {
			t.Errorf("report %d: acknowledged versions %v, want each of %v once", r.ID, versions, want)
		}
		final := c.submission(t, r.ID)
		if final.Version != r.Version+len(got) {
			t.Errorf("report %d at version %d after %d acknowledged changes from %d", r.ID, final.Version, len(got), r.Version)
		}
		last := ack{}
		for _, a := range got {
			if a.text != "" && a.version > last.version {
				last = a
			}
		}
		answers, err := c.st.Answers(as(admin), []int64{r.ID})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range answers[r.ID] {
			if a.QuestionKey == "a.summary" && last.text != "" && *a.Text != last.text {
				t.Errorf("report %d holds %q, want the last acknowledged save %q", r.ID, *a.Text, last.text)
			}
		}
		entries := c.count(t, "SELECT count(*) FROM audit_log WHERE table_name = 'submission' AND row_id = ?::text", r.ID) - entriesBefore[r.ID]
		if entries != len(got) {
			t.Errorf("report %d: %d audit entries for %d acknowledged changes", r.ID, entries, len(got))
		}
	}
	if total == 0 {
		t.Error("no change was acknowledged")
	}
	t.Logf("%d clients: %d changes acknowledged, %d refused (%d conflicts)", clients, total, refused, conflicts)
}

// ack is an acknowledged change: the version it made, and the text it saved ("" for a submit).
type ack struct {
	version int
	text    string
}
