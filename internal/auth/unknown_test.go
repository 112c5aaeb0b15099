package auth

import (
	"fmt"
	"testing"
	"time"
)

func TestUnknownCacheForgetsAfterTTL(t *testing.T) {
	c := newUnknownCache()
	now := time.Now()
	h := tokenHash("coh_x")
	if c.known(h, now) {
		t.Fatal("known before being added")
	}
	c.add(h, now)
	if !c.known(h, now.Add(unknownTokenTTL-time.Second)) {
		t.Error("forgotten before its TTL")
	}
	if c.known(h, now.Add(unknownTokenTTL)) {
		t.Error("still known after its TTL")
	}
}

func TestUnknownCacheIsBounded(t *testing.T) {
	c := newUnknownCache()
	now := time.Now()
	for i := range unknownTokens + 100 {
		c.add(tokenHash(fmt.Sprint("coh_", i)), now)
	}
	if n := c.hashes.Len(); n != unknownTokens {
		t.Errorf("%d hashes kept, want %d", n, unknownTokens)
	}
}
