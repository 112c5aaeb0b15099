package graph

import (
	"fmt"

	"github.com/cohesio/cohesio/internal/catalog"
	"github.com/cohesio/cohesio/internal/cohesion"
)

// localID reads a global id of the given type, naming field when it is not one.
func localID(gid, typ, field string) (int64, error) {
	t, n, err := catalog.ParseGlobalID(gid)
	if err != nil || t != typ {
		return 0, cohesion.Invalid(field, fmt.Sprintf("%q is not the id of a %s", gid, typ))
	}
	return n, nil
}

func optionalID(gid *string, typ, field string) (*int64, error) {
	if gid == nil {
		return nil, nil
	}
	n, err := localID(*gid, typ, field)
	return &n, err
}
