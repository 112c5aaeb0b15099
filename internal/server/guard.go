package server

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/simplelru"
	"golang.org/x/time/rate"

	"github.com/cohesio/cohesio/internal/access"
)

// Defaults of cohesio serve's --rate-limit and --rate-burst. A zero Config has no rate limit,
// so that tests and embedders opt in.
const (
	DefaultRateLimit = 20.0
	DefaultRateBurst = 40
)

// rateLimitKeys bounds the callers whose limiters are remembered: the least recently seen is
// forgotten first, so memory stays flat however many addresses a flood comes from.
const rateLimitKeys = 10_000

// guard holds the request protections that Config asks for. New builds one and wraps its
// handlers with it; each protection is off when its setting is.
type guard struct {
	limiter *rateLimiter // nil: no rate limits
	trusted *TrustedDocuments
	enforce map[access.Role]bool // roles that may run trusted documents only
	// corsCredentials and corsOriginFunc complete the rs/cors options (see corsPolicy).
	corsCredentials bool
	corsOriginFunc  func(origin string) bool

	// failures keeps the budgets of failed authentications by address (authFailures); nil
	// without limiter.
	failures *rateLimiter
}

// newGuard also trusts the documents views (the named views' texts), so that roles limited to
// trusted documents can run them by documentId too.
func newGuard(cfg Config, views []string) (*guard, error) {
	g := &guard{trusted: cfg.TrustedDocuments, enforce: map[access.Role]bool{}}
	if cfg.RateLimit > 0 && cfg.RateBurst > 0 {
		g.limiter = newRateLimiter(cfg.RateLimit, cfg.RateBurst, cfg.TrustProxy)
		perSecond, burst := failedAuthBudget(cfg.RateLimit, cfg.RateBurst)
		g.failures = newRateLimiter(perSecond, burst, cfg.TrustProxy)
	}
	for _, r := range cfg.TrustedDocumentsOnly {
		g.enforce[r] = true
	}
	if len(g.enforce) > 0 && g.trusted == nil {
		return nil, errors.New("trusted documents only for some roles, but no trusted documents: set TrustedDocuments (--trusted-documents)")
	}
	g.trusted = g.trusted.with(views...)
	var err error
	g.corsCredentials, g.corsOriginFunc, err = corsPolicy(cfg.AllowedOrigins)
	if err != nil {
		return nil, err
	}
	return g, nil
}

// limit applies the per-caller rate limit to h; it must run inside the handler that sets the
// principal.
func (g *guard) limit(h http.Handler) http.Handler {
	if g.limiter == nil {
		return h
	}
	return g.limiter.handler(h)
}

// failedAuthBudget is how many failed authentications an address may have at once (a
// quarter of the rate limit's burst), and how fast that budget comes back (a twentieth of the
// rate): 10, then one a second, with cohesio serve's defaults. A client with a good token
// fails rarely; one guessing tokens fails every time.
func failedAuthBudget(perSecond float64, burst int) (float64, int) {
	return perSecond / 20, max(1, burst/4)
}

// authFailures stands in front of authentication: a request with credentials from an address
// that has spent its budget of failed authentications is answered 429 before its token is
// looked up (a database query each). The per-caller limit (limit) cannot do it: it runs after
// authentication, keyed by the principal found. Requests without credentials look nothing up
// and pass; those refused by next (401 with an invalid_token challenge, which only
// authentication answers) spend the budget. Requests in flight when the budget runs out
// still end, so that an address gets at most the budget, plus its concurrent requests, plus
// the refill; a refusal then puts the budget in debt, which keeps it closed longer.
func (g *guard) authFailures(next http.Handler) http.Handler {
	l := g.failures
	if l == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.Header.Values("Authorization")) == 0 {
			next.ServeHTTP(w, r)
			return
		}
		key := "ip:" + clientIP(r, l.trustProxy)
		if wait := l.closed(key, time.Now()); wait > 0 {
			secs := retryAfter(wait)
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			writeCodedError(w, http.StatusTooManyRequests, "RATE_LIMITED", fmt.Sprintf(
				"too many failed authentications from this address: at most %d at once, then %g per second; retry in %d s", l.burst, float64(l.limit), secs))
			return
		}
		rw := &refusalWriter{ResponseWriter: w}
		next.ServeHTTP(rw, r)
		if rw.refused {
			l.spend(key, time.Now())
		}
	})
}

// refusalWriter notes whether the response refuses the request's credentials.
type refusalWriter struct {
	http.ResponseWriter
	refused bool
}

func (w *refusalWriter) WriteHeader(code int) {
	w.refused = code == http.StatusUnauthorized && strings.HasPrefix(w.Header().Get("WWW-Authenticate"), `Bearer error="invalid_token"`)
	w.ResponseWriter.WriteHeader(code)
}

func (w *refusalWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// graphQL wraps the GraphQL handler, inside limitBody: batches are refused, then documents
// are checked against the trusted ones when there are any.
func (g *guard) graphQL(h http.Handler) http.Handler {
	if g.trusted != nil {
		h = trustedDocuments(g.trusted, g.enforce, h)
	}
	return rejectBatch(h)
}

// corsPolicy decides what rs/cors cannot be told directly. Credentials (cookies, HTTP
// authentication) go to listed origins only: with "*" rs/cors would echo any origin and let
// every site act as the user. And no origin listed must mean same origin only, whereas rs/cors
// takes an empty list as "*": originFunc then refuses every origin.
func corsPolicy(origins []string) (credentials bool, originFunc func(string) bool, err error) {
	if len(origins) == 0 {
		return false, func(string) bool { return false }, nil
	}
	if !slices.Contains(origins, "*") {
		return true, nil, nil
	}
	if len(origins) > 1 {
		return false, nil, fmt.Errorf("CORS origins %q: \"*\" allows every origin, without credentials, so it cannot be combined with listed origins, which get credentials: list the origins, or give \"*\" alone", origins)
	}
	return false, nil, nil
}

// rateLimiter keeps a token bucket per caller.
type rateLimiter struct {
	limit      rate.Limit
	burst      int
	trustProxy bool

	mu       sync.Mutex
	limiters *simplelru.LRU[string, *rate.Limiter]
	refused  func(*http.Request) // counts the refusals (metrics.go); nil: not counted
}

func newRateLimiter(perSecond float64, burst int, trustProxy bool) *rateLimiter {
	limiters, err := simplelru.NewLRU[string, *rate.Limiter](rateLimitKeys, nil)
	if err != nil {
		panic(err) // only for a size below 1
	}
	return &rateLimiter{limit: rate.Limit(perSecond), burst: burst, trustProxy: trustProxy, limiters: limiters}
}

func (l *rateLimiter) handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if wait := l.reserve(l.key(r), time.Now()); wait > 0 {
			if l.refused != nil {
				l.refused(r)
			}
			secs := retryAfter(wait)
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			writeCodedError(w, http.StatusTooManyRequests, "RATE_LIMITED", fmt.Sprintf(
				"rate limit exceeded: at most %g requests per second, in bursts of %d; retry in %d s", float64(l.limit), l.burst, secs))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// reserve takes a token from key's bucket and returns 0, or leaves the bucket as it was and
// returns how long until a token is available.
func (l *rateLimiter) reserve(key string, now time.Time) time.Duration {
	res := l.bucket(key).ReserveN(now, 1)
	if !res.OK() {
		return time.Minute // cannot happen with a burst of 1 or more
	}
	wait := res.DelayFrom(now)
	if wait > 0 {
		res.CancelAt(now) // a refused request does not spend the caller's future tokens
	}
	return wait
}

// closed returns 0 when key's bucket holds a token, else how long until it does; it takes
// nothing.
func (l *rateLimiter) closed(key string, now time.Time) time.Duration {
	tokens := l.bucket(key).TokensAt(now)
	if tokens >= 1 {
		return 0
	}
	return time.Duration((1 - tokens) / float64(l.limit) * float64(time.Second))
}

// spend takes a token from key's bucket, going into debt when it is empty.
func (l *rateLimiter) spend(key string, now time.Time) {
	l.bucket(key).ReserveN(now, 1)
}

// bucket returns key's limiter, made full on first use.
func (l *rateLimiter) bucket(key string) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	lim, ok := l.limiters.Get(key)
	if !ok {
		lim = rate.NewLimiter(l.limit, l.burst)
		l.limiters.Add(key, lim)
	}
	return lim
}

// retryAfter rounds a wait up to whole seconds, at least 1, for Retry-After.
func retryAfter(wait time.Duration) int {
	return max(1, int(math.Ceil(wait.Seconds())))
}

// key names the caller: its subject when authenticated, else its address.
func (l *rateLimiter) key(r *http.Request) string {
	if s := access.PrincipalFrom(r.Context()).Subject; s != "" {
		return "subject:" + s
	}
	return "ip:" + clientIP(r, l.trustProxy)
}

// clientIP is the caller's address: the connection's, or with trustProxy the one the proxy
// appended last to X-Forwarded-For (earlier entries are whatever the client claimed). IPv6
// addresses count by /64, the block one subscriber usually gets, so that hopping among its
// addresses does not multiply the limit.
func clientIP(r *http.Request, trustProxy bool) string {
	var addr netip.Addr
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		addr = ap.Addr()
	}
	if trustProxy {
		if values := r.Header.Values("X-Forwarded-For"); len(values) > 0 {
			hops := strings.Split(values[len(values)-1], ",")
			if a, err := netip.ParseAddr(strings.TrimSpace(hops[len(hops)-1])); err == nil {
				addr = a
			}
		}
	}
	if !addr.IsValid() {
		return r.RemoteAddr
	}
	addr = addr.Unmap()
	if addr.Is6() {
		return netip.PrefixFrom(addr, 64).Masked().String()
	}
	return addr.String()
}

// rejectBatch refuses a POST whose body is a JSON array, a batch of operations: one request
// would cost many times what the rate and size limits assume. It peeks at the first
// non-space byte and hands the body on unread.
func rejectBatch(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Body == nil {
			next.ServeHTTP(w, r)
			return
		}
		br := bufio.NewReader(r.Body)
		if c, ok := firstNonSpace(br); ok && c == '[' {
			writeError(w, http.StatusBadRequest, "batching is not supported: send one operation per request")
			return
		}
		r.Body = struct {
			io.Reader
			io.Closer
		}{br, r.Body}
		next.ServeHTTP(w, r)
	})
}

// firstNonSpace returns the first byte of br that is not JSON whitespace, consuming nothing.
// ok is false at the end of the body, on a read error (left for the next reader to report),
// or after a buffer full of whitespace.
func firstNonSpace(br *bufio.Reader) (c byte, ok bool) {
	for n := 1; n <= br.Size(); n++ {
		b, err := br.Peek(n)
		if err != nil {
			return 0, false
		}
		switch b[n-1] {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return b[n-1], true
	}
	return 0, false
}

// Uploads. /graphql takes application/json only (checkRequest answers 415 to
// multipart/form-data, application/x-www-form-urlencoded, text/plain and the rest), so a
// cross-site HTML form, which can send only those three without a CORS preflight, cannot reach
// the executor. File imports will have to accept multipart/form-data: their routes must be
// wrapped in requirePreflight, so that a browser sends such a request cross-site only after a
// preflight, which CORS refuses to origins not listed.

// preflightHeader is a header that a form cannot send; setting it from script forces a
// preflight.
const preflightHeader = "GraphQL-Require-Preflight"

// requirePreflight answers 400 to a request that a browser would send cross-site without a
// preflight (multipart/form-data, application/x-www-form-urlencoded, text/plain, or no
// Content-Type) when it lacks GraphQL-Require-Preflight.
func requirePreflight(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		switch mt {
		case "multipart/form-data", "application/x-www-form-urlencoded", "text/plain", "":
			if r.Header.Get(preflightHeader) == "" {
				writeError(w, http.StatusBadRequest, "send the "+preflightHeader+" header with an upload")
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// writeCodedError writes a GraphQL-shaped error with extensions.code, for a request refused
// before the executor.
func writeCodedError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{
		"message": message, "extensions": map[string]string{"code": code},
	}}})
}
