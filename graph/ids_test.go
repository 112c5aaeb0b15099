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
