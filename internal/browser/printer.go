package browser

import (
	"context"
	"sync"

	"github.com/cohesio/cohesio/internal/cohesion"
)

// Printer prints HTML documents to PDF with a browser it starts on first use, so that a server
// that never prints never starts one, and starts a new one after a failure.
type Printer struct {
	o  Options
	mu sync.Mutex
	b  *Browser
}

// NewPrinter returns a printer; Close stops its browser.
func NewPrinter(o Options) *Printer { return &Printer{o: o} }

// PrintPDF prints a self-contained HTML document, with title and the page numbers in lang
// at the foot of every page.
func (p *Printer) PrintPDF(ctx context.Context, html []byte, title string, lang cohesion.Lang) ([]byte, error) {
	b, err := p.browser(ctx)
	if err != nil {
		return nil, err
	}
	pdf, err := b.PrintHTML(ctx, html, PDFOptions{Title: title, Lang: string(lang)})
	if err != nil && ctx.Err() == nil {
		p.reset(b) // the browser may have died: the next document starts another
	}
	return pdf, err
}

func (p *Printer) browser(ctx context.Context) (*Browser, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.b == nil {
		b, err := Start(ctx, p.o)
		if err != nil {
			return nil, err
		}
		p.b = b
	}
	return p.b, nil
}

func (p *Printer) reset(b *Browser) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.b == b {
		p.b.Close()
		p.b = nil
	}
}

// Close stops the browser, if one was started.
func (p *Printer) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.b == nil {
		return nil
	}
	err := p.b.Close()
	p.b = nil
	return err
}
