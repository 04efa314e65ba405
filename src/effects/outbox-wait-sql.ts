// The outbox's SQL for emails that wait for their recipient (0010): load the accounts as stored, reschedule a row
// that found none, and make waiting rows due at once when their account's contact arrives. Plain, parameterised,
// set-based statements. Never sends anything and never decides how long to wait (that comes in).
import type { Queryable } from '../store/db.js';
import type { StoredAccount, WaitingFor } from './email-recipient.js';

/** A stored main contact worth sending to: a JSON object with a non-empty email. */
const HAS_CONTACT = `jsonb_typeof(a.main_contact) = 'object' AND coalesce(a.main_contact->>'email', '') <> ''`;

/**
 * The accounts of a batch as stored now. The placeholder a rule hold inserts for an account not known yet (epoch
 * `updated_at`, no name, no contact) is `known: false`. $1 account ids.
 */
export async function loadStoredAccounts(db: Queryable, accountIds: readonly string[]): Promise<Map<string, StoredAccount>> {
  const ids = [...new Set(accountIds)];
  if (ids.length === 0) return new Map();
  const res = await db.query<{ id: string; name: string | null; main_contact: unknown; known: boolean }>(
    `SELECT a.id, a.name, a.main_contact, a.updated_at > 'epoch'::timestamptz AS known
       FROM accounts a WHERE a.id = ANY($1::text[])`,
    [ids],
  );
  return new Map(
    res.rows.map((r) => [
      r.id,
      { name: r.name, mainContact: typeof r.main_contact === 'string' ? (JSON.parse(r.main_contact) as unknown) : r.main_contact, known: r.known },
    ]),
  );
}

export interface WaitingRow {
  id: string;
  waitingFor: WaitingFor;
  retryAt: Date;
  /** Shown as the row's last_error while it waits. */
  note: string;
}

/**
 * Reschedules rows that found no recipient. The claim is given back (`attempts - 1`): waiting for a contact spends
 * none of the row's delivery attempts, `waits` counts instead. Only rows this dispatcher still holds are touched.
 * A contact that arrived while this pass looked (the account's upsert committed after the pass read the account)
 * makes the row due at once instead. Returns the ids rescheduled. $1 ids, $2 retry times, $3 waiting_for,
 * $4 notes, $5 dispatcher id, $6 now.
 */
export async function markWaiting(db: Queryable, rows: readonly WaitingRow[], dispatcherId: string, now: Date): Promise<string[]> {
  if (rows.length === 0) return [];
  const res = await db.query<{ id: string }>(
    `UPDATE outbox t
        SET next_attempt_at = CASE WHEN EXISTS (SELECT 1 FROM accounts a WHERE a.id = t.account_id AND a.updated_at > 'epoch'::timestamptz AND ${HAS_CONTACT})
                                   THEN $6::timestamptz ELSE f.retry_at END,
            waiting_for = f.waiting_for,
            last_error = f.note,
            claimed_until = NULL,
            attempts = greatest(t.attempts - 1, 0),
            waits = t.waits + 1
       FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[]) AS f(id, retry_at, waiting_for, note)
      WHERE t.id = f.id AND t.state = 'pending' AND t.claimed_by = $5
     RETURNING t.id::text AS id`,
    [rows.map((r) => r.id), rows.map((r) => r.retryAt.toISOString()), rows.map((r) => r.waitingFor), rows.map((r) => r.note), dispatcherId, now.toISOString()],
  );
  return res.rows.map((r) => String(r.id));
}

/**
 * Makes the waiting emails of these accounts due now, for those whose stored account now has a main contact: called
 * in the transaction that upserts account snapshots, so an email that waited for its account goes out within a
 * dispatcher poll of the snapshot landing, not at its next backoff step. One statement on the pending
 * (account_id, kind, id) index of 0004. Returns how many rows it woke. $1 account ids, $2 now.
 */
export async function wakeWaitingEmails(tx: Queryable, accountIds: readonly string[], now: string): Promise<number> {
  if (accountIds.length === 0) return 0;
  const res = await tx.query(
    `UPDATE outbox o SET next_attempt_at = $2::timestamptz
      WHERE o.state = 'pending' AND o.kind = 'email' AND o.waiting_for IS NOT NULL
        AND o.account_id = ANY($1::text[]) AND o.next_attempt_at > $2::timestamptz
        AND EXISTS (SELECT 1 FROM accounts a WHERE a.id = o.account_id AND a.updated_at > 'epoch'::timestamptz AND ${HAS_CONTACT})`,
    [[...accountIds], now],
  );
  return res.rowCount;
}
