package cohesion

import (
	"errors"
	"strconv"
	"strings"
)

// ErrEnterpriseNumber explains why an enterprise number is not valid.
var ErrEnterpriseNumber = errors.New("an enterprise number has 10 digits, starts with 0 or 1, and its last two digits are 97 minus the first eight modulo 97")

// NormalizeEnterpriseNumber accepts the usual spellings of a Belgian enterprise number
// (BCE/KBO) — "0314.595.348", "BE 0314 595 348", or a 9-digit number of before 2005 — and
// returns its 10 digits, or ErrEnterpriseNumber.
func NormalizeEnterpriseNumber(s string) (string, error) {
	s = strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(s)), "BE")
	n := strings.Map(func(r rune) rune {
		switch {
		case r >= '0' && r <= '9':
			return r
		case r == '.' || r == ' ' || r == '-':
			return -1
		}
		return 'x'
	}, s)
	if len(n) == 9 {
		n = "0" + n
	}
	if !ValidEnterpriseNumber(n) {
		return "", ErrEnterpriseNumber
	}
	return n, nil
}

// ValidEnterpriseNumber reports whether n is 10 digits, starts with 0 or 1 and ends with the
// mod-97 check of its first eight digits. The database enforces the same rule.
func ValidEnterpriseNumber(n string) bool {
	if len(n) != 10 || (n[0] != '0' && n[0] != '1') {
		return false
	}
	body, err := strconv.ParseUint(n[:8], 10, 64)
	if err != nil {
		return false
	}
	check, err := strconv.ParseUint(n[8:], 10, 64)
	if err != nil {
		return false
	}
	return 97-body%97 == check
}
