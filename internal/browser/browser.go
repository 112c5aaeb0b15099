// Package browser drives a headless Chromium: to print the platform's pages to PDF, and, in
// tests, to load them as a reader would, with nothing allowed to leave the machine.
package browser

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// Options say which browser to start.
type Options struct {
	// ExecPath is the browser's executable; empty: chromium, chromium-browser or
	// google-chrome on the PATH.
	ExecPath string
	Logger   *slog.Logger
}

// Browser is one browser process; each page opens in a tab of its own.
type Browser struct {
	ctx     context.Context // the browser's
	cancel  context.CancelFunc
	dataDir string
}

// ErrNotFound: no browser is installed.
var ErrNotFound = errors.New("no Chromium found: install it (Debian: apt-get install chromium) or give its path")

// Find returns the browser's executable.
func Find(path string) (string, error) {
	if path != "" {
		p, err := exec.LookPath(path)
		if err != nil {
			return "", fmt.Errorf("%w (%v)", ErrNotFound, err)
		}
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", ErrNotFound
}

// Start starts a browser. It lives until Close, not until ctx ends.
func Start(ctx context.Context, o Options) (*Browser, error) {
	path, err := Find(o.ExecPath)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "cohesio-browser-")
	if err != nil {
		return nil, fmt.Errorf("browser profile: %w", err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(dir),
		chromedp.Flag("disable-gpu", true),
		chromedp.WindowSize(1280, 900), // a laptop's screen, for the screenshots
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("no-pings", true),
		// Nothing but this machine: every request that is not to the loopback goes to a proxy
		// that does not exist (Chromium sends loopback requests directly), and no name resolves.
		chromedp.Flag("proxy-server", "http://127.0.0.1:9"),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"),
	)
	if os.Geteuid() == 0 {
		// Chromium's sandbox refuses to run as root (CI containers run as root); it only
		// loads the platform's own pages.
		opts = append(opts, chromedp.NoSandbox)
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.WithoutCancel(ctx), opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	b := &Browser{ctx: bctx, dataDir: dir, cancel: func() { cancelBrowser(); cancelAlloc() }}
	// The first run starts the process; a failure to start shows here.
	if err := chromedp.Do(bctx); err != nil {
		b.Close()
		return nil, fmt.Errorf("start %s: %w", path, err)
	}
	return b, nil
}

// Close stops the browser and removes its profile.
func (b *Browser) Close() error {
	b.cancel()
	return os.RemoveAll(b.dataDir)
}

// tab opens a new tab that ends with ctx.
func (b *Browser) tab(ctx context.Context) (context.Context, context.CancelFunc) {
	tctx, cancel := chromedp.NewContext(b.ctx)
	stop := context.AfterFunc(ctx, cancel)
	return tctx, func() { stop(); cancel() }
}

// PDFOptions set the printed page.
type PDFOptions struct {
	// Title is printed at the foot of every page, left of the page number.
	Title string
	// Lang is the language of the footer: "nl" prints "Pagina 3 / 12", else "Page 3 / 12".
	Lang string
}

// PDF prints the page at url on A4 paper, with its background, its outline (the headings, as
// bookmarks) and page numbers in the footer.
func (b *Browser) PDF(ctx context.Context, url string, o PDFOptions) ([]byte, error) {
	tctx, cancel := b.tab(ctx)
	defer cancel()
	if err := chromedp.Do(tctx, chromedp.Navigate(url)); err != nil {
		return nil, fmt.Errorf("load %s: %w", url, err)
	}
	if err := numberContents(tctx, o); err != nil {
		return nil, fmt.Errorf("number the contents of %s: %w", url, err)
	}
	return printPDF(tctx, o)
}

// printPDF prints the tab's page.
func printPDF(tctx context.Context, o PDFOptions) ([]byte, error) {
	word := "Page"
	if o.Lang == "nl" {
		word = "Pagina"
	}
	footer := `<div style="font: 8px sans-serif; width: 100%; margin: 0 16mm; display: flex; justify-content: space-between;">` +
		`<span>` + escape(o.Title) + `</span><span>` + word + ` <span class="pageNumber"></span> / <span class="totalPages"></span></span></div>`
	pdf, err := chromedp.Run(tctx, chromedp.PrintToPDF(
		chromedp.PDFPaper(chromedp.PaperA4),
		chromedp.PDFPrintBackground(),
		chromedp.PDFPreferCSSPageSize(),
		chromedp.PDFOutlineAndTagged(),
		chromedp.PDFHeaderTemplate(`<span></span>`),
		chromedp.PDFFooterTemplate(footer),
	))
	if err != nil {
		return nil, fmt.Errorf("print: %w", err)
	}
	return pdf, nil
}

// numberContents writes page numbers into a table of contents: the links of nav.toc to
// sections of main, each of which starts a page (CSS break-before). Chromium cannot number
// them itself (no target-counter), so each part the breaks make (what comes before the first
// section, then each section with what follows it) is printed alone and its pages counted;
// a section then starts on the page after all parts before it. The numbers go into a
// span.toc-page in each entry, for the page's stylesheet to place.
func numberContents(tctx context.Context, o PDFOptions) error {
	parts, err := chromedp.Run(tctx, chromedp.Evaluate[int](contentsJS+`; tocParts().length`))
	if err != nil || parts == 0 {
		return err
	}
	page, numbers := 1, make([]int, parts)
	for k := 0; k <= parts; k++ {
		if _, err := chromedp.Run(tctx, chromedp.Evaluate[bool](fmt.Sprintf(contentsJS+"; showPart(%d)", k))); err != nil {
			return err
		}
		pdf, err := printPDF(tctx, o)
		if err != nil {
			return err
		}
		if k > 0 {
			numbers[k-1] = page
		}
		page += countPages(pdf)
	}
	b, _ := json.Marshal(numbers)
	_, err = chromedp.Run(tctx, chromedp.Evaluate[bool](contentsJS+"; showPart(-1); writeNumbers("+string(b)+")"))
	return err
}

// contentsJS finds the parts of a page (see numberContents), shows one (or all: -1) and
// writes the numbers. Page scripts may be forbidden (CSP): the debugger's evaluation is not.
const contentsJS = `
function tocParts() {
  return Array.from(document.querySelectorAll('nav.toc a[href^="#"]'))
    .map(a => document.getElementById(a.getAttribute('href').slice(1)))
    .filter(s => s && s.parentElement && s.parentElement.tagName === 'MAIN');
}
function showPart(k) {
  const sections = tocParts();
  let part = 0;
  for (const el of document.querySelectorAll('main > *')) {
    if (sections.includes(el)) part++;
    el.style.display = (k < 0 || part === k) ? '' : 'none';
  }
  return true;
}
function writeNumbers(numbers) {
  const links = Array.from(document.querySelectorAll('nav.toc a[href^="#"]'))
    .filter(a => tocParts().includes(document.getElementById(a.getAttribute('href').slice(1))));
  links.forEach((a, i) => {
    const span = document.createElement('span');
    span.className = 'toc-page';
    span.textContent = String(numbers[i]);
    a.after(span);
  });
  return true;
}`

// pagesRE matches the page objects of a PDF (not the page tree's /Pages).
var pagesRE = regexp.MustCompile(`/Type\s*/Page[^s\w]`)

func countPages(pdf []byte) int { return len(pagesRE.FindAllIndex(pdf, -1)) }

// PrintHTML prints a self-contained HTML document (see PDF). The browser reads it from a
// server on the loopback that serves it alone, for as long as the printing takes.
func (b *Browser) PrintHTML(ctx context.Context, html []byte, o PDFOptions) ([]byte, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("serve the document to print: %w", err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(html)
	})}
	go srv.Serve(l)
	defer srv.Close()
	return b.PDF(ctx, "http://"+l.Addr().String()+"/", o)
}

func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;").Replace(s)
}

// Visit is a page loaded in a tab, with what happened while it loaded.
type Visit struct {
	URL string

	ctx    context.Context
	cancel context.CancelFunc
	origin string

	mu       sync.Mutex
	console  []chromedp.ConsoleMessage
	requests []string
	failed   []string
}

// VisitOptions say when a page is ready.
type VisitOptions struct {
	// WaitFor is a CSS selector the page shows once its scripts are done (empty: the load
	// event is enough, as for pages without script).
	WaitFor string
}

// Visit opens url in a new tab and waits for it to load (and for o.WaitFor). Close the visit.
func (b *Browser) Visit(ctx context.Context, rawURL string, o VisitOptions) (*Visit, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	tctx, cancel := b.tab(ctx)
	v := &Visit{URL: rawURL, ctx: tctx, cancel: cancel, origin: u.Scheme + "://" + u.Host}
	// Subscribe before the navigation, so that nothing is missed.
	console := chromedp.Console(tctx)
	sent := chromedp.Events(tctx, network.RequestWillBeSent)
	failed := chromedp.Events(tctx, network.LoadingFailed)
	go func() {
		for m, err := range console {
			if err != nil {
				return
			}
			v.mu.Lock()
			v.console = append(v.console, m)
			v.mu.Unlock()
		}
	}()
	go func() {
		for ev, err := range sent {
			if err != nil {
				return
			}
			v.mu.Lock()
			v.requests = append(v.requests, ev.Request.URL)
			v.mu.Unlock()
		}
	}()
	go func() {
		for ev, err := range failed {
			if err != nil {
				return
			}
			v.mu.Lock()
			v.failed = append(v.failed, ev.ErrorText)
			v.mu.Unlock()
		}
	}()
	if err := chromedp.Do(tctx, chromedp.Navigate(rawURL)); err != nil {
		cancel()
		return nil, fmt.Errorf("load %s: %w", rawURL, err)
	}
	if o.WaitFor != "" {
		if err := chromedp.Do(tctx, chromedp.WaitVisible(chromedp.CSS(o.WaitFor))); err != nil {
			cancel()
			return nil, fmt.Errorf("wait for %s on %s: %w", o.WaitFor, rawURL, err)
		}
	}
	return v, nil
}

// Close closes the tab.
func (v *Visit) Close() { v.cancel() }

// Console returns the console messages so far (log entries, errors, uncaught exceptions).
func (v *Visit) Console() []chromedp.ConsoleMessage {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]chromedp.ConsoleMessage(nil), v.console...)
}

// Errors returns the console errors and uncaught exceptions so far.
func (v *Visit) Errors() []string {
	var out []string
	for _, m := range v.Console() {
		if m.Type == chromedp.ConsoleError || m.IsException() {
			out = append(out, m.String())
		}
	}
	return out
}

// Requests returns the URLs the page requested so far.
func (v *Visit) Requests() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]string(nil), v.requests...)
}

// Foreign returns the requests so far that went to another origin than the page's (data: and
// blob: URLs are the page's own). The browser cannot reach them; a test refuses them.
func (v *Visit) Foreign() []string {
	var out []string
	for _, r := range v.Requests() {
		if !strings.HasPrefix(r, v.origin+"/") && r != v.origin && !strings.HasPrefix(r, "data:") && !strings.HasPrefix(r, "blob:") {
			out = append(out, r)
		}
	}
	return out
}

// Failed returns the reasons of the requests that failed so far.
func (v *Visit) Failed() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]string(nil), v.failed...)
}

// Screenshot takes a PNG of the whole page.
func (v *Visit) Screenshot() ([]byte, error) {
	return chromedp.Run(v.ctx, chromedp.FullScreenshot(100))
}

// ScreenshotTop takes a PNG of what the window shows of the page's top.
func (v *Visit) ScreenshotTop() ([]byte, error) {
	return chromedp.Run(v.ctx, chromedp.CaptureScreenshot())
}

// Eval evaluates a JavaScript expression in the page and decodes its value into T.
func Eval[T any](v *Visit, js string) (T, error) {
	return chromedp.Run(v.ctx, chromedp.Evaluate[T](js))
}

// Texts returns the text content of every element matching a CSS selector.
func (v *Visit) Texts(selector string) ([]string, error) {
	return Eval[[]string](v, fmt.Sprintf("Array.from(document.querySelectorAll(%q), e => e.textContent.trim())", selector))
}
