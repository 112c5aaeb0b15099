package main

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/auth"
	"github.com/cohesio/cohesio/internal/pgtest"
	"github.com/cohesio/cohesio/internal/store"
)

// A token made by `token create` authenticates requests against the same database until
// `token revoke`; `token list` shows it, revoked, and never its secret.
func TestTokenCreateListRevoke(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	out, err := runCommand(t, "token", "create", "--name", "survey 2026", "--role", "researcher", "--database-url", dsn)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^API token (\d+) "survey 2026" created: role researcher, expires \d{4}-.*\n(coh_\S+)\n.*cannot be shown again`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("output:\n%s", out)
	}
	id, secret := m[1], m[2]

	ctx := context.Background()
	st, err := store.Open(ctx, dsn, store.Options{MaxConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a, err := auth.New(t.Context(), auth.Config{}, st)
	if err != nil {
		t.Fatal(err)
	}
	authenticate := func() (access.Principal, error) {
		r := httptest.NewRequest("POST", "/graphql", nil)
		r.Header.Set("Authorization", "Bearer "+secret)
		return a.Authenticate(r)
	}
	p, err := authenticate()
	if err != nil || p.Role != access.Researcher || p.Subject != "token:"+id {
		t.Fatalf("got %+v, %v", p, err)
	}

	list, err := runCommand(t, "token", "list", "--database-url", dsn)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^` + id + `\s+survey 2026\s+researcher\s+-\s+\d{4}-\d\d-\d\d \d\d:\d\d UTC\s+\d{4}-\d\d-\d\d \d\d:\d\d UTC\s+-\s*$`).MatchString(list) {
		t.Errorf("list:\n%s", list)
	}

	if out, err := runCommand(t, "token", "revoke", id, "--database-url", dsn); err != nil || !strings.Contains(out, "revoked") {
		t.Fatalf("revoke: %q, %v", out, err)
	}
	if _, err := authenticate(); !errors.Is(err, auth.ErrRevoked) {
		t.Errorf("after revocation: %v, want revoked", err)
	}
	list, _ = runCommand(t, "token", "list", "--database-url", dsn)
	if !regexp.MustCompile(`(?m)^`+id+`\s.*\d\d:\d\d UTC\s*$`).MatchString(list) || strings.Contains(list, "coh_") {
		t.Errorf("list after revocation:\n%s", list)
	}
	if _, err := runCommand(t, "token", "revoke", "999", "--database-url", dsn); err == nil || err.Error() != "no API token 999" {
		t.Errorf("revoking an unknown token: %v", err)
	}
}

func TestTokenCreateNamesTheWrongFlag(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--name", "sync", "--role", "operator"}, "--operator is required for the operator role"},
		{[]string{"--name", "sync", "--role", "coordinator"}, "--commune is required for the coordinator role"},
		{[]string{"--name", "sync", "--role", "researcher", "--operator", "1"}, "--operator is only for the operator role"},
		{[]string{"--name", "sync", "--role", "admin", "--commune", "21015"}, "--commune is only for the coordinator role"},
		{[]string{"--name", "sync", "--role", "boss"}, "--role"},
		{[]string{"--name", " ", "--role", "public"}, "--name"},
		{[]string{"--name", "sync", "--role", "public", "--expires", "soon"}, "--expires"},
		{[]string{"--name", "sync", "--role", "public", "--expires", "0d"}, "--expires"},
		{[]string{"--name", "sync", "--role", "operator", "--operator", "0999000129"}, "--operator: operator \"0999000129\": not found"},
		{[]string{"--name", "sync", "--role", "coordinator", "--commune", "21015"}, "--commune: commune \"21015\": not found"},
	} {
		_, err := runCommand(t, append(append([]string{"token", "create"}, tt.args...), "--database-url", dsn)...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: %v, want an error about %s", tt.args, err, tt.want)
		}
	}
	if out, _ := runCommand(t, "token", "list", "--database-url", dsn); strings.Count(out, "\n") != 1 {
		t.Errorf("tokens were created:\n%s", out)
	}
}

func TestParseLifetime(t *testing.T) {
	for s, want := range map[string]string{"never": "0s", "90d": "2160h0m0s", "720h": "720h0m0s", "1h30m": "1h30m0s"} {
		if d, err := parseLifetime(s); err != nil || d.String() != want {
			t.Errorf("%s: %v, %v; want %s", s, d, err, want)
		}
	}
	for _, s := range []string{"", "0d", "-1d", "90", "1y", "99999999d", "-5h"} {
		if _, err := parseLifetime(s); err == nil {
			t.Errorf("%q: no error", s)
		}
	}
}

// serveEmbedded runs `cohesio serve` on the embedded cluster in dataDir, on a free port, until
// the test ends.
func serveEmbedded(t *testing.T, dataDir string) string {
	t.Helper()
	t.Setenv("DATABASE_URL", "") // the embedded cluster, whatever the environment says
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- newApp().Run(ctx, []string{"cohesio", "serve", "--addr", addr, "--data-dir", dataDir})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve returned %v after SIGINT", err)
		}
	})
	url := "http://" + addr
	for deadline := time.Now().Add(2 * time.Minute); ; {
		if res, err := http.Get(url + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return url
			}
		}
		select {
		case err := <-done:
			t.Fatalf("serve stopped: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("serve did not become ready in 2 minutes")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// embeddedDataDir is a data dir that the server user can reach when the tests run as root
// (t.TempDir is 0700).
func embeddedDataDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "cohesio-token-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "pgdata")
}

// The token commands work while `cohesio serve` holds the embedded cluster: they use its
// PostgreSQL through its socket, and leave it running. The token made authenticates against
// that server at once, as an admin, and its revocation holds there at once too.
func TestTokenCommandsBesideARunningServer(t *testing.T) {
	dataDir := embeddedDataDir(t)
	url := serveEmbedded(t, dataDir)

	out, err := runCommand(t, "token", "create", "--name", "ops", "--role", "admin", "--data-dir", dataDir)
	if err != nil {
		t.Fatalf("token create beside serve: %v", err)
	}
	m := regexp.MustCompile(`(?m)^API token (\d+) "ops" created: role admin, .*\n(coh_\S+)\n`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("output:\n%s", out)
	}
	id, secret := m[1], m[2]

	post := func(query string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, url+"/graphql", strings.NewReader(query))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+secret)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	// Only an admin may revoke a token: revoking an unknown one is NOT_FOUND for it, FORBIDDEN
	// for anyone else.
	if status, body := post(`{"query":"mutation { revokeApiToken(id: \"QXBpVG9rZW46OTk5\") { id } }"}`); status != 200 || !strings.Contains(body, `"NOT_FOUND"`) {
		t.Fatalf("the new admin token against the server: %d %s", status, body)
	}

	if list, err := runCommand(t, "token", "list", "--data-dir", dataDir); err != nil || !regexp.MustCompile(`(?m)^`+id+`\s+ops\s+admin\s`).MatchString(list) {
		t.Fatalf("token list beside serve: %v\n%s", err, list)
	}
	if _, err := runCommand(t, "token", "revoke", id, "--data-dir", dataDir); err != nil {
		t.Fatalf("token revoke beside serve: %v", err)
	}
	if status, body := post(`{"query":"{ __typename }"}`); status != http.StatusUnauthorized || !strings.Contains(body, "token revoked") {
		t.Errorf("the revoked token against the server: %d %s, want 401 token revoked", status, body)
	}
	// The server's database still runs after the commands closed theirs.
	if res, err := http.Get(url + "/readyz"); err != nil || res.StatusCode != 200 {
		t.Fatalf("readyz after the token commands: %v %v", res, err)
	}
}
