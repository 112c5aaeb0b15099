package auth

import (
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// The negative cache of API tokens: the hashes of well-formed secrets that the store did not
// know. A secret is 256 random bits made by NewToken, so one that is unknown now is not made
// later: remembering it is safe, and spares the database a look-up when a client (broken or
// hostile) sends it again. Only unknown tokens are remembered. Valid, revoked and expired ones
// are looked up on every request, so that a revocation, by this process, another replica or
// `cohesio token revoke`, holds from the next request on, everywhere.
const (
	// unknownTokens bounds the hashes kept, least recently seen forgotten first: a flood of
	// distinct secrets cannot grow memory (about 100 bytes each).
	unknownTokens = 10_000
	// unknownTokenTTL forgets a hash after a while all the same, in case the database is
	// restored from a backup that holds the token.
	unknownTokenTTL = 10 * time.Minute
)

// unknownCache is the negative cache; it is safe for concurrent use.
type unknownCache struct {
	mu     sync.Mutex
	hashes *simplelru.LRU[[32]byte, time.Time] // hash -> when it stops being trusted
}

func newUnknownCache() *unknownCache {
	hashes, err := simplelru.NewLRU[[32]byte, time.Time](unknownTokens, nil)
	if err != nil {
		panic(err) // only for a size below 1
	}
	return &unknownCache{hashes: hashes}
}

// known reports whether hash is remembered as unknown to the store at now.
func (c *unknownCache) known(hash [32]byte, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	until, ok := c.hashes.Get(hash)
	if ok && !now.Before(until) {
		c.hashes.Remove(hash)
		return false
	}
	return ok
}

func (c *unknownCache) add(hash [32]byte, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hashes.Add(hash, now.Add(unknownTokenTTL))
}
