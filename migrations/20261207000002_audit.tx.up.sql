-- The audit trail: every change to a row of a table that can be written, in the same
-- transaction as the change, with who (the request's principal, or the trusted command's
-- database user), which request, the operation and the row before and after. A trigger on each
-- table writes it, so no write can go around it. The log is append-only: the application's
-- role may insert and read (within its scope), never update or delete, and a trigger refuses
-- updates, deletes and truncation to everyone, the owner included.
CREATE TABLE audit_log (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT now(),
  role        text NOT NULL,
  subject     text,
  request_id  text,
  table_name  text NOT NULL,
  -- The row's id (as text: snapshots have text ids); NULL for link tables without one.
  row_id      text,
  -- The organisation the row belongs to, where it belongs to one: the scope of who may read it.
  operator_id bigint,
  -- The submission the row belongs to (a submission, its answers, events and comments, the
  -- observations it produced), so that a submission's history is one index scan.
  submission_id bigint,
  operation   text NOT NULL CHECK (operation IN ('INSERT', 'UPDATE', 'DELETE')),
  before      jsonb,
  after       jsonb
);
CREATE INDEX audit_log_row_idx ON audit_log (table_name, row_id, id);
CREATE INDEX audit_log_submission_idx ON audit_log (submission_id, id) WHERE submission_id IS NOT NULL;
CREATE INDEX audit_log_operator_idx ON audit_log (operator_id, id) WHERE operator_id IS NOT NULL;

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- The submission a row of table belongs to.
CREATE FUNCTION audit_submission(tab text, r jsonb) RETURNS bigint
  LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN tab = 'submission' THEN (r->>'id')::bigint
    WHEN tab IN ('submission_answer', 'submission_event', 'submission_comment', 'observation') THEN (r->>'submission_id')::bigint
  END $$;

-- The operator a row of table belongs to; parent is the operator of the row's project (for
-- observations) or of its submission (for a submission's rows), which the triggers join in:
-- a subquery here would be run once per row, and a bulk load has a million rows.
CREATE FUNCTION audit_operator(tab text, r jsonb, parent bigint) RETURNS bigint
  LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN tab = 'operator' THEN (r->>'id')::bigint
    WHEN tab = 'observation' THEN coalesce((r->>'operator_id')::bigint, parent)
    WHEN tab IN ('submission_answer', 'submission_event', 'submission_comment') THEN parent
    WHEN tab IN ('submission', 'operator_sector', 'operator_territory', 'operator_site', 'approval', 'project', 'api_token') THEN
      (r->>'operator_id')::bigint
  END $$;

-- Who made the change: the request's principal, or the database user of a trusted command.
CREATE FUNCTION audit_role() RETURNS text LANGUAGE sql STABLE AS $$ SELECT coalesce(principal('role'), 'system') $$;
CREATE FUNCTION audit_subject() RETURNS text LANGUAGE sql STABLE AS $$
  SELECT coalesce(principal('subject'), CASE WHEN principal('role') IS NULL THEN session_user::text END) $$;

-- Inserts and deletes are recorded once per statement, from its transition table (named
-- "changed" by both triggers): a bulk load of a million rows writes its trail in one
-- INSERT ... SELECT rather than a million trigger calls.
CREATE FUNCTION audit_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO audit_log (role, subject, request_id, table_name, row_id, operator_id, submission_id, operation, before, after)
  -- Materialized: each row is turned into JSON once, not once per use.
  WITH x AS MATERIALIZED (SELECT to_jsonb(c) AS r FROM changed c)
  SELECT audit_role(), audit_subject(), principal('request_id'), TG_TABLE_NAME, x.r->>'id',
    audit_operator(TG_TABLE_NAME, x.r, coalesce(p.operator_id, s.operator_id)), audit_submission(TG_TABLE_NAME, x.r), TG_OP,
    CASE WHEN TG_OP = 'DELETE' THEN x.r END, CASE WHEN TG_OP = 'INSERT' THEN x.r END
  FROM x
  LEFT JOIN project p ON TG_TABLE_NAME = 'observation' AND p.id = (x.r->>'project_id')::bigint
  LEFT JOIN submission s ON TG_TABLE_NAME IN ('submission_answer', 'submission_event', 'submission_comment')
    AND s.id = (x.r->>'submission_id')::bigint;
  RETURN NULL;
END $$;

-- Updates of tables with an id are recorded per statement too, pairing each row before and
-- after by its id; the few link tables without one, row by row.
CREATE FUNCTION audit_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO audit_log (role, subject, request_id, table_name, row_id, operator_id, submission_id, operation, before, after)
  WITH x AS MATERIALIZED (SELECT to_jsonb(o) AS b, to_jsonb(n) AS a FROM old_rows o JOIN new_rows n ON n.id = o.id)
  SELECT audit_role(), audit_subject(), principal('request_id'), TG_TABLE_NAME, x.a->>'id',
    audit_operator(TG_TABLE_NAME, x.a, coalesce(p.operator_id, s.operator_id)), audit_submission(TG_TABLE_NAME, x.a), 'UPDATE', x.b, x.a
  FROM x
  LEFT JOIN project p ON TG_TABLE_NAME = 'observation' AND p.id = (x.a->>'project_id')::bigint
  LEFT JOIN submission s ON TG_TABLE_NAME IN ('submission_answer', 'submission_event', 'submission_comment')
    AND s.id = (x.a->>'submission_id')::bigint
  WHERE x.a <> x.b; -- a row set to what it was is no change
  RETURN NULL;
END $$;

CREATE FUNCTION audit_updated_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  b jsonb := to_jsonb(OLD);
  a jsonb := to_jsonb(NEW);
BEGIN
  IF a <> b THEN
    INSERT INTO audit_log (role, subject, request_id, table_name, row_id, operator_id, submission_id, operation, before, after)
    VALUES (audit_role(), audit_subject(), principal('request_id'), TG_TABLE_NAME, NULL,
      audit_operator(TG_TABLE_NAME, a, NULL), audit_submission(TG_TABLE_NAME, a), 'UPDATE', b, a);
  END IF;
  RETURN NULL;
END $$;

-- Every table that can be written. Snapshot chunks are not: they are the frozen rows, hashed
-- into the snapshot's id, whose creation is recorded.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['source', 'theme', 'target_public', 'sector', 'legal_form', 'territory',
    'territory_group_member', 'authority', 'policy', 'programme', 'programme_axis', 'programme_territory',
    'operator', 'operator_sector', 'operator_territory', 'operator_site', 'approval', 'project', 'project_theme',
    'project_target_public', 'project_partner', 'indicator', 'coordination', 'coordination_member',
    'working_group', 'working_group_member', 'meeting', 'event', 'event_organisation', 'disaggregation',
    'observation', 'need', 'transversal_link', 'rule', 'snapshot', 'api_token', 'report_template',
    'template_section', 'template_question', 'template_rule', 'campaign', 'submission', 'submission_answer',
    'submission_event', 'submission_comment'] LOOP
    EXECUTE format('CREATE TRIGGER audit_insert AFTER INSERT ON %I REFERENCING NEW TABLE AS changed
      FOR EACH STATEMENT EXECUTE FUNCTION audit_changed()', t);
    IF EXISTS (SELECT FROM information_schema.columns c WHERE c.table_schema = current_schema() AND c.table_name = t AND c.column_name = 'id') THEN
      EXECUTE format('CREATE TRIGGER audit_update AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION audit_updated()', t);
    ELSE
      EXECUTE format('CREATE TRIGGER audit_update AFTER UPDATE ON %I FOR EACH ROW EXECUTE FUNCTION audit_updated_row()', t);
    END IF;
    EXECUTE format('CREATE TRIGGER audit_delete AFTER DELETE ON %I REFERENCING OLD TABLE AS changed
      FOR EACH STATEMENT EXECUTE FUNCTION audit_changed()', t);
  END LOOP;
END $$;

-- Who reads the log: administrators all of it. Operators and coordinators read the history of
-- the submissions they may see (so a coordinator does not read an operator's drafts through
-- it) and, for other rows, the entries about their own organisation or their commune's
-- operators. Everyone else none: the log holds unvalidated values.
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY audit_log_read ON audit_log FOR SELECT TO cohesio_api USING (
  principal('role') = 'admin'
  OR (principal('role') IN ('operator', 'coordinator') AND submission_id IS NOT NULL
      AND EXISTS (SELECT FROM submission s WHERE s.id = audit_log.submission_id))
  OR (submission_id IS NULL AND principal('role') = 'operator' AND operator_id = principal('operator_id')::bigint)
  OR (submission_id IS NULL AND principal('role') = 'coordinator' AND operator_commune(operator_id) = principal('commune_id')::bigint)
);
CREATE POLICY audit_log_insert ON audit_log FOR INSERT TO cohesio_api WITH CHECK (true);
GRANT SELECT, INSERT ON audit_log TO cohesio_api;
GRANT USAGE ON SEQUENCE audit_log_id_seq TO cohesio_api;
