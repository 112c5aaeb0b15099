// Package graph holds the GraphQL resolvers. They stay thin: the helpers in resolve.go map
// arguments, call the store and register results for batching.
package graph

//go:generate go tool gqlgen generate

import (
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
}

func isNotFound(err error) bool { return errors.Is(err, cohesion.ErrNotFound) }
