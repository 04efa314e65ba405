// Exemptions (overrides, CONTRACT §1): create, list, get, delete. Never: decides whether one applies (the domain does).
import type { Queryable } from './db.js';
import type { Exemption } from '../domain/types.js';
import { EXEMPTION_COLUMNS, json, toExemption, type ExemptionRow } from './rows.js';

/** The insert of the exemptions in the JSON array parameter `param` (exemptionRecords). */
export const insertExemptionsSql = (param: string): string =>
  `INSERT INTO exemptions (id, account_id, reason, rules, until, note, created_by, created_at)
     SELECT r.id, r.account_id, r.reason, r.rules, r.until, r.note, r.created_by, r.created_at
       FROM jsonb_to_recordset(${param}::jsonb) AS r(id text, account_id text, reason text, rules text[], until timestamptz,
                                                note text, created_by text, created_at timestamptz)`;

/** Exemptions as the records insertExemptionsSql reads. */
export function exemptionRecords(exemptions: readonly Exemption[]): object[] {
  return exemptions.map((x) => ({
    id: x.id,
    account_id: x.accountId,
    reason: x.reason,
    rules: x.rules,
    until: x.until,
    note: x.note,
    created_by: x.createdBy,
    created_at: x.createdAt,
  }));
}

export async function insertExemptions(q: Queryable, exemptions: readonly Exemption[]): Promise<void> {
  if (exemptions.length === 0) return;
  await q.query(insertExemptionsSql('$1'), [json(exemptionRecords(exemptions))]);
}

/** An account's exemptions, newest first. `activeAt` keeps only those still running at that instant. */
export async function listExemptions(q: Queryable, accountId: string, opts: { activeAt?: string } = {}): Promise<Exemption[]> {
  const res = await q.query<ExemptionRow>(
    `SELECT ${EXEMPTION_COLUMNS} FROM exemptions
      WHERE account_id = $1 AND ($2::timestamptz IS NULL OR until > $2::timestamptz)
      ORDER BY created_at DESC, id`,
    [accountId, opts.activeAt ?? null],
  );
  return res.rows.map(toExemption);
}

export async function getExemption(q: Queryable, id: string): Promise<Exemption | null> {
  const res = await q.query<ExemptionRow>(`SELECT ${EXEMPTION_COLUMNS} FROM exemptions WHERE id = $1`, [id]);
  return res.rows[0] ? toExemption(res.rows[0]) : null;
}

/** Deletes one exemption; returns it, or null when there was none. */
export async function deleteExemption(q: Queryable, id: string): Promise<Exemption | null> {
  const res = await q.query<ExemptionRow>(`DELETE FROM exemptions WHERE id = $1 RETURNING ${EXEMPTION_COLUMNS}`, [id]);
  return res.rows[0] ? toExemption(res.rows[0]) : null;
}
