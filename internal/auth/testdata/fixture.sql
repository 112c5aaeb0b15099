-- What API tokens of scoped roles point to: one commune and one operator.
INSERT INTO source (code, kind, title) VALUES ('test', 'illustrative', 'Test fixture');
INSERT INTO legal_form (code, label_fr, label_nl) VALUES ('asbl', 'ASBL', 'VZW');
INSERT INTO territory (code, kind, name_fr, name_nl, source_id)
  VALUES ('BXL', 'region', 'Région de Bruxelles-Capitale', 'Brussels Hoofdstedelijk Gewest', 1);
INSERT INTO territory (code, kind, name_fr, name_nl, parent_id, nis_code, source_id)
  VALUES ('21015', 'commune', 'Schaerbeek', 'Schaarbeek', 1, '21015', 1);
INSERT INTO operator (enterprise_number, name, legal_form_id, kind, seat_commune_id, fictitious, source_id)
  VALUES ('0999000129', 'Maison des Écoles', 1, 'associative', 2, true, 1);
