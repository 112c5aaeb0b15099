// Command cohesio runs the Cohesio platform: the GraphQL server, migrations and data loading.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger, _ := newLogger(os.Stderr, "text")
	slog.SetDefault(logger)
	if err := newApp().Run(ctx, os.Args); err != nil {
		fmt.Fprintln(os.Stderr, "cohesio:", err)
		stop()
		os.Exit(1)
	}
}

func logLevel() slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(os.Getenv("COHESIO_LOG_LEVEL"))); err != nil {
		return slog.LevelInfo
	}
	return l
}

// newLogger writes the records at COHESIO_LOG_LEVEL and above to w, as text or as one JSON
// object a line (for log collectors).
func newLogger(w io.Writer, format string) (*slog.Logger, error) {
	opts := &slog.HandlerOptions{Level: logLevel()}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", format)
}
