-- The data version: a number that changes whenever a transaction that wrote data the API reads
-- commits, so that a response computed from a snapshot can be named by it (the named views'
-- ETags). One counter row would serialize every writer until its commit; 64 shards let
-- concurrent transactions bump different rows. Each statement that writes a domain table bumps
-- the shard of its transaction once, so the sum only grows, and a reader's snapshot sees it
-- change exactly when some data write committed. Reads bump nothing, and neither do the
-- platform's own bookkeeping tables (the audit log, idempotency keys, API tokens).
CREATE TABLE data_version (
  shard   smallint PRIMARY KEY CHECK (shard BETWEEN 0 AND 63),
  changes bigint NOT NULL DEFAULT 0
);
INSERT INTO data_version (shard) SELECT generate_series(0, 63);

-- Runs as the owner, so that the API's role needs no right to change the counter.
CREATE FUNCTION data_version_bump() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
  UPDATE data_version SET changes = changes + 1 WHERE shard = txid_current() % 64;
  RETURN NULL;
END $$;

-- Every table the API reads. The evaluation's tables come in a later migration, which sets its
-- own triggers; on a database that already has them, they are set here.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['source', 'theme', 'target_public', 'sector', 'legal_form', 'territory',
    'territory_group_member', 'authority', 'policy', 'programme', 'programme_axis', 'programme_territory',
    'operator', 'operator_sector', 'operator_territory', 'operator_site', 'approval', 'project', 'project_theme',
    'project_target_public', 'project_partner', 'indicator', 'coordination', 'coordination_member',
    'working_group', 'working_group_member', 'meeting', 'event', 'event_organisation', 'disaggregation',
    'observation', 'need', 'transversal_link', 'rule', 'snapshot', 'snapshot_chunk', 'report_template',
    'template_section', 'template_question', 'template_rule', 'campaign', 'submission', 'submission_answer',
    'submission_event', 'submission_comment', 'evaluation_narrative', 'published_report',
    'published_report_document'] LOOP
    IF to_regclass(t) IS NOT NULL THEN
      EXECUTE format('CREATE TRIGGER data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I
        FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump()', t);
    END IF;
  END LOOP;
END $$;

GRANT SELECT ON data_version TO cohesio_api;
