DROP VIEW observation_published;
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
DROP POLICY IF EXISTS observation_read ON observation;
DROP POLICY IF EXISTS observation_insert ON observation;
DROP POLICY IF EXISTS observation_update ON observation;
ALTER TABLE observation DISABLE ROW LEVEL SECURITY;
DROP FUNCTION IF EXISTS operator_commune(bigint);
DROP FUNCTION IF EXISTS observation_operator(bigint, bigint);
DROP FUNCTION IF EXISTS principal(text);
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM cohesio_api;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM cohesio_api;
REVOKE USAGE ON SCHEMA public FROM cohesio_api;
