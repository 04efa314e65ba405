-- 0013_dedupe_segments: the fraud engine's dedupe horizon stored as append-only segments (owned by src/ingest;
-- issue 17 item 1, src/rules/dedupe-segments.ts).
-- Append-only: never edit this file once it has landed; add a new numbered migration instead.
-- Must run unchanged on PostgreSQL >= 14 and on PGlite.

-- One row per state write that added dedupe keys: the (key, event time) pairs the engine's table took since the
-- write before, as little-endian float64s, written in the same transaction as the partition_checkpoints row and
-- the account parts, so the stored horizon always matches that row's next_offset. A restore reads every segment of
-- the partition in `seq` order. A write whose sweep threshold passed a segment's newest time deletes the segment
-- (it holds only expired keys). Before this table each account part carried its account's keys; such parts are
-- still read (their keys stay in them until they expire).
CREATE TABLE engine_dedupe_segments (
  topic      text NOT NULL,
  partition  integer NOT NULL,
  seq        bigint GENERATED ALWAYS AS IDENTITY,
  newest     double precision NOT NULL,
  pairs      bytea NOT NULL,
  PRIMARY KEY (topic, partition, seq)
);
