DO $$
DECLARE t text;
BEGIN
  FOR t IN SELECT c.relname FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid WHERE g.tgname = 'audit' LOOP
    EXECUTE format('DROP TRIGGER audit ON %I', t);
  END LOOP;
END $$;
DROP TABLE audit_log;
DROP FUNCTION audit_row();
DROP FUNCTION audit_operator(text, jsonb);
DROP FUNCTION audit_submission(text, jsonb);
DROP FUNCTION audit_log_append_only();
