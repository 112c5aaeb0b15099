package auth_test

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/auth"
)

// oidcSetup is an issuer publishing one RSA key, and an authenticator trusting it (found
// through the issuer's discovery document).
func oidcSetup(t *testing.T) (*issuer, jwk.Key, *auth.Authenticator) {
	t.Helper()
	iss := newIssuer(t)
	key := newKey(t, "k1", false)
	iss.publish(t, key)
	a := newAuthenticator(t, auth.Config{Issuer: iss.url(), Audience: audience}, nil)
	return iss, key, a
}

func TestValidTokenGivesItsRoleAndSubject(t *testing.T) {
	iss, key, a := oidcSetup(t)
	p, err := authenticate(a, "Bearer "+sign(t, key, iss.claims(nil)))
	if err != nil {
		t.Fatal(err)
	}
	if p.Role != access.Analyst || p.Subject != "oidc:alice" || p.OperatorID != nil || p.CommuneID != nil {
		t.Errorf("got %+v", p)
	}
}

// The issuer's clock may be up to ClockSkew (default 60s) from ours, not more.
func TestExpiryAllowsForClockSkew(t *testing.T) {
	iss, key, a := oidcSetup(t)
	now := time.Now()
	expiredWithinSkew := iss.claims(map[string]any{"exp": now.Add(-30 * time.Second).Unix(), "iat": now.Add(-time.Hour).Unix()})
	if _, err := authenticate(a, "Bearer "+sign(t, key, expiredWithinSkew)); err != nil {
		t.Errorf("expired 30s ago: %v", err)
	}
	expired := iss.claims(map[string]any{"exp": now.Add(-2 * time.Minute).Unix(), "iat": now.Add(-time.Hour).Unix()})
	_, err := authenticate(a, "Bearer "+sign(t, key, expired))
	refusedAs(t, err, auth.ErrExpired)

	if _, err := authenticate(a, "Bearer "+sign(t, key, iss.claims(map[string]any{"nbf": now.Add(30 * time.Second).Unix()}))); err != nil {
		t.Errorf("valid in 30s: %v", err)
	}
	_, err = authenticate(a, "Bearer "+sign(t, key, iss.claims(map[string]any{"nbf": now.Add(5 * time.Minute).Unix()})))
	refusedAs(t, err, auth.ErrNotYetValid)
	_, err = authenticate(a, "Bearer "+sign(t, key, iss.claims(map[string]any{"iat": now.Add(5 * time.Minute).Unix()})))
	refusedAs(t, err, auth.ErrNotYetValid)
}

func TestTokensWithWrongClaimsAreRefused(t *testing.T) {
	iss, key, a := oidcSetup(t)
	for _, tt := range []struct {
		name  string
		edits map[string]any
		want  error
	}{
		{"another issuer", map[string]any{"iss": "https://login.example.org"}, auth.ErrIssuer},
		{"no issuer", map[string]any{"iss": nil}, auth.ErrIssuer},
		{"another audience", map[string]any{"aud": "another-app"}, auth.ErrAudience},
		{"no audience", map[string]any{"aud": nil}, auth.ErrAudience},
		{"no expiry", map[string]any{"exp": nil}, auth.ErrClaims},
		{"no subject", map[string]any{"sub": nil}, auth.ErrClaims},
		{"unknown role", map[string]any{"cohesio_role": "superuser"}, auth.ErrClaims},
		{"role not a string", map[string]any{"cohesio_role": []string{"admin"}}, auth.ErrClaims},
		{"operator without operator", map[string]any{"cohesio_role": "operator"}, auth.ErrClaims},
		{"operator with a bad operator", map[string]any{"cohesio_role": "operator", "cohesio_operator": "CPAS"}, auth.ErrClaims},
		{"operator with a fractional operator", map[string]any{"cohesio_role": "operator", "cohesio_operator": 1.5}, auth.ErrClaims},
		{"coordinator without commune", map[string]any{"cohesio_role": "coordinator"}, auth.ErrClaims},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := authenticate(a, "Bearer "+sign(t, key, iss.claims(tt.edits)))
			refusedAs(t, err, tt.want)
		})
	}
}

func TestScopeClaims(t *testing.T) {
	iss, key, a := oidcSetup(t)
	for _, tt := range []struct {
		name  string
		edits map[string]any
		want  access.Principal
	}{
		{"operator id as a number", map[string]any{"cohesio_role": "operator", "cohesio_operator": 7},
			access.Principal{Role: access.Operator, OperatorID: ptr(int64(7))}},
		{"operator id as a string", map[string]any{"cohesio_role": "operator", "cohesio_operator": "7"},
			access.Principal{Role: access.Operator, OperatorID: ptr(int64(7))}},
		{"coordinator", map[string]any{"cohesio_role": "Coordinator", "cohesio_commune": 2},
			access.Principal{Role: access.Coordinator, CommuneID: ptr(int64(2))}},
		{"scope of another role is ignored", map[string]any{"cohesio_role": "researcher", "cohesio_operator": 7},
			access.Principal{Role: access.Researcher}},
		{"no role claim gives the default role", map[string]any{"cohesio_role": nil},
			access.Principal{Role: access.Public}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := authenticate(a, "Bearer "+sign(t, key, iss.claims(tt.edits)))
			if err != nil {
				t.Fatal(err)
			}
			tt.want.Subject = "oidc:alice"
			if !samePrincipal(p, tt.want) {
				t.Errorf("got %s, want %s", show(p), show(tt.want))
			}
		})
	}
}

func TestClaimNamesAndDefaultRoleAreConfigurable(t *testing.T) {
	iss := newIssuer(t)
	key := newKey(t, "k1", true)
	iss.publish(t, key)
	a := newAuthenticator(t, auth.Config{Issuer: iss.url(), JWKSURL: iss.url() + "/keys", RoleClaim: "role", OperatorClaim: "org", DefaultRole: access.Researcher}, nil)
	p, err := authenticate(a, "Bearer "+sign(t, key, iss.claims(map[string]any{"role": "operator", "org": 3})))
	if err != nil || p.Role != access.Operator || p.OperatorID == nil || *p.OperatorID != 3 {
		t.Errorf("got %s, %v", show(p), err)
	}
	p, err = authenticate(a, "Bearer "+sign(t, key, iss.claims(map[string]any{"cohesio_role": nil})))
	if err != nil || p.Role != access.Researcher {
		t.Errorf("without a role claim: got %s, %v; want the default role", show(p), err)
	}
}

func TestTamperedTokensAreRefused(t *testing.T) {
	iss, key, a := oidcSetup(t)
	token := sign(t, key, iss.claims(nil))
	header, payload, signature := split(token)

	// The payload changed after signing: the analyst makes itself an administrator.
	claims := iss.claims(map[string]any{"cohesio_role": "admin"})
	body, _ := json.Marshal(claims)
	_, err := authenticate(a, "Bearer "+header+"."+b64(body)+"."+signature)
	refusedAs(t, err, auth.ErrSignature)

	// The signature changed.
	sig, _ := base64.RawURLEncoding.DecodeString(signature)
	sig[10] ^= 1
	_, err = authenticate(a, "Bearer "+header+"."+payload+"."+b64(sig))
	refusedAs(t, err, auth.ErrSignature)

	// A key the issuer does not publish, under the published key's id.
	_, err = authenticate(a, "Bearer "+sign(t, newKey(t, "k1", false), iss.claims(nil)))
	refusedAs(t, err, auth.ErrSignature)

	// Signed by the issuer, but with a critical extension we do not implement.
	hdrs := jws.NewHeaders()
	hdrs.Set("crit", []string{"x-cohesio"})
	hdrs.Set("x-cohesio", true)
	tok := jwt.New()
	for k, v := range iss.claims(nil) {
		tok.Set(k, v)
	}
	signed, err := jwt.Sign(tok, jwt.WithKey(jwa.RS256(), key, jws.WithProtectedHeaders(hdrs)))
	if err != nil {
		t.Fatal(err)
	}
	_, err = authenticate(a, "Bearer "+string(signed))
	refusedAs(t, err, auth.ErrMalformed)
}

// "alg": "none" and HMAC are never accepted: with HMAC, the issuer's public key, which anyone
// can read, would serve as the secret.
func TestUnsignedAndHMACTokensAreRefused(t *testing.T) {
	iss, key, a := oidcSetup(t)
	body, _ := json.Marshal(iss.claims(map[string]any{"cohesio_role": "admin"}))

	for _, header := range []string{`{"alg":"none","typ":"JWT"}`, `{"alg":"none","kid":"k1"}`, `{"alg":"NONE"}`, `{"kid":"k1"}`} {
		_, err := authenticate(a, "Bearer "+b64([]byte(header))+"."+b64(body)+".")
		refusedAs(t, err, auth.ErrAlgorithm)
	}

	pub, err := key.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	var rsaPub any
	if err := jwk.Export(pub, &rsaPub); err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(rsaPub)
	if err != nil {
		t.Fatal(err)
	}
	tok := jwt.New()
	for k, v := range iss.claims(nil) {
		tok.Set(k, v)
	}
	for _, secret := range [][]byte{der, []byte("k1")} {
		hmacKey, err := jwk.Import(secret)
		if err != nil {
			t.Fatal(err)
		}
		hmacKey.Set(jwk.KeyIDKey, "k1")
		signed, err := jwt.Sign(tok, jwt.WithKey(jwa.HS256(), hmacKey))
		if err != nil {
			t.Fatal(err)
		}
		_, err = authenticate(a, "Bearer "+string(signed))
		refusedAs(t, err, auth.ErrAlgorithm)
	}
}

// The issuer rotates its keys: a token signed by a new key is accepted at once (its unknown
// key id makes the authenticator refetch the key set), without restarting anything. Tokens of
// keys that are not published are refused, and do not make it refetch again and again.
func TestKeyRotation(t *testing.T) {
	iss, oldKey, a := oidcSetup(t)
	if _, err := authenticate(a, "Bearer "+sign(t, oldKey, iss.claims(nil))); err != nil {
		t.Fatal(err)
	}
	before := iss.fetches.Load()

	rotated := newKey(t, "k2", true)
	iss.publish(t, rotated)
	p, err := authenticate(a, "Bearer "+sign(t, rotated, iss.claims(nil)))
	if err != nil {
		t.Fatalf("token of the new key: %v", err)
	}
	if p.Role != access.Analyst {
		t.Errorf("got %s", show(p))
	}
	if got := iss.fetches.Load() - before; got != 1 {
		t.Errorf("%d fetches of the key set for the new key, want 1", got)
	}

	_, err = authenticate(a, "Bearer "+sign(t, oldKey, iss.claims(nil)))
	refusedAs(t, err, auth.ErrUnknownKey)
	for range 5 {
		_, err = authenticate(a, "Bearer "+sign(t, newKey(t, "k-made-up", true), iss.claims(nil)))
		refusedAs(t, err, auth.ErrUnknownKey)
	}
	if got := iss.fetches.Load() - before; got != 1 {
		t.Errorf("%d fetches of the key set after tokens of unknown keys, want still 1", got)
	}
}

func TestNewChecksTheIssuer(t *testing.T) {
	iss := newIssuer(t)
	iss.publish(t, newKey(t, "k1", false))
	for name, cfg := range map[string]auth.Config{
		"discovery of another issuer": {Issuer: iss.url() + "/realms/other"},
		"no key set there":            {Issuer: iss.url(), JWKSURL: iss.url() + "/nothing"},
		"key set in clear elsewhere":  {Issuer: iss.url(), JWKSURL: "http://keys.example.org/jwks.json"},
		"key set without issuer":      {JWKSURL: iss.url() + "/keys"},
		"unknown default role":        {DefaultRole: "boss"},
		"scoped anonymous role":       {AnonymousRole: access.Operator},
	} {
		if _, err := auth.New(t.Context(), cfg, nil); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// Without an issuer, JWTs are refused: only API tokens are accepted.
func TestJWTsWithoutOIDC(t *testing.T) {
	iss := newIssuer(t)
	key := newKey(t, "k1", false)
	a := newAuthenticator(t, auth.Config{}, nil)
	_, err := authenticate(a, "Bearer "+sign(t, key, iss.claims(nil)))
	refusedAs(t, err, auth.ErrOIDCDisabled)
}

func split(token string) (header, payload, signature string) {
	parts := strings.Split(token, ".")
	return parts[0], parts[1], parts[2]
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
