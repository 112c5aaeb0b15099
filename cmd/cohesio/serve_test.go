package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cohesio/cohesio/internal/pgtest"
)

// syncBuffer is a bytes.Buffer that the server's goroutines may write to.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// serve --log-format json writes its logs as one JSON object a line.
func TestServeWritesJSONLogs(t *testing.T) {
	defer slog.SetDefault(slog.Default())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	var logs syncBuffer
	app := newApp()
	app.ErrWriter = &logs
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- app.Run(ctx, []string{"cohesio", "serve", "--log-format", "json", "--addr", addr, "--database-url", pgtest.NewDatabase(t)})
	}()
	// The event: the server is ready (it logged so before it answers).
	for ready := false; !ready; {
		select {
		case err := <-done:
			t.Fatalf("serve stopped: %v\n%s", err, logs.String())
		default:
		}
		if res, err := http.Get("http://" + addr + "/readyz"); err == nil {
			res.Body.Close()
			ready = res.StatusCode == http.StatusOK
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	sawReady := false
	for _, line := range lines {
		var rec struct{ Level, Msg string }
		if err := json.Unmarshal([]byte(line), &rec); err != nil || rec.Level == "" || rec.Msg == "" {
			t.Errorf("not a JSON record: %q (%v)", line, err)
		}
		sawReady = sawReady || rec.Msg == "Cohesio is ready"
	}
	if !sawReady {
		t.Errorf("no ready record in %d lines:\n%s", len(lines), logs.String())
	}
}

// An unknown format, from the environment like every flag, is refused before anything starts.
func TestServeRefusesAnUnknownLogFormat(t *testing.T) {
	t.Setenv("COHESIO_LOG_FORMAT", "xml")
	_, err := runCommand(t, "serve", "--database-url", "postgres://127.0.0.1:1/none")
	if err == nil || !strings.Contains(err.Error(), "--log-format") || !strings.Contains(err.Error(), "json") {
		t.Errorf("err = %v, want --log-format named with its choices", err)
	}
}
