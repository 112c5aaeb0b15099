-- What roles below analyst read of observations through the read API: validated rows only,
-- and person counts only as totals of at least the suppression threshold (or zero). Breakdowns
-- of person counts reach them through the observations dataset and reports, where secondary
-- suppression protects them; here they are withheld (value NULL). The threshold is the
-- session's cohesio.suppression_threshold, set by the application on every connection.
CREATE VIEW observation_published AS
SELECT o.id, o.indicator_id, o.project_id, o.operator_id, o.coordination_id, o.territory_id,
       o.period_start, o.period_end, o.granularity, o.kind,
       CASE WHEN i.unit <> 'persons'
              OR (o.disaggregation_id IS NULL
                  AND (o.value = 0 OR o.value >= coalesce(nullif(current_setting('cohesio.suppression_threshold', true), '')::numeric, 5)))
            THEN o.value END AS value,
       o.disaggregation_id, o.status, o.note, o.source_id
FROM observation o
JOIN indicator i ON i.id = o.indicator_id
WHERE o.status = 'validated';
