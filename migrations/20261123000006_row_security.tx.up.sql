-- Row-level security: the second wall behind the application's checks. API requests run as
-- the role cohesio_api (the application switches to it on every connection a request uses)
-- with the request's principal in the settings cohesio.role, cohesio.operator_id and
-- cohesio.commune_id; migrations, loads and exports of trusted commands run as the owner.
-- Observations are the operator-scoped data: drafts and submissions are seen only by their
-- operator, by the coordinator of its commune (once submitted) and by administrators.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'cohesio_api') THEN
    CREATE ROLE cohesio_api NOLOGIN;
  END IF;
END $$;
GRANT cohesio_api TO CURRENT_USER;
GRANT USAGE ON SCHEMA public TO cohesio_api;
GRANT SELECT ON source, theme, target_public, sector, legal_form, territory, territory_group_member,
  authority, policy, programme, programme_axis, programme_territory, operator, operator_sector,
  operator_territory, approval, project, project_theme, project_target_public, project_partner,
  indicator, coordination, coordination_member, working_group, working_group_member, meeting,
  event, event_organisation, disaggregation, observation, need, transversal_link, rule,
  observation_published TO cohesio_api;
GRANT INSERT, UPDATE ON observation TO cohesio_api;
GRANT SELECT, INSERT ON snapshot, snapshot_chunk TO cohesio_api;
GRANT USAGE ON SEQUENCE observation_id_seq, source_id_seq TO cohesio_api;
GRANT INSERT ON source TO cohesio_api;

-- The functions the policies call are declared cheap (COST 1): the policies evaluate them
-- only for unpublished rows, but the planner would cost them on every row and pick slower
-- plans for reports over validated data (a sort instead of a hash aggregate, +30%).

-- The principal of the current request; NULL outside one.
CREATE FUNCTION principal(setting text) RETURNS text
  LANGUAGE sql STABLE COST 1 AS $$ SELECT nullif(current_setting('cohesio.' || setting, true), '') $$;

-- The operator an observation belongs to: its own, or its project's.
CREATE FUNCTION observation_operator(operator_id bigint, project_id bigint) RETURNS bigint
  LANGUAGE sql STABLE COST 1 AS $$ SELECT coalesce($1, (SELECT p.operator_id FROM project p WHERE p.id = $2)) $$;

-- The commune of an operator's seat.
CREATE FUNCTION operator_commune(operator_id bigint) RETURNS bigint
  LANGUAGE sql STABLE COST 1 AS $$ SELECT o.seat_commune_id FROM operator o WHERE o.id = $1 $$;

ALTER TABLE observation ENABLE ROW LEVEL SECURITY;

CREATE POLICY observation_read ON observation FOR SELECT TO cohesio_api USING (
  status = 'validated'
  OR principal('role') = 'admin'
  OR (principal('role') = 'operator'
      AND observation_operator(operator_id, project_id) = principal('operator_id')::bigint)
  OR (principal('role') = 'coordinator' AND status <> 'draft'
      AND operator_commune(observation_operator(operator_id, project_id)) = principal('commune_id')::bigint)
);

CREATE POLICY observation_insert ON observation FOR INSERT TO cohesio_api WITH CHECK (
  principal('role') = 'admin'
  OR (principal('role') = 'operator' AND status = 'draft'
      AND observation_operator(operator_id, project_id) = principal('operator_id')::bigint)
);

-- Operators edit and submit their drafts (and rejected values, to correct them);
-- coordinators decide on the submissions of their commune.
CREATE POLICY observation_update ON observation FOR UPDATE TO cohesio_api
USING (
  principal('role') = 'admin'
  OR (principal('role') = 'operator' AND status IN ('draft', 'rejected')
      AND observation_operator(operator_id, project_id) = principal('operator_id')::bigint)
  OR (principal('role') = 'coordinator' AND status = 'submitted'
      AND operator_commune(observation_operator(operator_id, project_id)) = principal('commune_id')::bigint)
)
WITH CHECK (
  principal('role') = 'admin'
  OR (principal('role') = 'operator' AND status IN ('draft', 'submitted')
      AND observation_operator(operator_id, project_id) = principal('operator_id')::bigint)
  OR (principal('role') = 'coordinator' AND status IN ('validated', 'rejected')
      AND operator_commune(observation_operator(operator_id, project_id)) = principal('commune_id')::bigint)
);

-- The published view now answers to the row-level security of whoever reads it, and shows
-- operators and coordinators the values of the observations they are responsible for.
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
