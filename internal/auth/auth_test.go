package auth_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/auth"
	"github.com/cohesio/cohesio/internal/pgtest"
	"github.com/cohesio/cohesio/internal/store"
	"github.com/cohesio/cohesio/internal/store/storetest"
)

func TestMain(m *testing.M) {
	os.Exit(pgtest.Main(m, storetest.MigrateAndLoad("testdata/fixture.sql")))
}

// The ids of the fixture's operator and commune.
const (
	operatorID int64 = 1
	communeID  int64 = 2
)

const audience = "cohesio"

// issuer is an OpenID Connect provider: a discovery document and a key set that it can
// rotate, served over HTTP, and keys to sign tokens with.
type issuer struct {
	srv     *httptest.Server
	fetches atomic.Int32 // of the key set

	mu        sync.Mutex
	published jwk.Set
}

func newIssuer(t testing.TB) *issuer {
	t.Helper()
	iss := &issuer{published: jwk.NewSet()}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{"issuer": iss.url(), "jwks_uri": iss.url() + "/keys"})
	})
	mux.HandleFunc("GET /keys", func(w http.ResponseWriter, r *http.Request) {
		iss.fetches.Add(1)
		iss.mu.Lock()
		defer iss.mu.Unlock()
		json.NewEncoder(w).Encode(iss.published)
	})
	iss.srv = httptest.NewServer(mux)
	t.Cleanup(iss.srv.Close)
	return iss
}

func (iss *issuer) url() string { return iss.srv.URL }

// newKey returns a signing key (RSA or ECDSA) with a key id.
func newKey(t testing.TB, kid string, ec bool) jwk.Key {
	t.Helper()
	var raw any
	var err error
	if ec {
		raw, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	} else {
		raw, err = rsa.GenerateKey(rand.Reader, 2048)
	}
	if err != nil {
		t.Fatal(err)
	}
	key, err := jwk.Import(raw)
	if err != nil {
		t.Fatal(err)
	}
	key.Set(jwk.KeyIDKey, kid)
	return key
}

// publish replaces the published key set by the public halves of keys.
func (iss *issuer) publish(t testing.TB, keys ...jwk.Key) {
	t.Helper()
	set := jwk.NewSet()
	for _, k := range keys {
		pub, err := k.PublicKey()
		if err != nil {
			t.Fatal(err)
		}
		set.AddKey(pub)
	}
	iss.mu.Lock()
	iss.published = set
	iss.mu.Unlock()
}

// claims are those of a valid token of the issuer, changed by edits (nil removes a claim).
func (iss *issuer) claims(edits map[string]any) map[string]any {
	now := time.Now()
	c := map[string]any{
		"iss": iss.url(), "sub": "alice", "aud": audience,
		"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
		"cohesio_role": "analyst",
	}
	for k, v := range edits {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

// sign returns a JWT of claims signed by key.
func sign(t testing.TB, key jwk.Key, claims map[string]any) string {
	t.Helper()
	tok := jwt.New()
	for k, v := range claims {
		if err := tok.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	alg := jwa.RS256()
	if key.KeyType() == jwa.EC() {
		alg = jwa.ES256()
	}
	b, err := jwt.Sign(tok, jwt.WithKey(alg, key))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func openStore(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), pgtest.NewDatabase(t), store.Options{MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func newAuthenticator(t testing.TB, cfg auth.Config, tokens auth.TokenStore) *auth.Authenticator {
	t.Helper()
	a, err := auth.New(t.Context(), cfg, tokens)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// authenticate runs a request with that Authorization header (none when it is empty).
func authenticate(a *auth.Authenticator, header string) (access.Principal, error) {
	r := httptest.NewRequest(http.MethodPost, "/graphql", nil)
	if header != "" {
		r.Header.Set("Authorization", header)
	}
	return a.Authenticate(r)
}

// refusedAs checks that err refuses credentials for the reason want, in a client-safe way.
func refusedAs(t *testing.T, err, want error) {
	t.Helper()
	var refused *auth.Error
	if !errors.As(err, &refused) {
		t.Fatalf("got %v, want an *auth.Error", err)
	}
	if !errors.Is(err, want) {
		t.Fatalf("refused with %q (cause %v), want %q", err, refused.Cause, want)
	}
}

func ptr[T any](v T) *T { return &v }
