DROP TRIGGER audit_update ON working_group_member;
CREATE TRIGGER audit_update AFTER UPDATE ON working_group_member FOR EACH ROW EXECUTE FUNCTION audit_updated_row();
CREATE OR REPLACE FUNCTION audit_operator(tab text, r jsonb, parent bigint) RETURNS bigint
  LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN tab = 'operator' THEN (r->>'id')::bigint
    WHEN tab = 'observation' THEN coalesce((r->>'operator_id')::bigint, parent)
    WHEN tab IN ('submission_answer', 'submission_event', 'submission_comment') THEN parent
    WHEN tab IN ('submission', 'operator_sector', 'operator_territory', 'operator_site', 'approval', 'project', 'api_token') THEN
      (r->>'operator_id')::bigint
  END $$;
REVOKE UPDATE ON operator FROM cohesio_api;
DROP POLICY operator_read ON operator;
DROP POLICY operator_update ON operator;
ALTER TABLE operator DISABLE ROW LEVEL SECURITY;
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['coordination_member', 'working_group', 'working_group_member', 'meeting', 'event', 'event_organisation'] LOOP
    EXECUTE format('DROP POLICY %I ON %I', t || '_read', t);
    EXECUTE format('DROP POLICY %I ON %I', t || '_insert', t);
    EXECUTE format('DROP POLICY %I ON %I', t || '_update', t);
    EXECUTE format('DROP POLICY %I ON %I', t || '_delete', t);
    EXECUTE format('ALTER TABLE %I DISABLE ROW LEVEL SECURITY', t);
    EXECUTE format('REVOKE INSERT, UPDATE, DELETE ON %I FROM cohesio_api', t);
  END LOOP;
END $$;
REVOKE USAGE ON SEQUENCE working_group_id_seq, meeting_id_seq, event_id_seq FROM cohesio_api;

DROP VIEW event_published, meeting_published;
CREATE VIEW event_published AS
SELECT id, coordination_id, title, held_on, organiser_id, territory_id, theme_id,
       CASE WHEN participant_count = 0
              OR participant_count >= coalesce(principal('suppression_threshold')::integer, 5)
            THEN participant_count END AS participant_count,
       description, source_id
FROM event;
CREATE VIEW meeting_published AS
SELECT id, working_group_id, year, held_on,
       CASE WHEN participant_count = 0
              OR participant_count >= coalesce(principal('suppression_threshold')::integer, 5)
            THEN participant_count END AS participant_count,
       note, source_id
FROM meeting;
GRANT SELECT ON event_published, meeting_published TO cohesio_api;

ALTER TABLE operator DROP COLUMN version, DROP COLUMN email, DROP COLUMN phone;
ALTER TABLE event DROP COLUMN version, DROP COLUMN kind;
ALTER TABLE meeting DROP COLUMN version, DROP COLUMN kind;
ALTER TABLE working_group DROP COLUMN version;

-- Members that are sites or services have no place in the old table.
DELETE FROM working_group_member WHERE operator_id IS NULL;
DROP INDEX working_group_member_operator_idx, working_group_member_operator_key, working_group_member_site_key,
  working_group_member_service_key;
ALTER TABLE working_group_member DROP COLUMN id, DROP COLUMN site_id, DROP COLUMN service_id,
  ALTER COLUMN operator_id SET NOT NULL, ADD PRIMARY KEY (working_group_id, operator_id);
CREATE INDEX working_group_member_operator_idx ON working_group_member (operator_id);
DROP TABLE operator_service;
DROP FUNCTION may_edit_operator(bigint), may_coordinate(bigint), event_commune(bigint), working_group_commune(bigint),
  coordination_commune(bigint);
