package bench

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/cohesio/cohesio/internal/cohesion"
)

// ReportResult is the time to render the annual report in one format: the first time (cold:
// nothing cached, for a PDF the browser not started yet) and the median of the next rounds.
type ReportResult struct {
	Format string  `json:"format"`
	Year   int     `json:"year"`
	Bytes  int     `json:"bytes"`
	Rounds int     `json:"rounds"`
	ColdMs float64 `json:"cold_ms"`
	WarmMs float64 `json:"warm_p50_ms"`
	MaxMs  float64 `json:"warm_max_ms"`
}

// NewReportPrinter returns a printer of report results to w.
func NewReportPrinter(w io.Writer, jsonLines bool) *Printer[ReportResult] {
	return &Printer[ReportResult]{w: w, jsonLines: jsonLines}
}

func (ReportResult) format() string { return "%-6s %6v %10v %7v %12v %12v %12v\n" }
func (ReportResult) header() []any {
	return []any{"format", "year", "bytes", "rounds", "cold", "warm p50", "warm max"}
}
func (r ReportResult) cells() []any {
	return []any{r.Format, r.Year, r.Bytes, r.Rounds, ms(r.ColdMs), ms(r.WarmMs), ms(r.MaxMs)}
}

// Renderer renders the annual report on a year.
type Renderer interface {
	Rendition(ctx context.Context, year int, lang cohesion.Lang) ([]byte, error)
}

// PDFPrinter prints a rendered report.
type PDFPrinter interface {
	PrintPDF(ctx context.Context, html []byte, title string, lang cohesion.Lang) ([]byte, error)
}

// RunReport renders year's report rounds+1 times as HTML, then prints it rounds+1 times as
// PDF (each time rendered anew), and emits one result per format.
func RunReport(ctx context.Context, r Renderer, p PDFPrinter, year, rounds int, emit func(ReportResult) error) error {
	html := func(ctx context.Context) ([]byte, error) { return r.Rendition(ctx, year, cohesion.LangFR) }
	pdf := func(ctx context.Context) ([]byte, error) {
		doc, err := html(ctx)
		if err != nil {
			return nil, err
		}
		return p.PrintPDF(ctx, doc, fmt.Sprint(year), cohesion.LangFR)
	}
	for _, f := range []struct {
		name   string
		render func(context.Context) ([]byte, error)
	}{{"html", html}, {"pdf", pdf}} {
		var times []time.Duration
		var size int
		for i := 0; i <= rounds; i++ {
			start := time.Now()
			out, err := f.render(ctx)
			if err != nil {
				return fmt.Errorf("%s: %w", f.name, err)
			}
			times, size = append(times, time.Since(start)), len(out)
		}
		warm := slices.Clone(times[1:])
		slices.Sort(warm)
		res := ReportResult{Format: f.name, Year: year, Bytes: size, Rounds: rounds, ColdMs: millis(times[0])}
		if len(warm) > 0 {
			res.WarmMs, res.MaxMs = millis(percentile(warm, 0.5)), millis(warm[len(warm)-1])
		}
		if err := emit(res); err != nil {
			return err
		}
	}
	return nil
}
