package main

import (
	"github.com/urfave/cli/v3"

	"github.com/cohesio/cohesio/internal/browser"
)

var chromiumFlag = &cli.StringFlag{
	Name:    "chromium",
	Usage:   "the Chromium executable that prints PDFs (default: chromium, chromium-browser or google-chrome on the PATH)",
	Sources: cli.EnvVars("COHESIO_CHROMIUM"),
}

// newPrinter prints PDFs with a headless Chromium, started on the first PDF.
func newPrinter(path string) *browser.Printer {
	return browser.NewPrinter(browser.Options{ExecPath: path})
}
