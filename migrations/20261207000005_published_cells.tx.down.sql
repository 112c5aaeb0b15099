-- Back to the view of 20261123000006: every breakdown of a person count withheld.
DROP VIEW observation_published;
CREATE VIEW observation_published WITH (security_invoker = true) AS
SELECT o.id, o.indicator_id, o.project_id, o.operator_id, o.coordination_id, o.territory_id,
       o.period_start, o.period_end, o.granularity, o.kind,
       CASE WHEN i.unit <> 'persons'
              OR (o.disaggregation_id IS NULL
                  AND (o.value = 0 OR o.value >= coalesce(principal('suppression_threshold')::numeric, 5)))
              OR (principal('role') = 'operator'
                  AND observation_operator(o.operator_id, o.project_id) = principal('operator_id')::bigint)
              OR (principal('role') = 'coordinator'
                  AND operator_commune(observation_operator(o.operator_id, o.project_id)) = principal('commune_id')::bigint)
            THEN o.value END AS value,
       o.disaggregation_id, o.status, o.note, o.source_id
FROM observation o
JOIN indicator i ON i.id = o.indicator_id
-- Outside a request (trusted commands run as the owner, which row-level security lets
-- through), the view still shows only what is published.
WHERE o.status = 'validated' OR current_user = 'cohesio_api';
GRANT SELECT ON observation_published TO cohesio_api;
DROP FUNCTION breakdown_published(observation);
ALTER FUNCTION principal(text) PARALLEL UNSAFE;
ALTER FUNCTION observation_operator(bigint, bigint) PARALLEL UNSAFE;
ALTER FUNCTION operator_commune(bigint) PARALLEL UNSAFE;
