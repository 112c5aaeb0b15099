// Package browsertest gives tests a real headless Chromium: one browser per test binary,
// screenshots kept as artefacts, and the checks every page must pass.
package browsertest

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/cohesio/cohesio/internal/browser"
)

var (
	once    sync.Once
	shared  *browser.Browser
	failure error
)

// New returns the test binary's browser, started on first use. A machine without Chromium
// fails the test: it never skips (bash scripts/prerequisites.sh installs it).
func New(t testing.TB) *browser.Browser {
	t.Helper()
	once.Do(func() { shared, failure = browser.Start(context.Background(), browser.Options{}) })
	if failure != nil {
		t.Fatalf("browsertest: %v (bash scripts/prerequisites.sh installs what the tests need)", failure)
	}
	return shared
}

// Artefact returns the path of a file a test keeps, such as a screenshot: under the
// directory COHESIO_ARTIFACTS names (CI keeps it), else in the test's temporary directory.
func Artefact(t testing.TB, name string) string {
	t.Helper()
	dir := os.Getenv("COHESIO_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, name)
}

// Visit loads url, waits for waitFor (a CSS selector; empty: the load event), checks that the
// page is clean (CheckClean), keeps screenshots as artefacts name.png (the whole page) and
// name-top.png (its top), and closes the tab when the test ends.
func Visit(t testing.TB, url, waitFor, name string) *browser.Visit {
	t.Helper()
	v, err := New(t).Visit(context.Background(), url, browser.VisitOptions{WaitFor: waitFor})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(v.Close)
	// The whole page, and its top as a reader first sees it.
	for file, shoot := range map[string]func() ([]byte, error){name + ".png": v.Screenshot, name + "-top.png": v.ScreenshotTop} {
		png, err := shoot()
		if err != nil {
			t.Fatalf("screenshot of %s: %v", url, err)
		}
		if err := os.WriteFile(Artefact(t, file), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	CheckClean(t, v)
	return v
}

// CheckClean fails the test on any console error or uncaught exception of the page, any
// request to another origin and any failed request.
func CheckClean(t testing.TB, v *browser.Visit) {
	t.Helper()
	for _, e := range v.Errors() {
		t.Errorf("%s: console: %s", v.URL, e)
	}
	for _, r := range v.Foreign() {
		t.Errorf("%s: a request left the machine: %s", v.URL, r)
	}
	for _, f := range v.Failed() {
		t.Errorf("%s: a request failed: %s", v.URL, f)
	}
}

// PDFText extracts a PDF's text with poppler's pdftotext, in reading order (a table cell's text stays together).
func PDFText(t testing.TB, pdf []byte) string {
	t.Helper()
	path, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatal("browsertest: pdftotext not found (poppler-utils; bash scripts/prerequisites.sh installs it)")
	}
	cmd := exec.Command(path, "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("pdftotext: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	return out.String()
}
