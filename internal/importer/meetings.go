package importer

import (
	"fmt"
	"strconv"
	"time"
)

// MeetingRow is one meeting of a coordination's working group (or steering committee). Its
// natural key is the working group, the date and the kind: importing the same meeting again
// updates it. The store resolves the coordination and the working group.
type MeetingRow struct {
	Line int
	// Coordination is the coordination's code; WorkingGroup the name of one of its bodies.
	Coordination, WorkingGroup string
	HeldOn                     time.Time
	Kind                       string
	// ParticipantCount is nil when the cell is empty.
	ParticipantCount *int
	Note             string
}

// The vocabulary of meeting.kind (its CHECK constraint), with French and Dutch words.
var meetingKinds = vocabulary(map[string][]string{
	"meeting":            {"réunion", "reunion", "vergadering"},
	"network_meeting":    {"réunion de réseau", "reunion reseau", "netwerkvergadering", "network meeting"},
	"steering_committee": {"comité de pilotage", "comite de pilotage", "comité d'accompagnement", "stuurgroep", "begeleidingscomité", "steering committee"},
	"visit":              {"visite", "bezoek"},
	"training":           {"formation", "opleiding", "vorming"},
	"other":              {"autre", "ander", "andere"},
})

var meetingColumns = []Column{
	{Key: "coordination", FR: "coordination", NL: "coördinatie", Aliases: []string{"coordination code", "code coordination", "code de la coordination"}, Required: true,
		Hint: "code of the coordination / code de la coordination / code van de coördinatie"},
	{Key: "working_group", FR: "groupe de travail", NL: "werkgroep", Aliases: []string{"working group", "gt", "wg", "organe", "orgaan"}, Required: true,
		Hint: "name of the working group or committee / nom du groupe de travail ou du comité / naam van de werkgroep of het comité"},
	{Key: "held_on", FR: "date", NL: "datum", Aliases: []string{"held on", "date de la réunion", "vergaderdatum", "date of the meeting"}, Required: true,
		Hint: "dd/mm/yyyy"},
	{Key: "kind", FR: "type de réunion", NL: "soort vergadering", Aliases: []string{"type", "soort", "meeting kind"}, Required: true,
		Choices: []string{"meeting", "network_meeting", "steering_committee", "visit", "training", "other"}},
	{Key: "participant_count", FR: "nombre de participants", NL: "aantal deelnemers", Aliases: []string{"participant count", "participants", "deelnemers"},
		Hint: "whole number, 0 or more / nombre entier, 0 ou plus / geheel getal, 0 of meer"},
	{Key: "note", FR: "remarque", NL: "opmerking", Aliases: []string{"note", "commentaire", "commentaar"}},
}

// Years a meeting may fall in (the meeting table's CHECK).
const firstMeetingYear, lastMeetingYear = 1990, 2100

func parseMeeting(c *cells) MeetingRow {
	r := MeetingRow{Line: c.line, Coordination: c.required("coordination"), WorkingGroup: c.required("working_group"), Note: c.get("note")}
	r.HeldOn = date(c, "held_on")
	if y := r.HeldOn.Year(); !r.HeldOn.IsZero() && (y < firstMeetingYear || y > lastMeetingYear) {
		c.fail("held_on", fmt.Sprintf("value out of range: %s is not between %d and %d", r.HeldOn.Format(time.DateOnly), firstMeetingYear, lastMeetingYear))
	}
	r.Kind = choice(c, "kind", meetingKinds)
	r.ParticipantCount = count(c, "participant_count")
	return r
}

// count reads the optional whole number, 0 or more, of column key.
func count(c *cells, key string) *int {
	v := c.get(key)
	if v == "" {
		return nil
	}
	d, err := parseDecimal(v)
	if err != nil {
		c.fail(key, "wrong type: "+err.Error())
		return nil
	}
	n, err := strconv.Atoi(d)
	if err != nil {
		if f, ferr := strconv.ParseFloat(d, 64); ferr == nil && f == float64(int64(f)) && f > -1e9 && f < 1e9 {
			n = int(f) // "12.0", as a spreadsheet may write it
		} else {
			c.fail(key, fmt.Sprintf("wrong type: %s is not a whole number", v))
			return nil
		}
	}
	if n < 0 {
		c.fail(key, fmt.Sprintf("value out of range: %d is negative", n))
		return nil
	}
	return &n
}
