package auth_test

import (
	"errors"
	"testing"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/auth"
)

// Whatever a client sends as its Authorization header, Authenticate neither panics nor grants
// anything: without a header the caller is the public, and anything made up is refused for a
// reason that can be shown to the client. The authenticator knows a real API token and an
// issuer, so that look-alikes of both reach the store and the verifier.
func FuzzAuthenticate(f *testing.F) {
	st := openStore(f)
	iss := newIssuer(f)
	key := newKey(f, "k1", true)
	iss.publish(f, key)
	a, err := auth.New(f.Context(), auth.Config{Issuer: iss.url(), Audience: audience}, st)
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		"", "Bearer", "Bearer ", "Basic YWxpY2U6c2VjcmV0", "Bearer coh_", "bearer coh_AAAA",
		"Bearer coh_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"Bearer eyJhbGciOiJub25lIn0.e30.", "Bearer a.b.c", "Bearer ..",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		p, err := authenticate(a, header)
		if err == nil {
			if header != "" || p != (access.Principal{Role: access.Public}) {
				t.Fatalf("%q gives %+v", header, p)
			}
			return
		}
		var refused *auth.Error
		if !errors.As(err, &refused) {
			t.Fatalf("%q: %v is not a refusal", header, err)
		}
		if p != (access.Principal{}) {
			t.Fatalf("%q: refused (%v) but gives %+v", header, err, p)
		}
	})
}
