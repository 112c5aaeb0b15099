package browser_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/cohesio/cohesio/internal/browser"
	"github.com/cohesio/cohesio/internal/browser/browsertest"
)

func serve(t *testing.T, pages map[string]string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestAVisitSeesWhatThePageDid(t *testing.T) {
	base := serve(t, map[string]string{
		"/clean": `<!DOCTYPE html><title>ok</title><link rel="icon" href="data:,"><p class="x">one</p><p class="x">two</p>`,
		"/noisy": `<!DOCTYPE html><title>noisy</title><p id="done">x</p>
<img src="https://example.com/x.png" alt="">
<script>console.error("broken"); fetch("http://203.0.113.1/").catch(() => {}); setTimeout(() => { throw new Error("boom") });</script>`,
	})
	b := browsertest.New(t)
	ctx := context.Background()

	t.Run("a clean page", func(t *testing.T) {
		v := browsertest.Visit(t, base+"/clean", "", "clean")
		texts, err := v.Texts("p.x")
		if err != nil || !slices.Equal(texts, []string{"one", "two"}) {
			t.Fatalf("texts %q, %v", texts, err)
		}
	})
	t.Run("console errors, exceptions and requests to the outside", func(t *testing.T) {
		v, err := b.Visit(ctx, base+"/noisy", browser.VisitOptions{WaitFor: "#done"})
		if err != nil {
			t.Fatal(err)
		}
		defer v.Close()
		// The exception and the fetch happen after the load event: wait for them, not for a time.
		for !slices.ContainsFunc(v.Errors(), func(e string) bool { return strings.Contains(e, "boom") }) ||
			!slices.Contains(v.Foreign(), "http://203.0.113.1/") {
			if _, err := browser.Eval[bool](v, "new Promise(r => setTimeout(() => r(true), 50))"); err != nil {
				t.Fatal(err)
			}
		}
		if !slices.ContainsFunc(v.Errors(), func(e string) bool { return strings.Contains(e, "broken") }) {
			t.Errorf("console.error not seen: %q", v.Errors())
		}
		if !slices.Contains(v.Foreign(), "https://example.com/x.png") {
			t.Errorf("the image from the outside is not reported: %q", v.Foreign())
		}
		if len(v.Failed()) == 0 {
			t.Error("the requests to the outside did not fail")
		}
	})
}

func TestAPrintedDocumentHasItsTextAndPageNumbers(t *testing.T) {
	b := browsertest.New(t)
	doc := `<!DOCTYPE html><html lang="nl"><title>t</title><style>h1 { break-before: page }</style>
<h1>Eerste deel</h1><p>Een</p><h1>Tweede deel</h1><p>Twee</p>`
	pdf, err := b.PrintHTML(context.Background(), []byte(doc), browser.PDFOptions{Title: "Verslag 2025", Lang: "nl"})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %.20q", pdf)
	}
	text := browsertest.PDFText(t, pdf)
	for _, want := range []string{"Eerste deel", "Tweede deel", "Pagina 1 / 2", "Pagina 2 / 2", "Verslag 2025"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text lacks %q:\n%s", want, text)
		}
	}
}

func TestAMissingBrowserIsNamed(t *testing.T) {
	_, err := browser.Start(context.Background(), browser.Options{ExecPath: "/nonexistent/chromium"})
	if err == nil {
		t.Fatal("started a browser that does not exist")
	}
	if _, err := browser.Find(""); err != nil && !errors.Is(err, browser.ErrNotFound) {
		t.Fatalf("Find with no path: %v, want a browser or ErrNotFound", err)
	}
}
