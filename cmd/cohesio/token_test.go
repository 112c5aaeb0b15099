package main

import (
	"context"
	"errors"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

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
