package importer

import (
	"fmt"
	"strings"
	"time"

	"github.com/cohesio/cohesio/internal/cohesion"
)

// ObservationRow is one value of an indicator, as a file gives it: codes, not ids (the store
// resolves them). Exactly one subject is set.
type ObservationRow struct {
	Line      int
	Indicator string
	// The subject: a project (its code or id), an operator (its enterprise number, 10 digits),
	// a territory (its NIS code or code) or a coordination (its code).
	Project, Operator, Territory, Coordination string
	PeriodStart, PeriodEnd                     time.Time
	Granularity, Kind                          string
	// Value is a decimal number in canonical form ("1234.5").
	Value string
	// Dimension and Breakdown name the disaggregation, both or neither.
	Dimension, Breakdown string
	Source               string
	Note                 string
}

var granularities = vocabulary(map[string][]string{
	"year": {"année", "an", "annuel", "jaar", "jaarlijks"}, "quarter": {"trimestre", "kwartaal"},
	"month": {"mois", "mensuel", "maand"}, "range": {"période", "periode", "intervalle"},
})

var observationKinds = vocabulary(map[string][]string{
	"target": {"cible", "objectif", "doel", "streefwaarde"}, "realised": {"realized", "réalisé", "realise", "gerealiseerd", "resultaat"},
	"baseline": {"référence", "situation de départ", "nulmeting", "basislijn"},
})

var observationColumns = []Column{
	{Key: "indicator", FR: "indicateur", NL: "indicator", Aliases: []string{"code indicateur", "indicatorcode", "indicator code"}, Required: true,
		Hint: "code of the indicator / code de l'indicateur / code van de indicator"},
	{Key: "project", FR: "projet", NL: "project", Aliases: []string{"project id", "project code", "code projet", "projectcode"},
		Hint: "subject: project code or id / sujet : code ou id du projet / onderwerp: projectcode of id"},
	{Key: "operator", FR: "opérateur", NL: "operator", Aliases: []string{"numéro d'entreprise", "ondernemingsnummer", "enterprise number", "bce", "kbo"},
		Hint: "subject: enterprise number / sujet : numéro d'entreprise / onderwerp: ondernemingsnummer"},
	{Key: "territory", FR: "territoire", NL: "grondgebied", Aliases: []string{"commune", "gemeente", "code ins", "nis code", "nis-code", "code nis", "territorium"},
		Hint: "subject: NIS code / sujet : code INS / onderwerp: NIS-code"},
	{Key: "coordination", FR: "coordination", NL: "coördinatie", Aliases: []string{"coordination code", "code coordination"},
		Hint: "subject: coordination code / sujet : code de la coordination / onderwerp: code van de coördinatie"},
	{Key: "period_start", FR: "début de période", NL: "begin periode", Aliases: []string{"period start", "début", "debut periode", "begin", "begindatum", "start", "date de début"}, Required: true,
		Hint: "dd/mm/yyyy"},
	{Key: "period_end", FR: "fin de période", NL: "einde periode", Aliases: []string{"period end", "fin", "einde", "einddatum", "end", "date de fin"}, Required: true,
		Hint: "dd/mm/yyyy"},
	{Key: "granularity", FR: "granularité", NL: "granulariteit", Aliases: []string{"période type", "periodiciteit"}, Required: true,
		Choices: []string{"year", "quarter", "month", "range"}},
	{Key: "kind", FR: "type de valeur", NL: "soort waarde", Aliases: []string{"type", "nature", "soort", "value kind"}, Required: true,
		Choices: []string{"target", "realised", "baseline"}},
	{Key: "value", FR: "valeur", NL: "waarde", Aliases: []string{"montant", "aantal", "nombre"}, Required: true,
		Hint: "number; a decimal comma is fine / nombre ; virgule décimale acceptée / getal; decimale komma toegestaan"},
	{Key: "dimension", FR: "dimension", NL: "dimensie", Aliases: []string{"breakdown dimension", "ventilation", "uitsplitsing"},
		Hint: "gender, age_band... / genre, tranche d'âge... / geslacht, leeftijdsgroep..."},
	{Key: "breakdown", FR: "catégorie", NL: "categorie", Aliases: []string{"breakdown code", "code de ventilation", "uitsplitsingscode", "category"},
		Hint: "code within the dimension / code dans la dimension / code binnen de dimensie"},
	{Key: "source", FR: "source", NL: "bron", Aliases: []string{"source code", "code source", "broncode"}, Required: true,
		Hint: "code of the source / code de la source / code van de bron"},
	{Key: "note", FR: "remarque", NL: "opmerking", Aliases: []string{"note", "commentaire", "commentaar"}},
}

func parseObservation(c *cells) ObservationRow {
	r := ObservationRow{Line: c.line, Indicator: c.required("indicator"), Source: c.required("source"),
		Project: c.get("project"), Territory: c.get("territory"), Coordination: c.get("coordination"),
		Dimension: c.get("dimension"), Breakdown: c.get("breakdown"), Note: c.get("note")}
	if op := c.get("operator"); op != "" {
		n, err := cohesion.NormalizeEnterpriseNumber(op)
		if err != nil {
			c.fail("operator", fmt.Sprintf("enterprise number %q fails the mod-97 check: %v", op, err))
		}
		r.Operator = n
	}
	var subjects []string
	for _, s := range []struct{ key, v string }{{"project", r.Project}, {"operator", c.get("operator")}, {"territory", r.Territory}, {"coordination", r.Coordination}} {
		if s.v != "" {
			subjects = append(subjects, s.key)
		}
	}
	if len(subjects) != 1 {
		key := "project"
		if len(subjects) > 1 {
			key = subjects[1]
		}
		c.fail(key, fmt.Sprintf("give exactly one subject (project, operator, territory or coordination), not %d", len(subjects)))
	}
	r.PeriodStart = date(c, "period_start")
	r.PeriodEnd = date(c, "period_end")
	if !r.PeriodStart.IsZero() && !r.PeriodEnd.IsZero() && r.PeriodEnd.Before(r.PeriodStart) {
		c.fail("period_end", fmt.Sprintf("the period ends (%s) before it starts (%s)", r.PeriodEnd.Format(time.DateOnly), r.PeriodStart.Format(time.DateOnly)))
	}
	r.Granularity = choice(c, "granularity", granularities)
	r.Kind = choice(c, "kind", observationKinds)
	if v := c.required("value"); v != "" {
		n, err := parseDecimal(v)
		if err != nil {
			c.fail("value", "wrong type: "+err.Error())
		}
		r.Value = n
	}
	if (r.Dimension == "") != (r.Breakdown == "") {
		key := "breakdown"
		if r.Dimension == "" {
			key = "dimension"
		}
		c.fail(key, "give the breakdown's dimension and its code, both or neither")
	}
	return r
}

// date reads the required date of column key.
func date(c *cells, key string) time.Time {
	v := c.required(key)
	if v == "" {
		return time.Time{}
	}
	t, err := parseDate(v)
	if err != nil {
		c.fail(key, "wrong type: "+err.Error())
	}
	return t
}

// choice reads the required code of column key from its vocabulary.
func choice(c *cells, key string, words map[string]string) string {
	v := c.required(key)
	if v == "" {
		return ""
	}
	code, ok := choose(v, words)
	if !ok {
		c.fail(key, fmt.Sprintf("%q is not one of %s", v, strings.Join(c.f.cols[c.f.keys[key]].Choices, ", ")))
	}
	return code
}
