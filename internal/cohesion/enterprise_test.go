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
