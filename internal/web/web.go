// Package web serves the pages people read: the annual evaluation report, the dashboards of
// communes and programmes and their home page. Pages are rendered on the server from GraphQL
// requests run as the reader (so row-level scope and small-count suppression apply exactly as
// in the API), with their charts drawn as SVG; each page is one self-contained HTML document,
// its stylesheet inlined and no script, so that it prints, archives and works with no
// internet. The package builds no SQL: it runs GraphQL and reads the store's evaluation records.
package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/cohesion"
	"github.com/cohesio/cohesio/internal/evaluation"
	"github.com/cohesio/cohesio/internal/store"
)

//go:embed templates/style.css
var css string

//go:embed templates/base.html
var baseHTML string

//go:embed templates/annual.html
var annualHTML string

//go:embed templates/dashboard.html
var dashboardHTML string

//go:embed templates/home.html
var homeHTML string

//go:embed templates/directory.html
var directoryHTML string

//go:embed templates/organisation.html
var organisationHTML string

var funcs = template.FuncMap{
	"msg":     msg,
	"other":   otherLang,
	"join":    strings.Join,
	"tableOf": func(t table) *figure { return &figure{Table: t} },
	"withLang": func(lang cohesion.Lang, f *figure) any {
		return struct {
			*figure
			Lang cohesion.Lang
		}{f, lang}
	},
}

// parse makes a page's template from the base and the page's own.
func parse(page string) *template.Template {
	return template.Must(template.Must(template.New("base").Funcs(funcs).Parse(baseHTML)).Parse(page))
}

var (
	annualPage       = parse(annualHTML)
	dashboardPage    = parse(dashboardHTML)
	homePage         = parse(homeHTML)
	directoryPage    = parse(directoryHTML)
	organisationPage = parse(organisationHTML)
)

// csp allows the inline stylesheet (by its hash) and inline images, nothing else: the pages
// have no script and load nothing.
var csp = func() string {
	sum := sha256.Sum256([]byte(css))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) +
		"'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
}()

// PDFPrinter prints a self-contained HTML document to PDF, with page numbers in lang.
type PDFPrinter interface {
	PrintPDF(ctx context.Context, html []byte, title string, lang cohesion.Lang) ([]byte, error)
}

// Options are what the pages need.
type Options struct {
	// Runner runs GraphQL as the request's principal.
	Runner Runner
	// Views runs the named views (by name rather than by document) as the request's
	// principal: the directory reads nothing else.
	Views Runner
	// Store keeps the evaluators' commentary and the published reports.
	Store *store.Store
	// PDF prints reports; nil answers PDF requests with 503 and the reason.
	PDF    PDFPrinter
	Logger *slog.Logger
	// Now is the clock of publications (default time.Now).
	Now func() time.Time
}

// Pages serves the pages.
type Pages struct {
	o Options
}

// New returns the pages.
func New(o Options) *Pages {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Pages{o: o}
}

// Routes registers the pages on mux; wrap instruments and limits each handler.
func (p *Pages) Routes(mux *http.ServeMux, wrap func(name string, h http.Handler) http.Handler) {
	mux.Handle("GET /reports/annual/{year}", wrap("annual_report", http.HandlerFunc(p.annualReport)))
	mux.Handle("GET /reports/published/{file}", wrap("published_report", http.HandlerFunc(p.published)))
	mux.Handle("GET /dashboards", wrap("dashboards", http.HandlerFunc(p.home)))
	mux.Handle("GET /dashboards/communes/{nis}", wrap("commune_dashboard", http.HandlerFunc(p.commune)))
	mux.Handle("GET /dashboards/programmes/{code}", wrap("programme_dashboard", http.HandlerFunc(p.programme)))
	mux.HandleFunc("GET /directory", func(w http.ResponseWriter, r *http.Request) {
		u := url.URL{Path: "/directory/", RawQuery: r.URL.RawQuery}
		http.Redirect(w, r, u.String(), http.StatusMovedPermanently)
	})
	mux.Handle("GET /directory/{$}", wrap("directory", http.HandlerFunc(p.directory)))
	mux.Handle("GET /directory/organisations/{id}", wrap("directory_organisation", http.HandlerFunc(p.organisation)))
}

// page is what the base template shows around a page's own content.
type page struct {
	Lang      cohesion.Lang
	Title     string
	CSS       template.CSS
	OtherLang string
	PDF       string
	Frozen    bool
	Body      any
}

func render(t *template.Template, pg page) ([]byte, error) {
	pg.CSS = template.CSS(css)
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "base", pg); err != nil {
		return nil, fmt.Errorf("render %s: %w", pg.Title, err)
	}
	return buf.Bytes(), nil
}

// language reads ?lang= (fr by default).
func language(r *http.Request) (cohesion.Lang, error) {
	switch strings.ToLower(r.URL.Query().Get("lang")) {
	case "", "fr":
		return cohesion.LangFR, nil
	case "nl":
		return cohesion.LangNL, nil
	}
	return "", cohesion.Invalid("lang", "fr or nl")
}

func otherLang(l cohesion.Lang) cohesion.Lang {
	if l == cohesion.LangNL {
		return cohesion.LangFR
	}
	return cohesion.LangNL
}

// annualReport answers /reports/annual/YEAR (HTML) and /reports/annual/YEAR.pdf.
func (p *Pages) annualReport(w http.ResponseWriter, r *http.Request) {
	raw, pdf := strings.CutSuffix(r.PathValue("year"), ".pdf")
	year, err := strconv.Atoi(raw)
	if err != nil || evaluation.CheckYear("year", year) != nil {
		p.fail(w, r, cohesion.Invalid("year", fmt.Sprintf("%q: a year between %d and %d", raw, evaluation.FirstYear, evaluation.LastYear)))
		return
	}
	lang, err := language(r)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	rep, html, err := p.renderAnnual(r.Context(), year, lang, nil)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	if pdf {
		p.servePDF(w, r, html, rep.Title, lang)
		return
	}
	serveHTML(w, html, "private, no-cache")
}

// renderAnnual renders year's report as ctx's principal sees it: a draft, or publication pub.
func (p *Pages) renderAnnual(ctx context.Context, year int, lang cohesion.Lang, pub *publication) (*annualReport, []byte, error) {
	narratives := pub.narratives()
	if pub == nil {
		var err error
		if narratives, err = p.o.Store.Narratives(ctx, year); err != nil {
			return nil, nil, err
		}
	}
	rep := annual(ctx, p.o.Runner, year, lang, narratives)
	pg := page{Lang: lang, Title: rep.Title, Body: rep}
	if pub == nil {
		rep.Status = msg(lang, "draft")
		pg.OtherLang = fmt.Sprintf("/reports/annual/%d?lang=%s", year, otherLang(lang))
		pg.PDF = fmt.Sprintf("/reports/annual/%d.pdf?lang=%s", year, lang)
		pubs, err := p.o.Store.PublishedReports(ctx, year)
		if err != nil {
			return nil, nil, err
		}
		for _, r := range pubs {
			if r.Lang == lang {
				rep.Publications = append(rep.Publications, link{
					Label: msg(lang, "published_on", r.Publication, longDate(r.PublishedAt, lang)),
					Href:  "/reports/published/" + r.ID})
			}
		}
	} else {
		rep.Published, pg.Frozen = true, true
		rep.Status = msg(lang, "preview", longDate(pub.at, lang))
		if pub.final {
			rep.Status = msg(lang, "published", longDate(pub.at, lang))
		}
	}
	html, err := render(annualPage, pg)
	return rep, html, err
}

// publication is what a public rendition fixes before it is rendered.
type publication struct {
	at         time.Time
	commentary map[string]*evaluation.Narrative
	final      bool // published, rather than previewed
}

func (pub *publication) narratives() map[string]*evaluation.Narrative {
	if pub == nil {
		return nil
	}
	return pub.commentary
}

// Rendition renders year's report as a publication would freeze it now: the figures as the
// public sees them (a public rendition never shows a withheld count, whoever makes it) and
// the commentary as ctx's principal reads it. It refuses when a figure could not be computed.
func (p *Pages) Rendition(ctx context.Context, year int, lang cohesion.Lang) ([]byte, error) {
	narratives, err := p.o.Store.Narratives(ctx, year)
	if err != nil {
		return nil, err
	}
	return p.rendition(ctx, year, lang, &publication{at: p.o.Now(), commentary: narratives})
}

func (p *Pages) rendition(ctx context.Context, year int, lang cohesion.Lang, pub *publication) ([]byte, error) {
	if err := evaluation.CheckYear("year", year); err != nil {
		return nil, err
	}
	rep, html, err := p.renderAnnual(access.WithPrincipal(ctx, access.Anonymous), year, lang, pub)
	if err != nil {
		return nil, err
	}
	if rep.Failed > 0 {
		return nil, fmt.Errorf("the report of %d: %d figures could not be computed", year, rep.Failed)
	}
	return html, nil
}

// Publish freezes year's report in French and Dutch (see Rendition) and returns the
// publication's renditions.
func (p *Pages) Publish(ctx context.Context, key *string, year int) (store.Result, []*store.PublishedReport, error) {
	if err := evaluation.CheckYear("year", year); err != nil {
		return store.Result{}, nil, err
	}
	narratives, err := p.o.Store.Narratives(ctx, year)
	if err != nil {
		return store.Result{}, nil, err
	}
	pub := &publication{at: p.o.Now(), commentary: narratives, final: true}
	var renditions []store.Rendition
	for _, lang := range []cohesion.Lang{cohesion.LangFR, cohesion.LangNL} {
		html, err := p.rendition(ctx, year, lang, pub)
		if err != nil {
			return store.Result{}, nil, fmt.Errorf("publish: %w", err)
		}
		renditions = append(renditions, store.Rendition{Lang: lang, HTML: html})
	}
	res, err := p.o.Store.PublishReport(ctx, key, year, renditions)
	if err != nil {
		return store.Result{}, nil, err
	}
	all, err := p.o.Store.PublishedReports(ctx, year)
	if err != nil {
		return store.Result{}, nil, err
	}
	var out []*store.PublishedReport
	for _, r := range all {
		if r.Publication == res.ID {
			out = append(out, r)
		}
	}
	return res, out, nil
}

// published answers /reports/published/ID (the frozen HTML) and /reports/published/ID.pdf.
func (p *Pages) published(w http.ResponseWriter, r *http.Request) {
	id, pdf := strings.CutSuffix(r.PathValue("file"), ".pdf")
	if _, err := hex.DecodeString(id); err != nil || len(id) != 64 {
		p.fail(w, r, fmt.Errorf("published report %q: %w", id, cohesion.ErrNotFound))
		return
	}
	rep, html, err := p.o.Store.PublishedReportByID(r.Context(), id)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	if pdf {
		p.servePDF(w, r, html, msg(rep.Lang, "annual_report", rep.Year), rep.Lang)
		return
	}
	w.Header().Set("ETag", `"`+id+`"`)
	serveHTML(w, html, "public, max-age=31536000, immutable")
}

func serveHTML(w http.ResponseWriter, html []byte, cache string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", csp)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", cache)
	w.Write(html)
}

func (p *Pages) servePDF(w http.ResponseWriter, r *http.Request, html []byte, title string, lang cohesion.Lang) {
	if p.o.PDF == nil {
		http.Error(w, "PDF rendering is not available on this server: it needs Chromium (apt-get install chromium)", http.StatusServiceUnavailable)
		return
	}
	pdf, err := p.o.PDF.PrintPDF(r.Context(), html, title, lang)
	if err != nil {
		p.fail(w, r, fmt.Errorf("print %s: %w", title, err))
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`inline; filename="%s.pdf"`, strings.ReplaceAll(title, `"`, "")))
	w.Header().Set("Cache-Control", "private, no-cache")
	w.Write(pdf)
}

// fail answers an error as plain text: the reason for the client's own errors, a generic
// message (and a log line) for the rest.
func (p *Pages) fail(w http.ResponseWriter, r *http.Request, err error) {
	var invalid *cohesion.InvalidError
	switch {
	case errors.As(err, &invalid):
		http.Error(w, err.Error(), http.StatusBadRequest)
	case errors.Is(err, cohesion.ErrNotFound):
		http.Error(w, "not found", http.StatusNotFound)
	case errors.Is(err, access.ErrForbidden):
		http.Error(w, err.Error(), http.StatusForbidden)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		http.Error(w, "the request took too long", http.StatusServiceUnavailable)
	default:
		p.o.Logger.ErrorContext(r.Context(), "page", "path", r.URL.Path, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}
