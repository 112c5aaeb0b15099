package graph

import (
	"context"
	"sync"
)

// Batching without N+1 and without timers: every list the API returns is registered as a
// group of siblings. When a child field of one sibling is resolved, it is loaded for the whole
// group in one statement and the others find their share already there. A nested request thus
// costs one statement per level, whatever the page sizes.

type batchKey struct{}

// batches is the per-request registry of sibling groups.
type batches struct {
	mu     sync.Mutex
	groups map[any]*group
}

// WithBatches returns a context for one GraphQL operation. Nothing is shared across requests,
// so the server stays stateless.
func WithBatches(ctx context.Context) context.Context {
	return context.WithValue(ctx, batchKey{}, &batches{groups: map[any]*group{}})
}

type group struct {
	members []any
	mu      sync.Mutex
	calls   map[string]*call
}

type call struct {
	done chan struct{}
	val  any
	err  error
}

// register makes nodes one group of siblings.
func register[T any](ctx context.Context, nodes []*T) {
	b, _ := ctx.Value(batchKey{}).(*batches)
	if b == nil || len(nodes) == 0 {
		return
	}
	g := &group{members: make([]any, len(nodes)), calls: map[string]*call{}}
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, n := range nodes {
		g.members[i] = n
		b.groups[n] = g
	}
}

// groupOf returns the siblings of node, or a group of its own when it came from nowhere known.
func groupOf(ctx context.Context, node any) *group {
	if b, _ := ctx.Value(batchKey{}).(*batches); b != nil {
		b.mu.Lock()
		g := b.groups[node]
		b.mu.Unlock()
		if g != nil {
			return g
		}
	}
	return &group{members: []any{node}, calls: map[string]*call{}}
}

// do runs load once per key for the whole group; concurrent callers wait for that run.
func (g *group) do(key string, load func() (any, error)) (any, error) {
	g.mu.Lock()
	c, ok := g.calls[key]
	if !ok {
		c = &call{done: make(chan struct{})}
		g.calls[key] = c
	}
	g.mu.Unlock()
	if ok {
		<-c.done
		return c.val, c.err
	}
	defer close(c.done)
	c.val, c.err = load()
	return c.val, c.err
}
