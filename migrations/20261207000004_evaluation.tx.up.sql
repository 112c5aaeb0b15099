-- The annual evaluation report: the evaluator's commentary per section and year, versioned,
-- and the published renditions, frozen.

CREATE TABLE evaluation_narrative (
  id          bigserial PRIMARY KEY,
  year        integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
  section     text NOT NULL CHECK (section ~ '^[a-z][a-z_]{0,39}$'),
  body_fr     text NOT NULL DEFAULT '' CHECK (length(body_fr) <= 20000),
  body_nl     text NOT NULL DEFAULT '' CHECK (length(body_nl) <= 20000),
  version     integer NOT NULL DEFAULT 1 CHECK (version > 0),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  updated_by  text NOT NULL,
  UNIQUE (year, section)
);

-- A published rendition: one self-contained HTML document, whose SHA-256 is its id. The
-- document itself sits apart, like a snapshot's chunks, so that the audit trail records the
-- publication (and its hash) without a copy of the document.
-- One publication freezes the report in both languages; its number is the publication's.
CREATE SEQUENCE report_publication_seq;
CREATE TABLE published_report (
  id            text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{64}$'),
  publication   bigint NOT NULL,
  year          integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
  lang          text NOT NULL CHECK (lang IN ('fr', 'nl')),
  size          integer NOT NULL CHECK (size > 0),
  published_at  timestamptz NOT NULL DEFAULT now(),
  published_by  text NOT NULL,
  UNIQUE (publication, lang)
);
CREATE INDEX published_report_year_idx ON published_report (year, lang, published_at);
CREATE TABLE published_report_document (
  report_id  text PRIMARY KEY REFERENCES published_report,
  html       bytea NOT NULL
);

CREATE FUNCTION published_report_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'published reports are immutable: % refused', TG_OP;
END $$;
CREATE TRIGGER published_report_immutable BEFORE UPDATE OR DELETE ON published_report
  FOR EACH ROW EXECUTE FUNCTION published_report_immutable();
CREATE TRIGGER published_report_document_immutable BEFORE UPDATE OR DELETE ON published_report_document
  FOR EACH ROW EXECUTE FUNCTION published_report_immutable();

-- The evaluators (the support centre, as analysts) and the administration write the
-- commentary and publish; drafts are theirs to read. Published renditions are public.
ALTER TABLE evaluation_narrative ENABLE ROW LEVEL SECURITY;
CREATE POLICY evaluation_narrative_all ON evaluation_narrative FOR ALL TO cohesio_api
  USING (principal('role') IN ('admin', 'analyst')) WITH CHECK (principal('role') IN ('admin', 'analyst'));
ALTER TABLE published_report ENABLE ROW LEVEL SECURITY;
CREATE POLICY published_report_read ON published_report FOR SELECT TO cohesio_api USING (true);
CREATE POLICY published_report_insert ON published_report FOR INSERT TO cohesio_api
  WITH CHECK (principal('role') IN ('admin', 'analyst'));
GRANT SELECT, INSERT, UPDATE ON evaluation_narrative TO cohesio_api;
GRANT USAGE ON SEQUENCE evaluation_narrative_id_seq TO cohesio_api;
ALTER TABLE published_report_document ENABLE ROW LEVEL SECURITY;
CREATE POLICY published_report_document_read ON published_report_document FOR SELECT TO cohesio_api USING (true);
CREATE POLICY published_report_document_insert ON published_report_document FOR INSERT TO cohesio_api
  WITH CHECK (principal('role') IN ('admin', 'analyst'));
GRANT SELECT, INSERT ON published_report, published_report_document TO cohesio_api;
GRANT USAGE ON SEQUENCE report_publication_seq TO cohesio_api;

-- In the audit trail like every writable table.
CREATE TRIGGER audit_insert AFTER INSERT ON evaluation_narrative REFERENCING NEW TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION audit_changed();
CREATE TRIGGER audit_update AFTER UPDATE ON evaluation_narrative REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION audit_updated();
CREATE TRIGGER audit_delete AFTER DELETE ON evaluation_narrative REFERENCING OLD TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION audit_changed();
CREATE TRIGGER audit_insert AFTER INSERT ON published_report REFERENCING NEW TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION audit_changed();

-- In the data version like every table the API reads (its migration, numbered before this one,
-- sets these triggers itself on a database that had this migration first).
DO $$
DECLARE t text;
BEGIN
  IF to_regprocedure('data_version_bump()') IS NOT NULL THEN
    FOREACH t IN ARRAY ARRAY['evaluation_narrative', 'published_report', 'published_report_document'] LOOP
      EXECUTE format('CREATE TRIGGER data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I
        FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump()', t);
    END LOOP;
  END IF;
END $$;
