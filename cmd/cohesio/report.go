package main

import (
	"context"
	"fmt"
	"os"

	"github.com/urfave/cli/v3"

	"github.com/cohesio/cohesio/internal/cohesion"
	"github.com/cohesio/cohesio/internal/server"
)

func reportCommand() *cli.Command {
	return &cli.Command{
		Name:  "report",
		Usage: "render the annual evaluation report",
		Commands: []*cli.Command{{
			Name:  "annual",
			Usage: "write the annual evaluation report on a year as HTML or PDF",
			Description: "Renders the report as a publication would freeze it now: the figures as the public sees them\n" +
				"(small person counts withheld) and the evaluators' commentary. Nothing is published.",
			Flags: []cli.Flag{databaseURLFlag, dataDirFlag, thresholdFlag,
				&cli.IntFlag{Name: "year", Usage: "the year the report is on", Required: true},
				&cli.StringFlag{Name: "lang", Value: "fr", Usage: "fr or nl"},
				&cli.StringFlag{Name: "format", Value: "html", Usage: "html or pdf"},
				&cli.StringFlag{Name: "out", Usage: "file to write; - for stdout", Value: "-"},
				chromiumFlag,
			},
			Action: runAnnualReport,
		}},
	}
}

func runAnnualReport(ctx context.Context, c *cli.Command) error {
	lang := cohesion.Lang(c.String("lang"))
	if lang != cohesion.LangFR && lang != cohesion.LangNL {
		return errorf("--lang: fr or nl, got %q", c.String("lang"))
	}
	format := c.String("format")
	if format != "html" && format != "pdf" {
		return errorf("--format: html or pdf, got %q", format)
	}
	db, err := migrated(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	_, pages, err := server.Build(server.Config{Store: db.Store})
	if err != nil {
		return err
	}
	year := int(c.Int("year"))
	doc, err := pages.Rendition(ctx, year, lang)
	if err != nil {
		return err
	}
	if format == "pdf" {
		printer := newPrinter(c.String(chromiumFlag.Name))
		defer printer.Close()
		if doc, err = printer.PrintPDF(ctx, doc, fmt.Sprintf("Cohesio %d", year), lang); err != nil {
			return err
		}
	}
	if path := c.String("out"); path != "-" {
		return os.WriteFile(path, doc, 0o644)
	}
	_, err = os.Stdout.Write(doc)
	return err
}
