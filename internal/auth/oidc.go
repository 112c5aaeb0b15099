package auth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lestrrat-go/httprc/v3"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/cohesio/cohesio/internal/access"
)

const (
	// startupTimeout bounds New's discovery and first fetch of the keys.
	startupTimeout = 30 * time.Second
	// The keys are refetched in the background as the issuer's Cache-Control says, within
	// these bounds: a key the issuer withdraws stops being accepted within the hour.
	minKeysInterval = 5 * time.Minute
	maxKeysInterval = time.Hour
	// refreshCooldown spaces the refetches caused by tokens signed with a key we do not know:
	// a rotated key is picked up at once, and a flood of made-up key ids costs one fetch a
	// minute.
	refreshCooldown = time.Minute
)

// signingKeyTypes lists the accepted signature algorithms and the key type each needs. No
// "none", and no HMAC: a public key set must never be used as a shared secret.
var signingKeyTypes = map[string]string{
	"RS256": "RSA", "RS384": "RSA", "RS512": "RSA",
	"PS256": "RSA", "PS384": "RSA", "PS512": "RSA",
	"ES256": "EC", "ES384": "EC", "ES512": "EC",
	"EdDSA": "OKP", "Ed25519": "OKP",
}

// Reasons given by the key provider, inside jwx's errors.
var (
	errAlgorithm  = errors.New("signing algorithm not accepted")
	errUnknownKey = errors.New("no key of the issuer matches the token")
)

type oidcVerifier struct {
	jwksURL string
	cache   *jwk.Cache

	mu          sync.Mutex // serialises refetches on unknown keys
	lastRefresh time.Time
}

func newOIDCVerifier(ctx context.Context, cfg Config) (*oidcVerifier, error) {
	startCtx, cancel := context.WithTimeout(ctx, startupTimeout)
	defer cancel()
	jwksURL := cfg.JWKSURL
	if jwksURL == "" {
		var err error
		if jwksURL, err = discoverJWKS(startCtx, cfg.Issuer); err != nil {
			return nil, err
		}
	}
	// A first fetch outside the cache, which would otherwise retry until the timeout: a wrong
	// URL or an answer that is not a key set stops New at once, and says why.
	if _, err := jwk.Fetch(startCtx, jwksURL); err != nil {
		return nil, fmt.Errorf("auth: fetch the keys of %s: %w", cfg.Issuer, err)
	}
	cache, err := jwk.NewCache(ctx, httprc.NewClient())
	if err != nil {
		return nil, fmt.Errorf("auth: JWKS cache: %w", err)
	}
	err = cache.Register(startCtx, jwksURL, jwk.WithMinInterval(minKeysInterval), jwk.WithMaxInterval(maxKeysInterval))
	if err != nil {
		cache.Shutdown(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("auth: fetch the keys of %s: %w", cfg.Issuer, err)
	}
	return &oidcVerifier{jwksURL: jwksURL, cache: cache}, nil
}

// discoverJWKS reads the issuer's OpenID Connect discovery document for its jwks_uri.
func discoverJWKS(ctx context.Context, issuer string) (string, error) {
	u := strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", fmt.Errorf("auth: discovery: %w", err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("auth: discovery: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("auth: discovery: %s answered %s", u, res.Status)
	}
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&doc); err != nil {
		return "", fmt.Errorf("auth: discovery: read %s: %w", u, err)
	}
	// OpenID Connect Discovery 1.0, section 4.3: the document must be the issuer's own.
	if doc.Issuer != issuer {
		return "", fmt.Errorf("auth: discovery: %s is for issuer %q, not %q", u, doc.Issuer, issuer)
	}
	if err := checkURL(doc.JWKSURI); err != nil {
		return "", fmt.Errorf("auth: discovery: jwks_uri: %w", err)
	}
	return doc.JWKSURI, nil
}

// keySet returns the issuer's keys, refetched first when none has the key id kid (the issuer
// may have rotated its keys since the last fetch) and the last such refetch is old enough.
func (o *oidcVerifier) keySet(ctx context.Context, kid string) (jwk.Set, error) {
	set, err := o.cache.Lookup(ctx, o.jwksURL)
	if err != nil {
		return nil, err
	}
	if _, ok := set.LookupKeyID(kid); ok || kid == "" {
		return set, nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	// Another request may have refetched while this one waited.
	if set, err = o.cache.Lookup(ctx, o.jwksURL); err != nil {
		return nil, err
	}
	if _, ok := set.LookupKeyID(kid); ok || time.Since(o.lastRefresh) < refreshCooldown {
		return set, nil
	}
	o.lastRefresh = time.Now()
	fresh, err := o.cache.Refresh(ctx, o.jwksURL)
	if err != nil {
		slog.WarnContext(ctx, "refetch the identity provider's keys", "url", o.jwksURL, "err", err)
		return set, nil
	}
	return fresh, nil
}

// FetchKeys gives jws the issuer's keys that may have made sig: those of its key id (all, if
// it has none) whose type fits its algorithm. It is jws.KeyProvider.
func (o *oidcVerifier) FetchKeys(ctx context.Context, sink jws.KeySink, sig *jws.Signature, _ *jws.Message) error {
	h := sig.ProtectedHeaders()
	alg, ok := h.Algorithm()
	if !ok {
		return errAlgorithm
	}
	keyType, ok := signingKeyTypes[alg.String()]
	if !ok {
		return errAlgorithm
	}
	kid, _ := h.KeyID()
	set, err := o.keySet(ctx, kid)
	if err != nil {
		return err
	}
	found := false
	for i := range set.Len() {
		key, _ := set.Key(i)
		if id, _ := key.KeyID(); kid != "" && id != kid {
			continue
		}
		if key.KeyType().String() != keyType {
			continue
		}
		if use, ok := key.KeyUsage(); ok && use != "" && use != "sig" {
			continue
		}
		if keyAlg, ok := key.Algorithm(); ok && keyAlg.String() != alg.String() {
			continue
		}
		sink.Key(alg, key)
		found = true
	}
	if !found {
		return errUnknownKey
	}
	return nil
}

func (a *Authenticator) oidcToken(ctx context.Context, raw string) (access.Principal, error) {
	if err := checkHeader(raw); err != nil {
		return access.Principal{}, err
	}
	opts := []jwt.ParseOption{
		jwt.WithKeyProvider(a.oidc),
		jwt.WithContext(ctx),
		jwt.WithIssuer(a.cfg.Issuer),
		jwt.WithAcceptableSkew(a.cfg.ClockSkew),
		// A token without an expiry would be good forever.
		jwt.WithRequiredClaim(jwt.ExpirationKey),
	}
	if a.cfg.Audience != "" {
		opts = append(opts, jwt.WithAudience(a.cfg.Audience))
	}
	tok, err := jwt.Parse([]byte(raw), opts...)
	if err != nil {
		return access.Principal{}, jwtError(err)
	}
	return a.oidcPrincipal(tok)
}

// checkHeader refuses a token whose header names an algorithm we do not accept (FetchKeys
// checks again: this check gives the client a clear reason) or critical extensions, which we
// must refuse since we implement none (RFC 7515, section 4.1.11) and jwx lets through on
// this path.
func checkHeader(raw string) error {
	header, _, _ := strings.Cut(raw, ".")
	b, err := base64.RawURLEncoding.DecodeString(header)
	if err != nil {
		return refuse(ErrMalformed, "the JWT header is not base64url", nil)
	}
	var h struct {
		Alg  string          `json:"alg"`
		Crit json.RawMessage `json:"crit"`
	}
	if err := json.Unmarshal(b, &h); err != nil {
		return refuse(ErrMalformed, "the JWT header is not a JSON object", nil)
	}
	if _, ok := signingKeyTypes[h.Alg]; !ok {
		return refuse(ErrAlgorithm, "", nil)
	}
	if h.Crit != nil {
		return refuse(ErrMalformed, "critical header extensions are not supported", nil)
	}
	return nil
}

// jwtError says why jwx refused a token. Signature checks come first: claims are only
// validated once the signature holds.
func jwtError(err error) error {
	kinds := []struct{ cause, kind error }{
		{errAlgorithm, ErrAlgorithm},
		{errUnknownKey, ErrUnknownKey},
		{jws.VerificationError(), ErrSignature},
		{jwt.TokenExpiredError(), ErrExpired},
		{jwt.TokenNotYetValidError(), ErrNotYetValid},
		{jwt.InvalidIssuedAtError(), ErrNotYetValid},
		{jwt.InvalidIssuerError(), ErrIssuer},
		{jwt.InvalidAudienceError(), ErrAudience},
		{jwt.MissingRequiredClaimError(), ErrClaims},
	}
	for _, k := range kinds {
		if errors.Is(err, k.cause) {
			return refuse(k.kind, "", err)
		}
	}
	return refuse(ErrMalformed, "", err)
}

// oidcPrincipal reads the principal from a verified token's claims.
func (a *Authenticator) oidcPrincipal(tok jwt.Token) (access.Principal, error) {
	sub, _ := tok.Subject()
	if sub == "" {
		return access.Principal{}, refuse(ErrClaims, `no "sub"`, nil)
	}
	p := access.Principal{Role: a.cfg.DefaultRole, Subject: "oidc:" + sub}
	var v any
	if err := tok.Get(a.cfg.RoleClaim, &v); err == nil {
		s, ok := v.(string)
		role, err := access.ParseRole(s)
		if !ok || err != nil {
			return access.Principal{}, refuse(ErrClaims, fmt.Sprintf("%q is not a known role", a.cfg.RoleClaim), nil)
		}
		p.Role = role
	}
	switch p.Role {
	case access.Operator:
		id, err := idClaim(tok, a.cfg.OperatorClaim)
		if err != nil {
			return access.Principal{}, err
		}
		p.OperatorID = id
	case access.Coordinator:
		id, err := idClaim(tok, a.cfg.CommuneClaim)
		if err != nil {
			return access.Principal{}, err
		}
		p.CommuneID = id
	}
	return p, nil
}

// idClaim reads a required id: a positive integer, as a JSON number or a string of digits.
func idClaim(tok jwt.Token, name string) (*int64, error) {
	var v any
	if err := tok.Get(name, &v); err != nil {
		return nil, refuse(ErrClaims, fmt.Sprintf("%q is required for this role", name), nil)
	}
	var id int64
	switch v := v.(type) {
	case float64:
		if v == math.Trunc(v) && v > 0 && v <= 1<<53 {
			id = int64(v)
		}
	case json.Number:
		id, _ = strconv.ParseInt(v.String(), 10, 64)
	case string:
		id, _ = strconv.ParseInt(v, 10, 64)
	}
	if id <= 0 {
		return nil, refuse(ErrClaims, fmt.Sprintf("%q is not an id", name), nil)
	}
	return &id, nil
}
