package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v3"

	"github.com/cohesio/cohesio/internal/tsgen"
	"github.com/cohesio/cohesio/internal/view"
	"github.com/cohesio/cohesio/schema"
)

// typescriptOperations lists the operations whose variables and results get TypeScript
// types besides the schema's: the named views (a variable, for the tests).
var typescriptOperations = viewOperations

func viewOperations() ([]tsgen.Operation, error) {
	defs, err := view.Registered()
	if err != nil {
		return nil, err
	}
	ops := make([]tsgen.Operation, len(defs))
	for i, d := range defs {
		ops[i] = tsgen.Operation{Name: d.Name, Query: d.Query, Description: d.Description}
	}
	return ops, nil
}

func codegenCommand() *cli.Command {
	return &cli.Command{
		Name:  "codegen",
		Usage: "generate client code from the GraphQL schema",
		Commands: []*cli.Command{{
			Name:  "typescript",
			Usage: "write TypeScript types for the schema and the views' operations",
			Description: "One dependency-free .ts file: the schema's scalars, enums, input, interface and object\n" +
				"types, and for each view NameVariables, NameResult and NameDocument. The checked-in copy is\n" +
				"regenerated with: " + tsgen.Regenerate,
			Flags: []cli.Flag{
				&cli.StringFlag{Name: "out", Usage: "file to write instead of stdout", TakesFile: true},
			},
			Action: generateTypeScript,
		}},
	}
}

func generateTypeScript(ctx context.Context, c *cli.Command) error {
	s, err := schema.Parse()
	if err != nil {
		return err
	}
	ops, err := typescriptOperations()
	if err != nil {
		return fmt.Errorf("list the operations: %w", err)
	}
	out, err := tsgen.Generate(s, ops)
	if err != nil {
		return err
	}
	path := c.String("out")
	if path == "" || path == "-" {
		_, err := c.Root().Writer.Write(out)
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, out, 0o644)
}
