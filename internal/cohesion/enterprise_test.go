package cohesion

import "testing"

func TestNormalizeEnterpriseNumber(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"dotted", "0314.595.348", "0314595348"},
		{"VAT prefix and spaces", "BE 0202 239 951", "0202239951"},
		{"nine digits of before 2005", "314595348", "0314595348"},
		{"wrong check digits", "0416.378.811", ""},
		{"starts with 2", "2314595348", ""},
		{"letters", "0314a95348", ""},
		{"too short", "03145953", ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeEnterpriseNumber(tt.in)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("NormalizeEnterpriseNumber(%q) = %q, want an error", tt.in, got)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("NormalizeEnterpriseNumber(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

// Whatever the input, a number accepted is valid and normalizing it again changes nothing.
func FuzzNormalizeEnterpriseNumber(f *testing.F) {
	for _, s := range []string{"0314.595.348", "BE 0202 239 951", "314595348", "0416.378.811", "", "BEBE", "0000000097"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		n, err := NormalizeEnterpriseNumber(in)
		if err != nil {
			return
		}
		if !ValidEnterpriseNumber(n) {
			t.Fatalf("%q normalized to the invalid %q", in, n)
		}
		if again, err := NormalizeEnterpriseNumber(n); err != nil || again != n {
			t.Fatalf("normalizing %q again gave %q, %v", n, again, err)
		}
	})
}
