package playground

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

//go:embed examples/*.graphql
var exampleFiles embed.FS

// Examples loads the example queries embedded from examples/*.graphql: one
// operation per file, ordered by file name (e.g. "01-communes.graphql"). The
// file's leading comment lines may hold "# Name: ..." (the example's name,
// else the file name without extension) and "# Variables: {...}" (its
// variables as a JSON object); both lines are dropped from the query, other
// comments are kept. Tab titles in GraphiQL come from the operation name, so
// each file should use a named operation.
func Examples() ([]Example, error) {
	return loadExamples(exampleFiles)
}

func loadExamples(fsys fs.FS) ([]Example, error) {
	names, err := fs.Glob(fsys, "examples/*.graphql") // sorted
	if err != nil {
		return nil, err
	}
	examples := make([]Example, 0, len(names))
	for _, name := range names {
		src, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		ex, err := parseExample(strings.TrimSuffix(path.Base(name), ".graphql"), string(src))
		if err != nil {
			return nil, fmt.Errorf("playground: %s: %w", name, err)
		}
		examples = append(examples, ex)
	}
	return examples, nil
}

// parseExample reads the header comments of one example file; only the
// leading comment block is searched, so a "# Name:" inside the query stays.
func parseExample(name, src string) (Example, error) {
	ex := Example{Name: name}
	var query []string
	header := true
	for _, line := range strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n") {
		trimmed := strings.TrimSpace(line)
		if header && trimmed != "" && !strings.HasPrefix(trimmed, "#") {
			header = false
		}
		if header {
			comment := strings.TrimSpace(strings.TrimPrefix(trimmed, "#"))
			if v, ok := cutKey(comment, "Name:"); ok {
				if v != "" {
					ex.Name = v
				}
				continue
			}
			if v, ok := cutKey(comment, "Variables:"); ok {
				ex.Variables = v
				continue
			}
		}
		query = append(query, line)
	}
	ex.Query = strings.TrimSpace(strings.Join(query, "\n")) + "\n"
	if ex.Query == "\n" {
		return Example{}, fmt.Errorf("no query")
	}
	if ex.Variables != "" {
		// Catch a typo here rather than as a confusing error in the browser.
		var obj map[string]any
		if err := json.Unmarshal([]byte(ex.Variables), &obj); err != nil {
			return Example{}, fmt.Errorf("variables are not a JSON object: %w", err)
		}
	}
	return ex, nil
}

// cutKey reports whether comment starts with key (case-insensitively) and
// returns the trimmed rest.
func cutKey(comment, key string) (string, bool) {
	if len(comment) < len(key) || !strings.EqualFold(comment[:len(key)], key) {
		return "", false
	}
	return strings.TrimSpace(comment[len(key):]), true
}
