package server

import (
	"strings"
	"testing"
)

// The scan counts what validation will see: fields and fragment spreads, not aliases, type
// conditions, fragment names or names in arguments; directives by the field they are on.
func TestCheckDocumentCounts(t *testing.T) {
	const doc = `query Q($v: Boolean = true, $o: In = {a: {b: [1, 2]}}) @dir {
		a: f(x: {y: 1, z: "on"}) @skip(if: false) @include(if: $v) {
			...F
			... on T { g }
			... @include(if: true) { h }
		}
	}
	# a comment { x y z } is no token
	fragment F on T { on @a @b @c }`
	// 95 tokens (commas are none); 7 selections: f, ...F, "... on T", g, "... @include", h, on; 7 directives, 3
	// of them on one field.
	at := Limits{MaxTokens: 95, MaxSelections: 7, MaxDirectives: 7, MaxDirectivesPerField: 3}
	if p := at.checkDocument(doc); p != "" {
		t.Fatalf("at the limits: %s", p)
	}
	for _, tt := range []struct {
		name    string
		limits  Limits
		mention string
	}{
		{"tokens", Limits{MaxTokens: 94, MaxSelections: 7, MaxDirectives: 7, MaxDirectivesPerField: 3}, "more than 94 tokens"},
		{"selections", Limits{MaxTokens: 95, MaxSelections: 6, MaxDirectives: 7, MaxDirectivesPerField: 3}, "more than 6 selections"},
		{"directives", Limits{MaxTokens: 95, MaxSelections: 7, MaxDirectives: 6, MaxDirectivesPerField: 3}, "more than 6 directives"},
		{"per field", Limits{MaxTokens: 95, MaxSelections: 7, MaxDirectives: 7, MaxDirectivesPerField: 2}, "more than 2 directives; the limit is 2 per field"},
	} {
		if p := tt.limits.checkDocument(doc); !strings.Contains(p, tt.mention) {
			t.Errorf("%s: %q, want it to say %q", tt.name, p, tt.mention)
		}
	}
	// What does not lex is left to the parser.
	if p := at.checkDocument(`{ f(x: "unterminated`); p != "" {
		t.Errorf("a document that does not lex: %q", p)
	}
}
