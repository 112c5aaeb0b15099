package web

import (
	"fmt"

	"github.com/cohesio/cohesio/internal/cohesion"
)

// messages are the pages' words in French and Dutch. A key missing here is a bug that the
// tests catch: msg panics rather than print a key to a reader.
var messages = map[string][2]string{
	"site":                {"Cohesio — cohésion sociale à Bruxelles", "Cohesio — sociale cohesie in Brussel"},
	"home":                {"Accueil", "Home"},
	"playground":          {"Requêtes GraphQL", "GraphQL-verzoeken"},
	"annual_report":       {"Rapport annuel d'évaluation %d", "Jaarlijks evaluatieverslag %d"},
	"annual_reports":      {"Rapports annuels d'évaluation", "Jaarlijkse evaluatieverslagen"},
	"annual_intro":        {"Rapport du Centre régional d'appui en cohésion sociale (CRACS) sur l'année %d, établi à partir des données de la plateforme. Il est dû au Collège au plus tard le %s.", "Verslag van het Regionaal Steuncentrum voor sociale cohesie (CRACS) over het jaar %d, opgesteld uit de gegevens van het platform. Het moet uiterlijk op %s aan het College worden bezorgd."},
	"call":                {"Ce que demande l'appel (4.A) :", "Wat de oproep vraagt (4.A):"},
	"call_fr_only":        {"", "(de oproep bestaat enkel in het Frans)"},
	"contents":            {"Sommaire", "Inhoud"},
	"commentary":          {"Commentaire de l'évaluateur", "Commentaar van de evaluator"},
	"no_commentary":       {"Pas encore de commentaire pour cette section.", "Nog geen commentaar voor dit deel."},
	"commentary_fallback": {"(commentaire disponible en néerlandais seulement)", "(commentaar enkel beschikbaar in het Frans)"},
	"draft":               {"Version de travail, calculée à l'instant sur les données actuelles.", "Werkversie, zopas berekend op de huidige gegevens."},
	"published":           {"Version publiée le %s, figée : son adresse est son empreinte SHA-256.", "Versie gepubliceerd op %s, bevroren: haar adres is haar SHA-256-vingerafdruk."},
	"preview":             {"Version publique (les chiffres tels que le public les voit) calculée le %s, non publiée.", "Openbare versie (de cijfers zoals het publiek ze ziet) berekend op %s, niet gepubliceerd."},
	"publications":        {"Versions publiées", "Gepubliceerde versies"},
	"no_publications":     {"Aucune version publiée.", "Geen gepubliceerde versie."},
	"published_on":        {"Publication n° %d du %s", "Publicatie nr. %d van %s"},
	"open_request":        {"Ouvrir la requête dans le bac à sable GraphQL", "Het verzoek openen in de GraphQL-speeltuin"},
	"data_table":          {"Données du graphique", "Gegevens van de grafiek"},
	"total":               {"Total", "Totaal"},
	"target":              {"Objectif", "Doelstelling"},
	"realised":            {"Réalisé", "Gerealiseerd"},
	"withheld":            {"masqué", "afgeschermd"},
	"withheld_note":       {"« masqué » : effectif de personnes trop petit pour être publié.", "\"afgeschermd\": te klein aantal personen om te publiceren."},
	"no_rows":             {"Aucune donnée pour cette année.", "Geen gegevens voor dit jaar."},
	"overlaps_note":       {"%d paires de projets au total ; la requête les liste une à une.", "%d projectparen in totaal; het verzoek somt ze een voor een op."},
	"truncated":           {"Tableau tronqué : seules les premières lignes sont montrées.", "Tabel ingekort: enkel de eerste rijen worden getoond."},
	"figure_failed":       {"Cette figure n'a pas pu être calculée.", "Deze figuur kon niet worden berekend."},
	"pdf":                 {"Télécharger en PDF", "Downloaden als PDF"},
	"lang_other":          {"Nederlands", "Français"},
	"years":               {"Années", "Jaren"},
	"sources":             {"Les chiffres sont ceux des observations validées ; les valeurs de démonstration sont marquées « illustratives » dans leurs sources.", "De cijfers zijn die van de gevalideerde waarnemingen; demonstratiewaarden zijn in hun bronnen als \"illustratief\" gemarkeerd."},

	// Figures of the annual report.
	"f_programmes":          {"Projets, opérateurs et budget par programme, %d", "Projecten, operatoren en budget per programma, %d"},
	"f_programmes_d":        {"Les projets actifs dans l'année, les opérateurs qui les portent et leur budget (EUR), par programme.", "De projecten die in het jaar actief zijn, de operatoren die ze dragen en hun budget (EUR), per programma."},
	"f_themes":              {"Projets et budget par thème, %d", "Projecten en budget per thema, %d"},
	"f_themes_d":            {"Catégorisation des projets actifs dans l'année par thème.", "Indeling van de in het jaar actieve projecten per thema."},
	"f_communes":            {"Projets par commune, %d", "Projecten per gemeente, %d"},
	"f_communes_d":          {"Les projets actifs dans l'année, par commune où ils se déroulent.", "De in het jaar actieve projecten, per gemeente waar ze plaatsvinden."},
	"f_kinds":               {"Opérateurs par type, %d", "Operatoren per type, %d"},
	"f_kinds_d":             {"Les opérateurs dont un projet est actif dans l'année, par type d'organisation.", "De operatoren met een in het jaar actief project, per type organisatie."},
	"f_indicators":          {"Objectifs et réalisations par indicateur, %d", "Doelstellingen en realisaties per indicator, %d"},
	"f_indicators_d":        {"Pour chaque indicateur, la somme des objectifs et celle des réalisations de l'année, et le taux de réalisation.", "Voor elke indicator de som van de doelstellingen en van de realisaties van het jaar, en de realisatiegraad."},
	"f_trend":               {"Évolution %d-%d", "Evolutie %d-%d"},
	"f_trend_d":             {"Projets et opérateurs actifs chaque année.", "Projecten en operatoren die elk jaar actief zijn."},
	"f_events":              {"Événements et participants, %d-%d", "Evenementen en deelnemers, %d-%d"},
	"f_events_d":            {"Les événements des coordinations et leurs participants, par année.", "De evenementen van de coördinaties en hun deelnemers, per jaar."},
	"f_concordance":         {"Concordance entre besoins et activités, %d", "Overeenstemming tussen noden en activiteiten, %d"},
	"f_concordance_d":       {"Pour chaque commune et thème où un besoin est constaté ou une activité menée : les besoins, les projets qui y répondent et le constat.", "Voor elke gemeente en elk thema waar een nood is vastgesteld of een activiteit loopt: de noden, de projecten die eraan beantwoorden en de vaststelling."},
	"f_concordance_trend":   {"Évolution de la concordance, %d-%d", "Evolutie van de overeenstemming, %d-%d"},
	"f_concordance_trend_d": {"Nombre de couples commune × thème par constat, chaque année.", "Aantal combinaties gemeente × thema per vaststelling, per jaar."},
	"f_coherence":           {"Liens avec les autres politiques", "Verbanden met het andere beleid"},
	"f_coherence_d":         {"Les liens relevés entre les programmes et les autres politiques, par niveau de pouvoir.", "De vastgestelde verbanden tussen de programma's en het andere beleid, per bevoegdheidsniveau."},
	"f_levels":              {"Politiques liées par niveau de pouvoir", "Gelinkt beleid per bevoegdheidsniveau"},
	"f_levels_d":            {"Nombre de liens programme × politique par niveau de pouvoir de la politique.", "Aantal verbanden programma × beleid per bevoegdheidsniveau van het beleid."},
	"f_overlaps":            {"Risques de double financement, %d", "Risico's op dubbele financiering, %d"},
	"f_overlaps_d":          {"Projets d'un même opérateur relevant de deux programmes, dont les périodes se chevauchent et qui partagent un thème ou un public.", "Projecten van eenzelfde operator onder twee programma's, met overlappende periodes en een gemeenschappelijk thema of publiek."},

	// Dashboards.
	"dashboards":     {"Tableaux de bord", "Dashboards"},
	"h_intro":        {"Les communes et les programmes en un coup d'œil, calculés à l'instant à partir des données de la plateforme.", "De gemeenten en de programma's in één oogopslag, zopas berekend uit de gegevens van het platform."},
	"h_measure":      {"Mesure de la carte", "Maatstaf van de kaart"},
	"h_map":          {"%s par commune, %d", "%s per gemeente, %d"},
	"h_map_d":        {"Une tuile par commune ; cliquer une commune ouvre son tableau de bord.", "Eén tegel per gemeente; een klik op een gemeente opent haar dashboard."},
	"h_communes":     {"Les 19 communes", "De 19 gemeenten"},
	"h_programmes":   {"Les programmes", "De programma's"},
	"h_directory":    {"Annuaire des organisations", "Gids van de organisaties"},
	"m_projects":     {"Projets", "Projecten"},
	"m_operators":    {"Opérateurs", "Operatoren"},
	"m_budget":       {"Budget", "Budget"},
	"m_events":       {"Événements", "Evenementen"},
	"m_participants": {"Participants", "Deelnemers"},
	"commune_intro":  {"%s en %d : les besoins constatés et les activités qui y répondent, les financements, les indicateurs et les opérateurs.", "%s in %d: de vastgestelde noden en de activiteiten die eraan beantwoorden, de financiering, de indicatoren en de operatoren."},
	"d_needs":        {"Besoins et activités par thème, %d", "Noden en activiteiten per thema, %d"},
	"d_needs_d":      {"Pour chaque thème, les besoins constatés dans la commune et les projets qui y sont actifs.", "Per thema de in de gemeente vastgestelde noden en de projecten die er actief zijn."},
	"d_funders":      {"Financement par pouvoir subsidiant et programme, %d", "Financiering per subsidiërende overheid en programma, %d"},
	"d_funders_d":    {"Le budget (EUR) et le nombre des projets actifs dans la commune, par pouvoir subsidiant, puis par programme.", "Het budget (EUR) en het aantal projecten die in de gemeente actief zijn, per subsidiërende overheid en daarna per programma."},
	"d_operators":    {"Opérateurs actifs dans la commune", "Operatoren actief in de gemeente"},
	"d_operators_d":  {"Les organisations établies dans la commune, qui la desservent ou y mènent un projet.", "De organisaties die in de gemeente gevestigd zijn, ze bedienen of er een project voeren."},
	"p_funder":       {"Pouvoir subsidiant", "Subsidiërende overheid"},
	"p_policy":       {"Politique", "Beleid"},
	"p_period":       {"Période", "Periode"},
	"p_budget":       {"Budget du programme", "Budget van het programma"},
	"p_projects":     {"Projets par commune, %d", "Projecten per gemeente, %d"},
	"p_projects_d":   {"Les projets du programme actifs dans l'année, par commune.", "De projecten van het programma die in het jaar actief zijn, per gemeente."},
	"p_operators":    {"Opérateurs par type, %d", "Operatoren per type, %d"},
	"p_operators_d":  {"Les opérateurs du programme, leurs projets et leur budget, par type d'organisation.", "De operatoren van het programma, hun projecten en hun budget, per type organisatie."},
	"p_achievement":  {"Réalisation des indicateurs, %d", "Realisatie van de indicatoren, %d"},
	"c_enterprise":   {"N° d'entreprise", "Ondernemingsnr."},
	"c_kind":         {"Type", "Type"},
	"c_postcode":     {"Code postal", "Postcode"},
	"k_PUBLIC":       {"Public", "Openbaar"},
	"k_ASSOCIATIVE":  {"Associatif", "Vereniging"},
	"k_PRIVATE":      {"Privé", "Privé"},

	// Column headings of the analyses.
	"c_commune":               {"Commune", "Gemeente"},
	"c_theme":                 {"Thème", "Thema"},
	"c_needs":                 {"Besoins", "Noden"},
	"c_severity":              {"Gravité max.", "Max. ernst"},
	"c_projects":              {"Projets", "Projecten"},
	"c_operators":             {"Opérateurs", "Operatoren"},
	"c_budget":                {"Budget (EUR)", "Budget (EUR)"},
	"c_status":                {"Constat", "Vaststelling"},
	"c_year":                  {"Année", "Jaar"},
	"c_programme":             {"Programme", "Programma"},
	"c_policy":                {"Politique", "Beleid"},
	"c_level":                 {"Niveau de pouvoir", "Bevoegdheidsniveau"},
	"c_relations":             {"Relations", "Relaties"},
	"c_links":                 {"Liens", "Verbanden"},
	"c_operator":              {"Opérateur", "Operator"},
	"c_other":                 {"Autre programme", "Ander programma"},
	"c_pairs":                 {"Paires de projets", "Projectparen"},
	"c_count":                 {"Nombre", "Aantal"},
	"s_NEED_WITHOUT_ACTIVITY": {"Besoin sans activité", "Nood zonder activiteit"},
	"s_LOW_ACTIVITY":          {"Activité faible", "Weinig activiteit"},
	"s_MATCHED":               {"Besoin couvert", "Nood gedekt"},
	"s_ACTIVITY_WITHOUT_NEED": {"Activité sans besoin constaté", "Activiteit zonder vastgestelde nood"},
}

// msg is message key in lang, formatted with args.
func msg(lang cohesion.Lang, key string, args ...any) string {
	m, ok := messages[key]
	if !ok {
		panic("web: no message " + key)
	}
	s := m[0]
	if lang == cohesion.LangNL {
		s = m[1]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}
