package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
)

// tokenPrefix starts every API token secret: it tells API tokens from JWTs without a lookup,
// and lets secret scanners recognise a leaked one.
const tokenPrefix = "coh_"

const secretBytes = 32

// NewToken returns a new API token secret, "coh_" and 32 random bytes in unpadded base64url,
// and the hash to store in its place.
func NewToken() (secret string, hash []byte, err error) {
	b := make([]byte, secretBytes)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("new API token: %w", err)
	}
	secret = tokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	return secret, HashToken(secret), nil
}

// HashToken returns the SHA-256 of an API token secret: what the database keeps. A fast hash
// is enough because the secret has 256 random bits; there is nothing to guess.
func HashToken(secret string) []byte {
	h := tokenHash(secret)
	return h[:]
}

// tokenHash is HashToken as an array, a map key.
func tokenHash(secret string) [32]byte { return sha256.Sum256([]byte(secret)) }

// LooksLikeAPIToken tells whether s has the form of an API token secret.
func LooksLikeAPIToken(s string) bool {
	rest, ok := strings.CutPrefix(s, tokenPrefix)
	if !ok {
		return false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(rest)
	return err == nil && len(b) == secretBytes
}
