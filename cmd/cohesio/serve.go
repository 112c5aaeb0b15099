package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/auth"
	"github.com/cohesio/cohesio/internal/server"
	"github.com/cohesio/cohesio/internal/store"
	"github.com/cohesio/cohesio/internal/telemetry"
)

func serveCommand() *cli.Command {
	return &cli.Command{
		Name:  "serve",
		Usage: "migrate the database and serve the GraphQL API and its playground",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "addr", Value: "127.0.0.1:8080", Usage: "address to listen on", Sources: cli.EnvVars("COHESIO_ADDR")},
			&cli.StringFlag{Name: "log-format", Value: "text", Usage: "how logs are written to standard error: text, or json (one object a line)", Sources: cli.EnvVars("COHESIO_LOG_FORMAT")},
			&cli.BoolFlag{Name: "demo", Usage: "load the demo dataset when the database is empty", Sources: cli.EnvVars("COHESIO_DEMO")},
			databaseURLFlag,
			&cli.StringFlag{Name: "database-read-url", Usage: "PostgreSQL URL of a streaming replica for read-only operations", Sources: cli.EnvVars("DATABASE_READ_URL")},
			dataDirFlag,
			&cli.StringSliceFlag{Name: "cors-origin", Usage: "browser origin allowed to call the API (repeatable)", Sources: cli.EnvVars("COHESIO_CORS_ORIGINS")},
			&cli.StringFlag{Name: "role", Value: string(access.Public), Usage: "role of requests without credentials: public, researcher, operator, coordinator, analyst or admin", Sources: cli.EnvVars("COHESIO_ROLE")},
			&cli.StringFlag{Name: "oidc-issuer", Usage: "OpenID Connect issuer whose tokens are accepted (its JWKS is found by discovery); none: API tokens only", Sources: cli.EnvVars("COHESIO_OIDC_ISSUER")},
			&cli.StringFlag{Name: "oidc-audience", Usage: "audience the OpenID Connect tokens must name", Sources: cli.EnvVars("COHESIO_OIDC_AUDIENCE")},
			&cli.StringFlag{Name: "oidc-jwks-url", Usage: "JWKS of the issuer, when discovery does not apply", Sources: cli.EnvVars("COHESIO_OIDC_JWKS_URL")},
			&cli.DurationFlag{Name: "oidc-clock-skew", Value: auth.DefaultClockSkew, Usage: "clock difference tolerated on token times", Sources: cli.EnvVars("COHESIO_OIDC_CLOCK_SKEW")},
			thresholdFlag,
			&cli.BoolFlag{Name: "production", Usage: "turn introspection and field suggestions off", Sources: cli.EnvVars("COHESIO_PRODUCTION")},
			&cli.DurationFlag{Name: "request-timeout", Value: 30 * time.Second, Usage: "stop a request (and its SQL) after this long", Sources: cli.EnvVars("COHESIO_REQUEST_TIMEOUT")},
			&cli.IntFlag{Name: "max-depth", Value: server.DefaultLimits.MaxDepth, Usage: "deepest nesting of fields a request may ask", Sources: cli.EnvVars("COHESIO_MAX_DEPTH")},
			&cli.IntFlag{Name: "max-aliases", Value: server.DefaultLimits.MaxAliases, Usage: "aliased fields a request may have", Sources: cli.EnvVars("COHESIO_MAX_ALIASES")},
			&cli.IntFlag{Name: "max-cost", Value: server.DefaultLimits.MaxCost, Usage: "objects a request may return at most, counting page sizes", Sources: cli.EnvVars("COHESIO_MAX_COST")},
			// Request protections (internal/server/guard.go, trusted.go).
			&cli.FloatFlag{Name: "rate-limit", Value: server.DefaultRateLimit, Usage: "requests per second one caller (token, or client IP) may make to /graphql and the dataset routes; 0 turns rate limits off", Sources: cli.EnvVars("COHESIO_RATE_LIMIT")},
			&cli.IntFlag{Name: "rate-burst", Value: server.DefaultRateBurst, Usage: "requests one caller may make in a burst before --rate-limit holds it back; 0 turns rate limits off", Sources: cli.EnvVars("COHESIO_RATE_BURST")},
			&cli.BoolFlag{Name: "trust-proxy", Usage: "take the client IP from X-Forwarded-For: only behind a reverse proxy that sets it", Sources: cli.EnvVars("COHESIO_TRUST_PROXY")},
			&cli.StringFlag{Name: "trusted-documents", Usage: "JSON file mapping \"sha256:<hex>\" to the text of each GraphQL document clients may run by documentId", Sources: cli.EnvVars("COHESIO_TRUSTED_DOCUMENTS")},
			chromiumFlag,
			&cli.StringSliceFlag{Name: "trusted-documents-only", Usage: "roles that may run trusted documents only, comma-separated (e.g. public,researcher)", Sources: cli.EnvVars("COHESIO_TRUSTED_DOCUMENTS_ONLY")},
			// Observability (internal/telemetry, internal/server/metrics.go).
			&cli.StringFlag{Name: "otlp-endpoint", Usage: "OTLP/HTTP collector to send traces to, e.g. http://localhost:4318 (/v1/traces is appended to a URL without a path); default: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT, and no tracing when neither is set"},
			&cli.StringFlag{Name: "metrics-listen", Usage: "address to serve /metrics on, instead of --addr", Sources: cli.EnvVars("COHESIO_METRICS_LISTEN")},
		},
		Action: serve,
	}
}

func serve(ctx context.Context, c *cli.Command) error {
	start := time.Now()
	logs := c.Root().ErrWriter
	if logs == nil {
		logs = os.Stderr
	}
	logger, err := newLogger(logs, c.String("log-format"))
	if err != nil {
		return err
	}
	slog.SetDefault(logger)
	// Checked before the database starts, so that a bad file or role fails at once.
	var trusted *server.TrustedDocuments
	if path := c.String("trusted-documents"); path != "" {
		var err error
		if trusted, err = server.LoadTrustedDocuments(path); err != nil {
			return err
		}
		slog.Info("trusted documents loaded", "documents", trusted.Len())
	}
	var trustedOnly []access.Role
	for _, name := range c.StringSlice("trusted-documents-only") {
		r, err := access.ParseRole(strings.TrimSpace(name))
		if err != nil {
			return fmt.Errorf("--trusted-documents-only: %w", err)
		}
		trustedOnly = append(trustedOnly, r)
	}
	if len(trustedOnly) > 0 && trusted == nil {
		return errors.New("--trusted-documents-only needs --trusted-documents")
	}
	tracing, err := telemetry.Start(ctx, telemetry.Options{Endpoint: c.String("otlp-endpoint")})
	if err != nil {
		return fmt.Errorf("--otlp-endpoint: %w", err)
	}
	defer func() {
		// Runs last: the spans of the requests that shutdown let finish are sent too.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := tracing.Shutdown(ctx); err != nil {
			slog.Warn("tracing", "err", err)
		}
	}()
	if tracing != nil {
		slog.Info("tracing to OTLP collector")
	}
	timeout := c.Duration("request-timeout")
	// The statement timeout stands behind the request timeout, for statements left running.
	db, err := openDatabase(ctx, c, store.Options{ReadDSN: c.String("database-read-url"), StatementTimeout: timeout + 5*time.Second,
		SuppressionThreshold: int(c.Int(thresholdFlag.Name)), Tracer: telemetry.QueryTracer(tracing.TracerProvider())})
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) > 0 {
		slog.Info("migrations applied", "names", strings.Join(applied, ", "))
	}
	if c.Bool("demo") {
		loaded, err := loadDemo(ctx, db)
		if err != nil {
			return err
		}
		if loaded {
			slog.Info("demo dataset loaded")
		}
	}
	role, err := access.ParseRole(c.String("role"))
	if err != nil {
		return err
	}
	// The authenticator lives as long as the server: it keeps the issuer's keys fresh.
	authn, err := auth.New(ctx, auth.Config{
		Issuer: c.String("oidc-issuer"), Audience: c.String("oidc-audience"), JWKSURL: c.String("oidc-jwks-url"),
		ClockSkew: c.Duration("oidc-clock-skew"), AnonymousRole: role,
	}, db.Store)
	if err != nil {
		return err
	}
	var metricsMux *http.ServeMux
	if c.String("metrics-listen") != "" {
		metricsMux = http.NewServeMux()
	}
	printer := newPrinter(c.String(chromiumFlag.Name))
	defer printer.Close()
	h, err := server.New(server.Config{
		PDF:  printer,
		Auth: authn, Role: role,
		Store: db.Store, Logger: slog.Default(), AllowedOrigins: c.StringSlice("cors-origin"), Timeout: timeout, Production: c.Bool("production"),
		Limits: server.Limits{MaxDepth: c.Int("max-depth"), MaxAliases: c.Int("max-aliases"), MaxCost: c.Int("max-cost")},

		// Request protections.
		RateLimit: c.Float("rate-limit"), RateBurst: c.Int("rate-burst"), TrustProxy: c.Bool("trust-proxy"),
		TrustedDocuments: trusted, TrustedDocumentsOnly: trustedOnly,

		Telemetry: server.Telemetry{TracerProvider: tracing.TracerProvider(), MetricsMux: metricsMux},
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.String("addr"))
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	errc := make(chan error, 2)
	if metricsMux != nil {
		mln, err := net.Listen("tcp", c.String("metrics-listen"))
		if err != nil {
			ln.Close()
			return fmt.Errorf("--metrics-listen: %w", err)
		}
		metricsSrv := &http.Server{Handler: metricsMux, ReadHeaderTimeout: 10 * time.Second}
		go func() { errc <- metricsSrv.Serve(mln) }()
		defer metricsSrv.Close()
		slog.Info("metrics served", "url", "http://"+mln.Addr().String()+"/metrics")
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	go func() { errc <- srv.Serve(ln) }()
	slog.Info("Cohesio is ready", "url", "http://"+ln.Addr().String()+"/", "took", time.Since(start).Round(time.Millisecond))
	fmt.Printf("Cohesio is serving at http://%s/ (playground), http://%s/graphql, http://%s/views and http://%s/dashboards\n", ln.Addr(), ln.Addr(), ln.Addr(), ln.Addr())

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	slog.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}
