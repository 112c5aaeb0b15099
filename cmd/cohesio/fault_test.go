package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// bench fault restarts PostgreSQL under load: the server answers clean errors during the
// outage, recovers by itself, loses no acknowledged write and leaves no request unanswered.
// Every assertion is about events (answers, /readyz, counts), none about how fast they came:
// the command waits for each event, with its safety deadline as the only bound.
func TestBenchFault(t *testing.T) {
	out, err := runCommand(t, "bench", "fault", "--duration", "4s", "--outage", "1s", "--clients", "4", "--json")
	var r faultResult
	if jerr := json.Unmarshal([]byte(out), &r); jerr != nil || strings.Count(out, "\n") != 1 {
		t.Fatalf("output %q: %v (command: %v)", out, jerr, err)
	}
	t.Log(out)
	if (err != nil) != (len(r.Failures) > 0) {
		t.Errorf("error %v with failures %v", err, r.Failures)
	}
	if len(r.Failures) > 0 {
		t.Errorf("failed checks: %v", r.Failures)
	}
	if r.Requests == 0 || r.Succeeded == 0 {
		t.Errorf("%d requests, %d succeeded", r.Requests, r.Succeeded)
	}
	if len(r.Phases) != 3 || r.Phases[1].Phase != "outage" || r.Phases[1].Failed == 0 {
		t.Errorf("no errors during the outage: %+v", r.Phases)
	}
	if after := r.Phases[2]; after.Requests < 4*afterRequests || after.Failed != 0 {
		t.Errorf("after the recovery: %d requests, %d failed; want at least %d, none failed", after.Requests, after.Failed, 4*afterRequests)
	}
	if r.Unanswered != 0 || r.Unclean != 0 {
		t.Errorf("%d unanswered, %d unclean errors: %v", r.Unanswered, r.Unclean, r.Errors)
	}
	if r.RecoveryRead == nil || r.RecoveryReady == nil {
		t.Errorf("recovery not measured: read %v, ready %v", r.RecoveryRead, r.RecoveryReady)
	}
	if r.WritesAcknowledged == 0 || r.WritesLost != 0 || r.WritesFound != r.WritesAcknowledged {
		t.Errorf("writes: %d acknowledged, %d found, %d lost", r.WritesAcknowledged, r.WritesFound, r.WritesLost)
	}
	if !r.ReadinessDropped || !r.ReadinessRecovered {
		t.Errorf("readiness dropped %v, recovered %v", r.ReadinessDropped, r.ReadinessRecovered)
	}
	if tl := r.Timeline; !(tl.StopMS <= tl.DownMS && tl.DownMS <= tl.DroppedMS && tl.DroppedMS <= tl.RestartMS &&
		tl.RestartMS <= tl.UpMS && tl.UpMS <= tl.ReadyMS && tl.ReadyMS <= tl.EndMS) {
		t.Errorf("events out of order: %+v", tl)
	}
	if r.GoroutineLeak || r.HeapLeak {
		t.Errorf("goroutines %d -> %d, heap %.1f -> %.1f MB after %d writes", r.GoroutinesBaseline, r.GoroutinesAfter,
			r.HeapBaselineMB, r.HeapAfterMB, r.WritesAcknowledged)
	}
}

func TestBenchFaultRefusesAnExternalDatabase(t *testing.T) {
	_, err := runCommand(t, "bench", "fault", "--database-url", "postgres://localhost/x")
	if err == nil || !strings.Contains(err.Error(), "embedded") {
		t.Errorf("err = %v", err)
	}
}
