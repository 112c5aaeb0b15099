package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// graphQLRunner runs a GraphQL document in-process through the same handler as /graphql (the
// planner, limits, error presenter), as the principal of the context it is given, so that a
// page built on it sees exactly what a client of the API would.
type graphQLRunner struct{ gql http.Handler }

// Run returns the response body of query with variables.
func (g graphQLRunner) Run(ctx context.Context, query string, variables map[string]any) (json.RawMessage, error) {
	_, body, err := g.run(ctx, query, variables)
	return body, err
}

// run returns the status and the body of the response to query with variables.
func (g graphQLRunner) run(ctx context.Context, query string, variables map[string]any) (int, []byte, error) {
	body, err := json.Marshal(map[string]any{"query": query, "variables": variables})
	if err != nil {
		return 0, nil, fmt.Errorf("encode the request: %w", err)
	}
	req, err := http.NewRequestWithContext(withInProcess(ctx), http.MethodPost, "/graphql", bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/graphql-response+json")
	w := &bufferWriter{header: http.Header{}, code: http.StatusOK}
	g.gql.ServeHTTP(w, req)
	if err := ctx.Err(); err != nil {
		return 0, nil, err
	}
	return w.code, w.buf.Bytes(), nil
}

// bufferWriter keeps a response in memory.
type bufferWriter struct {
	header http.Header
	buf    bytes.Buffer
	code   int
}

func (w *bufferWriter) Header() http.Header         { return w.header }
func (w *bufferWriter) Write(b []byte) (int, error) { return w.buf.Write(b) }
func (w *bufferWriter) WriteHeader(code int)        { w.code = code }
