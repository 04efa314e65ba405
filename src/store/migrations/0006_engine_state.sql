-- 0006_engine_state: incremental fraud engine checkpoints (owned by src/ingest).
-- Append-only: never edit this file once it has landed; add a new numbered migration instead.
-- Must run unchanged on PostgreSQL >= 14 and on PGlite.

-- One row per (input partition, account): that account's part of the partition's fraud engine state. A checkpoint
-- upserts the parts of the accounts changed since the previous one and deletes those the engine forgot, in the same
-- transaction as the partition_checkpoints row, so the parts always match that row's next_offset.
CREATE TABLE engine_account_state (
  topic       text NOT NULL,
  partition   integer NOT NULL,
  account_id  text NOT NULL,
  state       bytea NOT NULL,
  PRIMARY KEY (topic, partition, account_id)
);

-- The engine-wide part (partition clock, sweep thresholds, rule fingerprints) lives with the offset.
ALTER TABLE partition_checkpoints ADD COLUMN engine_shared bytea NULL;

-- Legacy whole-engine snapshots (`state`) are not converted: their dedupe keys cannot be assigned to accounts, and
-- nothing ran in production with them. They are cleared here; a partition resumes at its stored offset with an
-- empty engine. The column stays (append-only schema) and is no longer written.
UPDATE partition_checkpoints SET state = NULL WHERE state IS NOT NULL;
