-- 0008_effects_offset: the fraud engine's state is checkpointed less often than the effects (owned by src/ingest).
-- Append-only: never edit this file once it has landed; add a new numbered migration instead.
-- Must run unchanged on PostgreSQL >= 14 and on PGlite.

-- next_offset stays the offset at which the stored engine state (engine_shared + engine_account_state) is exact.
-- effects_offset, when set, is further on: the effects (holds, audit, outbox, dead letters) of every record before
-- it are durable. On restart the engine state is restored at next_offset and the records up to effects_offset are
-- fed to the engine again with their effects suppressed. NULL means the same as next_offset.
ALTER TABLE partition_checkpoints ADD COLUMN effects_offset bigint NULL;
