package auth_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/auth"
	"github.com/cohesio/cohesio/internal/store"
)

func TestNewTokenFormat(t *testing.T) {
	secret, hash, err := auth.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, "coh_") || len(secret) != 4+43 || !auth.LooksLikeAPIToken(secret) {
		t.Errorf("secret %q", secret)
	}
	if string(hash) != string(auth.HashToken(secret)) || len(hash) != 32 {
		t.Errorf("hash %x is not the SHA-256 of the secret", hash)
	}
	other, _, _ := auth.NewToken()
	if other == secret {
		t.Error("two tokens with the same secret")
	}
	for _, s := range []string{"", "coh_", "coh_abc", secret[4:], "COH_" + secret[4:], secret + "A", secret[:len(secret)-1] + "=", secret[:10] + "+" + secret[11:]} {
		if auth.LooksLikeAPIToken(s) {
			t.Errorf("%q looks like an API token", s)
		}
	}
}

// createToken stores an API token of role (scoped by edit) and returns its secret.
func createToken(t *testing.T, st *store.Store, role access.Role, edit func(*store.APIToken)) (string, *store.APIToken) {
	t.Helper()
	secret, hash, err := auth.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	tok := &store.APIToken{Name: "test " + string(role), TokenHash: hash, Role: role}
	if edit != nil {
		edit(tok)
	}
	if err := st.CreateAPIToken(context.Background(), tok); err != nil {
		t.Fatal(err)
	}
	return secret, tok
}

func TestAPITokens(t *testing.T) {
	st := openStore(t)
	a := newAuthenticator(t, auth.Config{}, st)

	t.Run("valid", func(t *testing.T) {
		secret, tok := createToken(t, st, access.Researcher, func(tok *store.APIToken) { tok.ExpiresAt = ptr(time.Now().Add(time.Hour)) })
		p, err := authenticate(a, "Bearer "+secret)
		want := access.Principal{Role: access.Researcher, Subject: fmt.Sprintf("token:%d", tok.ID)}
		if err != nil || !samePrincipal(p, want) {
			t.Errorf("got %s, %v; want %s", show(p), err, show(want))
		}
		if _, err := authenticate(a, "bearer   "+secret); err != nil {
			t.Errorf("lower-case scheme and extra spaces: %v", err)
		}
	})
	t.Run("operator token carries its operator", func(t *testing.T) {
		secret, tok := createToken(t, st, access.Operator, func(tok *store.APIToken) { tok.OperatorID = ptr(operatorID) })
		p, err := authenticate(a, "Bearer "+secret)
		want := access.Principal{Role: access.Operator, Subject: fmt.Sprintf("token:%d", tok.ID), OperatorID: ptr(operatorID)}
		if err != nil || !samePrincipal(p, want) {
			t.Errorf("got %s, %v; want %s", show(p), err, show(want))
		}
	})
	t.Run("coordinator token carries its commune", func(t *testing.T) {
		secret, tok := createToken(t, st, access.Coordinator, func(tok *store.APIToken) { tok.CommuneID = ptr(communeID) })
		p, err := authenticate(a, "Bearer "+secret)
		want := access.Principal{Role: access.Coordinator, Subject: fmt.Sprintf("token:%d", tok.ID), CommuneID: ptr(communeID)}
		if err != nil || !samePrincipal(p, want) {
			t.Errorf("got %s, %v; want %s", show(p), err, show(want))
		}
	})
	t.Run("revoked", func(t *testing.T) {
		secret, tok := createToken(t, st, access.Admin, nil)
		if _, err := authenticate(a, "Bearer "+secret); err != nil {
			t.Fatal(err)
		}
		if err := st.RevokeAPIToken(context.Background(), tok.ID); err != nil {
			t.Fatal(err)
		}
		_, err := authenticate(a, "Bearer "+secret)
		refusedAs(t, err, auth.ErrRevoked)
	})
	t.Run("expired", func(t *testing.T) {
		secret, _ := createToken(t, st, access.Analyst, func(tok *store.APIToken) { tok.ExpiresAt = ptr(time.Now().Add(-time.Second)) })
		_, err := authenticate(a, "Bearer "+secret)
		refusedAs(t, err, auth.ErrExpired)
	})
	t.Run("unknown", func(t *testing.T) {
		secret, _, _ := auth.NewToken()
		_, err := authenticate(a, "Bearer "+secret)
		refusedAs(t, err, auth.ErrUnknownToken)
	})
	t.Run("malformed", func(t *testing.T) {
		for _, h := range []string{"Bearer coh_", "Bearer coh_not-a-token", "Basic YWxpY2U6c2VjcmV0", "Bearer", "Bearer ", "coh_abc", "Bearer a b", "Bearer not-a-jwt"} {
			_, err := authenticate(a, h)
			refusedAs(t, err, auth.ErrMalformed)
		}
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		secret, _ := createToken(t, st, access.Admin, nil)
		r.Header.Add("Authorization", "Bearer "+secret)
		r.Header.Add("Authorization", "Bearer "+secret)
		_, err := a.Authenticate(r)
		refusedAs(t, err, auth.ErrMalformed)
	})
	t.Run("without a token store", func(t *testing.T) {
		secret, _ := createToken(t, st, access.Admin, nil)
		_, err := authenticate(newAuthenticator(t, auth.Config{}, nil), "Bearer "+secret)
		refusedAs(t, err, auth.ErrUnknownToken)
	})
}

func TestNoCredentialsIsAnonymous(t *testing.T) {
	p, err := authenticate(newAuthenticator(t, auth.Config{}, nil), "")
	if err != nil || !samePrincipal(p, access.Anonymous) {
		t.Errorf("got %s, %v; want the public", show(p), err)
	}
	p, err = authenticate(newAuthenticator(t, auth.Config{AnonymousRole: access.Researcher}, nil), "")
	if err != nil || p.Role != access.Researcher {
		t.Errorf("got %s, %v; want the configured anonymous role", show(p), err)
	}
}

// failingStore is a token store whose database is down.
type failingStore struct{}

func (failingStore) APITokenByHash(context.Context, []byte) (*store.APIToken, error) {
	return nil, errors.New("connect to PostgreSQL: connection refused")
}

// A failure of the store is no reason given to the client: it is an internal error.
func TestStoreFailureIsNotARefusal(t *testing.T) {
	secret, _, _ := auth.NewToken()
	_, err := authenticate(newAuthenticator(t, auth.Config{}, failingStore{}), "Bearer "+secret)
	var refused *auth.Error
	if err == nil || errors.As(err, &refused) {
		t.Errorf("got %v, want an internal error", err)
	}
}

func samePrincipal(a, b access.Principal) bool {
	eq := func(x, y *int64) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) }
	return a.Role == b.Role && a.Subject == b.Subject && eq(a.OperatorID, b.OperatorID) && eq(a.CommuneID, b.CommuneID)
}

func show(p access.Principal) string {
	id := func(v *int64) string {
		if v == nil {
			return "-"
		}
		return fmt.Sprint(*v)
	}
	return fmt.Sprintf("{role %s, subject %q, operator %s, commune %s}", p.Role, p.Subject, id(p.OperatorID), id(p.CommuneID))
}

// countingStore counts the look-ups that reach the database behind it.
type countingStore struct {
	auth.TokenStore
	n atomic.Int64
}

func (c *countingStore) APITokenByHash(ctx context.Context, hash []byte) (*store.APIToken, error) {
	c.n.Add(1)
	return c.TokenStore.APITokenByHash(ctx, hash)
}

// An unknown token is looked up once, then refused from memory. Known tokens are looked up
// every time: revoking one, from anywhere, holds from the next request on.
func TestOnlyUnknownTokensAreRemembered(t *testing.T) {
	st := openStore(t)
	counted := &countingStore{TokenStore: st}
	a := newAuthenticator(t, auth.Config{}, counted)

	unknown, _, _ := auth.NewToken()
	for range 3 {
		_, err := authenticate(a, "Bearer "+unknown)
		refusedAs(t, err, auth.ErrUnknownToken)
	}
	if n := counted.n.Swap(0); n != 1 {
		t.Errorf("an unknown token sent 3 times: %d look-ups, want 1", n)
	}

	secret, tok := createToken(t, st, access.Researcher, nil)
	for range 3 {
		if _, err := authenticate(a, "Bearer "+secret); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.RevokeAPIToken(context.Background(), tok.ID); err != nil {
		t.Fatal(err)
	}
	_, err := authenticate(a, "Bearer "+secret)
	refusedAs(t, err, auth.ErrRevoked)
	_, err = authenticate(a, "Bearer "+secret)
	refusedAs(t, err, auth.ErrRevoked)
	if n := counted.n.Load(); n != 5 {
		t.Errorf("a known token sent 5 times: %d look-ups, want 5", n)
	}
}

// A failure of the store says nothing about the token: it is not remembered as unknown.
func TestStoreFailureIsNotRemembered(t *testing.T) {
	counted := &countingStore{TokenStore: failingStore{}}
	a := newAuthenticator(t, auth.Config{}, counted)
	secret, _, _ := auth.NewToken()
	for range 2 {
		if _, err := authenticate(a, "Bearer "+secret); err == nil {
			t.Fatal("no error from a failing store")
		}
	}
	if n := counted.n.Load(); n != 2 {
		t.Errorf("%d look-ups, want 2", n)
	}
}
