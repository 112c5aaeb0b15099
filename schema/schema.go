// Package schema embeds the GraphQL SDL files: gqlgen generates the executor from them and
// the catalog reads the relational model from their directives.
package schema

import (
	"embed"
	"fmt"
	"io/fs"
	"sync"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// Files holds every *.graphqls file of this directory.
//
//go:embed *.graphqls
var Files embed.FS

// Parse returns the schema of the embedded files, parsed and validated once, the way gqlgen
// parses them. Callers share it and must not change it.
var Parse = sync.OnceValues(func() (*ast.Schema, error) {
	names, err := fs.Glob(Files, "*.graphqls")
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no *.graphqls files embedded")
	}
	sources := make([]*ast.Source, len(names))
	for i, n := range names {
		b, err := fs.ReadFile(Files, n)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", n, err)
		}
		sources[i] = &ast.Source{Name: n, Input: string(b)}
	}
	s, gerr := gqlparser.LoadSchema(sources...)
	if gerr != nil {
		return nil, fmt.Errorf("parse the schema: %w", gerr)
	}
	return s, nil
})
