package server_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
)

// BenchmarkPlannedView runs the view workload (bench/queries/view_commune_operators) over
// HTTP on the demo data: planned, resolvers only, and the hand-written SQL of the workload.
func BenchmarkPlannedView(b *testing.B) {
	p := newTwoPaths(b, demoDatabase(b))
	q := mustRead("../../bench/queries/view_commune_operators.graphql")
	vars := map[string]any{"nisCode": "21015"}
	body := []byte(`{"query":` + quote(q) + `,"variables":{"nisCode":"21015"}}`)
	_ = vars
	for _, path := range []struct{ name, url string }{{"planned", p.planned}, {"resolvers", p.resolvers}} {
		b.Run(path.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := p.post(path.url, body, "bench"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("sql", func(b *testing.B) {
		conn, err := pgx.Connect(context.Background(), p.dsn)
		if err != nil {
			b.Fatal(err)
		}
		defer conn.Close(context.Background())
		sql := mustRead("../../bench/queries/view_commune_operators.sql")
		for b.Loop() {
			rows, err := conn.Query(context.Background(), sql, "21015")
			if err != nil {
				b.Fatal(err)
			}
			for rows.Next() {
				_ = rows.RawValues()
			}
			rows.Close()
		}
	})
}

func quote(s string) string {
	b := []byte{'"'}
	for _, c := range []byte(s) {
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		default:
			b = append(b, c)
		}
	}
	return string(append(b, '"'))
}
