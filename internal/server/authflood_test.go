package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/auth"
	"github.com/cohesio/cohesio/internal/server"
	"github.com/cohesio/cohesio/internal/store"
)

// countingTokens counts the API token look-ups that reach the database.
type countingTokens struct {
	st *store.Store
	n  atomic.Int64
}

func (c *countingTokens) APITokenByHash(ctx context.Context, hash []byte) (*store.APIToken, error) {
	c.n.Add(1)
	return c.st.APITokenByHash(ctx, hash)
}

// Rate limits of the flood tests: refills so slow (one failure per 2000 s, one request per
// 100 s) that none happens during a test, however slow the machine.
const (
	floodRate  = 0.01
	floodBurst = 40
)

// floodAPI serves the fixture behind a proxy (X-Forwarded-For names the caller), with rate
// limits and API tokens whose look-ups are counted.
func floodAPI(t *testing.T) (*api, *countingTokens) {
	t.Helper()
	var tokens *countingTokens
	a := newAPI(t, func(c *server.Config) {
		tokens = &countingTokens{st: c.Store}
		authn, err := auth.New(context.Background(), auth.Config{}, tokens)
		if err != nil {
			t.Fatal(err)
		}
		c.Auth, c.RateLimit, c.RateBurst, c.TrustProxy = authn, floodRate, floodBurst, true
	})
	return a, tokens
}

// postAs sends { __typename } from address with the bearer token (none when empty) and
// returns the status and the Retry-After header.
func (a *api) postAs(address, token string) (status int, retryAfter string) {
	a.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, a.srv.URL+"/graphql", strings.NewReader(`{"query":"{ __typename }"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", address)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	io.Copy(io.Discard, res.Body)
	return res.StatusCode, res.Header.Get("Retry-After")
}

func (a *api) token(role access.Role) (string, *store.APIToken) {
	a.t.Helper()
	secret, hash, err := auth.NewToken()
	if err != nil {
		a.t.Fatal(err)
	}
	tok := &store.APIToken{Name: "flood " + string(role), TokenHash: hash, Role: role}
	if err := a.store.CreateAPIToken(context.Background(), tok); err != nil {
		a.t.Fatal(err)
	}
	return secret, tok
}

// A flood of well-formed but unknown API tokens from one address, each new (so that no cache
// answers it), sent by several connections at once: once the address has used up its budget
// of failed authentications it is answered 429 before any look-up, so the look-ups stay
// bounded by the budget and the requests in flight when it ran out, whatever the flood's size.
// Before the address check, every request was looked up and answered 401.
func TestBogusTokenFloodIsLimitedBeforeLookUp(t *testing.T) {
	a, tokens := floodAPI(t)
	const flooder, requests, workers = "203.0.113.66", 400, 8
	secrets := make(chan string, requests)
	for range requests {
		s, _, err := auth.NewToken()
		if err != nil {
			t.Fatal(err)
		}
		secrets <- s
	}
	close(secrets)
	var mu sync.Mutex
	statuses := map[int]int{}
	retryAfters := map[string]bool{}
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := range secrets {
				status, retry := a.postAs(flooder, s)
				mu.Lock()
				statuses[status]++
				if status == http.StatusTooManyRequests {
					retryAfters[retry] = true
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	lookUps := tokens.n.Load()
	t.Logf("%d bogus tokens: statuses %v, %d look-ups", requests, statuses, lookUps)

	if statuses[http.StatusUnauthorized]+statuses[http.StatusTooManyRequests] != requests {
		t.Errorf("statuses %v: want 401 and 429 only", statuses)
	}
	budget := server.FailedAuthBurst(floodBurst)
	if statuses[http.StatusUnauthorized] < budget {
		t.Errorf("%d answered 401, want at least the budget of %d failures", statuses[http.StatusUnauthorized], budget)
	}
	if max := int64(budget + workers); lookUps > max {
		t.Errorf("%d look-ups for %d bogus tokens, want at most %d (the budget and the requests in flight)", lookUps, requests, max)
	}
	if statuses[http.StatusTooManyRequests] < requests-budget-workers {
		t.Errorf("%d answered 429, want at least %d", statuses[http.StatusTooManyRequests], requests-budget-workers)
	}
	for retry := range retryAfters {
		if secs, err := strconv.Atoi(retry); err != nil || secs < 1 {
			t.Errorf("Retry-After %q, want whole seconds", retry)
		}
	}
}

// The same unknown token sent again is refused without asking the database again.
func TestUnknownTokenIsLookedUpOnce(t *testing.T) {
	a, tokens := floodAPI(t)
	bogus, _, _ := auth.NewToken()
	for i := range 3 {
		if status, _ := a.postAs(fmt.Sprintf("198.51.100.%d", i+1), bogus); status != http.StatusUnauthorized {
			t.Fatalf("request %d: %d, want 401", i+1, status)
		}
	}
	if n := tokens.n.Load(); n != 1 {
		t.Errorf("%d look-ups for one unknown token sent 3 times, want 1", n)
	}
}

// The flood does not lock out others: a valid token and anonymous callers from other
// addresses are served as before; the flooding address itself is refused even with a valid
// token, since its requests are refused before their token is looked at.
func TestBogusTokenFloodSparesOtherCallers(t *testing.T) {
	a, _ := floodAPI(t)
	valid, _ := a.token(access.Researcher)
	const flooder = "203.0.113.66"
	for i := 0; ; i++ {
		if i == 100 {
			t.Fatal("100 bogus tokens from one address, none answered 429")
		}
		bogus, _, _ := auth.NewToken()
		if status, _ := a.postAs(flooder, bogus); status == http.StatusTooManyRequests {
			break
		} else if status != http.StatusUnauthorized {
			t.Fatalf("bogus token: %d", status)
		}
	}
	if status, _ := a.postAs("198.51.100.7", valid); status != http.StatusOK {
		t.Errorf("valid token from another address: %d, want 200", status)
	}
	if status, _ := a.postAs("198.51.100.8", ""); status != http.StatusOK {
		t.Errorf("anonymous caller from another address: %d, want 200", status)
	}
	if status, _ := a.postAs(flooder, valid); status != http.StatusTooManyRequests {
		t.Errorf("valid token from the flooding address: %d, want 429", status)
	}
	// Anonymous requests from the flooding address look nothing up: the per-address limit
	// applies to them, not the budget of failed authentications.
	if status, _ := a.postAs(flooder, ""); status != http.StatusOK {
		t.Errorf("anonymous request from the flooding address: %d, want 200", status)
	}
}

// A revoked token is refused by the very next request, whether revoked by the store (as
// `cohesio token revoke` does, from another process) or by the revokeApiToken mutation.
func TestRevokedTokenIsRefusedAtOnce(t *testing.T) {
	a, _ := floodAPI(t)
	admin, _ := a.token(access.Admin)
	for _, how := range []string{"store", "mutation"} {
		t.Run(how, func(t *testing.T) {
			secret, tok := a.token(access.Researcher)
			if status, _ := a.postAs("198.51.100.20", secret); status != http.StatusOK {
				t.Fatalf("before revocation: %d", status)
			}
			switch how {
			case "store":
				if err := a.store.RevokeAPIToken(context.Background(), tok.ID); err != nil {
					t.Fatal(err)
				}
			case "mutation":
				body, _ := json.Marshal(map[string]any{
					"query":     `mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt } }`,
					"variables": map[string]any{"id": gid("ApiToken", tok.ID)},
				})
				req, _ := http.NewRequest(http.MethodPost, a.srv.URL+"/graphql", strings.NewReader(string(body)))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-Forwarded-For", "198.51.100.21")
				req.Header.Set("Authorization", "Bearer "+admin)
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				var out gqlResponse
				err = json.NewDecoder(res.Body).Decode(&out)
				res.Body.Close()
				if err != nil || len(out.Errors) > 0 || !strings.Contains(string(out.Data), `"revokedAt":"`) {
					t.Fatalf("revokeApiToken: %s %+v %v", out.Data, out.Errors, err)
				}
			}
			if status, _ := a.postAs("198.51.100.20", secret); status != http.StatusUnauthorized {
				t.Errorf("after revocation: %d, want 401", status)
			}
		})
	}
}
