-- The first 50 operators serving a commune, by name (the API sorts text by the Unicode
-- collation, ties by creation order), each with its first 10 projects and their programme;
-- an operator without projects gives one row with nulls.
-- params: ["21010"]
SELECT o.name, p.title, p.budget, p.programme
FROM (
  SELECT op.id, op.name
  FROM territory t
  JOIN operator_territory ot ON ot.territory_id = t.id
  JOIN operator op ON op.id = ot.operator_id
  WHERE t.nis_code = $1
  ORDER BY op.name COLLATE "und-x-icu", op.id
  LIMIT 50
) o
LEFT JOIN LATERAL (
  SELECT pr.id, pr.title, pr.budget, pg.code AS programme
  FROM project pr
  JOIN programme pg ON pg.id = pr.programme_id
  WHERE pr.operator_id = o.id
  ORDER BY pr.id
  LIMIT 10
) p ON true
ORDER BY o.name COLLATE "und-x-icu", o.id, p.id
