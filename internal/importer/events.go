package importer

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cohesio/cohesio/internal/cohesion"
)

// EventRow is one event of a coordination. Its natural key is the coordination, the date and
// the title: importing the same event again updates it. The store resolves the codes.
type EventRow struct {
	Line int
	// Coordination is the coordination's code.
	Coordination string
	Title        string
	Kind         string
	HeldOn       time.Time
	// ParticipantCount is nil when the cell is empty.
	ParticipantCount *int
	// Organisations are the enterprise numbers (10 digits) of the organisations represented.
	Organisations []string
	Description   string
}

// The vocabulary of event.kind (its CHECK constraint), with French and Dutch words.
var eventKinds = vocabulary(map[string][]string{
	"forum":               {"forum"},
	"information_session": {"séance d'information", "seance d'information", "session d'information", "infosessie", "informatiesessie", "information session"},
	"training":            {"formation", "opleiding", "vorming"},
	"open_day":            {"journée portes ouvertes", "portes ouvertes", "opendeurdag", "open day"},
	"neighbourhood_party": {"fête de quartier", "fete de quartier", "buurtfeest", "neighbourhood party"},
	"conference":          {"conférence", "colloque", "conferentie", "congres"},
	"campaign":            {"campagne", "campagne de sensibilisation", "sensibiliseringscampagne"},
	"other":               {"autre", "ander", "andere"},
})

var eventColumns = []Column{
	{Key: "coordination", FR: "coordination", NL: "coördinatie", Aliases: []string{"coordination code", "code coordination", "code de la coordination"}, Required: true,
		Hint: "code of the coordination / code de la coordination / code van de coördinatie"},
	{Key: "title", FR: "titre", NL: "titel", Aliases: []string{"intitulé", "nom de l'événement", "naam van het evenement"}, Required: true},
	{Key: "kind", FR: "type d'événement", NL: "soort evenement", Aliases: []string{"type", "soort", "event kind"}, Required: true,
		Choices: []string{"forum", "information_session", "training", "open_day", "neighbourhood_party", "conference", "campaign", "other"}},
	{Key: "held_on", FR: "date", NL: "datum", Aliases: []string{"held on", "date de l'événement", "datum van het evenement"}, Required: true,
		Hint: "dd/mm/yyyy"},
	{Key: "participant_count", FR: "nombre de participants", NL: "aantal deelnemers", Aliases: []string{"participant count", "participants", "deelnemers"},
		Hint: "whole number, 0 or more / nombre entier, 0 ou plus / geheel getal, 0 of meer"},
	{Key: "organisations", FR: "organisations", NL: "organisaties", Aliases: []string{"organisers", "organisateurs", "organisatoren", "operators", "opérateurs", "operatoren"},
		Hint: "enterprise numbers separated by | / numéros d'entreprise séparés par | / ondernemingsnummers gescheiden door |"},
	{Key: "description", FR: "description", NL: "beschrijving", Aliases: []string{"omschrijving", "remarque", "opmerking"}},
}

func parseEvent(c *cells) EventRow {
	r := EventRow{Line: c.line, Coordination: c.required("coordination"), Title: c.required("title"), Description: c.get("description")}
	r.Kind = choice(c, "kind", eventKinds)
	r.HeldOn = date(c, "held_on")
	r.ParticipantCount = count(c, "participant_count")
	r.Organisations = []string{}
	for v := range strings.SplitSeq(c.get("organisations"), "|") {
		if v = strings.TrimSpace(v); v == "" {
			continue
		}
		n, err := cohesion.NormalizeEnterpriseNumber(v)
		if err != nil {
			c.fail("organisations", fmt.Sprintf("enterprise number %q fails the mod-97 check: %v", v, err))
			continue
		}
		if slices.Contains(r.Organisations, n) {
			c.fail("organisations", fmt.Sprintf("enterprise number %s is listed twice", n))
			continue
		}
		r.Organisations = append(r.Organisations, n)
	}
	return r
}
