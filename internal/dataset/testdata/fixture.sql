-- A small, fully known dataset for the API tests.
INSERT INTO source (code, kind, title) VALUES ('test', 'illustrative', 'Test fixture');
INSERT INTO legal_form (code, label_fr, label_nl) VALUES ('asbl', 'ASBL', 'VZW'), ('cpas', 'CPAS', 'OCMW');
INSERT INTO theme (code, label_fr, label_nl) VALUES ('housing', 'Logement', 'Huisvesting'), ('digital_exclusion', 'Fracture numérique', 'Digitale kloof');
INSERT INTO territory (code, kind, name_fr, name_nl, population, population_date, source_id)
  VALUES ('BXL', 'region', 'Région de Bruxelles-Capitale', 'Brussels Hoofdstedelijk Gewest', 1218255, '2020-01-01', 1);
INSERT INTO territory (code, kind, name_fr, name_nl, parent_id, nis_code, postcodes, population, population_date, source_id) VALUES
  ('21015', 'commune', 'Schaerbeek', 'Schaarbeek', 1, '21015', '{1030}', 132799, '2020-01-01', 1),
  ('21012', 'commune', 'Molenbeek-Saint-Jean', 'Sint-Jans-Molenbeek', 1, '21012', '{1080}', 97979, '2020-01-01', 1),
  ('21001', 'commune', 'Anderlecht', 'Anderlecht', 1, '21001', '{1070}', 120887, '2020-01-01', 1);
INSERT INTO authority (code, name_fr, name_nl, level, source_id) VALUES ('cocof', 'Commission communautaire française', 'Franse Gemeenschapscommissie', 'community_commission', 1);
INSERT INTO policy (code, authority_id, name_fr, name_nl, source_id) VALUES ('decree-2018', 1, 'Décret cohésion sociale', 'Decreet sociale cohesie', 1);
INSERT INTO programme (code, policy_id, funder_id, name_fr, name_nl, start_date, end_date, budget, source_id)
  VALUES ('cs-2024', 1, 1, 'Cohésion sociale 2024-2028', 'Sociale cohesie 2024-2028', '2024-01-01', '2028-12-31', 22100000.00, 1);
INSERT INTO programme_axis (programme_id, code, name_fr, name_nl) VALUES (1, '1', 'Soutien scolaire', 'Schoolondersteuning');
INSERT INTO operator (enterprise_number, name, legal_form_id, kind, seat_commune_id, fictitious, source_id) VALUES
  ('0999000129', 'Maison des Écoles', 1, 'associative', 2, true, 1),
  (NULL, 'CPAS de Schaerbeek', 2, 'public', 2, true, 1),
  (NULL, 'Lire et Écrire Molenbeek', 1, 'associative', 3, true, 1);
INSERT INTO operator_territory (operator_id, territory_id) VALUES (1, 2), (2, 2), (3, 3), (3, 2);
INSERT INTO project (operator_id, programme_id, axis_id, territory_id, title, start_date, budget, source_id) VALUES
  (1, 1, 1, 2, 'École de devoirs', '2024-01-01', 15000.50, 1),
  (1, 1, NULL, 2, 'Permanence numérique', '2024-01-01', 8000, 1),
  (2, 1, NULL, 2, 'Accompagnement logement', '2024-01-01', NULL, 1),
  (3, 1, 1, 3, 'Alphabétisation', '2024-01-01', 20000, 1);
INSERT INTO project_theme (project_id, theme_id) VALUES (2, 2), (3, 1);
INSERT INTO indicator (code, programme_id, label_fr, label_nl, unit, aggregation, disaggregations, source_id) VALUES
  ('participants', 1, 'Participants', 'Deelnemers', 'persons', 'sum', '{gender,age_band}', 1),
  ('sessions', 1, 'Séances', 'Sessies', 'sessions', 'sum', '{}', 1);
INSERT INTO disaggregation (dimension, code, label_fr, label_nl) VALUES
  ('gender', 'f', 'Femmes', 'Vrouwen'), ('gender', 'm', 'Hommes', 'Mannen'),
  ('age_band', '0-17', '0-17 ans', '0-17 jaar'), ('age_band', '18+', '18 ans et plus', '18 jaar en ouder');
-- Project 1, 2024: 12 participants, 3 women and 9 men, 2 minors and 10 adults: the 3 and the 2
-- must be withheld, and with them one more cell of each breakdown, or 12 - 9 gives the 3 away.
INSERT INTO observation (indicator_id, project_id, period_start, period_end, granularity, kind, value, disaggregation_id, source_id) VALUES
  (1, 1, '2024-01-01', '2024-12-31', 'year', 'realised', 12, NULL, 1),
  (1, 1, '2024-01-01', '2024-12-31', 'year', 'realised', 3, 1, 1),
  (1, 1, '2024-01-01', '2024-12-31', 'year', 'realised', 9, 2, 1),
  (1, 1, '2024-01-01', '2024-12-31', 'year', 'realised', 2, 3, 1),
  (1, 1, '2024-01-01', '2024-12-31', 'year', 'realised', 10, 4, 1),
-- Project 4, 2024: 40 participants, 22 women and 18 men: nothing to withhold.
  (1, 4, '2024-01-01', '2024-12-31', 'year', 'realised', 40, NULL, 1),
  (1, 4, '2024-01-01', '2024-12-31', 'year', 'realised', 22, 1, 1),
  (1, 4, '2024-01-01', '2024-12-31', 'year', 'realised', 18, 2, 1),
-- Sessions are not people: a small number is published.
  (2, 1, '2024-01-01', '2024-12-31', 'year', 'realised', 2.5, NULL, 1);
-- A draft is not published.
INSERT INTO observation (indicator_id, project_id, period_start, period_end, granularity, kind, value, status, source_id) VALUES
  (1, 2, '2024-01-01', '2024-12-31', 'year', 'realised', 7, 'draft', 1);
