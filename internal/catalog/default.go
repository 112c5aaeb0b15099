package catalog

import (
	"sync"
)

// Default returns the catalog of the embedded schema, read once.
var Default = sync.OnceValues(func() (*Catalog, error) { return Load() })

// Published returns the catalog for roles that may not see small person counts: the same
// model, with observations, events and meetings read from views that withhold them.
var Published = sync.OnceValues(func() (*Catalog, error) {
	c, err := Load()
	if err != nil {
		return nil, err
	}
	c.Entity("Observation").Table = "observation_published"
	c.Entity("Event").Table = "event_published"
	c.Entity("Meeting").Table = "meeting_published"
	return c, nil
})
