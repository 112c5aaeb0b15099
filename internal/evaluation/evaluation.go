// Package evaluation describes the support centre's annual evaluation report: its sections, as
// the call sets them out, and the evaluator's commentary on each. It holds no SQL and no HTML:
// the store keeps the commentary, the web package assembles the report.
package evaluation

import (
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/cohesio/cohesio/internal/cohesion"
)

// Section is a part of the annual report. The call for the support centre (000, section 4.A)
// lists what the report comprises "at least"; each is one section, in that order.
type Section struct {
	Key              string
	TitleFr, TitleNl string
	// CallFr quotes the call's words for the section (French: the call has no Dutch version).
	CallFr string
}

// Title is the section's title in lang.
func (s Section) Title(lang cohesion.Lang) string {
	if lang == cohesion.LangNL {
		return s.TitleNl
	}
	return s.TitleFr
}

// Sections are the report's sections, in the call's order.
var Sections = []Section{
	{Key: "activities", TitleFr: "Les activités : description, analyse, catégorisation et évaluation",
		TitleNl: "De activiteiten: beschrijving, analyse, categorisering en evaluatie",
		CallFr:  "une description, une analyse, une catégorisation et une évaluation des activités des opérateurs agréés et des projets soutenus en vertu du Décret"},
	{Key: "concordance", TitleFr: "La concordance entre les activités et les besoins constatés, et son évolution",
		TitleNl: "De overeenstemming tussen de activiteiten en de vastgestelde noden, en de evolutie ervan",
		CallFr:  "une évaluation de la concordance entre les activités des opérateurs agréés et les projets soutenus dans le cadre du Décret et les besoins constatés sur le terrain, ainsi que de leur évolution"},
	{Key: "coherence", TitleFr: "La cohérence avec les autres politiques sociales et de la ville",
		TitleNl: "De samenhang met het andere sociale en stedelijke beleid",
		CallFr:  "une évaluation de la cohérence entre la politique de cohésion sociale et les autres politiques sociales et de la ville au sens large, que ces compétences relèvent d'autres secteurs de la Commission communautaire française, de la Communauté française, du Fédéral, de la Région de Bruxelles-Capitale, de la Commission communautaire commune ou de l'Union européenne"},
	{Key: "orientations", TitleFr: "Propositions d'orientations nouvelles",
		TitleNl: "Voorstellen voor nieuwe beleidsoriëntaties",
		CallFr:  "à la demande du Collège, des propositions sur de nouvelles orientations à proposer"},
}

// SectionByKey finds a section.
func SectionByKey(key string) (Section, bool) {
	for _, s := range Sections {
		if s.Key == key {
			return s, true
		}
	}
	return Section{}, false
}

// Years the platform holds reports for.
const (
	FirstYear = 2000
	LastYear  = 2100
	// MaxBody bounds a commentary, per language, in characters.
	MaxBody = 20000
)

// Due is the day the report on year is due: "au plus tard pour le 1er septembre de l'année
// suivant l'année traitée par le rapport" (000, 4.A).
func Due(year int) time.Time { return time.Date(year+1, time.September, 1, 0, 0, 0, 0, time.UTC) }

// Narrative is the evaluator's commentary on one section of one year's report, in French and
// Dutch; either may be empty while it is being written.
type Narrative struct {
	Year      int
	Section   string
	BodyFr    string
	BodyNl    string
	Version   int
	UpdatedAt time.Time
	UpdatedBy string
}

// Body is the commentary in lang, or in the other language when lang's is empty (with
// fallback true then).
func (n *Narrative) Body(lang cohesion.Lang) (body string, fallback bool) {
	first, other := n.BodyFr, n.BodyNl
	if lang == cohesion.LangNL {
		first, other = other, first
	}
	if first != "" || other == "" {
		return first, false
	}
	return other, true
}

// Validate checks a commentary before it is stored; each error names the field.
func (n *Narrative) Validate() error {
	if err := CheckYear("year", n.Year); err != nil {
		return err
	}
	if _, ok := SectionByKey(n.Section); !ok {
		keys := make([]string, len(Sections))
		for i, s := range Sections {
			keys[i] = s.Key
		}
		return cohesion.Invalid("section", fmt.Sprintf("unknown section %q: one of %v", n.Section, keys))
	}
	for _, b := range []struct{ field, body string }{{"bodyFr", n.BodyFr}, {"bodyNl", n.BodyNl}} {
		if !utf8.ValidString(b.body) {
			return cohesion.Invalid(b.field, "not valid UTF-8")
		}
		if c := utf8.RuneCountInString(b.body); c > MaxBody {
			return cohesion.Invalid(b.field, fmt.Sprintf("%d characters: at most %d", c, MaxBody))
		}
	}
	return nil
}

// CheckYear refuses a year the platform holds no report for.
func CheckYear(field string, year int) error {
	if year < FirstYear || year > LastYear {
		return cohesion.Invalid(field, fmt.Sprintf("%d: a year between %d and %d", year, FirstYear, LastYear))
	}
	return nil
}
