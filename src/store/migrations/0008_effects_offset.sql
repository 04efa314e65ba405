-- 0008_effects_offset: the fraud engine's state is checkpointed apart from the effects (owned by src/ingest).
-- Append-only: never edit this file once it has landed; add a new numbered migration instead.
-- Must run unchanged on PostgreSQL >= 14 and on PGlite.

-- next_offset stays the offset at which the stored engine state (engine_shared + engine_account_state) is exact.
-- effects_offset: the effects (holds, audit, outbox, dead letters) of every record before it are durable. Either may
-- be ahead of the other: effects move with every batch that has some, the state every ENGINE_STATE_INTERVAL. On
-- restart the engine state is restored at next_offset, and the records up to effects_offset, if that is further
-- on, are fed to the engine again with their effects suppressed. Writers fence on effects_offset.
ALTER TABLE partition_checkpoints ADD COLUMN effects_offset bigint NULL;
UPDATE partition_checkpoints SET effects_offset = next_offset;
ALTER TABLE partition_checkpoints ALTER COLUMN effects_offset SET NOT NULL;
