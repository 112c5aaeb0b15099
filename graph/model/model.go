// Package model holds the GraphQL-only types: connections, edges and page info. The domain
// types themselves live in internal/cohesion.
package model

import (
	"github.com/shopspring/decimal"

	"github.com/cohesio/cohesio/internal/catalog"
)

// Node is any object with a global id; the executor tells them apart by their Go type.
type Node any

// Connection is a page of a list in the Relay shape.
type Connection[T any] struct {
	Edges      []*Edge[T]
	Nodes      []*T
	PageInfo   *PageInfo
	TotalCount int32
	// Origin says which rows the connection pages through; the schema has no such field.
	Origin *Origin `json:"-"`
}

// Origin is where a connection came from, so that its aggregates can be computed over every
// row its filter selects, not only the page. Set by the list resolvers, never exposed.
type Origin struct {
	Entity string         // the node type
	Filter catalog.Filter // what the connection's filter selects
	// For a to-many relation: the node the connection hangs from (its siblings are aggregated
	// in the same statement), its type, and the relation followed. Nil and empty at the root.
	Parent       any
	ParentEntity string
	Relation     string
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

// Aggregate holds the aggregates of a connection, computed in one statement before its
// fields are resolved. Keys are "fn:FIELD", FIELD being the enum value the client gave (e.g.
// "sum:BUDGET", "countDistinct:OPERATOR", "count:").
type Aggregate struct {
	Values map[string]*decimal.Decimal
}

func (a *Aggregate) get(fn, field string) *decimal.Decimal { return a.Values[fn+":"+field] }

// Count is the number of matching items.
func (a *Aggregate) Count() int32 {
	if v := a.get("count", ""); v != nil {
		return int32(v.IntPart())
	}
	return 0
}

// CountDistinct is the number of distinct values of field.
func (a *Aggregate) CountDistinct(field string) int32 {
	if v := a.get("countDistinct", field); v != nil {
		return int32(v.IntPart())
	}
	return 0
}

// Sum, Avg, Min and Max are null when no item has a value.
func (a *Aggregate) Sum(field string) *decimal.Decimal { return a.get("sum", field) }
func (a *Aggregate) Avg(field string) *decimal.Decimal { return a.get("avg", field) }
func (a *Aggregate) Min(field string) *decimal.Decimal { return a.get("min", field) }
func (a *Aggregate) Max(field string) *decimal.Decimal { return a.get("max", field) }
