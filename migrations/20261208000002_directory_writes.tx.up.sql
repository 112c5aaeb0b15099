-- Writes through the API of the directory by the administration: operators, their projects,
-- approvals and services; and, by an operator itself, the sectors and territories it serves.
-- Reads stay open to everyone, as before.

-- Rows edited through the API count their changes, for optimistic concurrency.
ALTER TABLE project ADD COLUMN version integer NOT NULL DEFAULT 1 CHECK (version > 0);
ALTER TABLE approval ADD COLUMN version integer NOT NULL DEFAULT 1 CHECK (version > 0);
ALTER TABLE operator_service ADD COLUMN version integer NOT NULL DEFAULT 1 CHECK (version > 0);

-- Whether the principal is the administration.
CREATE FUNCTION may_administer() RETURNS boolean
  LANGUAGE sql STABLE COST 1 AS $$ SELECT principal('role') = 'admin' $$;

-- Projects and approvals are the administration's to write; the sectors and territories an
-- operator serves are part of its own record, which it keeps itself.
DO $$
DECLARE
  t record;
BEGIN
  FOR t IN SELECT * FROM (VALUES
      ('project', 'may_administer()'),
      ('approval', 'may_administer()'),
      ('operator_sector', 'may_edit_operator(operator_id)'),
      ('operator_territory', 'may_edit_operator(operator_id)')) AS x(tab, scope) LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t.tab);
    EXECUTE format('CREATE POLICY %I ON %I FOR SELECT TO cohesio_api USING (true)', t.tab || '_read', t.tab);
    EXECUTE format('CREATE POLICY %I ON %I FOR INSERT TO cohesio_api WITH CHECK (%s)', t.tab || '_insert', t.tab, t.scope);
    EXECUTE format('CREATE POLICY %I ON %I FOR UPDATE TO cohesio_api USING (%s) WITH CHECK (%s)', t.tab || '_update', t.tab, t.scope, t.scope);
    EXECUTE format('CREATE POLICY %I ON %I FOR DELETE TO cohesio_api USING (%s)', t.tab || '_delete', t.tab, t.scope);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO cohesio_api', t.tab);
  END LOOP;
END $$;
GRANT USAGE ON SEQUENCE project_id_seq, approval_id_seq, operator_id_seq TO cohesio_api;

-- Creating an operator is the administration's; changing one stays as it was (the operator
-- itself or the administration).
CREATE POLICY operator_insert ON operator FOR INSERT TO cohesio_api WITH CHECK (may_administer());
GRANT INSERT ON operator TO cohesio_api;

-- The tables written here already reach the audit trail and the data version through their
-- triggers (operator, project, approval, operator_sector, operator_territory since the audit
-- migration, operator_service since the coordination writes).
