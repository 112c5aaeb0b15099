package auth

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/cohesio/cohesio/internal/access"
)

// Middleware authenticates every request before next sees it, and puts the principal in the
// request's context (access.WithPrincipal). Refused credentials are answered 401, as RFC 6750
// says, with the reason in the WWW-Authenticate header and in a GraphQL-shaped JSON body; a
// failure of the token store is answered 500.
func Middleware(a *Authenticator, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := a.Authenticate(r)
		if err != nil {
			var refused *Error
			if !errors.As(err, &refused) {
				slog.ErrorContext(r.Context(), "authenticate", "err", err)
				writeError(w, http.StatusInternalServerError, "internal error")
				return
			}
			slog.DebugContext(r.Context(), "credentials refused", "reason", refused.Error(), "cause", refused.Cause)
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="`+quoteEscape(refused.Error())+`"`)
			writeError(w, http.StatusUnauthorized, refused.Error())
			return
		}
		next.ServeHTTP(w, r.WithContext(access.WithPrincipal(r.Context(), p)))
	})
}

func writeError(w http.ResponseWriter, status int, message string) {
	type gqlError struct {
		Message string `json:"message"`
	}
	body, _ := json.Marshal(struct {
		Errors []gqlError `json:"errors"`
	}{[]gqlError{{message}}})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(body)
}

// quoteEscape makes s fit in a quoted-string (RFC 9110, section 5.6.4).
func quoteEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s)
}
