-- The realised values of one indicator summed by commune and year (validated values, no
-- breakdown rows). An observation's subject (a commune, an operator, a project or a
-- coordination) gives its territory: the subject's own, the project's, the coordination's or
-- the operator's seat; a territory below a commune counts in its commune.
-- params: ["cass.digital.forms"]
SELECT c.code AS commune, to_char(o.period_start, 'YYYY') AS year, sum(o.value) AS realised
FROM observation o
JOIN indicator i ON i.id = o.indicator_id
LEFT JOIN project p ON p.id = o.project_id
LEFT JOIN coordination co ON co.id = o.coordination_id
LEFT JOIN operator op ON op.id = COALESCE(o.operator_id, p.operator_id)
JOIN territory t ON t.id = COALESCE(o.territory_id, p.territory_id, co.territory_id, op.seat_commune_id)
JOIN territory c ON c.id IN (t.id, t.parent_id) AND c.kind = 'commune'
WHERE i.code = $1
  AND o.kind = 'realised'
  AND o.status = 'validated'
  AND o.disaggregation_id IS NULL
GROUP BY 1, 2
