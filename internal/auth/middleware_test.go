package auth_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/auth"
)

// serve runs one request with that Authorization header through the middleware, in front of
// a handler that answers with the principal's role.
func serve(a *auth.Authenticator, header string) *httptest.ResponseRecorder {
	h := auth.Middleware(a, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(access.PrincipalFrom(r.Context()).Role))
	}))
	r := httptest.NewRequest(http.MethodPost, "/graphql", nil)
	if header != "" {
		r.Header.Set("Authorization", header)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestMiddlewarePutsThePrincipalInTheContext(t *testing.T) {
	st := openStore(t)
	a := newAuthenticator(t, auth.Config{}, st)
	secret, _ := createToken(t, st, access.Analyst, nil)
	if w := serve(a, "Bearer "+secret); w.Code != http.StatusOK || w.Body.String() != "analyst" {
		t.Errorf("%d %q", w.Code, w.Body)
	}
	if w := serve(a, ""); w.Code != http.StatusOK || w.Body.String() != "public" {
		t.Errorf("without credentials: %d %q", w.Code, w.Body)
	}
}

// Refused credentials are answered 401 as RFC 6750 says, with the reason for the client in
// the header and in a GraphQL-shaped body; never served as the public.
func TestMiddlewareRefuses(t *testing.T) {
	st := openStore(t)
	a := newAuthenticator(t, auth.Config{}, st)
	secret, _, _ := auth.NewToken()
	w := serve(a, "Bearer "+secret)
	if w.Code != http.StatusUnauthorized {
		t.Fatalf("status %d", w.Code)
	}
	if got, want := w.Header().Get("WWW-Authenticate"), `Bearer error="invalid_token", error_description="unknown token"`; got != want {
		t.Errorf("WWW-Authenticate: %s, want %s", got, want)
	}
	var body struct{ Errors []struct{ Message string } }
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || len(body.Errors) != 1 || body.Errors[0].Message != "unknown token" {
		t.Errorf("body %s: %v", w.Body, err)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}

	w = serve(newAuthenticator(t, auth.Config{}, failingStore{}), "Bearer "+secret)
	if w.Code != http.StatusInternalServerError || w.Header().Get("WWW-Authenticate") != "" {
		t.Errorf("store failure: %d %v", w.Code, w.Header())
	}
	if w.Body.String() != `{"errors":[{"message":"internal error"}]}` {
		t.Errorf("store failure leaks %s", w.Body)
	}
}
