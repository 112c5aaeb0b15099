package server_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// hostileDocument repeats one field n times: { __typename __typename ... }. The rule that
// overlapping fields can be merged compares every pair of them, so its work grows with n².
func hostileDocument(n int) string {
	return "{" + strings.Repeat(" __typename", n) + " }"
}

// BenchmarkHostileDocument measures answering the 30,000-field document (330 KB, under the
// body limit): it must be refused before validation, not validated.
func BenchmarkHostileDocument(b *testing.B) {
	a := newAPI(b)
	body := `{"query":"` + hostileDocument(30_000) + `"}`
	for b.Loop() {
		res, err := http.Post(a.srv.URL+"/graphql", "application/json", strings.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
}
