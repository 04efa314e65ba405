// The outbox's SQL: claim under a lease, complete, reschedule or park, skip, count. Plain parameterised,
// set-based statements. Never sends anything and never decides policy (attempt limits and delays come in).
import type { Queryable } from '../store/db.js';
import type { OutboxKind, OutboxRow } from './outbox-types.js';

interface ClaimedRow {
  id: string;
  account_id: string;
  kind: OutboxKind;
  payload: unknown;
  dedupe_key: string;
  attempts: number;
  created_at: Date | string;
  waits: number;
}

/**
 * Claims up to `limit` due rows of `kind`, only ever the oldest pending row of an account, under a lease until
 * `now + leaseMs`. SKIP LOCKED lets replicas claim side by side; the lease (not an open transaction) protects the
 * row while it is sent, so a pool connection or PGlite's single connection is never held across SMTP or Kafka I/O.
 * Per-account order: a row is a candidate only while it heads its account's pending rows, and a claimed head stays
 * pending (under its lease) until it is done, so the next row of that account cannot be claimed meanwhile by anyone.
 * The lock re-checks state and lease on the latest row version, so a head claimed or completed by another replica
 * since this statement's snapshot is skipped. DISTINCT ON (not NOT EXISTS, whose anti-join planned from stale
 * statistics took 50 s on a 10,000-row backlog) keeps the plan one ordered scan of 0004's pending index. The claim counts as an attempt, so a row that kills its dispatcher every time
 * still ends up parked. $1 kind, $2 now, $3 limit, $4 leaseMs, $5 dispatcher id.
 */
const CLAIM_SQL = `
WITH heads AS (
  SELECT DISTINCT ON (account_id) id, next_attempt_at, claimed_until
    FROM outbox
   WHERE state = 'pending' AND kind = $1
   ORDER BY account_id, id
), due AS (
  SELECT id FROM heads
   WHERE next_attempt_at <= $2::timestamptz
     AND (claimed_until IS NULL OR claimed_until <= $2::timestamptz)
   ORDER BY id
   LIMIT $3
), locked AS (
  SELECT o.id
    FROM outbox o
    JOIN due d ON d.id = o.id
   WHERE o.state = 'pending'
     AND (o.claimed_until IS NULL OR o.claimed_until <= $2::timestamptz)
     FOR UPDATE OF o SKIP LOCKED
)
UPDATE outbox t
   SET claimed_until = $2::timestamptz + make_interval(secs => $4::double precision / 1000),
       claimed_by = $5,
       attempts = t.attempts + 1
  FROM locked c
 WHERE t.id = c.id
RETURNING t.id::text AS id, t.account_id, t.kind, t.payload, t.dedupe_key, t.attempts, t.created_at, t.waits`;

export async function claimBatch(
  db: Queryable,
  args: { kind: OutboxKind; now: Date; limit: number; leaseMs: number; dispatcherId: string },
): Promise<OutboxRow[]> {
  const res = await db.query<ClaimedRow>(CLAIM_SQL, [args.kind, args.now.toISOString(), args.limit, args.leaseMs, args.dispatcherId]);
  return res.rows
    .map((r) => ({
      id: String(r.id),
      accountId: r.account_id,
      kind: r.kind,
      payload: typeof r.payload === 'string' ? (JSON.parse(r.payload) as unknown) : r.payload,
      dedupeKey: r.dedupe_key,
      attempts: Number(r.attempts),
      createdAt: new Date(r.created_at),
      waits: Number(r.waits),
    }))
    .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
}

/**
 * Marks sent rows done. No `claimed_by` check: once the effect happened, the row is done whoever holds the lease now.
 * $1 ids, $2 now.
 */
export async function markDone(db: Queryable, ids: readonly string[], now: Date): Promise<string[]> {
  if (ids.length === 0) return [];
  const res = await db.query<{ id: string }>(
    `UPDATE outbox SET state = 'done', done_at = $2::timestamptz, claimed_until = NULL, last_error = NULL, waiting_for = NULL
      WHERE id = ANY($1::bigint[]) AND state = 'pending'
     RETURNING id::text AS id`,
    [ids, now.toISOString()],
  );
  return res.rows.map((r) => String(r.id));
}

export interface FailedRow {
  id: string;
  error: string;
  /** When to try again, if the row is not parked. */
  retryAt: Date;
  /** Park now regardless of attempts (a payload that can never succeed). */
  permanent?: boolean;
}

export interface FailureOutcome {
  id: string;
  accountId: string;
  state: 'pending' | 'parked';
  attempts: number;
}

/**
 * Reschedules failed rows, or parks those that reached `maxAttempts`. Only rows this dispatcher still holds are
 * touched, so a late failure cannot undo another dispatcher's claim. $1 ids, $2 retry times, $3 errors,
 * $4 permanent flags, $5 maxAttempts, $6 dispatcher id.
 */
export async function markFailed(
  db: Queryable,
  failures: readonly FailedRow[],
  args: { maxAttempts: number; dispatcherId: string },
): Promise<FailureOutcome[]> {
  if (failures.length === 0) return [];
  const res = await db.query<{ id: string; account_id: string; state: 'pending' | 'parked'; attempts: number }>(
    `UPDATE outbox t
        SET state = CASE WHEN f.permanent OR t.attempts >= $5 THEN 'parked' ELSE 'pending' END,
            next_attempt_at = f.retry_at,
            last_error = f.err,
            claimed_until = NULL,
            waiting_for = NULL
       FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::boolean[]) AS f(id, retry_at, err, permanent)
      WHERE t.id = f.id AND t.state = 'pending' AND t.claimed_by = $6
     RETURNING t.id::text AS id, t.account_id, t.state, t.attempts`,
    [
      failures.map((f) => f.id),
      failures.map((f) => f.retryAt.toISOString()),
      failures.map((f) => f.error.slice(0, 2000)),
      failures.map((f) => f.permanent === true),
      args.maxAttempts,
      args.dispatcherId,
    ],
  );
  return res.rows.map((r) => ({ id: String(r.id), accountId: r.account_id, state: r.state, attempts: Number(r.attempts) }));
}

/** With no sink for `kind` (Kafka not configured): every pending row of it becomes `skipped`. $1 kind, $2 now. */
export async function skipPending(db: Queryable, kind: OutboxKind, now: Date): Promise<number> {
  const res = await db.query(
    `UPDATE outbox SET state = 'skipped', done_at = $2::timestamptz, claimed_until = NULL
      WHERE kind = $1 AND state = 'pending'`,
    [kind, now.toISOString()],
  );
  return res.rowCount;
}

/**
 * Pending rows per kind, for `suspensiond_outbox_pending{kind}`, not counting the emails of an account whose oldest
 * email waits for the account's snapshot or contact (those are `waiting`, for
 * `suspensiond_emails_waiting_for_contact`, the queued ones behind it included): a wait of hours is the configured
 * behaviour, not an outbox that fails to drain.
 */
export async function countPending(db: Queryable): Promise<{ pending: Map<string, number>; waiting: number }> {
  const res = await db.query<{ kind: string; n: number | string; waiting: number | string }>(
    `WITH p AS (
       SELECT kind, account_id, waiting_for FROM outbox WHERE state = 'pending'
     ), held AS (
       SELECT DISTINCT account_id FROM p WHERE kind = 'email' AND waiting_for IS NOT NULL
     )
     SELECT p.kind,
            count(*) FILTER (WHERE p.kind <> 'email' OR h.account_id IS NULL) AS n,
            count(*) FILTER (WHERE p.kind = 'email' AND h.account_id IS NOT NULL) AS waiting
       FROM p LEFT JOIN held h ON h.account_id = p.account_id
      GROUP BY p.kind`,
  );
  return {
    pending: new Map(res.rows.map((r) => [r.kind, Number(r.n)])),
    waiting: res.rows.reduce((sum, r) => sum + Number(r.waiting), 0),
  };
}
