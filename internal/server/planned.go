package server

import (
	"bytes"
	"context"
	"io"
	"log/slog"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/cohesio/cohesio/internal/plan"
	"github.com/cohesio/cohesio/internal/store"
)

// plannedRootFields answers each root field of a read operation the planner supports with one
// SQL statement and JSON written directly from its rows (internal/plan); every other root
// field, and any planned one that fails, goes to the resolvers (next), which stay the
// reference: responses are byte-identical either way (planned_test.go).
//
// It hooks into gqlgen rather than around it, so that a planned field has gone through
// exactly the same parsing, validation, limits (limitsExtension), APQ, trusted documents and
// error presenter as a resolved one; only the executor's per-field work is skipped. Row
// scoping is the same too: the statement runs through the store's pool with the request's
// context, under the principal's row-level security, reading the caller's catalog.
func plannedRootFields(st *store.Store, schema *ast.Schema, log *slog.Logger) graphql.RootFieldMiddleware {
	planner, err := plan.New(schema)
	if err != nil {
		log.Error("planner disabled", "err", err)
		return func(ctx context.Context, next graphql.RootResolver) graphql.Marshaler { return next(ctx) }
	}
	return func(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
		if m := runPlanned(ctx, planner, st, log); m != nil {
			return m
		}
		return next(ctx)
	}
}

// runPlanned returns the planned root field of ctx, or nil for the resolvers to answer it.
func runPlanned(ctx context.Context, planner *plan.Planner, st *store.Store, log *slog.Logger) (m graphql.Marshaler) {
	rf := graphql.GetRootFieldContext(ctx)
	if rf == nil {
		return nil
	}
	defer func() {
		if p := recover(); p != nil {
			// A bug of the planner must not fail a request the resolvers can answer.
			log.ErrorContext(ctx, "planner panicked; resolvers answer", "panic", p, "field", rf.Field.Name, "request_id", RequestID(ctx))
			m = nil
		}
	}()
	root, err := planner.Plan(graphql.GetOperationContext(ctx), rf.Field)
	if err != nil {
		return nil
	}
	rows, err := st.RunPlan(ctx, root.Many)
	if err != nil {
		if ctx.Err() == nil {
			log.DebugContext(ctx, "planned read left to the resolvers", "field", rf.Field.Name, "err", err)
		}
		return nil
	}
	var buf bytes.Buffer
	if err := root.Write(&buf, rows); err != nil {
		return nil
	}
	out := buf.Bytes()
	return graphql.WriterFunc(func(w io.Writer) { w.Write(out) })
}
