-- A small dataset in the shape of the synthetic one, on top of the demo dataset, for the bench's
-- tests and Go benchmark: 120 operators serving one or two communes (Jette, the view workload's
-- commune, gets half of them), 1,000 projects with one or two themes each, and about 30,000
-- observations of the workloads' indicator (cass.digital.forms) for projects, operators and
-- communes, targets and realised values, some of them not validated. Its source is of kind
-- synthetic, so that `cohesio bench` measures it instead of loading the synthetic dataset.
-- Everything is invented and deterministic.

INSERT INTO source (code, kind, title) VALUES ('bench-fixture', 'synthetic', 'Bench test data (invented)');

-- Operators: every tenth is an association de fait, without an enterprise number.
INSERT INTO operator (enterprise_number, name, legal_form_id, kind, postcode, seat_commune_id, source_id)
SELECT CASE WHEN n % 10 <> 0 THEN lpad(body::text, 8, '0') || lpad((97 - body % 97)::text, 2, '0') END,
       'Opérateur synthétique ' || lpad(n::text, 4, '0'),
       (SELECT id FROM legal_form WHERE code = CASE WHEN n % 10 = 0 THEN 'association_de_fait' ELSE 'asbl' END),
       'associative', '1090',
       (SELECT id FROM territory WHERE nis_code = (21001 + n % 19)::text),
       (SELECT id FROM source WHERE code = 'bench-fixture')
FROM generate_series(1, 120) AS n, LATERAL (SELECT 3000000 + n * 7919 AS body) AS b;

CREATE TEMP TABLE fixture_operator ON COMMIT DROP AS
SELECT id, row_number() OVER (ORDER BY id) AS n
FROM operator WHERE source_id = (SELECT id FROM source WHERE code = 'bench-fixture');

INSERT INTO operator_territory (operator_id, territory_id)
SELECT o.id, t.id FROM fixture_operator o JOIN territory t ON t.nis_code = '21010' WHERE o.n % 2 = 0
UNION
SELECT o.id, t.id FROM fixture_operator o JOIN territory t ON t.nis_code = (21001 + (o.n * 7) % 19)::text;

-- Projects: operators whose number is a multiple of 7 have none, the first 24 more than 10.
CREATE TEMP TABLE fixture_programme ON COMMIT DROP AS
SELECT id, row_number() OVER (ORDER BY code) - 1 AS n FROM programme;
CREATE TEMP TABLE fixture_theme ON COMMIT DROP AS
SELECT id, row_number() OVER (ORDER BY code) - 1 AS n FROM theme;

INSERT INTO project (operator_id, programme_id, territory_id, title, start_date, end_date, budget, source_id)
SELECT o.id,
       (SELECT id FROM fixture_programme WHERE n = p % (SELECT count(*) FROM fixture_programme)),
       (SELECT id FROM territory WHERE nis_code = (21001 + p % 19)::text),
       'Projet synthétique ' || lpad(p::text, 5, '0'),
       make_date(2015 + p % 6, 1 + p % 12, 1), make_date(2021 + p % 4, 12, 31),
       (1000 + p * 37 % 90000)::numeric / 4,
       (SELECT id FROM source WHERE code = 'bench-fixture')
FROM generate_series(1, 1000) AS p
JOIN fixture_operator o ON o.n = 1 + (p * 13) % CASE WHEN p % 2 = 0 THEN 24 ELSE 120 END
WHERE o.n % 7 <> 0;

CREATE TEMP TABLE fixture_project ON COMMIT DROP AS
SELECT id, row_number() OVER (ORDER BY id) AS n, start_date, end_date
FROM project WHERE source_id = (SELECT id FROM source WHERE code = 'bench-fixture');

INSERT INTO project_theme (project_id, theme_id)
SELECT p.id, t.id FROM fixture_project p JOIN fixture_theme t ON t.n = p.n % (SELECT count(*) FROM fixture_theme)
UNION
SELECT p.id, t.id FROM fixture_project p JOIN fixture_theme t ON t.n = (p.n * 3 + 1) % (SELECT count(*) FROM fixture_theme)
WHERE p.n % 3 = 0;

-- Observations: a target and a realised value (60% to 120% of it) per subject and year.
CREATE TEMP TABLE fixture_subject ON COMMIT DROP AS
SELECT id AS project_id, NULL::bigint AS operator_id, NULL::bigint AS territory_id, n,
       extract(year FROM start_date)::int AS first, extract(year FROM end_date)::int AS last
FROM fixture_project
UNION ALL
SELECT NULL, id, NULL, 5000 + n, 2015, 2024 FROM fixture_operator
UNION ALL
SELECT NULL, NULL, id, 9000 + id, 2015, 2024 FROM territory WHERE kind = 'commune';

INSERT INTO observation (indicator_id, project_id, operator_id, territory_id, period_start, period_end,
                         granularity, kind, value, status, source_id)
SELECT (SELECT id FROM indicator WHERE code = 'cass.digital.forms'),
       s.project_id, s.operator_id, s.territory_id, make_date(y, 1, 1), make_date(y, 12, 31), 'year', k.kind,
       CASE k.kind WHEN 'target' THEN 10 + (s.n * 31 + y) % 90
                   ELSE (10 + (s.n * 31 + y) % 90) * (60 + (s.n * 17 + y) % 61) / 100 END,
       CASE WHEN k.kind = 'realised' AND (s.n + y) % 23 = 0 THEN 'reviewed' ELSE 'validated' END,
       (SELECT id FROM source WHERE code = 'bench-fixture')
FROM fixture_subject s
CROSS JOIN generate_series(s.first, s.last) AS y
CROSS JOIN (VALUES ('target'), ('realised')) AS k(kind);

ANALYZE;
