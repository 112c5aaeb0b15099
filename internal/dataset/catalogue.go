package dataset

// The published datasets. Each field names a path in the relational model (see the GraphQL
// schema): its type, nullability, allowed values and English description come from there;
// the French and Dutch descriptions, and units, are written here.

var licence = License{
	Name:  "CC-BY-4.0",
	Path:  "https://creativecommons.org/licenses/by/4.0/",
	Title: "Creative Commons Attribution 4.0 International",
}

// definitions lists the published datasets, in the order of the catalogue.
func definitions() []*Dataset {
	return []*Dataset{operatorsDataset(), programmesDataset(), projectsDataset(), indicatorsDataset(),
		observationsDataset(), needsDataset(), transversalLinksDataset()}
}

func operatorsDataset() *Dataset {
	return &Dataset{
		Name: "operators", Entity: "Operator",
		Title:   "Operators directory",
		TitleFR: "Répertoire des opérateurs", TitleNL: "Register van de operatoren",
		Description: "Every organisation that carries out social-cohesion activities: associations, CPAS, communal services, with their legal form and registered seat.",
		Place:       "seatCommune.code",
		Fields: []Field{
			{Name: "id", Path: "id", FR: "Identifiant Cohesio de l'opérateur (clé des autres jeux de données).", NL: "Cohesio-identificatie van de operator (sleutel van de andere datasets)."},
			{Name: "enterprise_number", Path: "enterpriseNumber", FR: "Numéro d'entreprise BCE, 10 chiffres.", NL: "KBO-ondernemingsnummer, 10 cijfers."},
			{Name: "name", Path: "name", FR: "Dénomination légale.", NL: "Wettelijke benaming."},
			{Name: "name_nl", Path: "nameNl", FR: "Nom néerlandais, s'il existe.", NL: "Nederlandse naam, indien die bestaat."},
			{Name: "acronym", Path: "acronym", FR: "Sigle ou nom court.", NL: "Afkorting of korte naam."},
			{Name: "kind", Path: "kind", FR: "Public, associatif ou privé.", NL: "Openbaar, vereniging of privé."},
			{Name: "legal_form", Path: "legalForm.code", Description: "Code of the legal form (asbl, cpas...).", FR: "Code de la forme juridique (asbl, cpas...).", NL: "Code van de rechtsvorm (vzw, ocmw...)."},
			{Name: "languages", Path: "languages", Description: "Working languages, ISO 639-1 codes separated by |.", FR: "Langues de travail, codes ISO 639-1 séparés par |.", NL: "Werktalen, ISO 639-1-codes gescheiden door |."},
			{Name: "street", Path: "street", FR: "Rue et numéro du siège.", NL: "Straat en nummer van de zetel."},
			{Name: "postcode", Path: "postcode", FR: "Code postal du siège.", NL: "Postcode van de zetel."},
			{Name: "seat_commune_nis", Path: "seatCommune.nisCode", Description: "NIS code of the commune of the registered seat.", FR: "Code INS de la commune du siège.", NL: "NIS-code van de gemeente van de zetel."},
			{Name: "seat_commune", Path: "seatCommune.nameFr", Description: "French name of the commune of the registered seat.", FR: "Nom de la commune du siège.", NL: "Franse naam van de gemeente van de zetel."},
			{Name: "website", Path: "website", FR: "Site web.", NL: "Website."},
			{Name: "fictitious", Path: "fictitious", FR: "Vrai pour les organisations inventées pour la démonstration.", NL: "Waar voor organisaties die voor de demonstratie verzonnen zijn."},
			{Name: "source", Path: "source.code", Description: "Code of the document the row comes from.", FR: "Code du document d'où vient la ligne.", NL: "Code van het document waaruit de rij komt."},
		},
	}
}

func programmesDataset() *Dataset {
	return &Dataset{
		Name: "programmes", Entity: "Programme",
		Title:   "Programmes and budgets",
		TitleFR: "Programmes et budgets", TitleNL: "Programma's en budgetten",
		Description: "The funding programmes (social-cohesion decree, local social-health contracts, social activation...), their funder, period and budget.",
		From:        "startDate", To: "endDate",
		Fields: []Field{
			{Name: "id", Path: "id", FR: "Identifiant Cohesio du programme.", NL: "Cohesio-identificatie van het programma."},
			{Name: "code", Path: "code", FR: "Code stable du programme.", NL: "Vaste code van het programma."},
			{Name: "name_fr", Path: "nameFr", FR: "Nom en français.", NL: "Naam in het Frans."},
			{Name: "name_nl", Path: "nameNl", FR: "Nom en néerlandais.", NL: "Naam in het Nederlands."},
			{Name: "policy", Path: "policy.code", Description: "Code of the policy the programme implements.", FR: "Code de la politique que le programme met en œuvre.", NL: "Code van het beleid dat het programma uitvoert."},
			{Name: "funder", Path: "funder.code", Description: "Code of the funding authority.", FR: "Code du pouvoir subsidiant.", NL: "Code van de subsidiërende overheid."},
			{Name: "start_date", Path: "startDate", FR: "Début du programme.", NL: "Begin van het programma."},
			{Name: "end_date", Path: "endDate", FR: "Fin du programme (vide : en cours).", NL: "Einde van het programma (leeg: lopend)."},
			{Name: "budget", Path: "budget", Unit: "EUR", FR: "Budget total en euros.", NL: "Totaal budget in euro."},
			{Name: "year_start_month", Path: "yearStartMonth", FR: "Mois de début de l'année du programme (1 = janvier, 7 = année scolaire).", NL: "Beginmaand van het programmajaar (1 = januari, 7 = schooljaar)."},
			{Name: "source", Path: "source.code", Description: "Code of the document the row comes from.", FR: "Code du document d'où vient la ligne.", NL: "Code van het document waaruit de rij komt."},
		},
	}
}

func projectsDataset() *Dataset {
	return &Dataset{
		Name: "projects", Entity: "Project",
		Title:   "Projects",
		TitleFR: "Projets", TitleNL: "Projecten",
		Description: "The projects operators carry out under a programme, with where they happen, when, and their budget.",
		From:        "startDate", To: "endDate", Place: "territory.code",
		Fields: []Field{
			{Name: "id", Path: "id", FR: "Identifiant Cohesio du projet.", NL: "Cohesio-identificatie van het project."},
			{Name: "code", Path: "code", FR: "Référence du projet, s'il en a une.", NL: "Referentie van het project, indien aanwezig."},
			{Name: "title", Path: "title", FR: "Intitulé du projet.", NL: "Titel van het project."},
			{Name: "operator_id", References: "operators.id", Path: "operator.id", Description: "Id of the operator carrying the project (see the operators dataset).", FR: "Identifiant de l'opérateur porteur (voir le jeu operators).", NL: "Identificatie van de dragende operator (zie de dataset operators)."},
			{Name: "operator", Path: "operator.name", Description: "Name of the operator carrying the project.", FR: "Nom de l'opérateur porteur.", NL: "Naam van de dragende operator."},
			{Name: "programme", References: "programmes.code", Path: "programme.code", Description: "Code of the funding programme.", FR: "Code du programme de financement.", NL: "Code van het financieringsprogramma."},
			{Name: "axis", Path: "axis.code", Description: "Code of the programme axis, if any.", FR: "Code de l'axe du programme, le cas échéant.", NL: "Code van de programma-as, indien van toepassing."},
			{Name: "territory", Path: "territory.code", Description: "Code of the territory where the project takes place.", FR: "Code du territoire où le projet se déroule.", NL: "Code van het gebied waar het project plaatsvindt."},
			{Name: "territory_name", Path: "territory.nameFr", Description: "French name of that territory.", FR: "Nom de ce territoire.", NL: "Franse naam van dat gebied."},
			{Name: "start_date", Path: "startDate", FR: "Début du projet.", NL: "Begin van het project."},
			{Name: "end_date", Path: "endDate", FR: "Fin du projet (vide : en cours).", NL: "Einde van het project (leeg: lopend)."},
			{Name: "budget", Path: "budget", Unit: "EUR", FR: "Budget du projet en euros.", NL: "Budget van het project in euro."},
			{Name: "source", Path: "source.code", Description: "Code of the document the row comes from.", FR: "Code du document d'où vient la ligne.", NL: "Code van het document waaruit de rij komt."},
		},
	}
}

func indicatorsDataset() *Dataset {
	return &Dataset{
		Name: "indicators", Entity: "Indicator",
		Title:   "Indicator definitions",
		TitleFR: "Définitions des indicateurs", TitleNL: "Definities van de indicatoren",
		Description: "What each indicator measures, in which unit, how its values add up and how they may be broken down.",
		Fields: []Field{
			{Name: "id", Path: "id", FR: "Identifiant Cohesio de l'indicateur.", NL: "Cohesio-identificatie van de indicator."},
			{Name: "code", Path: "code", FR: "Code stable de l'indicateur.", NL: "Vaste code van de indicator."},
			{Name: "programme", References: "programmes.code", Path: "programme.code", Description: "Code of the programme that defines the indicator; empty for shared indicators.", FR: "Code du programme qui définit l'indicateur ; vide s'il est commun.", NL: "Code van het programma dat de indicator definieert; leeg voor gedeelde indicatoren."},
			{Name: "label_fr", Path: "labelFr", FR: "Libellé en français.", NL: "Omschrijving in het Frans."},
			{Name: "label_nl", Path: "labelNl", FR: "Libellé en néerlandais.", NL: "Omschrijving in het Nederlands."},
			{Name: "unit", Path: "unit", FR: "Unité des valeurs (persons = personnes).", NL: "Eenheid van de waarden (persons = personen)."},
			{Name: "aggregation", Path: "aggregation", FR: "Comment les valeurs s'agrègent (somme, moyenne, ratio...).", NL: "Hoe de waarden samengeteld worden (som, gemiddelde, verhouding...)."},
			{Name: "parent", References: "indicators.code", Path: "parent.code", Description: "Code of the parent indicator, if any.", FR: "Code de l'indicateur parent, le cas échéant.", NL: "Code van de bovenliggende indicator, indien van toepassing."},
			{Name: "numerator", References: "indicators.code", Path: "numerator.code", Description: "For a ratio: code of the numerator indicator.", FR: "Pour un ratio : code de l'indicateur numérateur.", NL: "Voor een verhouding: code van de teller-indicator."},
			{Name: "denominator", References: "indicators.code", Path: "denominator.code", Description: "For a ratio: code of the denominator indicator.", FR: "Pour un ratio : code de l'indicateur dénominateur.", NL: "Voor een verhouding: code van de noemer-indicator."},
			{Name: "disaggregations", Path: "disaggregations", Description: "Dimensions values may be broken down by, separated by |.", FR: "Dimensions de ventilation des valeurs, séparées par |.", NL: "Dimensies waarin de waarden uitgesplitst kunnen worden, gescheiden door |."},
			{Name: "source", Path: "source.code", Description: "Code of the document the row comes from.", FR: "Code du document d'où vient la ligne.", NL: "Code van het document waaruit de rij komt."},
		},
	}
}

func observationsDataset() *Dataset {
	return &Dataset{
		Name: "observations", Entity: "Observation",
		Title:   "Observations (long format)",
		TitleFR: "Observations (format long)", TitleNL: "Waarnemingen (lang formaat)",
		Description: "Every validated value of an indicator: one row per indicator, subject (project, operator, coordination or territory), period, kind (target, realised, baseline) and breakdown. A row without breakdown is the total of its group; rows of one breakdown dimension add up to it.",
		From:        "periodStart", To: "periodEnd", Place: "territory.code",
		Published:   Filter{Conds: []Cond{{Field: "status", Op: "eq", Value: "validated"}}},
		Order:       []string{"indicator.code", "project.id", "operator.id", "coordination.id", "territory.id", "periodStart", "periodEnd", "kind", "disaggregation.dimension", "disaggregation.code"},
		Suppression: &Suppression{Value: "value"},
		Fields: []Field{
			{Name: "id", Path: "id", FR: "Identifiant Cohesio de l'observation.", NL: "Cohesio-identificatie van de waarneming."},
			{Name: "indicator", References: "indicators.code", Path: "indicator.code", Description: "Code of the indicator (see the indicators dataset).", FR: "Code de l'indicateur (voir le jeu indicators).", NL: "Code van de indicator (zie de dataset indicators)."},
			{Name: "unit", Path: "indicator.unit", Description: "Unit of the value.", FR: "Unité de la valeur.", NL: "Eenheid van de waarde."},
			{Name: "project_id", References: "projects.id", Path: "project.id", Description: "Id of the project observed, if the subject is a project.", FR: "Identifiant du projet observé, si le sujet est un projet.", NL: "Identificatie van het waargenomen project, als het onderwerp een project is."},
			{Name: "operator_id", References: "operators.id", Path: "operator.id", Description: "Id of the operator observed, if the subject is an operator.", FR: "Identifiant de l'opérateur observé, si le sujet est un opérateur.", NL: "Identificatie van de waargenomen operator, als het onderwerp een operator is."},
			{Name: "coordination", Path: "coordination.code", Description: "Code of the coordination observed, if any.", FR: "Code de la coordination observée, le cas échéant.", NL: "Code van de waargenomen coördinatie, indien van toepassing."},
			{Name: "territory", Path: "territory.code", Description: "Code of the territory the value is about, if any.", FR: "Code du territoire concerné, le cas échéant.", NL: "Code van het betrokken gebied, indien van toepassing."},
			{Name: "period_start", Path: "periodStart", FR: "Premier jour de la période.", NL: "Eerste dag van de periode."},
			{Name: "period_end", Path: "periodEnd", FR: "Dernier jour de la période.", NL: "Laatste dag van de periode."},
			{Name: "granularity", Path: "granularity", FR: "Durée de la période : année, trimestre, mois ou autre.", NL: "Lengte van de periode: jaar, kwartaal, maand of andere."},
			{Name: "kind", Path: "kind", FR: "Cible, réalisé ou situation de départ.", NL: "Doel, gerealiseerd of beginsituatie."},
			{Name: "breakdown_dimension", Path: "disaggregation.dimension", Description: "Dimension of the breakdown (gender, age_band...); empty on the total row.", FR: "Dimension de la ventilation (gender, age_band...) ; vide sur la ligne de total.", NL: "Dimensie van de uitsplitsing (gender, age_band...); leeg op de totaalrij."},
			{Name: "breakdown", Path: "disaggregation.code", Description: "Category within the breakdown dimension; empty on the total row.", FR: "Catégorie dans la dimension de ventilation ; vide sur la ligne de total.", NL: "Categorie binnen de uitsplitsingsdimensie; leeg op de totaalrij."},
			{Name: "value", Path: "value", Description: "The value, in the unit of the unit column; empty when suppressed.", FR: "La valeur, dans l'unité de la colonne unit ; vide si elle est masquée.", NL: "De waarde, in de eenheid van de kolom unit; leeg als ze afgeschermd is."},
			{Name: "source", Path: "source.code", Description: "Code of the document the row comes from.", FR: "Code du document d'où vient la ligne.", NL: "Code van het document waaruit de rij komt."},
		},
	}
}

func needsDataset() *Dataset {
	return &Dataset{
		Name: "needs", Entity: "Need",
		Title:   "Needs observed on the ground",
		TitleFR: "Besoins observés sur le terrain", TitleNL: "Noden vastgesteld op het terrein",
		Description: "Needs observed in a territory for a theme and a public, with their severity and the evidence behind them.",
		From:        "periodStart", To: "periodEnd", Place: "territory.code",
		Fields: []Field{
			{Name: "id", Path: "id", FR: "Identifiant Cohesio du besoin.", NL: "Cohesio-identificatie van de nood."},
			{Name: "territory", Path: "territory.code", Description: "Code of the territory.", FR: "Code du territoire.", NL: "Code van het gebied."},
			{Name: "territory_name", Path: "territory.nameFr", Description: "French name of the territory.", FR: "Nom du territoire.", NL: "Franse naam van het gebied."},
			{Name: "theme", Path: "theme.code", Description: "Code of the theme.", FR: "Code de la thématique.", NL: "Code van het thema."},
			{Name: "target_public", Path: "targetPublic.code", Description: "Code of the public concerned, if any.", FR: "Code du public concerné, le cas échéant.", NL: "Code van het betrokken publiek, indien van toepassing."},
			{Name: "period_start", Path: "periodStart", FR: "Début de la période d'observation.", NL: "Begin van de waarnemingsperiode."},
			{Name: "period_end", Path: "periodEnd", FR: "Fin de la période d'observation.", NL: "Einde van de waarnemingsperiode."},
			{Name: "severity", Path: "severity", FR: "Gravité, de 1 (faible) à 4 (critique).", NL: "Ernst, van 1 (laag) tot 4 (kritiek)."},
			{Name: "evidence", Path: "evidence", FR: "Ce qui atteste le besoin.", NL: "Wat de nood aantoont."},
			{Name: "source", Path: "source.code", Description: "Code of the document the row comes from.", FR: "Code du document d'où vient la ligne.", NL: "Code van het document waaruit de rij komt."},
		},
	}
}

func transversalLinksDataset() *Dataset {
	return &Dataset{
		Name: "transversal-links", Entity: "TransversalLink",
		Title:   "Transversal policy links",
		TitleFR: "Liens transversaux entre politiques", TitleNL: "Transversale beleidsbanden",
		Description: "How programmes and projects relate to other policies: complementarity, overlap, risks of double financing or double follow-up, tensions.",
		Fields: []Field{
			{Name: "id", Path: "id", FR: "Identifiant Cohesio du lien.", NL: "Cohesio-identificatie van de band."},
			{Name: "programme", References: "programmes.code", Path: "programme.code", Description: "Code of the programme, when the link is about a programme.", FR: "Code du programme, si le lien concerne un programme.", NL: "Code van het programma, als de band een programma betreft."},
			{Name: "project_id", References: "projects.id", Path: "project.id", Description: "Id of the project, when the link is about a project.", FR: "Identifiant du projet, si le lien concerne un projet.", NL: "Identificatie van het project, als de band een project betreft."},
			{Name: "policy", Path: "policy.code", Description: "Code of the other policy.", FR: "Code de l'autre politique.", NL: "Code van het andere beleid."},
			{Name: "relation", Path: "relation", FR: "Nature du lien.", NL: "Aard van de band."},
			{Name: "note", Path: "note", FR: "Commentaire.", NL: "Opmerking."},
			{Name: "source", Path: "source.code", Description: "Code of the document the row comes from.", FR: "Code du document d'où vient la ligne.", NL: "Code van het document waaruit de rij komt."},
		},
	}
}
