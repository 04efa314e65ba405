-- 0002_ingest: partition checkpoints and dead letters (owned by src/ingest).
-- Append-only: never edit this file once it has landed; add a new numbered migration instead.
-- Must run unchanged on PostgreSQL >= 14 and on PGlite.

-- One row per input partition: the next offset to apply and the fraud engine's state after applying everything
-- before it. Written in the same transaction as the effects of the records before `next_offset`, so a restart
-- resumes from a consistent point. HTTP ingest uses partition -1 (its own engine, offsets are a local sequence).
CREATE TABLE partition_checkpoints (
  topic        text NOT NULL,
  partition    integer NOT NULL,
  next_offset  bigint NOT NULL,
  state        bytea NULL,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (topic, partition)
);

-- Every rejected input record, its bytes unchanged, for GET /v1/dead-letters. Also produced to the DLQ topic.
-- partition/offset are NULL for HTTP ingest and replay. A crash between producing to the DLQ and committing may
-- produce a DLQ message twice; the unique key keeps the table to one row per Kafka record.
CREATE TABLE dead_letters (
  id           bigserial PRIMARY KEY,
  topic        text NOT NULL,
  partition    integer NULL,
  "offset"     bigint NULL,
  key          bytea NULL,
  value        bytea NULL,
  headers      jsonb NOT NULL DEFAULT '{}',
  error        text NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX dead_letters_source_key ON dead_letters (topic, partition, "offset") WHERE "offset" IS NOT NULL;
CREATE INDEX dead_letters_received_at_idx ON dead_letters (received_at DESC, id DESC);
