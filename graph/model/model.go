// Package model holds the GraphQL-only types: connections, edges and page info. The domain
// types themselves live in internal/cohesion.
package model

// Node is any object with a global id; the executor tells them apart by their Go type.
type Node any

// Connection is a page of a list in the Relay shape.
type Connection[T any] struct {
	Edges      []*Edge[T]
	Nodes      []*T
	PageInfo   *PageInfo
	TotalCount int32
}

// Edge is one item of a page with its cursor.
type Edge[T any] struct {
	Cursor string
	Node   *T
}

// PageInfo says where a page sits in the whole list.
type PageInfo struct {
	HasNextPage     bool
	HasPreviousPage bool
	StartCursor     *string
	EndCursor       *string
}
