package main

import (
	"context"
	"fmt"

	"github.com/urfave/cli/v3"

	"github.com/cohesio/cohesio/internal/store"
)

func migrateCommand() *cli.Command {
	run := func(fn func(ctx context.Context, db *database) error) cli.ActionFunc {
		return func(ctx context.Context, c *cli.Command) error {
			db, err := openDatabase(ctx, c, store.Options{})
			if err != nil {
				return err
			}
			defer db.Close()
			return fn(ctx, db)
		}
	}
	flags := []cli.Flag{databaseURLFlag, dataDirFlag}
	return &cli.Command{
		Name:  "migrate",
		Usage: "apply, revert or list the database migrations",
		Commands: []*cli.Command{
			{Name: "up", Usage: "apply every pending migration", Flags: flags, Action: run(func(ctx context.Context, db *database) error {
				names, err := db.Migrate(ctx)
				return report(names, err, "applied", "nothing to apply")
			})},
			{Name: "down", Usage: "revert the last group of migrations", Flags: flags, Action: run(func(ctx context.Context, db *database) error {
				names, err := db.Rollback(ctx)
				return report(names, err, "reverted", "nothing to revert")
			})},
			{Name: "status", Usage: "list migrations and whether they are applied", Flags: flags, Action: run(func(ctx context.Context, db *database) error {
				ms, err := db.Migrations(ctx)
				if err != nil {
					return err
				}
				for _, m := range ms {
					state := "pending"
					if m.Applied {
						state = "applied"
					}
					fmt.Printf("%-8s %s %s\n", state, m.Name, m.Comment)
				}
				return nil
			})},
		},
	}
}

func report(names []string, err error, verb, none string) error {
	if err != nil {
		return err
	}
	if len(names) == 0 {
		fmt.Println(none)
	}
	for _, n := range names {
		fmt.Println(verb, n)
	}
	return nil
}
