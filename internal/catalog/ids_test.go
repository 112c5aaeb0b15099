package catalog

import "testing"

func TestGlobalIDsRoundTripAndRejectForeignStrings(t *testing.T) {
	typ, id, err := ParseGlobalID(GlobalID("Operator", 42))
	if err != nil || typ != "Operator" || id != 42 {
		t.Fatalf("round trip = %q %d %v", typ, id, err)
	}
	for _, bad := range []string{"", "42", "T3BlcmF0b3I", "T3BlcmF0b3I6eA", "OjQy", "!!"} {
		if _, _, err := ParseGlobalID(bad); err == nil {
			t.Errorf("ParseGlobalID(%q) accepted a string that is not an id", bad)
		}
	}
}

// Any string is either refused or decodes to an id that encodes back to the same value.
func FuzzParseGlobalID(f *testing.F) {
	for _, s := range []string{GlobalID("Operator", 42), "", "T3BlcmF0b3I6", "OjE", "!!", GlobalID("A:B", -1)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		typ, id, err := ParseGlobalID(s)
		if err != nil {
			return
		}
		if typ2, id2, err := ParseGlobalID(GlobalID(typ, id)); err != nil || typ2 != typ || id2 != id {
			t.Fatalf("%q -> (%q, %d) does not round-trip: (%q, %d, %v)", s, typ, id, typ2, id2, err)
		}
	})
}
