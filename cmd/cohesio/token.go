package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/auth"
	"github.com/cohesio/cohesio/internal/cohesion"
	"github.com/cohesio/cohesio/internal/store"
)

// defaultTokenLifetime is how long a token lives unless --expires says otherwise.
const defaultTokenLifetime = "90d"

func tokenCommand() *cli.Command {
	flags := []cli.Flag{databaseURLFlag, dataDirFlag}
	return &cli.Command{
		Name:  "token",
		Usage: "create, list and revoke API tokens",
		Description: "API tokens let researchers and machines call the API as a role: send one as\n" +
			"\"Authorization: Bearer coh_...\". Only a hash of each token is stored.",
		Commands: []*cli.Command{
			{
				Name:  "create",
				Usage: "create a token and print its secret, once",
				Flags: append([]cli.Flag{
					&cli.StringFlag{Name: "name", Usage: "who or what the token is for", Required: true},
					&cli.StringFlag{Name: "role", Usage: "admin, analyst, coordinator, operator, researcher or public", Required: true},
					&cli.StringFlag{Name: "operator", Usage: "the operator an operator token acts for: enterprise number or id"},
					&cli.StringFlag{Name: "commune", Usage: "the commune a coordinator token acts for: NIS code"},
					&cli.StringFlag{Name: "expires", Value: defaultTokenLifetime, Usage: "lifetime: days (90d), a duration (720h) or never"},
				}, flags...),
				Action: createToken,
			},
			{Name: "list", Usage: "list the tokens (never their secrets)", Flags: flags, Action: listTokens},
			{Name: "revoke", Usage: "revoke a token for good", ArgsUsage: "ID", Flags: flags, Action: revokeToken},
		},
	}
}

func createToken(ctx context.Context, c *cli.Command) error {
	name := strings.TrimSpace(c.String("name"))
	if name == "" {
		return errorf("--name must not be empty")
	}
	role, err := access.ParseRole(c.String("role"))
	if err != nil {
		return fmt.Errorf("--role: %w", err)
	}
	operator, commune := c.String("operator"), c.String("commune")
	switch {
	case role == access.Operator && operator == "":
		return errorf("--operator is required for the operator role")
	case role != access.Operator && operator != "":
		return errorf("--operator is only for the operator role")
	case role == access.Coordinator && commune == "":
		return errorf("--commune is required for the coordinator role")
	case role != access.Coordinator && commune != "":
		return errorf("--commune is only for the coordinator role")
	}
	lifetime, err := parseLifetime(c.String("expires"))
	if err != nil {
		return err
	}

	db, err := tokenDatabase(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	secret, hash, err := auth.NewToken()
	if err != nil {
		return err
	}
	tok := &store.APIToken{Name: name, TokenHash: hash, Role: role}
	if operator != "" {
		id, err := db.ResolveOperator(ctx, operator)
		if err != nil {
			return fmt.Errorf("--operator: %w", err)
		}
		tok.OperatorID = &id
	}
	if commune != "" {
		id, err := db.CommuneIDByNIS(ctx, commune)
		if err != nil {
			return fmt.Errorf("--commune: %w", err)
		}
		tok.CommuneID = &id
	}
	if lifetime > 0 {
		expires := time.Now().Add(lifetime)
		tok.ExpiresAt = &expires
	}
	if err := db.CreateAPIToken(ctx, tok); err != nil {
		return err
	}
	w := c.Root().Writer
	fmt.Fprintf(w, "API token %d %q created: role %s%s, expires %s.\n", tok.ID, tok.Name, tok.Role, scopeSuffix(tok), formatTime(tok.ExpiresAt, "never"))
	fmt.Fprintln(w, secret)
	fmt.Fprintln(w, "Copy it now: only its hash is kept, it cannot be shown again.")
	return nil
}

// tokenDatabase opens the database of the token commands, migrated. They run beside a
// `cohesio serve` that holds the embedded cluster: they then use its PostgreSQL.
func tokenDatabase(ctx context.Context, c *cli.Command) (*database, error) {
	db, err := openDatabaseBeside(ctx, c, store.Options{}, true)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// parseLifetime reads --expires: "never" (0), days ("90d") or a Go duration ("720h").
func parseLifetime(s string) (time.Duration, error) {
	if s == "never" {
		return 0, nil
	}
	var d time.Duration
	var err error
	if days, ok := strings.CutSuffix(s, "d"); ok {
		var n int
		if n, err = strconv.Atoi(days); n > 100*366 {
			n = 0 // more than a century is surely a mistake (and soon overflows a Duration)
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		d, err = time.ParseDuration(s)
	}
	if err != nil || d <= 0 {
		return 0, errorf("--expires %q: want a number of days (90d), a duration (720h) or never", s)
	}
	return d, nil
}

func listTokens(ctx context.Context, c *cli.Command) error {
	db, err := tokenDatabase(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	tokens, err := db.APITokens(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(c.Root().Writer, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tNAME\tROLE\tSCOPE\tCREATED\tEXPIRES\tREVOKED")
	for _, t := range tokens {
		scope := strings.TrimPrefix(scopeSuffix(t), ", ")
		if scope == "" {
			scope = "-"
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, t.Role, scope,
			formatTime(&t.CreatedAt, ""), formatTime(t.ExpiresAt, "never"), formatTime(t.RevokedAt, "-"))
	}
	return w.Flush()
}

func revokeToken(ctx context.Context, c *cli.Command) error {
	if c.Args().Len() != 1 {
		return errorf("give the id of the token to revoke (see cohesio token list)")
	}
	id, err := strconv.ParseInt(c.Args().First(), 10, 64)
	if err != nil {
		return errorf("token id %q is not a number", c.Args().First())
	}
	db, err := tokenDatabase(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.RevokeAPIToken(ctx, id); err != nil {
		if errors.Is(err, cohesion.ErrNotFound) {
			return errorf("no API token %d", id)
		}
		return err
	}
	fmt.Fprintf(c.Root().Writer, "API token %d revoked.\n", id)
	return nil
}

func scopeSuffix(t *store.APIToken) string {
	switch {
	case t.OperatorID != nil:
		return fmt.Sprintf(", operator %d", *t.OperatorID)
	case t.CommuneID != nil:
		return fmt.Sprintf(", commune %d", *t.CommuneID)
	}
	return ""
}

func formatTime(t *time.Time, none string) string {
	if t == nil {
		return none
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}
