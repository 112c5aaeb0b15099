package catalog

import (
	"sync"

	"github.com/cohesio/cohesio/schema"
)

// Default returns the catalog of the embedded schema, read once.
var Default = sync.OnceValues(func() (*Catalog, error) { return Load(schema.Files) })
