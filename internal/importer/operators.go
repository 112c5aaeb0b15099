package importer

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/cohesio/cohesio/internal/cohesion"
)

// OperatorRow is one organisation of the directory. Its enterprise number is its natural key.
// Codes (legal form, seat commune, source) are resolved by the store. The email address and
// the phone number of the directory are not read: the operator table has no column for them.
type OperatorRow struct {
	Line             int
	EnterpriseNumber string
	Name, NameNL     string
	Acronym          string
	Kind             string
	LegalForm        string
	// SeatCommune is the NIS code of the commune of the seat.
	SeatCommune string
	Street      string
	Postcode    string
	Languages   []string
	Website     string
	Description string
	Source      string
}

var operatorKinds = vocabulary(map[string][]string{
	"public": {"publique", "publiek", "openbaar"}, "associative": {"associatif", "associative", "association", "asbl", "vereniging", "vzw"},
	"private": {"privé", "prive", "privaat", "commercial"},
})

var languageWords = vocabulary(map[string][]string{
	"fr": {"français", "francais", "french", "frans"}, "nl": {"néerlandais", "neerlandais", "dutch", "nederlands"},
	"en": {"anglais", "english", "engels"}, "de": {"allemand", "german", "duits", "deutsch"},
})

var operatorColumns = []Column{
	{Key: "enterprise_number", FR: "numéro d'entreprise", NL: "ondernemingsnummer", Aliases: []string{"enterprise number", "bce", "kbo", "numero bce", "kbo-nummer", "n° d'entreprise"}, Required: true,
		Hint: "0123.456.749 or BE 0123 456 749"},
	{Key: "name", FR: "nom", NL: "naam", Aliases: []string{"dénomination", "benaming", "nom fr", "naam fr"}, Required: true},
	{Key: "name_nl", FR: "nom néerlandais", NL: "Nederlandse naam", Aliases: []string{"name nl", "nom nl", "naam nl", "dutch name"}},
	{Key: "acronym", FR: "sigle", NL: "afkorting", Aliases: []string{"acronyme", "acroniem"}},
	{Key: "kind", FR: "type", NL: "soort", Aliases: []string{"type d'opérateur", "soort operator"}, Required: true,
		Choices: []string{"public", "associative", "private"}},
	{Key: "legal_form", FR: "forme juridique", NL: "rechtsvorm", Aliases: []string{"legal form", "legal form code"}, Required: true,
		Hint: "code: asbl, cpas... / code : asbl, cpas... / code: asbl, cpas..."},
	{Key: "seat_commune", FR: "commune du siège", NL: "zetelgemeente", Aliases: []string{"seat commune", "code ins du siège", "nis code zetel", "commune", "gemeente"},
		Hint: "NIS code / code INS / NIS-code"},
	{Key: "street", FR: "rue", NL: "straat", Aliases: []string{"adresse", "adres", "address"}},
	{Key: "postcode", FR: "code postal", NL: "postcode", Aliases: []string{"postal code", "zip"}},
	{Key: "languages", FR: "langues", NL: "talen", Aliases: []string{"langue", "taal"}, Hint: "fr, nl, en, de"},
	{Key: "website", FR: "site web", NL: "website", Aliases: []string{"site internet", "site", "url"}},
	{Key: "description", FR: "description", NL: "beschrijving", Aliases: []string{"omschrijving"}},
	{Key: "source", FR: "source", NL: "bron", Aliases: []string{"source code", "code source", "broncode"}, Required: true,
		Hint: "code of the source / code de la source / code van de bron"},
}

var (
	postcodePattern = regexp.MustCompile(`^[0-9]{4}$`)
	nisPattern      = regexp.MustCompile(`^[0-9]{5}$`)
)

func parseOperator(c *cells) OperatorRow {
	r := OperatorRow{Line: c.line, Name: c.required("name"), NameNL: c.get("name_nl"), Acronym: c.get("acronym"),
		LegalForm: c.get("legal_form"), SeatCommune: c.get("seat_commune"), Street: c.get("street"),
		Postcode: c.get("postcode"), Website: c.get("website"), Description: c.get("description"), Source: c.required("source")}
	if v := c.required("enterprise_number"); v != "" {
		n, err := cohesion.NormalizeEnterpriseNumber(v)
		if err != nil {
			c.fail("enterprise_number", fmt.Sprintf("enterprise number %q fails the mod-97 check: %v", v, err))
		}
		r.EnterpriseNumber = n
	}
	if r.LegalForm == "" {
		c.required("legal_form")
	}
	r.Kind = choice(c, "kind", operatorKinds)
	if r.Postcode != "" && !postcodePattern.MatchString(r.Postcode) {
		c.fail("postcode", fmt.Sprintf("wrong type: %q is not a Belgian postcode (4 digits)", r.Postcode))
	}
	if r.SeatCommune != "" && !nisPattern.MatchString(r.SeatCommune) {
		c.fail("seat_commune", fmt.Sprintf("wrong type: %q is not a NIS code (5 digits)", r.SeatCommune))
	}
	if v := c.get("languages"); v != "" {
		for w := range strings.FieldsFuncSeq(v, func(r rune) bool { return r == ',' || r == ';' || r == '/' || r == ' ' || r == '+' }) {
			code, ok := choose(w, languageWords)
			if !ok {
				c.fail("languages", fmt.Sprintf("%q is not one of fr, nl, en, de", w))
				continue
			}
			if !slices.Contains(r.Languages, code) {
				r.Languages = append(r.Languages, code)
			}
		}
	} else {
		r.Languages = []string{"fr"}
	}
	return r
}
