// Package graph holds the GraphQL resolvers. They stay thin: the helpers in resolve.go map
// arguments, call the store and register results for batching.
package graph

//go:generate go tool gqlgen generate

import (
	"context"
	"errors"

	"github.com/cohesio/cohesio/internal/catalog"
	"github.com/cohesio/cohesio/internal/cohesion"
	"github.com/cohesio/cohesio/internal/dataset"
	"github.com/cohesio/cohesio/internal/store"
)

// Resolver is the root resolver; it holds the request-independent dependencies.
type Resolver struct {
	Store   *store.Store
	Catalog *catalog.Catalog
	// Datasets publishes the dataset catalogue; its threshold also governs the suppression of
	// small person counts in reports.
	DatasetService *dataset.Service
	// Reports publishes annual evaluation reports (rendering them needs the HTTP layer's
	// pages); nil refuses publications.
	Reports ReportPublisher
}

// ReportPublisher freezes the annual report on a year in every language.
type ReportPublisher interface {
	Publish(ctx context.Context, key *string, year int) (store.Result, []*store.PublishedReport, error)
}

func isNotFound(err error) bool { return errors.Is(err, cohesion.ErrNotFound) }

// deref is *p, or def when p is nil (an optional argument left out).
func deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}
