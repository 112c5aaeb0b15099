-- The achievement rate of one indicator by programme and theme: 100 × realised / target,
-- over the validated values of projects (a project with two themes counts in both).
-- params: ["cass.digital.forms"]
SELECT pg.code AS programme, th.code AS theme,
       round(100 * sum(o.value) FILTER (WHERE o.kind = 'realised')
                 / NULLIF(sum(o.value) FILTER (WHERE o.kind = 'target'), 0), 2) AS achievement_rate
FROM observation o
JOIN indicator i ON i.id = o.indicator_id
JOIN project p ON p.id = o.project_id
JOIN programme pg ON pg.id = p.programme_id
JOIN project_theme pt ON pt.project_id = p.id
JOIN theme th ON th.id = pt.theme_id
WHERE i.code = $1
  AND o.kind IN ('realised', 'target')
  AND o.status = 'validated'
  AND o.disaggregation_id IS NULL
GROUP BY 1, 2
