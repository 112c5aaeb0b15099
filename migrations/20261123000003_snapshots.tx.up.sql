-- Frozen exports of a dataset. A snapshot's id is the SHA-256 of its content (the dataset's
-- name, its columns and every row), so the same data frozen twice is one snapshot. The rows are
-- kept in a compact canonical encoding, in chunks, and rendered into any format on download;
-- nothing may change a snapshot once it is written.
CREATE TABLE snapshot (
  id          text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{64}$'),
  dataset     text NOT NULL CHECK (dataset <> ''),
  -- The filter as the client gave it (the read API's filter of the dataset's entity).
  filter      jsonb NOT NULL DEFAULT '{}',
  -- The query that produced the rows, for the record.
  query       text NOT NULL,
  -- The columns as they were described when the snapshot was taken.
  fields      jsonb NOT NULL,
  row_count   bigint NOT NULL CHECK (row_count >= 0),
  -- Person counts below this were suppressed; null when the snapshot holds them unsuppressed.
  suppression_threshold integer CHECK (suppression_threshold > 0),
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX snapshot_dataset_idx ON snapshot (dataset, created_at);

CREATE TABLE snapshot_chunk (
  snapshot_id text NOT NULL REFERENCES snapshot ON DELETE CASCADE,
  seq         integer NOT NULL CHECK (seq >= 0),
  data        bytea NOT NULL,
  PRIMARY KEY (snapshot_id, seq)
);

CREATE FUNCTION snapshot_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'snapshots are immutable: % refused on %', TG_OP, TG_TABLE_NAME;
END $$;
CREATE TRIGGER snapshot_immutable BEFORE UPDATE ON snapshot
  FOR EACH ROW EXECUTE FUNCTION snapshot_immutable();
CREATE TRIGGER snapshot_chunk_immutable BEFORE UPDATE ON snapshot_chunk
  FOR EACH ROW EXECUTE FUNCTION snapshot_immutable();
