// Package auth turns a request's bearer token into the principal it acts for
// (internal/access): an API token made by the command line (`cohesio token create`), or an
// OpenID Connect token (a JWT) from the configured issuer, verified against the issuer's
// published keys. A request without credentials is anonymous: the public role.
package auth

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/cohesion"
	"github.com/cohesio/cohesio/internal/store"
)

// Config configures the Authenticator. The zero Config accepts API tokens only.
type Config struct {
	// Issuer is the OpenID Connect issuer, exactly as its tokens' "iss" claim spells it. OpenID
	// Connect is on only when it is set.
	Issuer string
	// Audience, when set, must be among the tokens' "aud" claim (typically the client id).
	Audience string
	// JWKSURL is where the issuer publishes its keys. Default: the "jwks_uri" of the issuer's
	// discovery document, Issuer + "/.well-known/openid-configuration", read by New.
	JWKSURL string
	// ClockSkew is how far the issuer's clock may be from ours when "exp", "nbf" and "iat" are
	// checked (default 60s).
	ClockSkew time.Duration
	// RoleClaim names the claim holding the role (default "cohesio_role").
	RoleClaim string
	// OperatorClaim names the claim holding an operator's id (default "cohesio_operator").
	OperatorClaim string
	// CommuneClaim names the claim holding a coordinator's commune, a territory id (default
	// "cohesio_commune").
	CommuneClaim string
	// DefaultRole is given to a valid token without a role claim (default public).
	DefaultRole access.Role
	// AnonymousRole is given to a request without credentials (default public).
	AnonymousRole access.Role
}

// Defaults of Config.
const (
	DefaultClockSkew     = 60 * time.Second
	DefaultRoleClaim     = "cohesio_role"
	DefaultOperatorClaim = "cohesio_operator"
	DefaultCommuneClaim  = "cohesio_commune"
)

// TokenStore finds API tokens; *store.Store is one.
type TokenStore interface {
	// APITokenByHash returns the token with that hash, or an error wrapping
	// cohesion.ErrNotFound.
	APITokenByHash(ctx context.Context, hash []byte) (*store.APIToken, error)
}

// Authenticator authenticates requests. It is safe for concurrent use.
type Authenticator struct {
	cfg     Config
	tokens  TokenStore
	unknown *unknownCache // API tokens the store does not know (unknown.go)
	oidc    *oidcVerifier // nil when OpenID Connect is off
}

// New returns an Authenticator. tokens may be nil: API tokens are then refused. With an
// Issuer, New finds and fetches the issuer's keys, and fails if it cannot within 30 seconds;
// the keys are then refreshed in the background until ctx is done, so ctx must live as long
// as the Authenticator (the server's context, not a request's).
func New(ctx context.Context, cfg Config, tokens TokenStore) (*Authenticator, error) {
	cfg, err := withDefaults(cfg)
	if err != nil {
		return nil, err
	}
	a := &Authenticator{cfg: cfg, tokens: tokens, unknown: newUnknownCache()}
	if cfg.Issuer != "" {
		if a.oidc, err = newOIDCVerifier(ctx, cfg); err != nil {
			return nil, err
		}
	}
	return a, nil
}

func withDefaults(cfg Config) (Config, error) {
	if cfg.ClockSkew == 0 {
		cfg.ClockSkew = DefaultClockSkew
	}
	if cfg.ClockSkew < 0 {
		return cfg, fmt.Errorf("auth: negative clock skew %v", cfg.ClockSkew)
	}
	if cfg.RoleClaim == "" {
		cfg.RoleClaim = DefaultRoleClaim
	}
	if cfg.OperatorClaim == "" {
		cfg.OperatorClaim = DefaultOperatorClaim
	}
	if cfg.CommuneClaim == "" {
		cfg.CommuneClaim = DefaultCommuneClaim
	}
	for _, r := range []*access.Role{&cfg.DefaultRole, &cfg.AnonymousRole} {
		if *r == "" {
			*r = access.Public
		}
		role, err := access.ParseRole(string(*r))
		if err != nil {
			return cfg, fmt.Errorf("auth: %w", err)
		}
		*r = role
	}
	if cfg.AnonymousRole == access.Operator || cfg.AnonymousRole == access.Coordinator {
		return cfg, fmt.Errorf("auth: the anonymous role cannot be %s: it needs a scope", cfg.AnonymousRole)
	}
	if cfg.Issuer == "" && cfg.JWKSURL != "" {
		return cfg, errors.New("auth: a JWKS URL without an issuer")
	}
	for _, u := range []string{cfg.Issuer, cfg.JWKSURL} {
		if err := checkURL(u); u != "" && err != nil {
			return cfg, fmt.Errorf("auth: %w", err)
		}
	}
	return cfg, nil
}

// checkURL accepts https URLs, and http ones on this machine only (development and tests):
// keys fetched in clear from elsewhere could be anyone's.
func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q is not an absolute URL", s)
	}
	switch {
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && (u.Hostname() == "localhost" || net.ParseIP(u.Hostname()).IsLoopback()):
		return nil
	}
	return fmt.Errorf("%q: want https (http only on localhost)", s)
}

// maxTokenLength bounds what is parsed: identity providers' tokens stay well below it.
const maxTokenLength = 16 << 10

// Authenticate returns the principal of r: anonymous (Config.AnonymousRole) without an
// Authorization header, the token's otherwise. Credentials that are refused give an *Error,
// whose message is safe to return to the client; any other error is internal (the token
// store failed).
func (a *Authenticator) Authenticate(r *http.Request) (access.Principal, error) {
	headers := r.Header.Values("Authorization")
	if len(headers) == 0 || (len(headers) == 1 && headers[0] == "") {
		return access.Principal{Role: a.cfg.AnonymousRole}, nil
	}
	if len(headers) > 1 {
		return access.Principal{}, refuse(ErrMalformed, "more than one Authorization header", nil)
	}
	scheme, token, _ := strings.Cut(headers[0], " ")
	token = strings.TrimLeft(token, " ")
	if !strings.EqualFold(scheme, "Bearer") || token == "" || strings.ContainsAny(token, " \t\r\n") {
		return access.Principal{}, refuse(ErrMalformed, `want "Authorization: Bearer <token>"`, nil)
	}
	if len(token) > maxTokenLength {
		return access.Principal{}, refuse(ErrMalformed, "token too long", nil)
	}
	if strings.HasPrefix(token, tokenPrefix) {
		return a.apiToken(r.Context(), token)
	}
	if strings.Count(token, ".") != 2 {
		return access.Principal{}, refuse(ErrMalformed, "neither an API token nor a JWT", nil)
	}
	if a.oidc == nil {
		return access.Principal{}, refuse(ErrOIDCDisabled, "", nil)
	}
	return a.oidcToken(r.Context(), token)
}

func (a *Authenticator) apiToken(ctx context.Context, secret string) (access.Principal, error) {
	if !LooksLikeAPIToken(secret) {
		return access.Principal{}, refuse(ErrMalformed, "not a well-formed API token", nil)
	}
	if a.tokens == nil {
		return access.Principal{}, refuse(ErrUnknownToken, "", nil)
	}
	hash := tokenHash(secret)
	if a.unknown.known(hash, time.Now()) {
		return access.Principal{}, refuse(ErrUnknownToken, "", nil)
	}
	t, err := a.tokens.APITokenByHash(ctx, hash[:])
	if errors.Is(err, cohesion.ErrNotFound) {
		a.unknown.add(hash, time.Now())
		return access.Principal{}, refuse(ErrUnknownToken, "", nil)
	}
	if err != nil {
		return access.Principal{}, fmt.Errorf("authenticate API token: %w", err)
	}
	switch {
	case t.RevokedAt != nil:
		return access.Principal{}, refuse(ErrRevoked, "", nil)
	case t.ExpiresAt != nil && !time.Now().Before(*t.ExpiresAt):
		return access.Principal{}, refuse(ErrExpired, "", nil)
	}
	return access.Principal{
		Role:       t.Role,
		Subject:    "token:" + strconv.FormatInt(t.ID, 10),
		OperatorID: t.OperatorID,
		CommuneID:  t.CommuneID,
	}, nil
}
