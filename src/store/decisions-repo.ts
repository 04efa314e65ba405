// Review decisions (CONTRACT §1 Modes): insert, list, get, decide. At most one pending decision per
// (account, reason, source) — enforced by a partial unique index. Never: places holds (approval is a transition).
import type { Queryable } from './db.js';
import type { Decision, DecisionState } from '../domain/types.js';
import { DECISION_COLUMNS, decodeCursor, encodeCursor, json, toDecision, type DecisionRow } from './rows.js';

/** The insert of the decisions in the JSON array parameter `param` (decisionRecords), skipping a duplicate pending one. */
export const insertDecisionsSql = (param: string): string =>
  `INSERT INTO decisions (id, account_id, reason, source, evidence, note, state, created_at, decided_at, decided_by)
     SELECT r.id, r.account_id, r.reason, r.source, coalesce(r.evidence, '{}'::jsonb), r.note, r.state, r.created_at,
            r.decided_at, r.decided_by
       FROM jsonb_to_recordset(${param}::jsonb) AS r(id text, account_id text, reason text, source text, evidence jsonb,
            note text, state text, created_at timestamptz, decided_at timestamptz, decided_by text)
     ON CONFLICT (account_id, reason, source) WHERE state = 'pending' DO NOTHING
     RETURNING id`;

/** Decisions as the records insertDecisionsSql reads. */
export function decisionRecords(decisions: readonly Decision[]): object[] {
  return decisions.map((d) => ({
    id: d.id,
    account_id: d.accountId,
    reason: d.reason,
    source: d.source,
    evidence: d.evidence,
    note: d.note,
    state: d.state,
    created_at: d.createdAt,
    decided_at: d.decidedAt,
    decided_by: d.decidedBy,
  }));
}

/** Inserts decisions; one that duplicates a pending (account, reason, source) is skipped. Returns inserted ids. */
export async function insertDecisions(q: Queryable, decisions: readonly Decision[]): Promise<string[]> {
  if (decisions.length === 0) return [];
  const res = await q.query<{ id: string }>(insertDecisionsSql('$1'), [json(decisionRecords(decisions))]);
  return res.rows.map((r) => r.id);
}

export async function getDecision(q: Queryable, id: string, opts: { forUpdate?: boolean } = {}): Promise<Decision | null> {
  const res = await q.query<DecisionRow>(
    `SELECT ${DECISION_COLUMNS} FROM decisions WHERE id = $1${opts.forUpdate ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return res.rows[0] ? toDecision(res.rows[0]) : null;
}

export interface DecisionPage {
  items: Decision[];
  nextCursor: string | null;
}

/** Decisions by state (default pending), oldest first, keyset-paged. */
export async function listDecisions(
  q: Queryable,
  opts: { state?: DecisionState; accountId?: string; cursor?: string | null; limit?: number } = {},
): Promise<DecisionPage> {
  const limit = Math.min(Math.max(opts.limit ?? 100, 1), 1000);
  const after = decodeCursor(opts.cursor);
  const [afterAt, afterId] = after === null ? [null, null] : (JSON.parse(after) as [string, string]);
  const res = await q.query<DecisionRow>(
    `SELECT ${DECISION_COLUMNS} FROM decisions
      WHERE state = $1 AND ($2::text IS NULL OR account_id = $2)
        AND ($3::timestamptz IS NULL OR (created_at, id) > ($3::timestamptz, $4::text))
      ORDER BY created_at, id LIMIT $5`,
    [opts.state ?? 'pending', opts.accountId ?? null, afterAt, afterId, limit + 1],
  );
  const items = res.rows.slice(0, limit).map(toDecision);
  const last = items[items.length - 1];
  return { items, nextCursor: res.rows.length > limit && last ? encodeCursor(JSON.stringify([last.createdAt, last.id])) : null };
}

export async function listPendingDecisions(q: Queryable, accountId: string): Promise<Decision[]> {
  const res = await q.query<DecisionRow>(
    `SELECT ${DECISION_COLUMNS} FROM decisions WHERE account_id = $1 AND state = 'pending' ORDER BY created_at, id`,
    [accountId],
  );
  return res.rows.map(toDecision);
}

/**
 * Records a decided decision (state, decidedAt, decidedBy), only if it is still pending.
 * Returns false when it was already decided (a concurrent approve/reject won).
 */
export async function setDecisionState(q: Queryable, decision: Decision): Promise<boolean> {
  const res = await q.query(
    `UPDATE decisions SET state = $2, decided_at = $3, decided_by = $4 WHERE id = $1 AND state = 'pending'`,
    [decision.id, decision.state, decision.decidedAt, decision.decidedBy],
  );
  return res.rowCount > 0;
}
