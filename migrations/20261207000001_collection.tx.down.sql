DROP POLICY observation_insert ON observation;
DROP POLICY observation_update ON observation;
DROP POLICY observation_delete ON observation;
REVOKE DELETE ON observation FROM cohesio_api;
CREATE POLICY observation_insert ON observation FOR INSERT TO cohesio_api WITH CHECK (
  principal('role') = 'admin'
  OR (principal('role') = 'operator' AND status = 'draft'
      AND observation_operator(operator_id, project_id) = principal('operator_id')::bigint)
);
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
DROP INDEX observation_answer_idx;
ALTER TABLE observation DROP COLUMN site_id, DROP COLUMN question_key, DROP COLUMN submission_id;
DROP POLICY submission_read ON submission;
DROP POLICY submission_update ON submission;
DROP FUNCTION submission_visible(submission);
DROP TABLE idempotency_key, submission_comment, submission_event, submission_answer, submission;
DROP FUNCTION submission_commune(bigint, bigint);
DROP FUNCTION submission_status_guard();
DROP VIEW campaign_expected;
DROP TABLE campaign, template_rule, template_question, template_section, report_template, operator_site;
