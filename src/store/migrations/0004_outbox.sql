-- 0004 (effects): the outbox dispatcher's lease and its claim index.
-- A claimed row keeps state 'pending' and carries a lease (claimed_until, claimed_by). If the dispatcher dies
-- between claim and send, the lease runs out and another dispatcher claims the row again: a redelivery, never a loss.
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS claimed_until timestamptz;
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS claimed_by text;

-- The claim takes the oldest pending row per (account_id, kind); this index serves the "no older pending row of
-- the same account and kind" check (0001 already indexes pending rows by next_attempt_at for the scan).
CREATE INDEX IF NOT EXISTS outbox_pending_account_kind_id ON outbox (account_id, kind, id) WHERE state = 'pending';
