-- 0010 (effects): emails that wait for their account's snapshot or main contact (src/effects/email-wait.ts).
-- Append-only: never edit this file once it has landed; add a new numbered migration instead.
-- Must run unchanged on PostgreSQL >= 14 and on PGlite.

-- waiting_for: NULL for a row being delivered normally; 'account' while the account is not known yet (no row, or
-- only the placeholder a rule hold inserts), 'contact' while it is known but has no main contact. Such a row stays
-- 'pending', is rescheduled with backoff and parked once EMAIL_WAIT_FOR_CONTACT has passed since created_at.
-- An account snapshot that brings a contact makes its waiting rows due at once (src/store/account-moves.ts).
-- waits: how often the row found no recipient; drives the backoff without spending its delivery attempts.
ALTER TABLE outbox ADD COLUMN waiting_for text NULL;
ALTER TABLE outbox ADD COLUMN waits integer NOT NULL DEFAULT 0;
