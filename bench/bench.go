// Package bench measures the GraphQL API against hand-written SQL that returns the same
// answer, on the same database.
//
// A workload is two files in queries/: NAME.graphql, a GraphQL document, and NAME.sql, the
// SQL a developer would write by hand for the same answer. Both are embedded in the binary and
// can be run as they are (with curl and psql). Their header comments say:
//
//	# kind: report            (in the .graphql file: report, view or lookup)
//	-- params: ["21010"]      (in the .sql file: the values of $1, $2... as a JSON array)
//	-- params-from: SELECT …  (or: a query whose one row gives them, run once at startup)
//
// The same values are the GraphQL variables, in the order the operation declares them.
//
// The GraphQL request goes to one endpoint per path (see [Endpoint]): the planned path (the
// read planner answers with one SQL statement) and the resolvers only (gqlgen's resolvers, the
// reference); the SQL runs in two modes (see [SQLModes]): prepared and simple (unprepared).
//
// Before measuring, the runner runs each workload once every way and compares the answers
// (see answer.go): it refuses to measure two queries that do not return the same thing. Then,
// for each number of concurrent clients, it sends the GraphQL request over HTTP to each path as
// a client would, runs the SQL through pgx in each mode as many times, and reports the latency
// percentiles of each (path, SQL mode) pair.
package bench

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

//go:embed queries/*.graphql queries/*.sql
var queries embed.FS

// Kinds of workloads.
const (
	KindReport = "report" // a report: rows of keys and values, compared as a multiset
	KindView   = "view"   // a nested read for a screen, compared row by row in order
	KindLookup = "lookup" // one object by a natural key
)

// Workload is a GraphQL document and the SQL that returns the same answer.
type Workload struct {
	Name    string
	Kind    string
	GraphQL string
	SQL     string

	params      []any  // from "-- params:"
	paramsQuery string // from "-- params-from:"
	operation   *ast.OperationDefinition
}

// Workloads returns the embedded workloads, sorted by name.
func Workloads() ([]*Workload, error) {
	return loadWorkloads(queries, "queries")
}

func loadWorkloads(fsys fs.FS, dir string) ([]*Workload, error) {
	files, err := fs.Glob(fsys, path.Join(dir, "*.graphql"))
	if err != nil {
		return nil, err
	}
	var out []*Workload
	for _, file := range files {
		name := strings.TrimSuffix(path.Base(file), ".graphql")
		doc, err := fs.ReadFile(fsys, file)
		if err != nil {
			return nil, err
		}
		sql, err := fs.ReadFile(fsys, path.Join(dir, name+".sql"))
		if err != nil {
			return nil, fmt.Errorf("workload %s: %w", name, err)
		}
		w, err := parseWorkload(name, string(doc), string(sql))
		if err != nil {
			return nil, fmt.Errorf("workload %s: %w", name, err)
		}
		out = append(out, w)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no workload in %s", dir)
	}
	return out, nil
}

func parseWorkload(name, doc, sql string) (*Workload, error) {
	w := &Workload{Name: name, GraphQL: doc, SQL: sql}
	w.Kind = header(doc, "#", "kind")
	if !slices.Contains([]string{KindReport, KindView, KindLookup}, w.Kind) {
		return nil, fmt.Errorf("the .graphql file must start with a comment \"# kind: report|view|lookup\", got %q", w.Kind)
	}
	parsed, err := parser.ParseQuery(&ast.Source{Name: name + ".graphql", Input: doc})
	if err != nil {
		return nil, err
	}
	if len(parsed.Operations) != 1 || parsed.Operations[0].Operation != ast.Query {
		return nil, errors.New("the .graphql file must hold exactly one query")
	}
	w.operation = parsed.Operations[0]
	if p := header(sql, "--", "params"); p != "" {
		d := json.NewDecoder(strings.NewReader(p))
		d.UseNumber()
		if err := d.Decode(&w.params); err != nil {
			return nil, fmt.Errorf("-- params: %w", err)
		}
		for i, v := range w.params {
			if n, ok := v.(json.Number); ok {
				if w.params[i], err = n.Int64(); err != nil {
					w.params[i], _ = n.Float64()
				}
			}
		}
	}
	w.paramsQuery = header(sql, "--", "params-from")
	if w.params != nil && w.paramsQuery != "" {
		return nil, errors.New("give -- params or -- params-from, not both")
	}
	if w.paramsQuery == "" && len(w.params) != len(w.operation.VariableDefinitions) {
		return nil, fmt.Errorf("%d params for %d GraphQL variables", len(w.params), len(w.operation.VariableDefinitions))
	}
	return w, nil
}

// header returns the value of a "<comment> key: value" line, or "".
func header(text, comment, key string) string {
	for line := range strings.Lines(text) {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), comment)
		if !ok {
			continue
		}
		if v, ok := strings.CutPrefix(strings.TrimSpace(rest), key+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// Select returns the workloads with these names, all of them when names is empty.
func Select(all []*Workload, names []string) ([]*Workload, error) {
	if len(names) == 0 {
		return all, nil
	}
	var out []*Workload
	for _, n := range names {
		i := slices.IndexFunc(all, func(w *Workload) bool { return w.Name == n })
		if i < 0 {
			var known []string
			for _, w := range all {
				known = append(known, w.Name)
			}
			return nil, fmt.Errorf("no workload %q (known: %s)", n, strings.Join(known, ", "))
		}
		out = append(out, all[i])
	}
	return out, nil
}

// GraphQL paths: how the server answers a read query.
const (
	PathPlanned   = "planned"   // the read planner: one SQL statement, the response written directly
	PathResolvers = "resolvers" // the gqlgen resolvers only (server.Config.DisablePlanner)
)

// Endpoint is a GraphQL endpoint serving one path.
type Endpoint struct {
	Path string // PathPlanned or PathResolvers
	URL  string // e.g. http://127.0.0.1:8080/graphql
}

// SQL modes: how the hand-written SQL is sent.
const (
	// SQLPrepared is a prepared statement cached on each connection (pgx's default,
	// QueryExecModeCacheStatement): parsed and planned once per connection, then only bound
	// and executed.
	SQLPrepared = "prepared"
	// SQLSimple is the same SQL sent unprepared, as QueryExecModeExec: the statement's text as
	// it is, its $1… values bound as parameters, as PostgreSQL's unnamed statement in one round
	// trip, so that the server parses, analyses and plans it on every execution, for the actual
	// values, and nothing is cached on either side. That is exactly "the same SQL, unprepared"
	// (and how the store sends the SQL it generates for reports, report.go).
	// QueryExecModeSimpleProtocol, pgx's other unprepared mode, would not send the same SQL:
	// pgx interpolates the quoted values into the text on the client, a different statement
	// for every value, and the measure would include pgx's escaping.
	SQLSimple = "simple"
)

// SQLModes are the SQL modes measured, in order.
var SQLModes = []string{SQLPrepared, SQLSimple}

// execMode is the pgx mode of an SQL mode.
var execMode = map[string]pgx.QueryExecMode{
	SQLPrepared: pgx.QueryExecModeCacheStatement,
	SQLSimple:   pgx.QueryExecModeExec,
}

// Target is what the workloads run against: the GraphQL endpoints and the database behind them.
type Target struct {
	Endpoints []Endpoint // one per path measured, in the order of the results
	HTTP      *http.Client
	DB        *pgxpool.Pool // the SQL path, in every mode (the mode is chosen per query)
}

// check returns an error unless the target has endpoints, each of a known path, no path twice.
func (t *Target) check() error {
	if len(t.Endpoints) == 0 {
		return errors.New("bench: no GraphQL endpoint")
	}
	seen := map[string]bool{}
	for _, e := range t.Endpoints {
		if e.Path != PathPlanned && e.Path != PathResolvers || seen[e.Path] {
			return fmt.Errorf("bench: endpoint path %q: want %s or %s, each once", e.Path, PathPlanned, PathResolvers)
		}
		seen[e.Path] = true
	}
	return nil
}

// Prepared is a workload with its parameters resolved, ready to run.
type Prepared struct {
	*Workload
	Params []any
	body   []byte // the GraphQL request
}

// Prepare resolves the workload's parameters (running its params-from query) and builds its
// GraphQL request.
func (t *Target) Prepare(ctx context.Context, w *Workload) (*Prepared, error) {
	p := &Prepared{Workload: w, Params: w.params}
	if w.paramsQuery != "" {
		rows, err := t.DB.Query(ctx, w.paramsQuery)
		if err == nil {
			p.Params, err = pgx.CollectExactlyOneRow(rows, func(row pgx.CollectableRow) ([]any, error) { return row.Values() })
		}
		if err != nil {
			return nil, fmt.Errorf("%s: params-from: %w", w.Name, err)
		}
		if slices.Contains(p.Params, nil) {
			return nil, fmt.Errorf("%s: params-from found nothing: %s", w.Name, w.paramsQuery)
		}
	}
	vars := w.operation.VariableDefinitions
	if len(p.Params) != len(vars) {
		return nil, fmt.Errorf("%s: %d params for %d GraphQL variables", w.Name, len(p.Params), len(vars))
	}
	variables := map[string]any{}
	for i, v := range vars {
		variables[v.Variable] = p.Params[i]
	}
	var err error
	p.body, err = json.Marshal(map[string]any{"query": w.GraphQL, "variables": variables})
	return p, err
}

// queryGraphQL sends the workload's GraphQL request to e and returns the response body, read
// into buf (a fresh buffer when nil): clients reuse theirs, as pgx reuses its buffers on the
// SQL side, so that the measuring process makes no garbage the server's GC would pay for.
func (t *Target) queryGraphQL(ctx context.Context, e Endpoint, p *Prepared, buf *bytes.Buffer) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.URL, bytes.NewReader(p.body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := t.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if buf == nil {
		buf = new(bytes.Buffer)
	}
	buf.Reset()
	if _, err := buf.ReadFrom(res.Body); err != nil {
		return nil, err
	}
	body := buf.Bytes()
	// gqlgen writes errors first: a failed request is seen without decoding the body.
	if res.StatusCode != http.StatusOK || bytes.HasPrefix(body, []byte(`{"errors"`)) {
		return nil, fmt.Errorf("%s: GraphQL (%s) answered %s: %.500s", p.Name, e.Path, res.Status, body)
	}
	return body, nil
}

// sqlArgs returns the arguments of the workload's SQL in mode: the pgx mode, then the params.
func (p *Prepared) sqlArgs(mode string) ([]any, error) {
	m, ok := execMode[mode]
	if !ok {
		return nil, fmt.Errorf("bench: SQL mode %q: want %s or %s", mode, SQLPrepared, SQLSimple)
	}
	return append([]any{m}, p.Params...), nil
}

// querySQL runs the workload's SQL with args (from sqlArgs) and reads every row, without
// decoding them unless asked.
func (t *Target) querySQL(ctx context.Context, p *Prepared, args []any, row func(values []any) error) error {
	rows, err := t.DB.Query(ctx, p.SQL, args...)
	if err != nil {
		return fmt.Errorf("%s: SQL: %w", p.Name, err)
	}
	defer rows.Close()
	for rows.Next() {
		if row == nil {
			continue
		}
		values, err := rows.Values()
		if err != nil {
			return fmt.Errorf("%s: SQL: %w", p.Name, err)
		}
		if err := row(values); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: SQL: %w", p.Name, err)
	}
	return nil
}
