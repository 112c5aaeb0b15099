package store

import (
	"errors"
	"testing"

	"github.com/cohesio/cohesio/internal/catalog"
	"github.com/cohesio/cohesio/internal/cohesion"
)

// A cursor comes from the client: any string must be either a position in the list or an
// invalid-argument error, never a panic nor another kind of error.
func FuzzCursor(f *testing.F) {
	for _, s := range []string{"WzFd", "WyJ4Il0", "WzEsMl0", "", "////", encodeCursor([]any{"École", int64(3)})} {
		f.Add(s)
	}
	cat, err := catalog.Default()
	if err != nil {
		f.Fatal(err)
	}
	e := cat.Entity("Operator")
	f.Fuzz(func(t *testing.T, s string) {
		for _, order := range [][]Order{nil, {{Field: "name", Desc: true}}} {
			w, err := resolveWindow(e, ListArgs{After: &s, Order: order})
			if err != nil {
				if !errors.Is(err, cohesion.ErrInvalid) {
					t.Fatalf("cursor %q: %v is not an invalid-argument error", s, err)
				}
				continue
			}
			b := &builder{}
			if err := w.seek(b, "t"); err != nil && !errors.Is(err, cohesion.ErrInvalid) {
				t.Fatalf("cursor %q: seek: %v", s, err)
			}
		}
	})
}
