package demo

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/cohesio/cohesio/internal/collect"
)

// The yearly activity report of operators approved for axis 1 (school support) under the
// 2018 COCOF social-cohesion decree: due on 31 March, one report per approved axis, part A
// qualitative (recurrent questions and questions of the year), part B quantitative, once per
// activity site. The structure follows the COCOF's instructions; the wording is the demo's.
const (
	templateCode = "cohesion-axis1-activity-report"
	campaign2025 = "cohesion-axis1-2025"
	campaign2026 = "cohesion-axis1-2026"
)

func activityReport(programme, axis, pupils int64) collect.Template {
	return collect.Template{
		Code: templateCode, Audience: collect.ForOperators, ProgrammeID: programme, AxisID: &axis,
		PeriodStart: day(2025, time.January, 1), PeriodEnd: day(2025, time.December, 31),
		TitleFr: "Rapport d'activités annuel – axe 1 : soutien scolaire",
		TitleNl: "Jaarlijks activiteitenverslag – as 1: schoolondersteuning",
		DescFr: str("À remettre au plus tard le 31 mars de l'année suivante, à la COCOF et à la coordination locale. " +
			"Volet A : questions qualitatives ; volet B : données quantitatives, une fois par site d'activité."),
		DescNl: str("Uiterlijk op 31 maart van het volgende jaar in te dienen bij de COCOF en de lokale coördinatie. " +
			"Luik A: kwalitatieve vragen; luik B: kwantitatieve gegevens, eenmaal per activiteitenlocatie."),
		Sections: []collect.Section{
			{Key: "a", LabelFr: "Volet A – activités", LabelNl: "Luik A – activiteiten", Repeat: collect.Once,
				HelpFr: str("Questions qualitatives, une fois pour tout l'axe agréé."),
				HelpNl: str("Kwalitatieve vragen, eenmaal voor de hele erkende as."),
				Questions: []collect.Question{
					activities2025(),
					{Key: "a.2025-parents", Kind: collect.Text,
						LabelFr: "Question 2025 : comment avez-vous associé les parents au suivi scolaire des enfants ?",
						LabelNl: "Vraag 2025: hoe hebt u de ouders betrokken bij de schoolopvolging van de kinderen?",
						HelpFr:  str("Question non récurrente, propre au rapport 2025."),
						HelpNl:  str("Niet-terugkerende vraag, enkel voor het verslag 2025.")},
					{Key: "a.partnerships", Kind: collect.YesNo, Required: true,
						LabelFr: "Avez-vous mené des activités en partenariat durant l'année ?",
						LabelNl: "Hebt u dit jaar activiteiten in partnerschap uitgevoerd?"},
					{Key: "a.partners", Kind: collect.Text, Required: true,
						AskedWhen: &collect.Condition{Key: "a.partnerships", Equals: "true"},
						LabelFr:   "Avec quels partenaires (écoles, centres PMS, associations) ?",
						LabelNl:   "Met welke partners (scholen, PMS-centra, verenigingen)?",
						HelpFr:    str("Citez les partenaires et ce que vous avez fait ensemble."),
						HelpNl:    str("Noem de partners en wat u samen gedaan hebt.")},
					{Key: "a.approved-on", Kind: collect.Date,
						LabelFr: "Date d'approbation du rapport par l'organe d'administration",
						LabelNl: "Datum van goedkeuring van het verslag door het bestuursorgaan"},
				}},
			{Key: "b", LabelFr: "Volet B – données quantitatives", LabelNl: "Luik B – kwantitatieve gegevens", Repeat: collect.PerSite,
				HelpFr: str("Un volet B par site d'activité. Ne comptez que le volume d'action agréé."),
				HelpNl: str("Eén luik B per activiteitenlocatie. Tel enkel het erkende actievolume."),
				Questions: []collect.Question{
					{Key: "b.pupils", Kind: collect.Indicator, IndicatorID: &pupils, Required: true, Min: dec(0),
						LabelFr: "Nombre d'enfants et de jeunes inscrits",
						LabelNl: "Aantal ingeschreven kinderen en jongeren",
						HelpFr:  str("Chaque enfant est compté une fois, quel que soit le nombre de séances suivies."),
						HelpNl:  str("Elk kind wordt één keer geteld, ongeacht het aantal gevolgde sessies.")},
					{Key: "b.girls", Kind: collect.Number, Unit: str("persons"), Min: dec(0),
						LabelFr: "dont filles", LabelNl: "waarvan meisjes"},
					{Key: "b.sessions", Kind: collect.Number, Unit: str("sessions"), Required: true, Min: dec(0),
						LabelFr: "Nombre de séances organisées", LabelNl: "Aantal georganiseerde sessies"},
					{Key: "b.hours", Kind: collect.Number, Unit: str("hours"), Min: dec(0),
						LabelFr: "Nombre d'heures d'accompagnement", LabelNl: "Aantal begeleidingsuren"},
					{Key: "b.levels", Kind: collect.MultipleChoice,
						LabelFr: "Niveaux scolaires des enfants accompagnés", LabelNl: "Onderwijsniveaus van de begeleide kinderen",
						Options: []collect.Option{
							{Code: "primary", LabelFr: "Primaire", LabelNl: "Lager onderwijs"},
							{Code: "secondary-1", LabelFr: "Premier degré du secondaire", LabelNl: "Eerste graad secundair onderwijs"},
							{Code: "secondary-2-3", LabelFr: "Deuxième et troisième degrés du secondaire", LabelNl: "Tweede en derde graad secundair onderwijs"},
						}},
					{Key: "b.access", Kind: collect.MultipleChoice,
						LabelFr: "Par quelle voie les enfants sont-ils arrivés ?", LabelNl: "Via welke weg zijn de kinderen bij u gekomen?",
						Options: []collect.Option{
							{Code: "school", LabelFr: "L'école", LabelNl: "De school"},
							{Code: "pms", LabelFr: "Un centre PMS", LabelNl: "Een PMS-centrum"},
							{Code: "social-service", LabelFr: "Un service social ou le CPAS", LabelNl: "Een sociale dienst of het OCMW"},
							{Code: "word-of-mouth", LabelFr: "La famille, le bouche-à-oreille", LabelNl: "Familie, mond-tot-mondreclame"},
						}},
					{Key: "b.residence", Kind: collect.SingleChoice,
						LabelFr: "Où habitent la plupart des enfants ?", LabelNl: "Waar wonen de meeste kinderen?",
						Options: []collect.Option{
							{Code: "same-commune", LabelFr: "Dans la commune du site", LabelNl: "In de gemeente van de locatie"},
							{Code: "other-eligible", LabelFr: "Dans une autre commune éligible", LabelNl: "In een andere in aanmerking komende gemeente"},
							{Code: "elsewhere", LabelFr: "Ailleurs en Région bruxelloise", LabelNl: "Elders in het Brussels Gewest"},
						}},
				}},
		},
		Rules: []collect.Rule{{Key: "girls-within-pupils", Kind: collect.NotAbove, Questions: []string{"b.girls", "b.pupils"},
			LabelFr: "Le nombre de filles ne dépasse pas le nombre d'enfants et de jeunes inscrits.",
			LabelNl: "Het aantal meisjes is niet hoger dan het aantal ingeschreven kinderen en jongeren."}},
	}
}

func activities2025() collect.Question {
	return collect.Question{Key: "a.activities", Kind: collect.Text, Required: true,
		LabelFr: "Décrivez les activités de soutien scolaire menées durant l'année.",
		LabelNl: "Beschrijf de schoolondersteunende activiteiten van het jaar.",
		HelpFr:  str("Question récurrente : contenu, rythme et encadrement des activités du volume agréé."),
		HelpNl:  str("Terugkerende vraag: inhoud, ritme en begeleiding van de activiteiten binnen het erkende volume.")}
}

// revision2026 is next year's version: the recurrent question on activities now asks what
// changed, the question of 2025 is retired and 2026 has its own.
func revision2026() collect.Revision {
	activities := activities2025()
	activities.LabelFr = "Décrivez les activités de soutien scolaire menées durant l'année et ce qui a changé par rapport à l'année précédente."
	activities.LabelNl = "Beschrijf de schoolondersteunende activiteiten van het jaar en wat er veranderde tegenover het vorige jaar."
	return collect.Revision{
		PeriodStart: day(2026, time.January, 1), PeriodEnd: day(2026, time.December, 31),
		Change: []collect.Question{activities},
		Retire: []string{"a.2025-parents"},
		Add: []collect.Addition{{Section: "a", Question: collect.Question{Key: "a.2026-digital", Kind: collect.Text,
			LabelFr: "Question 2026 : quelle place les outils numériques ont-ils prise dans l'accompagnement des devoirs ?",
			LabelNl: "Vraag 2026: welke plaats kregen digitale hulpmiddelen in de huiswerkbegeleiding?",
			HelpFr:  str("Question non récurrente, propre au rapport 2026."),
			HelpNl:  str("Niet-terugkerende vraag, enkel voor het verslag 2026.")}}},
	}
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func str(s string) *string { return &s }

func dec(n int64) *decimal.Decimal {
	d := decimal.NewFromInt(n)
	return &d
}
