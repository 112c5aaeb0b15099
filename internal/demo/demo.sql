-- Cohesio demo dataset. Every row cites a source: the five public source documents, public
-- reference data, or the source 'illustrative' for values no document gives. Organisations
-- invented for the demo carry fictitious = true and "(fictif)" in their name.

-- Sources ---------------------------------------------------------------------------------
INSERT INTO source (code, kind, title, publisher, url, published_on, note) VALUES
 ('cracs-call', 'document', 'Appel à candidatures : Centre régional d''appui en cohésion sociale (CRACS), décret du 30 novembre 2018', 'COCOF', NULL, NULL, 'Seed document 000'),
 ('cass-2022', 'document', 'Coordination de l''Action Sociale de Schaerbeek (CASS) : rapport d''activité 2022', 'CPAS de Schaerbeek / Coordination Sociale de Schaerbeek', 'https://cass-cssa.be', '2023-03-28', 'Seed document 001, approved by the steering committee on 28 March 2023'),
 ('spp-is-2015', 'document', 'Groupe de travail activation sociale : subsides 2015 aux CPAS', 'SPP Intégration sociale', NULL, '2015-01-01', 'Seed document 002'),
 ('actiris-cpas-2022', 'document', 'Cadre de partenariat Actiris – CPAS bruxellois 2022-2027', 'Actiris', NULL, '2022-01-01', 'Seed document 003'),
 ('mutualisations-anm', 'document', 'Appel à projets COCOF-COCOM « Mutualisations ANM 2024-2025 »', 'COCOF / COCOM', NULL, '2024-01-01', 'Seed document 004'),
 ('statbel-pop-2020', 'dataset', 'Population légale au 1er janvier 2020 par commune', 'Statbel', 'https://github.com/vandenbroucke/belgian_municipalities/blob/master/data/2020/belgian_municipalities.csv', '2020-01-01', 'Republished Statbel figures; the 19 communes sum to 1,218,255'),
 ('bassins-pssi', 'website', 'Les cinq bassins d''aide et de soins (PSSI)', 'Vivalis / bassins', 'https://bassin-nord-est.brussels/bassin-nord-est', NULL, 'Membership partly inferred for Centre-Ouest and Nord-Est'),
 ('clss-1030', 'website', 'Appels à projets des quartiers Brabant et Colignon', 'Commune de Schaerbeek', 'https://www.1030.be/fr/news/appels-projets-des-quartiers-brabant-et-colignon', '2022-03-14', NULL),
 ('cbcs-pssi', 'website', 'PSSI : définir l''offre de base avec l''associatif bruxellois', 'CBCS', 'https://cbcs.be/pssi-definir-loffre-de-base-avec-lassociatif-bruxellois/', NULL, 'RIS beneficiaries per 1,000 inhabitants'),
 ('be-brussels-cohesion', 'website', 'Ministre de la Cohésion sociale', 'be.brussels', 'https://be.brussels/fr/propos-de-la-region/ministre-de-la-cohesion-sociale', NULL, 'Budget printed as "22.100.0000 €", read as 22.1 million'),
 ('illustrative', 'illustrative', 'Illustrative demo values, not from a document', NULL, NULL, NULL, 'Invented for the demo; do not use as facts');

-- Vocabularies ----------------------------------------------------------------------------
INSERT INTO theme (code, label_fr, label_nl) VALUES
 ('digital_exclusion', 'Exclusion numérique', 'Digitale uitsluiting'),
 ('housing', 'Logement', 'Huisvesting'),
 ('mental_health', 'Santé mentale', 'Geestelijke gezondheid'),
 ('energy', 'Énergie', 'Energie'),
 ('parenting', 'Parentalité', 'Ouderschap'),
 ('food_aid', 'Aide alimentaire', 'Voedselhulp'),
 ('seniors', 'Seniors', 'Senioren'),
 ('youth', 'Jeunesse', 'Jeugd'),
 ('literacy_fle', 'Alphabétisation et français langue étrangère', 'Alfabetisering en Frans als vreemde taal'),
 ('school_support', 'Soutien scolaire', 'Schoolondersteuning'),
 ('newcomers', 'Accueil des primo-arrivants', 'Onthaal van nieuwkomers'),
 ('health_access', 'Accès aux soins et aux services', 'Toegang tot zorg en diensten'),
 ('employment', 'Insertion socioprofessionnelle', 'Socio-professionele inschakeling'),
 ('social_activation', 'Activation sociale', 'Sociale activering'),
 ('living_together', 'Vivre ensemble', 'Samenleven');
INSERT INTO target_public (code, label_fr, label_nl) VALUES
 ('youth_18_25', 'Jeunes de 18 à 25 ans', 'Jongeren van 18 tot 25 jaar'),
 ('seniors', 'Personnes âgées', 'Ouderen'),
 ('newcomers', 'Primo-arrivants', 'Nieuwkomers'),
 ('ris_beneficiaries', 'Bénéficiaires du revenu d''intégration', 'Leefloongerechtigden'),
 ('job_seekers', 'Chercheurs d''emploi', 'Werkzoekenden'),
 ('families', 'Familles', 'Gezinnen'),
 ('children', 'Enfants', 'Kinderen'),
 ('social_workers', 'Travailleurs sociaux', 'Maatschappelijk werkers');
INSERT INTO sector (code, label_fr, label_nl) VALUES
 ('social_action', 'Action sociale', 'Maatschappelijk werk'),
 ('health', 'Santé', 'Gezondheid'),
 ('education', 'Éducation et alphabétisation', 'Onderwijs en alfabetisering'),
 ('employment', 'Emploi et insertion', 'Werk en inschakeling'),
 ('housing', 'Logement', 'Huisvesting'),
 ('youth', 'Jeunesse', 'Jeugd');
INSERT INTO legal_form (code, label_fr, label_nl, is_public) VALUES
 ('asbl', 'Association sans but lucratif (ASBL)', 'Vereniging zonder winstoogmerk (VZW)', false),
 ('association_de_fait', 'Association de fait', 'Feitelijke vereniging', false),
 ('fondation', 'Fondation', 'Stichting', false),
 ('sc', 'Société coopérative (SC)', 'Coöperatieve vennootschap (CV)', false),
 ('mutualite', 'Mutualité', 'Ziekenfonds', false),
 ('cpas', 'Centre public d''action sociale (CPAS)', 'Openbaar centrum voor maatschappelijk welzijn (OCMW)', true),
 ('commune', 'Commune', 'Gemeente', true),
 ('regie_communale', 'Régie communale autonome', 'Autonoom gemeentebedrijf', true),
 ('unknown', 'Forme juridique non renseignée', 'Rechtsvorm niet opgegeven', false);

-- Territories: the region, the 19 communes (Statbel, 1 Jan 2020), the five PSSI bassins ----
INSERT INTO territory (code, kind, name_fr, name_nl, population, population_date, source_id)
 SELECT 'BXL', 'region', 'Région de Bruxelles-Capitale', 'Brussels Hoofdstedelijk Gewest', 1218255, '2020-01-01', id FROM source WHERE code = 'statbel-pop-2020';
INSERT INTO territory (code, kind, name_fr, name_nl, parent_id, nis_code, postcodes, population, population_date, source_id)
 SELECT c.nis, 'commune', c.fr, c.nl, (SELECT id FROM territory WHERE code = 'BXL'), c.nis, c.pc::text[], c.pop, '2020-01-01', (SELECT id FROM source WHERE code = 'statbel-pop-2020')
 FROM (VALUES
  ('21001', 'Anderlecht', 'Anderlecht', '{1070}', 120887),
  ('21002', 'Auderghem', 'Oudergem', '{1160}', 34404),
  ('21003', 'Berchem-Sainte-Agathe', 'Sint-Agatha-Berchem', '{1082}', 25502),
  ('21004', 'Bruxelles', 'Brussel', '{1000,1020,1120,1130}', 185103),
  ('21005', 'Etterbeek', 'Etterbeek', '{1040}', 48473),
  ('21006', 'Evere', 'Evere', '{1140}', 42656),
  ('21007', 'Forest', 'Vorst', '{1190}', 56581),
  ('21008', 'Ganshoren', 'Ganshoren', '{1083}', 25234),
  ('21009', 'Ixelles', 'Elsene', '{1050}', 87632),
  ('21010', 'Jette', 'Jette', '{1090}', 52728),
  ('21011', 'Koekelberg', 'Koekelberg', '{1081}', 21959),
  ('21012', 'Molenbeek-Saint-Jean', 'Sint-Jans-Molenbeek', '{1080}', 97979),
  ('21013', 'Saint-Gilles', 'Sint-Gillis', '{1060}', 49678),
  ('21014', 'Saint-Josse-ten-Noode', 'Sint-Joost-ten-Node', '{1210}', 27497),
  ('21015', 'Schaerbeek', 'Schaarbeek', '{1030}', 132799),
  ('21016', 'Uccle', 'Ukkel', '{1180}', 83980),
  ('21017', 'Watermael-Boitsfort', 'Watermaal-Bosvoorde', '{1170}', 25332),
  ('21018', 'Woluwe-Saint-Lambert', 'Sint-Lambrechts-Woluwe', '{1200}', 57712),
  ('21019', 'Woluwe-Saint-Pierre', 'Sint-Pieters-Woluwe', '{1150}', 42119)) AS c(nis, fr, nl, pc, pop);
INSERT INTO territory (code, kind, name_fr, name_nl, parent_id, source_id)
 SELECT b.code, 'bassin', b.fr, b.nl, (SELECT id FROM territory WHERE code = 'BXL'), (SELECT id FROM source WHERE code = 'bassins-pssi')
 FROM (VALUES ('bassin-centre-ouest', 'Bassin Centre-Ouest', 'Zorgbassin Centrum-West'),
              ('bassin-nord', 'Bassin Nord', 'Zorgbassin Noord'),
              ('bassin-nord-est', 'Bassin Nord-Est', 'Zorgbassin Noord-Oost'),
              ('bassin-sud', 'Bassin Sud', 'Zorgbassin Zuid'),
              ('bassin-sud-est', 'Bassin Sud-Est', 'Zorgbassin Zuid-Oost')) AS b(code, fr, nl);
-- Bruxelles-Ville is split across bassins; it is listed in each bassin that holds a part of it.
INSERT INTO territory_group_member (group_id, member_id)
 SELECT g.id, m.id FROM (VALUES
  ('bassin-centre-ouest', '21001'), ('bassin-centre-ouest', '21012'), ('bassin-centre-ouest', '21004'),
  ('bassin-nord', '21003'), ('bassin-nord', '21008'), ('bassin-nord', '21010'), ('bassin-nord', '21011'), ('bassin-nord', '21004'),
  ('bassin-nord-est', '21015'), ('bassin-nord-est', '21014'), ('bassin-nord-est', '21006'),
  ('bassin-sud', '21007'), ('bassin-sud', '21009'), ('bassin-sud', '21013'), ('bassin-sud', '21016'), ('bassin-sud', '21017'), ('bassin-sud', '21004'),
  ('bassin-sud-est', '21002'), ('bassin-sud-est', '21005'), ('bassin-sud-est', '21018'), ('bassin-sud-est', '21019')) AS x(g, m)
 JOIN territory g ON g.code = x.g JOIN territory m ON m.code = x.m;
-- The two CLSS territories of Schaerbeek (COCOM local social-health contracts).
INSERT INTO territory (code, kind, name_fr, name_nl, parent_id, source_id)
 SELECT x.code, 'clss', x.fr, x.nl, (SELECT id FROM territory WHERE code = '21015'), (SELECT id FROM source WHERE code = 'clss-1030')
 FROM (VALUES ('clss-brabant', 'Quartier Brabant', 'Brabantwijk'), ('clss-colignon', 'Quartier Colignon', 'Colignonwijk')) AS x(code, fr, nl);

-- Authorities and policies ----------------------------------------------------------------
INSERT INTO authority (code, name_fr, name_nl, acronym, level, source_id)
 SELECT a.code, a.fr, a.nl, a.acr, a.lvl, (SELECT id FROM source WHERE code = 'cracs-call') FROM (VALUES
  ('cocof', 'Commission communautaire française', 'Franse Gemeenschapscommissie', 'COCOF', 'community_commission'),
  ('cocom', 'Commission communautaire commune', 'Gemeenschappelijke Gemeenschapscommissie', 'COCOM/GGC', 'community_commission'),
  ('vgc', 'Commission communautaire flamande', 'Vlaamse Gemeenschapscommissie', 'VGC', 'community_commission'),
  ('fwb', 'Fédération Wallonie-Bruxelles', 'Federatie Wallonië-Brussel', 'FWB', 'community'),
  ('region-bxl', 'Région de Bruxelles-Capitale', 'Brussels Hoofdstedelijk Gewest', NULL, 'region'),
  ('federal', 'État fédéral', 'Federale staat', NULL, 'federal'),
  ('eu', 'Union européenne', 'Europese Unie', 'UE', 'eu'),
  ('commune-schaerbeek', 'Commune de Schaerbeek', 'Gemeente Schaarbeek', NULL, 'commune')) AS a(code, fr, nl, acr, lvl);
INSERT INTO authority (code, name_fr, name_nl, acronym, level, parent_id, source_id) VALUES
 ('actiris', 'Actiris', 'Actiris', NULL, 'agency', (SELECT id FROM authority WHERE code = 'region-bxl'), (SELECT id FROM source WHERE code = 'actiris-cpas-2022')),
 ('spp-is', 'SPP Intégration sociale', 'POD Maatschappelijke Integratie', 'SPP IS', 'agency', (SELECT id FROM authority WHERE code = 'federal'), (SELECT id FROM source WHERE code = 'spp-is-2015'));

INSERT INTO policy (code, authority_id, name_fr, name_nl, description, legal_reference, start_date, source_id) VALUES
 ('cohesion-decree-2018', (SELECT id FROM authority WHERE code = 'cocof'), 'Décret relatif à la cohésion sociale', 'Decreet betreffende de sociale cohesie',
  'Social cohesion: equal opportunities and conditions for every individual or group, through communal programmes and approved operators.', 'Décret COCOF du 30 novembre 2018, MB 26/02/2019', '2019-01-01', (SELECT id FROM source WHERE code = 'cracs-call')),
 ('pssi', (SELECT id FROM authority WHERE code = 'cocom'), 'Plan social santé intégré (PSSI)', 'Geïntegreerd Welzijns- en Gezondheidsplan', 'Territorialised social-health policy: quartiers, bassins, region.', NULL, '2022-10-01', (SELECT id FROM source WHERE code = 'cass-2022')),
 ('social-activation', (SELECT id FROM authority WHERE code = 'spp-is'), 'Participation et activation sociale des usagers des CPAS', 'Participatie en sociale activering van OCMW-gebruikers', NULL, NULL, NULL, (SELECT id FROM source WHERE code = 'spp-is-2015')),
 ('actiris-cpas-partnership', (SELECT id FROM authority WHERE code = 'actiris'), 'Partenariat Actiris – CPAS', 'Partnerschap Actiris – OCMW', 'Support to job seekers followed by the CPAS, through successive partnership frameworks.', NULL, NULL, (SELECT id FROM source WHERE code = 'actiris-cpas-2022')),
 ('non-profit-employment', (SELECT id FROM authority WHERE code = 'cocom'), 'Accord non-marchand (ANM)', 'Akkoord non-profit', 'Joint COCOF-COCOM measures for the non-profit sector.', NULL, NULL, (SELECT id FROM source WHERE code = 'mutualisations-anm')),
 ('esf-plus', (SELECT id FROM authority WHERE code = 'eu'), 'Fonds social européen plus (FSE+)', 'Europees Sociaal Fonds plus (ESF+)', NULL, NULL, NULL, (SELECT id FROM source WHERE code = 'actiris-cpas-2022')),
 ('urban-prevention', (SELECT id FROM authority WHERE code = 'region-bxl'), 'Programme de prévention urbaine (PPU)', 'Stedelijk preventieprogramma', NULL, NULL, NULL, (SELECT id FROM source WHERE code = 'cass-2022'));

-- Programmes ------------------------------------------------------------------------------
INSERT INTO programme (code, policy_id, funder_id, name_fr, name_nl, description, start_date, end_date, budget, year_start_month, eligibility_note, source_id) VALUES
 ('cohesion-2024-2028', (SELECT id FROM policy WHERE code = 'cohesion-decree-2018'), (SELECT id FROM authority WHERE code = 'cocof'),
  'Cohésion sociale : agréments et pactes locaux 2024-2028', 'Sociale cohesie: erkenningen en lokale pacten 2024-2028',
  'More than 200 associations approved on 1 January 2024 for five renewable years; local pacts with the eligible communes.', '2024-01-01', '2028-12-31', 22100000.00, 1,
  'Operators approved per priority axis; yearly report due 31 March (part A qualitative, part B quantitative).', (SELECT id FROM source WHERE code = 'be-brussels-cohesion')),
 ('clss-brabant', (SELECT id FROM policy WHERE code = 'pssi'), (SELECT id FROM authority WHERE code = 'cocom'),
  'Contrat local social-santé Brabant', 'Lokaal sociaal-gezondheidscontract Brabant', 'Objective 1: access to existing social and health services (125,000 EUR a year); objective 2: prevent housing loss and evictions (100,000 EUR a year).',
  '2022-01-01', '2025-12-31', 900000.00, 1, 'Project holder: an ASBL with at least one partner. Calls open 14 March - 30 April 2022.', (SELECT id FROM source WHERE code = 'clss-1030')),
 ('clss-colignon', (SELECT id FROM policy WHERE code = 'pssi'), (SELECT id FROM authority WHERE code = 'cocom'),
  'Contrat local social-santé Colignon', 'Lokaal sociaal-gezondheidscontract Colignon', 'Objective 1: access to existing social and health services (125,000 EUR a year); objective 2: prevent housing loss and evictions (100,000 EUR a year).',
  '2022-01-01', '2025-12-31', 900000.00, 1, 'Project holder: an ASBL with at least one partner. Calls open 14 March - 30 April 2022.', (SELECT id FROM source WHERE code = 'clss-1030')),
 ('social-activation-2015', (SELECT id FROM policy WHERE code = 'social-activation'), (SELECT id FROM authority WHERE code = 'spp-is'),
  'Subside activation sociale 2015 pour les CPAS des grandes villes', 'Subsidie sociale activering 2015 voor OCMW''s van grote steden', 'Quantitative objectives fixed vs realised, closely linked to PIIS paths.',
  '2015-01-01', '2015-12-31', 6534763.86, 1, 'Convention with objectives; evaluation report on objectives fixed vs realised.', (SELECT id FROM source WHERE code = 'spp-is-2015')),
 ('cluster-plan-2015', (SELECT id FROM policy WHERE code = 'social-activation'), (SELECT id FROM authority WHERE code = 'spp-is'),
  'Plan clusters pour petits CPAS 2015', 'Clusterplan voor kleine OCMW''s 2015', 'Continuation of existing clusters selected by the Minister.',
  '2015-01-01', '2015-12-31', 200000.00, 1, 'At most 10,000 EUR per cluster.', (SELECT id FROM source WHERE code = 'spp-is-2015')),
 ('actiris-cpas-2022-2027', (SELECT id FROM policy WHERE code = 'actiris-cpas-partnership'), (SELECT id FROM authority WHERE code = 'actiris'),
  'Cadre de partenariat Actiris – CPAS bruxellois 2022-2027', 'Partnerschapskader Actiris – Brusselse OCMW''s 2022-2027', 'Financial support to the CPAS for two support axes; output indicator of 600 actions per subsidised FTE (150 files x 4 actions); evaluation after two years.',
  '2022-01-01', '2027-12-31', NULL, 1, 'Avoid double follow-up and double financing; some earlier frameworks were co-funded by the ESF.', (SELECT id FROM source WHERE code = 'actiris-cpas-2022')),
 ('mutualisations-anm-2024', (SELECT id FROM policy WHERE code = 'non-profit-employment'), (SELECT id FROM authority WHERE code = 'cocof'),
  'Appel à projets « Mutualisations ANM 2024-2025 »', 'Projectoproep "Mutualiseringen NPA 2024-2025"', 'Joint COCOF-COCOM call supporting pooled functions between non-profit organisations.',
  '2024-01-01', '2025-12-31', NULL, 1, 'Deadlines: 1 April 2024 and 25 April 2024.', (SELECT id FROM source WHERE code = 'mutualisations-anm')),
 ('cracs-subsidy', (SELECT id FROM policy WHERE code = 'cohesion-decree-2018'), (SELECT id FROM authority WHERE code = 'cocof'),
  'Subvention du Centre régional d''appui en cohésion sociale (CRACS)', 'Subsidie van het Regionaal Steuncentrum voor Sociale Cohesie', 'Annual evaluation report, data collection, analysis grids, support to local coordinations.',
  '2024-01-01', NULL, 259000.00, 1, 'At least 60% of the budget on salaries.', (SELECT id FROM source WHERE code = 'cracs-call'));

INSERT INTO programme_axis (programme_id, code, name_fr, name_nl)
 SELECT p.id, a.code, a.fr, a.nl FROM (VALUES
  ('cohesion-2024-2028', '1', 'Soutien et accompagnement à la scolarité', 'Schoolondersteuning en -begeleiding'),
  ('cohesion-2024-2028', '2', 'Français langue étrangère et alphabétisation', 'Frans als vreemde taal en alfabetisering'),
  ('cohesion-2024-2028', '3', 'Accueil et citoyenneté des primo-arrivants', 'Onthaal en burgerschap van nieuwkomers'),
  ('cohesion-2024-2028', '4', 'Vivre ensemble', 'Samenleven'),
  ('clss-brabant', '1', 'Accès aux services sociaux et de santé existants', 'Toegang tot bestaande sociale en gezondheidsdiensten'),
  ('clss-brabant', '2', 'Prévenir la perte de logement et les expulsions', 'Woningverlies en uithuiszettingen voorkomen'),
  ('clss-colignon', '1', 'Accès aux services sociaux et de santé existants', 'Toegang tot bestaande sociale en gezondheidsdiensten'),
  ('clss-colignon', '2', 'Prévenir la perte de logement et les expulsions', 'Woningverlies en uithuiszettingen voorkomen'),
  ('actiris-cpas-2022-2027', '1', 'Accompagnement vers l''insertion socioprofessionnelle des bénéficiaires du RIS', 'Begeleiding naar socio-professionele inschakeling van leefloongerechtigden'),
  ('actiris-cpas-2022-2027', '2', 'Transition vers l''emploi au terme d''un emploi d''insertion (art. 60)', 'Overgang naar werk na een inschakelingsbaan (art. 60)'),
  ('mutualisations-anm-2024', '1', 'Fonctions support mutualisées', 'Gedeelde ondersteunende functies'),
  ('mutualisations-anm-2024', '2', 'Équipes mobiles', 'Mobiele teams'),
  ('mutualisations-anm-2024', '3', 'Groupements d''employeurs', 'Werkgeversgroeperingen'),
  ('mutualisations-anm-2024', '4', 'Travail en réseau', 'Netwerkwerking'),
  ('mutualisations-anm-2024', '5', 'Regroupement physique', 'Fysieke hergroepering'),
  ('mutualisations-anm-2024', '6', 'Centrales d''achat', 'Aankoopcentrales')) AS a(prog, code, fr, nl)
 JOIN programme p ON p.code = a.prog;

INSERT INTO programme_territory (programme_id, territory_id)
 SELECT p.id, t.id FROM (VALUES ('clss-brabant', 'clss-brabant'), ('clss-colignon', 'clss-colignon'), ('actiris-cpas-2022-2027', 'BXL'),
   ('cohesion-2024-2028', 'BXL'), ('mutualisations-anm-2024', 'BXL'), ('cracs-subsidy', 'BXL')) AS x(p, t)
 JOIN programme p ON p.code = x.p JOIN territory t ON t.code = x.t;

-- Operators -------------------------------------------------------------------------------
-- Organisations named in the CASS 2022 report (real; enterprise numbers not in the document).
INSERT INTO operator (name, legal_form_id, kind, languages, seat_commune_id, description, source_id)
 SELECT o.name, (SELECT id FROM legal_form WHERE code = o.lf), o.kind, o.lang::text[], (SELECT id FROM territory WHERE code = '21015'), o.descr, (SELECT id FROM source WHERE code = 'cass-2022')
 FROM (VALUES
  ('CPAS de Schaerbeek', 'cpas', 'public', '{fr,nl}', 'Public social-welfare centre; partner of the CASS.'),
  ('Coordination Sociale de Schaerbeek', 'unknown', 'associative', '{fr}', 'Coordination of the social services, associations and permanent-education movements of Schaerbeek since 1982; partner of the CASS.'),
  ('Commune de Schaerbeek', 'commune', 'public', '{fr,nl}', 'Includes the urban prevention programme and Soleil du Nord.'),
  ('RenovaS', 'asbl', 'associative', '{fr}', 'Experienced in calls for projects of sustainable neighbourhood contracts.'),
  ('Lire et Écrire Bruxelles', 'asbl', 'associative', '{fr}', 'Literacy; Centre Alpha Schaerbeek.'),
  ('Mission Locale de Schaerbeek', 'asbl', 'associative', '{fr}', NULL),
  ('Services Sociaux des Quartiers 1030', 'asbl', 'associative', '{fr}', NULL),
  ('Mutualité Chrétienne', 'mutualite', 'associative', '{fr,nl}', NULL),
  ('CABAN', 'asbl', 'associative', '{fr}', NULL),
  ('Wijkpartenariaat – De Schakel', 'asbl', 'associative', '{nl}', NULL),
  ('Fobagra', 'asbl', 'associative', '{fr}', NULL),
  ('Partenamut', 'mutualite', 'associative', '{fr,nl}', NULL),
  ('SSM ANAIS', 'asbl', 'associative', '{fr}', 'Mental-health service.'),
  ('Maison médicale du Nord', 'asbl', 'associative', '{fr}', NULL)) AS o(name, lf, kind, lang, descr);
-- The other members of the Coordination Sociale de Schaerbeek (CASS 2022 report, annex 2).
-- Their legal form is not in the document unless their name gives it.
INSERT INTO operator (name, legal_form_id, kind, languages, seat_commune_id, description, source_id)
 SELECT o.name, (SELECT id FROM legal_form WHERE code = o.lf), o.kind, o.lang::text[], (SELECT id FROM territory WHERE code = '21015'),
  'Member of the Coordination Sociale de Schaerbeek.', (SELECT id FROM source WHERE code = 'cass-2022')
 FROM (VALUES
  ('Agentschap Integratie en Inburgering', 'unknown', 'public', '{nl}'),
  ('Amnesty International – Section Schaerbeek', 'unknown', 'associative', '{fr}'),
  ('AMOS', 'unknown', 'associative', '{fr}'),
  ('APAJ', 'asbl', 'associative', '{fr}'),
  ('Atmosphère AMO', 'unknown', 'associative', '{fr}'),
  ('Atout Couleur (crèche)', 'unknown', 'associative', '{fr}'),
  ('Centre PMS Schaerbeek', 'unknown', 'public', '{fr}'),
  ('Croix-Rouge – Section Schaerbeek', 'unknown', 'associative', '{fr}'),
  ('CSC 1030', 'unknown', 'associative', '{fr}'),
  ('Episol', 'unknown', 'associative', '{fr}'),
  ('FEZA – Femmes Épanouies et Actives', 'unknown', 'associative', '{fr}'),
  ('GAFFI', 'unknown', 'associative', '{fr}'),
  ('Genres Pluriels', 'asbl', 'associative', '{fr}'),
  ('La Gerbe SSM – Mémoire Vivante', 'unknown', 'associative', '{fr}'),
  ('Groupe Santé Josaphat', 'asbl', 'associative', '{fr}'),
  ('Harmonisation Sociale Schaerbeekoise', 'unknown', 'associative', '{fr}'),
  ('Le Figuier', 'unknown', 'associative', '{fr}'),
  ('Liens de Quartier Petite Enfance', 'unknown', 'associative', '{fr}'),
  ('Lire et Écrire Zone Nord-Est', 'unknown', 'associative', '{fr}'),
  ('Maison des Femmes', 'unknown', 'associative', '{fr}'),
  ('Maison des Médiations – Commune de Schaerbeek', 'commune', 'public', '{fr,nl}'),
  ('Maison médicale Alpha Santé', 'unknown', 'associative', '{fr}'),
  ('Maison médicale Aster', 'unknown', 'associative', '{fr}'),
  ('Maison médicale Cassiopée', 'unknown', 'associative', '{fr}'),
  ('Maison médicale La Clé', 'unknown', 'associative', '{fr}'),
  ('Maison médicale Le Noyer', 'unknown', 'associative', '{fr}'),
  ('Maison médicale Neptune', 'unknown', 'associative', '{fr}'),
  ('Maison médicale Santé et Bien Être', 'unknown', 'associative', '{fr}'),
  ('Maison médicale des Palais', 'unknown', 'associative', '{fr}'),
  ('Maison Biloba Huis', 'unknown', 'associative', '{fr,nl}'),
  ('Le Méridien', 'unknown', 'associative', '{fr}'),
  ('MOC Schaerbeek', 'unknown', 'associative', '{fr}'),
  ('Mutualité Socialiste du Brabant', 'mutualite', 'associative', '{fr}'),
  ('Mutualité Saint-Michel – Service social', 'mutualite', 'associative', '{fr}'),
  ('ONE – Consultation', 'unknown', 'public', '{fr}'),
  ('P. F. Bureaux de Quartiers', 'unknown', 'associative', '{fr}'),
  ('Promotion de l''Emploi', 'unknown', 'associative', '{fr}'),
  ('Rezo Santé 1030 – Jeune Enfance et Parentalité', 'unknown', 'associative', '{fr}'),
  ('Riga Solidaire', 'unknown', 'associative', '{fr}'),
  ('SeTIS Bruxelles', 'unknown', 'associative', '{fr}'),
  ('Société Saint-Vincent de Paul', 'unknown', 'associative', '{fr}'),
  ('Union des Locataires de Schaerbeek', 'unknown', 'associative', '{fr}'),
  ('VIA – Bureau d''Accueil Primo-Arrivants', 'unknown', 'associative', '{fr,nl}')) AS o(name, lf, kind, lang);

-- Invented organisations with valid (mod-97) but fictitious enterprise numbers.
INSERT INTO operator (enterprise_number, name, legal_form_id, kind, languages, street, postcode, seat_commune_id, description, fictitious, source_id)
 SELECT o.num, o.name, (SELECT id FROM legal_form WHERE code = 'asbl'), 'associative', o.lang::text[], o.street, o.pc, (SELECT id FROM territory WHERE code = o.nis), 'Invented for the demo.', true, (SELECT id FROM source WHERE code = 'illustrative')
 FROM (VALUES
  ('0999000129', 'École de devoirs Les Colibris (fictif)', '{fr}', 'Rue Fictive 1', '1030', '21015'),
  ('0999000228', 'Alpha Josaphat (fictif)', '{fr,nl}', 'Rue Fictive 2', '1030', '21015'),
  ('0999000327', 'Maison de quartier Brabant (fictif)', '{fr}', 'Rue Fictive 3', '1030', '21015'),
  ('1999000447', 'Accueil Nouveaux Bruxellois (fictif)', '{fr,nl,en}', 'Rue Fictive 4', '1210', '21014'),
  -- More homework schools approved for axis 1, so that the 2025 reporting campaign shows a
  -- report in every state of the cycle.
  ('0999000624', 'École de devoirs Le Baobab (fictif)', '{fr}', 'Rue Fictive 6', '1030', '21015'),
  ('0999000723', 'Soutien scolaire Helmet (fictif)', '{fr,nl}', 'Rue Fictive 7', '1030', '21015'),
  ('0999000822', 'Devoirs et Découvertes (fictif)', '{fr}', 'Rue Fictive 8', '1030', '21015'),
  ('0999000921', 'Les Petits Savants (fictif)', '{fr}', 'Rue Fictive 9', '1030', '21015'),
  ('0999001020', 'Le Cartable de Saint-Josse (fictif)', '{fr,nl}', 'Rue Fictive 10', '1210', '21014'),
  ('0999001119', 'Rue des Devoirs (fictif)', '{fr}', 'Rue Fictive 11', '1210', '21014'),
  ('0999001218', 'Maison des Devoirs Madou (fictif)', '{fr}', 'Rue Fictive 12', '1210', '21014')) AS o(num, name, lang, street, pc, nis);
-- The activity sites of Les Colibris: as an axis-1 operator with two sites, it answers part B
-- of its yearly report once per site.
INSERT INTO operator_site (operator_id, code, name, street, postcode, commune_id, source_id)
 SELECT o.id, x.code, x.name, x.street, '1030', (SELECT id FROM territory WHERE code = '21015'), (SELECT id FROM source WHERE code = 'illustrative')
 FROM (VALUES ('colibris-josaphat', 'Antenne Josaphat', 'Rue Fictive 1'), ('colibris-helmet', 'Antenne Helmet', 'Rue Fictive 13')) AS x(code, name, street)
 JOIN operator o ON o.name = 'École de devoirs Les Colibris (fictif)';

INSERT INTO operator_territory (operator_id, territory_id)
 SELECT o.id, t.id FROM operator o JOIN territory t ON t.code = '21015' WHERE o.seat_commune_id = (SELECT id FROM territory WHERE code = '21015');
INSERT INTO operator_territory (operator_id, territory_id)
 SELECT o.id, t.id FROM operator o, territory t
 WHERE (o.name, t.code) IN (('Maison de quartier Brabant (fictif)', 'clss-brabant'), ('Accueil Nouveaux Bruxellois (fictif)', '21014'), ('Accueil Nouveaux Bruxellois (fictif)', '21015'),
   ('Le Cartable de Saint-Josse (fictif)', '21014'), ('Rue des Devoirs (fictif)', '21014'), ('Maison des Devoirs Madou (fictif)', '21014'));
INSERT INTO operator_sector (operator_id, sector_id)
 SELECT o.id, s.id FROM (VALUES
  ('CPAS de Schaerbeek', 'social_action'), ('CPAS de Schaerbeek', 'employment'), ('Coordination Sociale de Schaerbeek', 'social_action'),
  ('RenovaS', 'housing'), ('Lire et Écrire Bruxelles', 'education'), ('Mission Locale de Schaerbeek', 'employment'),
  ('Services Sociaux des Quartiers 1030', 'social_action'), ('Mutualité Chrétienne', 'health'), ('Partenamut', 'health'),
  ('SSM ANAIS', 'health'), ('Maison médicale du Nord', 'health'),
  ('École de devoirs Les Colibris (fictif)', 'youth'), ('École de devoirs Les Colibris (fictif)', 'education'),
  ('Alpha Josaphat (fictif)', 'education'), ('Maison de quartier Brabant (fictif)', 'social_action'), ('Accueil Nouveaux Bruxellois (fictif)', 'social_action'),
  ('École de devoirs Le Baobab (fictif)', 'youth'), ('Soutien scolaire Helmet (fictif)', 'education'), ('Devoirs et Découvertes (fictif)', 'youth'),
  ('Les Petits Savants (fictif)', 'education'), ('Le Cartable de Saint-Josse (fictif)', 'education'), ('Rue des Devoirs (fictif)', 'youth'),
  ('Maison des Devoirs Madou (fictif)', 'education')) AS x(o, s)
 JOIN operator o ON o.name = x.o JOIN sector s ON s.code = x.s;

-- Approvals and projects (illustrative unless the source says otherwise) -------------------
INSERT INTO approval (operator_id, programme_id, axis_id, start_date, end_date, status, decision_date, source_id)
 SELECT o.id, p.id, a.id, '2024-01-01', '2028-12-31', 'granted', '2023-12-01', (SELECT id FROM source WHERE code = 'illustrative')
 FROM (VALUES ('École de devoirs Les Colibris (fictif)', '1'), ('Alpha Josaphat (fictif)', '2'), ('Accueil Nouveaux Bruxellois (fictif)', '3'), ('Maison de quartier Brabant (fictif)', '4'),
   ('École de devoirs Le Baobab (fictif)', '1'), ('Soutien scolaire Helmet (fictif)', '1'), ('Devoirs et Découvertes (fictif)', '1'), ('Les Petits Savants (fictif)', '1'),
   ('Le Cartable de Saint-Josse (fictif)', '1'), ('Rue des Devoirs (fictif)', '1'), ('Maison des Devoirs Madou (fictif)', '1')) AS x(o, axis)
 JOIN operator o ON o.name = x.o JOIN programme p ON p.code = 'cohesion-2024-2028' JOIN programme_axis a ON a.programme_id = p.id AND a.code = x.axis;
INSERT INTO approval (operator_id, programme_id, start_date, end_date, status, source_id)
 SELECT o.id, p.id, p.start_date, p.end_date, 'granted', (SELECT id FROM source WHERE code = 'illustrative')
 FROM operator o, programme p WHERE o.name = 'CPAS de Schaerbeek' AND p.code IN ('actiris-cpas-2022-2027', 'social-activation-2015');

INSERT INTO project (code, operator_id, programme_id, axis_id, territory_id, title, description, start_date, end_date, budget, source_id)
 SELECT x.code, o.id, p.id, a.id, t.id, x.title, x.descr, x.sd::date, x.ed::date, x.budget, (SELECT id FROM source WHERE code = 'illustrative')
 FROM (VALUES
  ('demo-colibris-2024', 'École de devoirs Les Colibris (fictif)', 'cohesion-2024-2028', '1', '21015', 'École de devoirs du Colibri', 'Homework support for primary-school pupils.', '2024-01-01', '2028-12-31', 48000.00),
  ('demo-alpha-2024', 'Alpha Josaphat (fictif)', 'cohesion-2024-2028', '2', '21015', 'Cours d''alphabétisation pour adultes', 'Literacy and French for adults.', '2024-01-01', '2028-12-31', 62500.00),
  ('demo-anb-2024', 'Accueil Nouveaux Bruxellois (fictif)', 'cohesion-2024-2028', '3', '21014', 'Permanence sociojuridique', 'Socio-legal help desk for newcomers.', '2024-01-01', '2028-12-31', 39000.00),
  ('demo-brabant-access', 'Maison de quartier Brabant (fictif)', 'clss-brabant', '1', 'clss-brabant', 'Point d''accès aux droits Brabant', 'Help with online procedures and access to services.', '2022-09-01', '2025-12-31', 110000.00),
  ('demo-brabant-housing', 'Maison de quartier Brabant (fictif)', 'clss-brabant', '2', 'clss-brabant', 'Prévention des expulsions', 'Early support to tenants at risk of eviction.', '2022-09-01', '2025-12-31', 90000.00),
  ('demo-cpas-isp', 'CPAS de Schaerbeek', 'actiris-cpas-2022-2027', '1', '21015', 'Accompagnement ISP des bénéficiaires du RIS', 'Axis 1 of the Actiris partnership (illustrative budget).', '2022-01-01', '2027-12-31', 750000.00),
  ('demo-cpas-activation', 'CPAS de Schaerbeek', 'social-activation-2015', NULL, '21015', 'Activation sociale 2015', 'Social assessments and PIIS paths (illustrative figures).', '2015-01-01', '2015-12-31', 210000.00)
 ) AS x(code, o, prog, axis, terr, title, descr, sd, ed, budget)
 JOIN operator o ON o.name = x.o JOIN programme p ON p.code = x.prog JOIN territory t ON t.code = x.terr
 LEFT JOIN programme_axis a ON a.programme_id = p.id AND a.code = x.axis;
INSERT INTO project_theme (project_id, theme_id)
 SELECT p.id, t.id FROM (VALUES ('demo-colibris-2024', 'school_support'), ('demo-colibris-2024', 'youth'), ('demo-alpha-2024', 'literacy_fle'),
   ('demo-anb-2024', 'newcomers'), ('demo-brabant-access', 'digital_exclusion'), ('demo-brabant-access', 'health_access'),
   ('demo-brabant-housing', 'housing'), ('demo-cpas-isp', 'employment'), ('demo-cpas-activation', 'social_activation')) AS x(p, t)
 JOIN project p ON p.code = x.p JOIN theme t ON t.code = x.t;
INSERT INTO project_target_public (project_id, target_public_id)
 SELECT p.id, t.id FROM (VALUES ('demo-colibris-2024', 'children'), ('demo-alpha-2024', 'newcomers'), ('demo-anb-2024', 'newcomers'),
   ('demo-brabant-access', 'ris_beneficiaries'), ('demo-brabant-housing', 'families'), ('demo-cpas-isp', 'ris_beneficiaries'),
   ('demo-cpas-isp', 'job_seekers'), ('demo-cpas-activation', 'ris_beneficiaries')) AS x(p, t)
 JOIN project p ON p.code = x.p JOIN target_public t ON t.code = x.t;
INSERT INTO project_partner (project_id, operator_id)
 SELECT p.id, o.id FROM (VALUES ('demo-brabant-access', 'CPAS de Schaerbeek'), ('demo-brabant-housing', 'Alpha Josaphat (fictif)'), ('demo-alpha-2024', 'École de devoirs Les Colibris (fictif)')) AS x(p, o)
 JOIN project p ON p.code = x.p JOIN operator o ON o.name = x.o;

-- The CASS of Schaerbeek (CASS 2022 report) -----------------------------------------------
INSERT INTO coordination (code, name, acronym, territory_id, lead_operator_id, description, source_id) VALUES
 ('cass-schaerbeek', 'Coordination de l''Action Sociale de Schaerbeek', 'CASS', (SELECT id FROM territory WHERE code = '21015'), (SELECT id FROM operator WHERE name = 'CPAS de Schaerbeek'),
  'Partnership between the CPAS and the Coordination Sociale de Schaerbeek. In 2022 its meetings (CLSS excluded) brought together more than 70 organisations and more than 300 people. Its directory lists about 350 organisations.',
  (SELECT id FROM source WHERE code = 'cass-2022'));
INSERT INTO coordination (code, name, acronym, territory_id, lead_operator_id, description, source_id) VALUES
 ('css-schaerbeek', 'Coordination Sociale de Schaerbeek', 'CSS', (SELECT id FROM territory WHERE code = '21015'), (SELECT id FROM operator WHERE name = 'Coordination Sociale de Schaerbeek'),
  'Coordination of the social services and associations of Schaerbeek, recreated in 1982; with the CPAS it forms the CASS.', (SELECT id FROM source WHERE code = 'cass-2022'));
-- The CASS has no members as such: it is an association de fait between its two partners.
INSERT INTO coordination_member (coordination_id, operator_id)
 SELECT c.id, o.id FROM coordination c, operator o
 WHERE c.code = 'cass-schaerbeek' AND o.name IN ('CPAS de Schaerbeek', 'Coordination Sociale de Schaerbeek');
-- The members of the CSS listed in annex 2 (Soleil du Nord belongs to the commune's
-- prevention service, hence the Commune de Schaerbeek).
INSERT INTO coordination_member (coordination_id, operator_id)
 SELECT c.id, o.id FROM coordination c, operator o
 WHERE c.code = 'css-schaerbeek' AND o.source_id = (SELECT id FROM source WHERE code = 'cass-2022')
   AND o.name NOT IN ('CPAS de Schaerbeek', 'Coordination Sociale de Schaerbeek', 'Lire et Écrire Bruxelles', 'Fobagra', 'CABAN', 'Mutualité Chrétienne');
INSERT INTO working_group (coordination_id, kind, name, theme_id, description, source_id)
 SELECT c.id, x.kind, x.name, (SELECT id FROM theme WHERE code = x.theme), x.descr, (SELECT id FROM source WHERE code = 'cass-2022')
 FROM coordination c, (VALUES
  ('steering_committee', 'Comité de pilotage de la CASS', NULL, 'Equal numbers of representatives of the CPAS and of the bureau of the CSS; meets at least six times a year and decides by strong consensus.'),
  ('working_group', 'GT Exclusion Numérique 1030', 'digital_exclusion', 'Born in 2021: diagnosis of digital exclusion, recommendations, social monitoring.'),
  ('working_group', 'GT Seniors', 'seniors', 'Active since 2013; about ten organisations for older people; met about once a quarter.')) AS x(kind, name, theme, descr)
 WHERE c.code = 'cass-schaerbeek';
INSERT INTO working_group_member (working_group_id, operator_id)
 SELECT w.id, o.id FROM (VALUES
  ('GT Exclusion Numérique 1030', 'CPAS de Schaerbeek'), ('GT Exclusion Numérique 1030', 'Commune de Schaerbeek'), ('GT Exclusion Numérique 1030', 'RenovaS'),
  ('GT Exclusion Numérique 1030', 'Mutualité Chrétienne'), ('GT Exclusion Numérique 1030', 'Lire et Écrire Bruxelles'), ('GT Exclusion Numérique 1030', 'Wijkpartenariaat – De Schakel'),
  ('GT Exclusion Numérique 1030', 'CABAN'), ('GT Exclusion Numérique 1030', 'Mission Locale de Schaerbeek'), ('GT Exclusion Numérique 1030', 'Services Sociaux des Quartiers 1030'),
  ('GT Exclusion Numérique 1030', 'Fobagra'),
  -- Annex 1: four representatives of the CPAS and four members of the bureau of the CSS.
  ('Comité de pilotage de la CASS', 'CPAS de Schaerbeek'), ('Comité de pilotage de la CASS', 'GAFFI'), ('Comité de pilotage de la CASS', 'AMOS'),
  ('Comité de pilotage de la CASS', 'Amnesty International – Section Schaerbeek'), ('Comité de pilotage de la CASS', 'Services Sociaux des Quartiers 1030')) AS x(w, o)
 JOIN working_group w ON w.name = x.w JOIN operator o ON o.name = x.o;
-- Meetings in 2022: the report gives counts (steering committee 5, GT Exclusion Numérique 22)
-- and the months of the GT Seniors meetings, not dates.
INSERT INTO meeting (working_group_id, year, note, source_id)
 SELECT w.id, 2022, x.note, (SELECT id FROM source WHERE code = 'cass-2022')
 FROM working_group w JOIN (SELECT 'Comité de pilotage de la CASS' AS w, NULL AS note FROM generate_series(1, 5)
   UNION ALL SELECT 'GT Exclusion Numérique 1030', NULL FROM generate_series(1, 22)
   UNION ALL SELECT 'GT Seniors', m FROM unnest(ARRAY['mars', 'mai', 'septembre', 'décembre']) AS m) AS x ON x.w = w.name;
-- Monthly visits of Schaerbeek organisations in 2022, with their participants; the report
-- says they take place in the last week of the month, so dates are the month's last day.
INSERT INTO event (coordination_id, title, held_on, organiser_id, territory_id, participant_count, description, source_id)
 SELECT c.id, x.title, x.d::date, (SELECT id FROM operator WHERE name = x.host), (SELECT id FROM territory WHERE code = '21015'), x.n, x.descr, (SELECT id FROM source WHERE code = 'cass-2022')
 FROM coordination c, (VALUES
  ('Visite : Lire et Écrire Bruxelles – Centre Alpha Schaerbeek', '2022-03-31', 'Lire et Écrire Bruxelles', 13, 'Monthly visit; date approximate (last week of the month).'),
  ('Visite : Centre Benenson', '2022-04-30', NULL, 10, 'Monthly visit; date approximate (last week of the month).'),
  ('Visite : SSM ANAIS', '2022-06-30', 'SSM ANAIS', 12, 'Monthly visit; date approximate (last week of the month).'),
  ('Visite : Centre Hospitalier Jean Titeca', '2022-09-30', NULL, 17, 'Monthly visit; date approximate (last week of the month).'),
  ('Visite : Partenamut', '2022-10-31', 'Partenamut', 10, 'Monthly visit; date approximate (last week of the month).'),
  ('Visite : RIGA Habitation Solidaire et Inclusif', '2022-11-30', NULL, 17, 'Monthly visit; date approximate (last week of the month).'),
  ('Visite : Soleil du Nord', '2022-12-31', 'Commune de Schaerbeek', 28, 'Monthly visit; date approximate (last week of the month).'),
  ('Matinée du GT Exclusion Numérique : « Enter ou Delete, qui reste sur la touche ? »', '2022-06-02', 'CPAS de Schaerbeek', NULL, 'Role play, findings and recommendations of the GT.'),
  ('Présentation des deux Focus de l''Observatoire du social du CPAS', '2022-05-19', 'CPAS de Schaerbeek', 12, '12 people present, 6 organisations represented.')) AS x(title, d, host, n, descr)
 WHERE c.code = 'cass-schaerbeek';
UPDATE event SET theme_id = (SELECT id FROM theme WHERE code = 'digital_exclusion') WHERE title LIKE 'Matinée du GT Exclusion%';
INSERT INTO event_organisation (event_id, operator_id)
 SELECT e.id, e.organiser_id FROM event e WHERE e.organiser_id IS NOT NULL;

-- Indicators --------------------------------------------------------------------------------
-- The 2015 social-activation objectives grid (seed 002), with its hierarchy 2 -> 2.1, 2.2, 2.3.
INSERT INTO indicator (code, programme_id, label_fr, label_nl, unit, aggregation, source_id)
 SELECT x.code, (SELECT id FROM programme WHERE code = 'social-activation-2015'), x.fr, x.nl, 'persons', 'sum', (SELECT id FROM source WHERE code = 'spp-is-2015')
 FROM (VALUES
  ('sa2015.1', 'Nombre total de bénéficiaires pour qui un bilan social est/sera réalisé', 'Totaal aantal begunstigden voor wie een sociale balans wordt opgemaakt'),
  ('sa2015.2', 'Nombre total de bénéficiaires en parcours d''activation sociale via un PIIS', 'Totaal aantal begunstigden in een traject van sociale activering via een GPMI'),
  ('sa2015.2.1', 'Via un PIIS qui prépare à un parcours socioprofessionnel', 'Via een GPMI dat voorbereidt op een socio-professioneel traject'),
  ('sa2015.2.2', 'Via un PIIS visant la participation à des ateliers ou modules de dynamisation/socialisation', 'Via een GPMI gericht op deelname aan workshops of modules'),
  ('sa2015.2.3', 'Via un PIIS visant les services communautaires ou le volontariat', 'Via een GPMI gericht op gemeenschapsdienst of vrijwilligerswerk')) AS x(code, fr, nl);
UPDATE indicator SET parent_id = (SELECT id FROM indicator WHERE code = 'sa2015.2') WHERE code IN ('sa2015.2.1', 'sa2015.2.2', 'sa2015.2.3');
-- The Actiris-CPAS output indicator (seed 003): 600 actions per subsidised FTE.
INSERT INTO indicator (code, programme_id, label_fr, label_nl, description, unit, aggregation, source_id) VALUES
 ('actiris.actions', (SELECT id FROM programme WHERE code = 'actiris-cpas-2022-2027'), 'Actions réalisées avec les chercheurs d''emploi', 'Acties met werkzoekenden', 'Both support axes, without distinction.', 'actions', 'sum', (SELECT id FROM source WHERE code = 'actiris-cpas-2022')),
 ('actiris.fte', (SELECT id FROM programme WHERE code = 'actiris-cpas-2022-2027'), 'ETP subventionnés', 'Gesubsidieerde VTE', NULL, 'fte', 'sum', (SELECT id FROM source WHERE code = 'actiris-cpas-2022')),
 ('actiris.files_per_fte', (SELECT id FROM programme WHERE code = 'actiris-cpas-2022-2027'), 'Dossiers par ETP subventionné', 'Dossiers per gesubsidieerde VTE', '150 files per FTE, 4 actions each.', 'files', 'average', (SELECT id FROM source WHERE code = 'actiris-cpas-2022'));
INSERT INTO indicator (code, programme_id, label_fr, label_nl, description, unit, aggregation, numerator_id, denominator_id, source_id) VALUES
 ('actiris.actions_per_fte', (SELECT id FROM programme WHERE code = 'actiris-cpas-2022-2027'), 'Actions par ETP subventionné', 'Acties per gesubsidieerde VTE', 'Output indicator used to compute the subsidy: 600 actions per subsidised FTE.', 'actions', 'ratio',
  (SELECT id FROM indicator WHERE code = 'actiris.actions'), (SELECT id FROM indicator WHERE code = 'actiris.fte'), (SELECT id FROM source WHERE code = 'actiris-cpas-2022'));
-- What the axis-1 yearly report counts in part B. No document gives the indicators of the
-- 2024-2028 programme, so this one is illustrative.
INSERT INTO indicator (code, programme_id, label_fr, label_nl, description, unit, aggregation, source_id) VALUES
 ('cohesion.axis1.pupils', (SELECT id FROM programme WHERE code = 'cohesion-2024-2028'), 'Enfants et jeunes accompagnés en soutien scolaire', 'Kinderen en jongeren begeleid in schoolondersteuning',
  'Pupils registered in the approved school-support activities during the year, per activity site.', 'persons', 'sum', (SELECT id FROM source WHERE code = 'illustrative'));
-- The digital-exclusion monitoring of the GT Exclusion Numérique 1030 (seed 001).
INSERT INTO indicator (code, label_fr, label_nl, description, unit, aggregation, source_id) VALUES
 ('cass.digital.forms', 'Formulaires de monitoring collectés', 'Verzamelde monitoringformulieren', 'Online procedures done by social workers on behalf of citizens.', 'count', 'sum', (SELECT id FROM source WHERE code = 'cass-2022')),
 ('cass.digital.minutes', 'Durée moyenne d''une démarche en ligne « à la place de »', 'Gemiddelde duur van een onlineprocedure "in de plaats van"', NULL, 'minutes', 'average', (SELECT id FROM source WHERE code = 'cass-2022')),
 ('cass.digital.not_completed', 'Part des démarches en ligne qui n''ont pas pu aboutir', 'Aandeel onlineprocedures die niet konden worden afgerond', 'The report gives the share only, not the counts.', 'percent', 'average', (SELECT id FROM source WHERE code = 'cass-2022')),
 ('ris_per_1000', 'Bénéficiaires du revenu d''intégration pour 1 000 habitants', 'Leefloongerechtigden per 1 000 inwoners', 'Commune-level need indicator.', 'per_mille', 'average', (SELECT id FROM source WHERE code = 'cbcs-pssi'));

-- Observations ------------------------------------------------------------------------------
INSERT INTO observation (indicator_id, project_id, period_start, period_end, granularity, kind, value, note, source_id)
 SELECT i.id, p.id, '2015-01-01', '2015-12-31', 'year', x.kind, x.v, 'Illustrative: the grid of the source has no figures.', (SELECT id FROM source WHERE code = 'illustrative')
 FROM (VALUES ('sa2015.1', 'target', 400), ('sa2015.1', 'realised', 362), ('sa2015.2', 'target', 150), ('sa2015.2', 'realised', 171),
   ('sa2015.2.1', 'target', 60), ('sa2015.2.1', 'realised', 74), ('sa2015.2.2', 'target', 70), ('sa2015.2.2', 'realised', 68),
   ('sa2015.2.3', 'target', 20), ('sa2015.2.3', 'realised', 29)) AS x(code, kind, v)
 JOIN indicator i ON i.code = x.code JOIN project p ON p.code = 'demo-cpas-activation';
INSERT INTO observation (indicator_id, operator_id, period_start, period_end, granularity, kind, value, note, source_id)
 SELECT i.id, o.id, '2022-01-01', '2027-12-31', 'range', 'target', x.v, x.note, (SELECT id FROM source WHERE code = 'actiris-cpas-2022')
 FROM (VALUES ('actiris.actions_per_fte', 600, 'Target of the framework for every subsidised FTE.'), ('actiris.files_per_fte', 150, 'Target of the framework: 150 files x 4 actions.')) AS x(code, v, note)
 JOIN indicator i ON i.code = x.code JOIN operator o ON o.name = 'CPAS de Schaerbeek';
INSERT INTO observation (indicator_id, coordination_id, period_start, period_end, granularity, kind, value, note, source_id)
 SELECT i.id, c.id, '2022-01-01', '2022-12-31', 'year', 'realised', x.v, x.note, (SELECT id FROM source WHERE code = 'cass-2022')
 FROM (VALUES ('cass.digital.forms', 400, 'The report says "more than 400".'), ('cass.digital.minutes', 24, NULL), ('cass.digital.not_completed', 27, 'More than one online file in four.')) AS x(code, v, note)
 JOIN indicator i ON i.code = x.code JOIN coordination c ON c.code = 'cass-schaerbeek';
INSERT INTO observation (indicator_id, territory_id, period_start, period_end, granularity, kind, value, source_id)
 SELECT i.id, t.id, (x.y || '-01-01')::date, (x.y || '-12-31')::date, 'year', 'baseline', x.v, (SELECT id FROM source WHERE code = 'cbcs-pssi')
 FROM (VALUES ('BXL', 2016, 29.58), ('BXL', 2024, 37.63), ('21014', 2016, 71.09), ('21014', 2024, 82.90), ('21019', 2016, 11.53), ('21019', 2024, 12.57)) AS x(t, y, v)
 JOIN indicator i ON i.code = 'ris_per_1000' JOIN territory t ON t.code = x.t;

-- Needs observed on the ground ------------------------------------------------------------------
INSERT INTO need (territory_id, theme_id, target_public_id, period_start, period_end, severity, evidence, source_id)
 SELECT t.id, th.id, tp.id, x.sd::date, x.ed::date, x.sev, x.ev, (SELECT id FROM source WHERE code = x.src)
 FROM (VALUES
  ('21015', 'digital_exclusion', 'social_workers', '2022-01-01', '2022-12-31', 3, 'Monitoring of 400+ online procedures: 24 minutes on average, 27% could not be completed.', 'cass-2022'),
  ('clss-brabant', 'housing', 'families', '2022-01-01', '2025-12-31', 3, 'CLSS objective: prevent housing loss and evictions, support re-housing.', 'clss-1030'),
  ('clss-colignon', 'health_access', NULL, '2022-01-01', '2025-12-31', 3, 'CLSS objective: access to existing social and health services.', 'clss-1030'),
  ('21014', 'social_activation', 'ris_beneficiaries', '2024-01-01', '2024-12-31', 4, '82.90 RIS beneficiaries per 1,000 inhabitants in 2024, against 37.63 in the region.', 'cbcs-pssi'),
  ('21015', 'seniors', 'seniors', '2022-01-01', '2022-12-31', 2, 'The 5,500 copies of the seniors guide are nearly exhausted; an update is requested.', 'cass-2022'),
  ('21015', 'mental_health', NULL, '2022-01-01', '2022-12-31', 2, 'Illustrative need for the demo.', 'illustrative')) AS x(t, th, tp, sd, ed, sev, ev, src)
 JOIN territory t ON t.code = x.t JOIN theme th ON th.code = x.th LEFT JOIN target_public tp ON tp.code = x.tp;

-- Transversal links --------------------------------------------------------------------------
INSERT INTO transversal_link (programme_id, policy_id, relation, note, source_id)
 SELECT p.id, pol.id, x.rel, x.note, (SELECT id FROM source WHERE code = x.src)
 FROM (VALUES
  ('actiris-cpas-2022-2027', 'esf-plus', 'double_financing_risk', 'Earlier frameworks were co-funded by the ESF: avoid double financing.', 'actiris-cpas-2022'),
  ('actiris-cpas-2022-2027', 'social-activation', 'double_follow_up_risk', 'The same RIS beneficiaries may be followed under both schemes.', 'actiris-cpas-2022'),
  ('clss-brabant', 'cohesion-decree-2018', 'complementarity', 'Illustrative: neighbourhood actions next to approved social-cohesion operators.', 'illustrative'),
  ('clss-colignon', 'urban-prevention', 'complementarity', 'The PPU takes part in the CASS digital-exclusion group.', 'cass-2022'),
  ('cohesion-2024-2028', 'pssi', 'overlap', 'Illustrative: both address access to rights in the same quartiers.', 'illustrative')) AS x(p, pol, rel, note, src)
 JOIN programme p ON p.code = x.p JOIN policy pol ON pol.code = x.pol;

-- Rules checked by the annual evaluation (migration 20261123000002) -----------------------------
-- Rules are data: each row gives a generic check (its kind) a threshold and a scope, and cites
-- where it comes from. The checks themselves are written once, in internal/store/analysis.go.
INSERT INTO rule (code, label_fr, label_nl, kind, threshold, programme_id, coordination_id, working_group_kind, note, source_id)
 SELECT x.code, x.fr, x.nl, x.kind, x.threshold, (SELECT id FROM programme WHERE code = x.prog), (SELECT id FROM coordination WHERE code = x.coord),
  x.wgk, x.note, (SELECT id FROM source WHERE code = x.src)
 FROM (VALUES
  -- CASS 2022 report, annex 3: statutes, art. 12 (also in the report's presentation of the committee).
  ('cass.steering-committee.min-meetings', 'Le Comité de pilotage se réunit au minimum six fois par an (statuts de la CASS, art. 12).',
   'Het stuurcomité vergadert minstens zes keer per jaar (statuten van de CASS, art. 12).', 'min_meetings_per_year', 6.00::numeric, NULL, 'cass-schaerbeek', 'steering_committee',
   'Counted from the meetings recorded for each year in which the coordination recorded any meeting.', 'cass-2022'),
  -- CASS 2022 report, annex 3: "Règles de fonctionnement", creation of a working group, conditions 1 and 2:
  -- "1. minimum 6 participants, 2. constitution plurielle (minimum deux représentants du CPAS et de l'associatif)".
  ('cass.working-group.min-participants', 'Un groupe de travail compte au minimum 6 participants (règles de fonctionnement de la CASS).',
   'Een werkgroep telt minstens 6 deelnemers (werkingsregels van de CASS).', 'min_group_members', 6.00, NULL, 'cass-schaerbeek', 'working_group',
   'Each participant represents an organisation; the platform records member organisations, so it counts those. A group without recorded members is not judged.', 'cass-2022'),
  ('cass.working-group.min-cpas', 'Constitution plurielle : au minimum deux représentants du CPAS (règles de fonctionnement de la CASS).',
   'Pluralistische samenstelling: minstens twee vertegenwoordigers van het OCMW (werkingsregels van de CASS).', 'min_public_members', 2.00, NULL, 'cass-schaerbeek', 'working_group',
   'The text reads "minimum deux représentants du CPAS et de l''associatif", read here as at least two on each side. The platform records organisations, not people: it counts public member organisations (the CPAS and other public bodies).', 'cass-2022'),
  ('cass.working-group.min-associations', 'Constitution plurielle : au minimum deux représentants de l''associatif (règles de fonctionnement de la CASS).',
   'Pluralistische samenstelling: minstens twee vertegenwoordigers van het verenigingsleven (werkingsregels van de CASS).', 'min_associative_members', 2.00, NULL, 'cass-schaerbeek', 'working_group',
   'The text reads "minimum deux représentants du CPAS et de l''associatif", read here as at least two on each side; associative member organisations are counted.', 'cass-2022'),
  -- SPP Intégration sociale, 2 April 2015: "Clusters - Montant total 2015 : 200.000 € - Par cluster max. 10.000 €".
  ('cluster-plan-2015.max-per-cluster', 'Plan clusters 2015 : par cluster, maximum 10.000 €.', 'Clusterplan 2015: per cluster maximum 10.000 €.',
   'max_project_budget', 10000.00, 'cluster-plan-2015', NULL, NULL, 'Each project of the programme stands for one cluster.', 'spp-is-2015'),
  -- SPP Intégration sociale, 2 April 2015: objective 2 (beneficiaries in a PIIS path) is split into 2.1, 2.2 and 2.3.
  ('social-activation-2015.piis-within-total', 'Activation sociale 2015 : les parcours PIIS 2.1, 2.2 et 2.3 ne dépassent pas le total de l''objectif 2.',
   'Sociale activering 2015: de GPMI-trajecten 2.1, 2.2 en 2.3 overschrijden het totaal van doelstelling 2 niet.', 'children_within_parent', NULL, 'social-activation-2015', NULL, NULL,
   'Compared for the same subject, period, kind (target or realised) and breakdown.', 'spp-is-2015')
 ) AS x(code, fr, nl, kind, threshold, prog, coord, wgk, note, src);

-- An illustrative case of possible double financing, for the funding-overlaps analysis: the
-- documents name no operator funded twice, so this organisation and its two projects are
-- invented (source 'illustrative', fictitious = true).
INSERT INTO operator (enterprise_number, name, legal_form_id, kind, languages, street, postcode, seat_commune_id, description, fictitious, source_id)
 SELECT '0999000525', 'Espace Numérique Colignon (fictif)', (SELECT id FROM legal_form WHERE code = 'asbl'), 'associative', '{fr,nl}', 'Rue Fictive 5', '1030',
  (SELECT id FROM territory WHERE code = '21015'), 'Invented for the demo: digital help desk funded by two programmes.', true, (SELECT id FROM source WHERE code = 'illustrative');
INSERT INTO operator_territory (operator_id, territory_id)
 SELECT o.id, t.id FROM operator o, territory t WHERE o.name = 'Espace Numérique Colignon (fictif)' AND t.code IN ('21015', 'clss-colignon');
INSERT INTO approval (operator_id, programme_id, axis_id, start_date, end_date, status, decision_date, source_id)
 SELECT o.id, p.id, a.id, '2024-01-01', '2028-12-31', 'granted', '2023-12-01', (SELECT id FROM source WHERE code = 'illustrative')
 FROM operator o JOIN programme p ON p.code = 'cohesion-2024-2028' JOIN programme_axis a ON a.programme_id = p.id AND a.code = '4'
 WHERE o.name = 'Espace Numérique Colignon (fictif)';
INSERT INTO project (code, operator_id, programme_id, axis_id, territory_id, title, description, start_date, end_date, budget, source_id)
 SELECT x.code, o.id, p.id, a.id, t.id, x.title, x.descr, x.sd::date, x.ed::date, x.budget, (SELECT id FROM source WHERE code = 'illustrative')
 FROM (VALUES
  ('demo-enc-clss', 'clss-colignon', '1', 'clss-colignon', 'Permanence numérique Colignon', 'Help with online procedures for residents of the quartier (illustrative).', '2023-01-01', '2025-12-31', 45000.00),
  ('demo-enc-cohesion', 'cohesion-2024-2028', '4', '21015', 'Café numérique intergénérationnel', 'Digital workshops for seniors with young volunteers (illustrative).', '2024-01-01', '2028-12-31', 30000.00)
 ) AS x(code, prog, axis, terr, title, descr, sd, ed, budget)
 JOIN operator o ON o.name = 'Espace Numérique Colignon (fictif)' JOIN programme p ON p.code = x.prog JOIN territory t ON t.code = x.terr
 JOIN programme_axis a ON a.programme_id = p.id AND a.code = x.axis;
INSERT INTO project_theme (project_id, theme_id)
 SELECT p.id, t.id FROM (VALUES ('demo-enc-clss', 'digital_exclusion'), ('demo-enc-clss', 'health_access'),
   ('demo-enc-cohesion', 'digital_exclusion'), ('demo-enc-cohesion', 'living_together')) AS x(p, t)
 JOIN project p ON p.code = x.p JOIN theme t ON t.code = x.t;
INSERT INTO project_target_public (project_id, target_public_id)
 SELECT p.id, t.id FROM (VALUES ('demo-enc-clss', 'ris_beneficiaries'), ('demo-enc-cohesion', 'seniors')) AS x(p, t)
 JOIN project p ON p.code = x.p JOIN target_public t ON t.code = x.t;
