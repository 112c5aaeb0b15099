DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT c.relname FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid WHERE g.tgname = 'data_version' LOOP
    EXECUTE format('DROP TRIGGER data_version ON %I', r.relname);
  END LOOP;
END $$;
DROP FUNCTION data_version_bump();
DROP TABLE data_version;
