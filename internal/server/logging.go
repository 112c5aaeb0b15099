package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// outcome is why a request failed, as the handlers tell the access log.
type outcome string

const (
	outcomeTimeout     outcome = "timeout"     // its deadline passed: its statements were cancelled
	outcomeCancelled   outcome = "cancelled"   // the client went away: its statements were cancelled
	outcomeUnavailable outcome = "unavailable" // the database could not be reached
)

// requestLog is what the handlers under withAccessLog tell it about a request, so that each
// failure is logged once: by the handler that saw the error (with its details), or else by
// the access log.
type requestLog struct {
	mu      sync.Mutex
	outcome outcome
	err     error
	logged  bool // the failure is already logged, with its error
}

type requestLogKey struct{}

// noteOutcome records why the request failed; the first reason stays (a request with many
// failed fields is logged once).
func noteOutcome(ctx context.Context, o outcome, err error) {
	if rl, ok := ctx.Value(requestLogKey{}).(*requestLog); ok {
		rl.mu.Lock()
		defer rl.mu.Unlock()
		if rl.outcome == "" {
			rl.outcome, rl.err = o, err
		}
	}
}

// noteContextEnded records a request whose context ended: its deadline, or its client.
func noteContextEnded(ctx context.Context, err error) {
	if errors.Is(err, context.DeadlineExceeded) {
		noteOutcome(ctx, outcomeTimeout, err)
	} else {
		noteOutcome(ctx, outcomeCancelled, err)
	}
}

// noteLogged records that the request's failure was logged where it happened.
func noteLogged(ctx context.Context) {
	if rl, ok := ctx.Value(requestLogKey{}).(*requestLog); ok {
		rl.mu.Lock()
		defer rl.mu.Unlock()
		rl.logged = true
	}
}

// requestLogHandler stands in front of the server's log handler. A record at Warn or above
// written under a request's context is that request's failure, logged where it happened with
// its error: the access log then does not repeat it. Records of a request name its id.
type requestLogHandler struct{ slog.Handler }

func (h requestLogHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level >= slog.LevelWarn {
		noteLogged(ctx)
	}
	if id := RequestID(ctx); id != "" && !hasAttr(r, "request_id") {
		r = r.Clone()
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestLogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestLogHandler{h.Handler.WithAttrs(attrs)}
}

func (h requestLogHandler) WithGroup(name string) slog.Handler {
	return requestLogHandler{h.Handler.WithGroup(name)}
}

func hasAttr(r slog.Record, key string) bool {
	found := false
	r.Attrs(func(a slog.Attr) bool {
		found = a.Key == key
		return !found
	})
	return found
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// withAccessLog writes one line per request: at Debug level when it went well (or when its
// failure was logged already), at Warn for a timeout, an unavailable database or a 503, at
// Info for a client that went away, and at Error for any other 5xx.
func withAccessLog(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rl := &requestLog{}
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), requestLogKey{}, rl)))

		rl.mu.Lock()
		o, err, logged := rl.outcome, rl.err, rl.logged
		rl.mu.Unlock()
		level, msg := slog.LevelDebug, "http"
		switch {
		case logged:
		case o == outcomeTimeout:
			level, msg = slog.LevelWarn, "request timed out"
		case o == outcomeCancelled:
			level, msg = slog.LevelInfo, "request cancelled by the client"
		case o == outcomeUnavailable:
			level, msg = slog.LevelWarn, "database unavailable"
		case sw.status == http.StatusServiceUnavailable:
			level, msg = slog.LevelWarn, "request failed"
		case sw.status >= 500:
			level, msg = slog.LevelError, "request failed"
		}
		attrs := []any{"method", r.Method, "path", r.URL.Path, "status", sw.status, "duration", time.Since(start),
			"request_id", RequestID(r.Context())}
		if err != nil && !logged {
			attrs = append(attrs, "err", err)
		}
		log.Log(r.Context(), level, msg, attrs...)
	})
}
