// Holds: an account is suspended while it has at least one (CONTRACT §1). Writes normally go through
// transitions.ts; these are the reads and the set-based primitives it uses. Never: decides whether a hold may be lifted.
import type { Queryable } from './db.js';
import type { Hold, HoldReason } from '../domain/types.js';
import { HOLD_COLUMNS, json, toHold, type HoldRow } from './rows.js';

/** The insert of the holds in the JSON array parameter `param` (holdRecords), skipping duplicates; returns their ids. */
export const insertHoldsSql = (param: string): string =>
  `INSERT INTO holds (id, account_id, reason, source, evidence, note, placed_at, expires_at)
     SELECT r.id, r.account_id, r.reason, r.source, coalesce(r.evidence, '{}'::jsonb), r.note, r.placed_at, r.expires_at
       FROM jsonb_to_recordset(${param}::jsonb) AS r(id text, account_id text, reason text, source text, evidence jsonb,
                                                note text, placed_at timestamptz, expires_at timestamptz)
     ON CONFLICT (account_id, reason, source) DO NOTHING
     RETURNING id`;

/** Holds as the records insertHoldsSql reads. */
export function holdRecords(holds: readonly Hold[]): object[] {
  return holds.map((h) => ({
    id: h.id,
    account_id: h.accountId,
    reason: h.reason,
    source: h.source,
    evidence: h.evidence,
    note: h.note,
    placed_at: h.placedAt,
    expires_at: h.expiresAt,
  }));
}

/**
 * Inserts holds in one statement; a hold whose (account_id, reason, source) already exists is skipped.
 * Returns the ids actually inserted.
 */
export async function insertHolds(q: Queryable, holds: readonly Hold[]): Promise<string[]> {
  if (holds.length === 0) return [];
  const res = await q.query<{ id: string }>(insertHoldsSql('$1'), [json(holdRecords(holds))]);
  return res.rows.map((r) => r.id);
}

/** Deletes the holds with these ids; returns the ids actually deleted. */
export async function deleteHolds(q: Queryable, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const res = await q.query<{ id: string }>(
    'DELETE FROM holds WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb)) RETURNING id',
    [json(ids)],
  );
  return res.rows.map((r) => r.id);
}

export async function getHold(q: Queryable, id: string): Promise<Hold | null> {
  const res = await q.query<HoldRow>(`SELECT ${HOLD_COLUMNS} FROM holds WHERE id = $1`, [id]);
  return res.rows[0] ? toHold(res.rows[0]) : null;
}

/** The own holds of these accounts, ordered by account, placement time, id. */
export async function listHoldsOf(q: Queryable, accountIds: readonly string[]): Promise<Hold[]> {
  if (accountIds.length === 0) return [];
  const res = await q.query<HoldRow>(
    `SELECT ${HOLD_COLUMNS} FROM holds WHERE account_id IN (SELECT jsonb_array_elements_text($1::jsonb))
     ORDER BY account_id, placed_at, id`,
    [json(accountIds)],
  );
  return res.rows.map(toHold);
}

/** Holds whose `expiresAt` is at or before `now` (rule holds with `releaseAfter`), oldest first. */
export async function listExpiredHolds(q: Queryable, now: string, limit = 500): Promise<Hold[]> {
  const res = await q.query<HoldRow>(
    `SELECT ${HOLD_COLUMNS} FROM holds WHERE expires_at IS NOT NULL AND expires_at <= $1
     ORDER BY expires_at, id LIMIT $2`,
    [now, limit],
  );
  return res.rows.map(toHold);
}

/** For the `suspensiond_accounts_suspended{reason}` gauge: accounts that have holds of each reason. */
export async function countSuspendedByReason(q: Queryable): Promise<Record<HoldReason, number>> {
  const res = await q.query<{ reason: HoldReason; n: number }>(
    'SELECT reason, count(DISTINCT account_id) AS n FROM holds GROUP BY reason',
  );
  const out: Record<HoldReason, number> = { fraud: 0, non_payment: 0 };
  for (const r of res.rows) out[r.reason] = Number(r.n);
  return out;
}
