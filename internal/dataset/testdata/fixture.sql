-- The observations the dataset tests need, on top of the store's fixture
-- (internal/store/testdata/fixture.sql: indicator 1 is pupils, with 2 observations).
INSERT INTO indicator (code, programme_id, label_fr, label_nl, unit, aggregation, disaggregations, source_id) VALUES
  ('participants', 1, 'Participants', 'Deelnemers', 'persons', 'sum', '{gender,age_band}', 1),
  ('sessions', 1, 'Séances', 'Sessies', 'sessions', 'sum', '{}', 1);
INSERT INTO disaggregation (dimension, code, label_fr, label_nl) VALUES
  ('gender', 'f', 'Femmes', 'Vrouwen'), ('gender', 'm', 'Hommes', 'Mannen'),
  ('age_band', '0-17', '0-17 ans', '0-17 jaar'), ('age_band', '18+', '18 ans et plus', '18 jaar en ouder');
-- Project 1, 2024: 12 participants, 3 women and 9 men, 2 minors and 10 adults: the 3 and the 2
-- must be withheld, and with them one more cell of each breakdown, or 12 - 9 gives the 3 away.
INSERT INTO observation (indicator_id, project_id, period_start, period_end, granularity, kind, value, disaggregation_id, source_id) VALUES
  (2, 1, '2024-01-01', '2024-12-31', 'year', 'realised', 12, NULL, 1),
  (2, 1, '2024-01-01', '2024-12-31', 'year', 'realised', 3, 1, 1),
  (2, 1, '2024-01-01', '2024-12-31', 'year', 'realised', 9, 2, 1),
  (2, 1, '2024-01-01', '2024-12-31', 'year', 'realised', 2, 3, 1),
  (2, 1, '2024-01-01', '2024-12-31', 'year', 'realised', 10, 4, 1),
-- Project 4, 2024: 40 participants, 22 women and 18 men: nothing to withhold.
  (2, 4, '2024-01-01', '2024-12-31', 'year', 'realised', 40, NULL, 1),
  (2, 4, '2024-01-01', '2024-12-31', 'year', 'realised', 22, 1, 1),
  (2, 4, '2024-01-01', '2024-12-31', 'year', 'realised', 18, 2, 1),
-- Sessions are not people: a small number is published.
  (3, 1, '2024-01-01', '2024-12-31', 'year', 'realised', 2.5, NULL, 1);
-- A draft is not published.
INSERT INTO observation (indicator_id, project_id, period_start, period_end, granularity, kind, value, status, source_id) VALUES
  (2, 2, '2024-01-01', '2024-12-31', 'year', 'realised', 7, 'draft', 1);
