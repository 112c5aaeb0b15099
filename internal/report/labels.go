package report

import "github.com/cohesio/cohesio/internal/cohesion"

// Labels of dimensions, measures and coded values, in French and Dutch.

var dimensionLabels = map[DimensionKind][2]string{
	Territory:      {"Territoire", "Grondgebied"},
	Programme:      {"Programme", "Programma"},
	Policy:         {"Politique", "Beleid"},
	Funder:         {"Pouvoir subsidiant", "Subsidiërende overheid"},
	FunderLevel:    {"Niveau de pouvoir", "Bestuursniveau"},
	OperatorKind:   {"Type d'opérateur", "Type operator"},
	LegalForm:      {"Forme juridique", "Rechtsvorm"},
	Sector:         {"Secteur", "Sector"},
	Theme:          {"Thématique", "Thema"},
	TargetPublic:   {"Public cible", "Doelgroep"},
	Indicator:      {"Indicateur", "Indicator"},
	Axis:           {"Axe", "As"},
	Disaggregation: {"Ventilation", "Uitsplitsing"},
	Period:         {"Période", "Periode"},
}

var measureLabels = map[MeasureKind][2]string{
	Value:            {"Valeur", "Waarde"},
	Sum:              {"Somme", "Som"},
	Avg:              {"Moyenne", "Gemiddelde"},
	Min:              {"Minimum", "Minimum"},
	Max:              {"Maximum", "Maximum"},
	ObservationCount: {"Nombre d'observations", "Aantal waarnemingen"},
	AchievementRate:  {"Taux de réalisation (%)", "Realisatiegraad (%)"},
	OperatorCount:    {"Nombre d'opérateurs", "Aantal operatoren"},
	ProjectCount:     {"Nombre de projets", "Aantal projecten"},
	Budget:           {"Budget (EUR)", "Budget (EUR)"},
	EventCount:       {"Nombre d'événements", "Aantal evenementen"},
	Participants:     {"Participants", "Deelnemers"},
}

// Labels of values that are codes rather than rows with their own labels.
var codeLabels = map[DimensionKind]map[string][2]string{
	FunderLevel: {
		"eu": {"Union européenne", "Europese Unie"}, "federal": {"Fédéral", "Federaal"},
		"community": {"Communauté", "Gemeenschap"}, "region": {"Région", "Gewest"},
		"community_commission": {"Commission communautaire", "Gemeenschapscommissie"},
		"agency":               {"Organisme régional ou fédéral", "Gewestelijke of federale instelling"}, "commune": {"Commune", "Gemeente"},
	},
	OperatorKind: {
		"public": {"Public", "Openbaar"}, "associative": {"Associatif", "Verenigingsleven"}, "private": {"Privé", "Privé"},
	},
}

func pick(l [2]string, lang cohesion.Lang) string {
	if lang == cohesion.LangNL {
		return l[1]
	}
	return l[0]
}

// Columns describes the result's columns in the request's language.
func (r *Request) Columns() (dims, measures []Column) {
	for _, d := range r.Dimensions {
		dims = append(dims, Column{Name: d.Name(), Label: pick(dimensionLabels[d.Kind], r.Lang)})
	}
	for _, m := range r.Measures {
		c := Column{Name: m.Alias, Label: pick(measureLabels[m.Kind], r.Lang)}
		info, ok := r.Indicators[m.Indicator]
		if ok {
			c.Label += " — " + info.Label
		}
		var unit cohesion.Unit
		switch {
		case m.Kind == AchievementRate:
			unit = cohesion.UnitPercent
		case m.Kind == Budget:
			unit = cohesion.UnitEUR
		case m.Kind == ObservationCount || m.Kind == OperatorCount || m.Kind == ProjectCount || m.Kind == EventCount:
			unit = cohesion.UnitCount
		case m.Kind == Participants:
			unit = cohesion.UnitPersons
		case ok:
			unit = info.Unit
		}
		if m.PerMille {
			c.Label += pick([2]string{" pour 1 000 habitants", " per 1 000 inwoners"}, r.Lang)
			unit = cohesion.UnitPerMille
		}
		if unit != "" {
			c.Unit = &unit
		}
		measures = append(measures, c)
	}
	return dims, measures
}

// CodeLabel labels a coded dimension value (funder level, operator kind); "" when the value
// carries its own label.
func (r *Request) CodeLabel(d Dimension, code string) string {
	if l, ok := codeLabels[d.Kind][code]; ok {
		return pick(l, r.Lang)
	}
	return ""
}
