// The audit trail (CONTRACT §4 history): append-only. Never: updates or deletes an entry.
import type { Queryable } from './db.js';
import type { AuditEntry, AuditKind, Evidence, HoldReason } from '../domain/types.js';
import { decodeCursor, encodeCursor, iso, json } from './rows.js';

export interface StoredAuditEntry extends AuditEntry {
  id: number;
}

interface AuditRow {
  id: number | string;
  account_id: string;
  kind: string;
  actor: string;
  at: Date | string;
  hold_id: string | null;
  decision_id: string | null;
  reason: string | null;
  note: string | null;
  evidence: Evidence | null;
}

/** The insert of the audit entries in the JSON array parameter `param` (auditRecords), in array order. */
export const appendAuditSql = (param: string): string =>
  `INSERT INTO audit (account_id, kind, actor, at, hold_id, decision_id, reason, note, evidence)
     SELECT e.doc->>'account_id', e.doc->>'kind', e.doc->>'actor', (e.doc->>'at')::timestamptz, e.doc->>'hold_id',
            e.doc->>'decision_id', e.doc->>'reason', e.doc->>'note', nullif(e.doc->'evidence', 'null'::jsonb)
       FROM jsonb_array_elements(${param}::jsonb) WITH ORDINALITY AS e(doc, ord)
      ORDER BY e.ord`;

/** Audit entries as the records appendAuditSql reads. */
export function auditRecords(entries: readonly AuditEntry[]): object[] {
  return entries.map((e) => ({
    account_id: e.accountId,
    kind: e.kind,
    actor: e.actor,
    at: e.at,
    hold_id: e.holdId ?? null,
    decision_id: e.decisionId ?? null,
    reason: e.reason ?? null,
    note: e.note ?? null,
    evidence: e.evidence ?? null,
  }));
}

/** Appends entries in one statement, in the given order (ids increase in that order). */
export async function appendAudit(q: Queryable, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await q.query(appendAuditSql('$1'), [json(auditRecords(entries))]);
}

export interface AuditPage {
  items: StoredAuditEntry[];
  nextCursor: string | null;
}

/** An account's audit trail, oldest first, keyset-paged by id. */
export async function listAudit(
  q: Queryable,
  accountId: string,
  opts: { cursor?: string | null; limit?: number } = {},
): Promise<AuditPage> {
  const limit = Math.min(Math.max(opts.limit ?? 100, 1), 1000);
  const after = decodeCursor(opts.cursor);
  const res = await q.query<AuditRow>(
    `SELECT id, account_id, kind, actor, at, hold_id, decision_id, reason, note, evidence FROM audit
      WHERE account_id = $1 AND ($2::bigint IS NULL OR id > $2::bigint) ORDER BY id LIMIT $3`,
    [accountId, after, limit + 1],
  );
  const items = res.rows.slice(0, limit).map(
    (r): StoredAuditEntry => ({
      id: Number(r.id),
      accountId: r.account_id,
      kind: r.kind as AuditKind,
      actor: r.actor,
      at: iso(r.at),
      holdId: r.hold_id,
      decisionId: r.decision_id,
      reason: r.reason as HoldReason | null,
      note: r.note,
      evidence: r.evidence,
    }),
  );
  const last = items[items.length - 1];
  return { items, nextCursor: res.rows.length > limit && last ? encodeCursor(last.id) : null };
}
