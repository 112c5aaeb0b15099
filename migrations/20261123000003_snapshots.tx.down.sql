DROP TABLE IF EXISTS snapshot_chunk;
DROP TABLE IF EXISTS snapshot;
DROP FUNCTION IF EXISTS snapshot_immutable();
