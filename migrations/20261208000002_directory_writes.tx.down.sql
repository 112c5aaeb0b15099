REVOKE INSERT ON operator FROM cohesio_api;
DROP POLICY operator_insert ON operator;
REVOKE USAGE ON SEQUENCE project_id_seq, approval_id_seq, operator_id_seq FROM cohesio_api;
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['project', 'approval', 'operator_sector', 'operator_territory'] LOOP
    EXECUTE format('DROP POLICY %I ON %I', t || '_read', t);
    EXECUTE format('DROP POLICY %I ON %I', t || '_insert', t);
    EXECUTE format('DROP POLICY %I ON %I', t || '_update', t);
    EXECUTE format('DROP POLICY %I ON %I', t || '_delete', t);
    EXECUTE format('ALTER TABLE %I DISABLE ROW LEVEL SECURITY', t);
    EXECUTE format('REVOKE INSERT, UPDATE, DELETE ON %I FROM cohesio_api', t);
  END LOOP;
END $$;
DROP FUNCTION may_administer();
ALTER TABLE operator_service DROP COLUMN version;
ALTER TABLE approval DROP COLUMN version;
ALTER TABLE project DROP COLUMN version;
