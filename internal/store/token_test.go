package store_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"testing"
	"time"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/cohesion"
	"github.com/cohesio/cohesio/internal/store"
)

func hashOf(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// A token is stored with its hash, found by it, listed newest first and revoked once.
func TestAPITokenLifecycle(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	expires := time.Now().Add(24 * time.Hour).Truncate(time.Microsecond)
	first := &store.APIToken{Name: "survey", TokenHash: hashOf("first"), Role: access.Researcher, ExpiresAt: &expires}
	if err := st.CreateAPIToken(ctx, first); err != nil {
		t.Fatal(err)
	}
	if first.ID == 0 || first.CreatedAt.IsZero() {
		t.Fatalf("ID and CreatedAt not filled: %+v", first)
	}
	second := &store.APIToken{Name: "sync", TokenHash: hashOf("second"), Role: access.Operator, OperatorID: ptr(int64(1))}
	if err := st.CreateAPIToken(ctx, second); err != nil {
		t.Fatal(err)
	}

	got, err := st.APITokenByHash(ctx, hashOf("first"))
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != first.ID || got.Role != access.Researcher || got.ExpiresAt == nil || !got.ExpiresAt.Equal(expires) || got.RevokedAt != nil || got.OperatorID != nil {
		t.Errorf("got %+v, want %+v", got, first)
	}
	if _, err := st.APITokenByHash(ctx, hashOf("nobody")); !errors.Is(err, cohesion.ErrNotFound) {
		t.Errorf("unknown hash: %v, want not found", err)
	}

	list, err := st.APITokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != second.ID || list[1].ID != first.ID || *list[0].OperatorID != 1 {
		t.Errorf("list %+v, want the second token first", list)
	}

	if err := st.RevokeAPIToken(ctx, first.ID); err != nil {
		t.Fatal(err)
	}
	revoked, _ := st.APITokenByHash(ctx, hashOf("first"))
	if revoked.RevokedAt == nil {
		t.Fatal("revoked_at not set")
	}
	if err := st.RevokeAPIToken(ctx, first.ID); err != nil {
		t.Errorf("revoking twice: %v", err)
	}
	again, _ := st.APITokenByHash(ctx, hashOf("first"))
	if !again.RevokedAt.Equal(*revoked.RevokedAt) {
		t.Errorf("revoking twice moved revoked_at from %v to %v", revoked.RevokedAt, again.RevokedAt)
	}
	if err := st.RevokeAPIToken(ctx, 9999); !errors.Is(err, cohesion.ErrNotFound) {
		t.Errorf("revoking an unknown token: %v, want not found", err)
	}
}

// The database itself refuses tokens whose scope does not fit their role, and reused secrets.
func TestAPITokenConstraints(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	for _, tok := range []*store.APIToken{
		{Name: "no operator", TokenHash: hashOf("a"), Role: access.Operator},
		{Name: "no commune", TokenHash: hashOf("b"), Role: access.Coordinator},
		{Name: "researcher with an operator", TokenHash: hashOf("c"), Role: access.Researcher, OperatorID: ptr(int64(1))},
		{Name: "admin with a commune", TokenHash: hashOf("d"), Role: access.Admin, CommuneID: ptr(int64(2))},
		{Name: "unknown role", TokenHash: hashOf("e"), Role: "boss"},
		{Name: "", TokenHash: hashOf("f"), Role: access.Public},
		{Name: "short hash", TokenHash: []byte("abc"), Role: access.Public},
		{Name: "unknown operator", TokenHash: hashOf("g"), Role: access.Operator, OperatorID: ptr(int64(9999))},
	} {
		if err := st.CreateAPIToken(ctx, tok); err == nil {
			t.Errorf("%s: stored", tok.Name)
		}
	}
	ok := &store.APIToken{Name: "coordinator", TokenHash: hashOf("h"), Role: access.Coordinator, CommuneID: ptr(int64(2))}
	if err := st.CreateAPIToken(ctx, ok); err != nil {
		t.Fatal(err)
	}
	dup := &store.APIToken{Name: "same secret", TokenHash: hashOf("h"), Role: access.Public}
	if err := st.CreateAPIToken(ctx, dup); err == nil {
		t.Error("a second token with the same hash was stored")
	}
}

func TestResolveOperatorAndCommune(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	for ref, want := range map[string]int64{"0999000129": 1, "0999.000.129": 1, "BE 0999.000.129": 1, "2": 2} {
		if id, err := st.ResolveOperator(ctx, ref); err != nil || id != want {
			t.Errorf("ResolveOperator(%q) = %d, %v; want %d", ref, id, err, want)
		}
	}
	for ref, want := range map[string]error{"0417497106": cohesion.ErrNotFound, "42": cohesion.ErrNotFound, "CPAS": cohesion.ErrInvalid, "-1": cohesion.ErrInvalid} {
		if _, err := st.ResolveOperator(ctx, ref); !errors.Is(err, want) {
			t.Errorf("ResolveOperator(%q): %v, want %v", ref, err, want)
		}
	}
	if id, err := st.CommuneIDByNIS(ctx, "21012"); err != nil || id != 3 {
		t.Errorf("CommuneIDByNIS(21012) = %d, %v; want 3", id, err)
	}
	if _, err := st.CommuneIDByNIS(ctx, "99999"); !errors.Is(err, cohesion.ErrNotFound) {
		t.Errorf("unknown NIS code: %v, want not found", err)
	}
}

// A retried creation makes no second token, and the trail names who made the first.
func TestATokenCreationIsMadeOnce(t *testing.T) {
	st := open(t)
	ctx := access.WithPrincipal(context.Background(), access.Principal{Role: access.Admin, Subject: "test:admin"})
	key := "token-1"
	first := &store.APIToken{Name: "study", TokenHash: hashOf("hash-1"), Role: access.Researcher}
	if replayed, err := st.CreateAPITokenOnce(ctx, &key, first); err != nil || replayed {
		t.Fatalf("first creation: %v, replayed %v", err, replayed)
	}
	retry := &store.APIToken{Name: "study", TokenHash: hashOf("hash-2"), Role: access.Researcher}
	if replayed, err := st.CreateAPITokenOnce(ctx, &key, retry); err != nil || !replayed || retry.ID != first.ID {
		t.Errorf("retry: %v, replayed %v, id %d; want token %d replayed", err, replayed, retry.ID, first.ID)
	}
	tokens, err := st.APITokens(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(tokens) != 1 {
		t.Errorf("%d tokens after a retry, want 1", len(tokens))
	}
	entries, err := st.AuditEntries(ctx, store.AuditFilter{Table: ptr("api_token"), Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Role != "admin" || *entries[0].Subject != "test:admin" {
		t.Errorf("the trail of the token: %+v, want one entry by test:admin", entries)
	}
}
