DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT c.relname, g.tgname FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
    WHERE g.tgname IN ('audit_insert', 'audit_update', 'audit_delete') LOOP
    EXECUTE format('DROP TRIGGER %I ON %I', r.tgname, r.relname);
  END LOOP;
END $$;
DROP TABLE audit_log;
DROP FUNCTION audit_changed();
DROP FUNCTION audit_updated();
DROP FUNCTION audit_updated_row();
DROP FUNCTION audit_role();
DROP FUNCTION audit_subject();
DROP FUNCTION audit_operator(text, jsonb, bigint);
DROP FUNCTION audit_submission(text, jsonb);
DROP FUNCTION audit_log_append_only();
