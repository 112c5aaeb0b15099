package graph

import "testing"

func TestGlobalIDsRoundTripAndRejectForeignStrings(t *testing.T) {
	typ, id, err := decodeID(globalID("Operator", 42))
	if err != nil || typ != "Operator" || id != 42 {
		t.Fatalf("round trip = %q %d %v", typ, id, err)
	}
	for _, bad := range []string{"", "42", "T3BlcmF0b3I", "T3BlcmF0b3I6eA", "OjQy", "!!"} {
		if _, _, err := decodeID(bad); err == nil {
			t.Errorf("decodeID(%q) accepted a string that is not an id", bad)
		}
	}
}

// Any string is either refused or decodes to an id that encodes back to the same value.
func FuzzDecodeID(f *testing.F) {
	for _, s := range []string{globalID("Operator", 42), "", "T3BlcmF0b3I6", "OjE", "!!", globalID("A:B", -1)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		typ, id, err := decodeID(s)
		if err != nil {
			return
		}
		if typ2, id2, err := decodeID(globalID(typ, id)); err != nil || typ2 != typ || id2 != id {
			t.Fatalf("%q -> (%q, %d) does not round-trip: (%q, %d, %v)", s, typ, id, typ2, id2, err)
		}
	})
}
