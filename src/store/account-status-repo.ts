// The last published effective status per account, with its version (CONTRACT §2: `version` only increases).
// Written only by transitions.ts (set-based, with the outbox rows). Never: publishes anything itself.
import type { Queryable } from './db.js';
import type { StatusMessageBody } from '../domain/status.js';
import { iso, json } from './rows.js';

/** The CONTRACT §2 status message as published: the domain's body plus `version` and `changedAt`. */
export interface StatusMessage extends StatusMessageBody {
  version: number;
  changedAt: string;
}

export interface StoredStatus {
  accountId: string;
  version: number;
  status: StatusMessage;
  changedAt: string;
}

interface StatusRow {
  account_id: string;
  version: number | string;
  status: StatusMessage;
  changed_at: Date | string;
}

function toStored(r: StatusRow): StoredStatus {
  return { accountId: r.account_id, version: Number(r.version), status: r.status, changedAt: iso(r.changed_at) };
}

export async function getAccountStatus(q: Queryable, accountId: string): Promise<StoredStatus | null> {
  const res = await q.query<StatusRow>('SELECT account_id, version, status, changed_at FROM account_status WHERE account_id = $1', [
    accountId,
  ]);
  return res.rows[0] ? toStored(res.rows[0]) : null;
}

export async function getAccountStatuses(q: Queryable, accountIds: readonly string[]): Promise<Map<string, StoredStatus>> {
  const out = new Map<string, StoredStatus>();
  if (accountIds.length === 0) return out;
  const res = await q.query<StatusRow>(
    `SELECT account_id, version, status, changed_at FROM account_status
      WHERE account_id IN (SELECT jsonb_array_elements_text($1::jsonb))`,
    [json(accountIds)],
  );
  for (const r of res.rows) out.set(r.account_id, toStored(r));
  return out;
}

/**
 * Two CTEs, `input` (the status bodies of the JSON array parameter `bodies`, with their order) and `upserted` (each
 * account's status stored with its version bumped, changed at the ISO text parameter `at`), for recordStatusChanges
 * and transition-writes.ts, which queue the outbox rows after them.
 */
export const statusUpsertCtes = (bodies: string, at: string): string =>
  `input AS (
       SELECT e.doc->>'accountId' AS account_id, e.doc AS body, e.ord
         FROM jsonb_array_elements(${bodies}::jsonb) WITH ORDINALITY AS e(doc, ord)
     ), upserted AS (
       INSERT INTO account_status AS s (account_id, version, status, changed_at)
       SELECT i.account_id, 1, i.body || jsonb_build_object('version', 1, 'changedAt', ${at}::text), (${at}::text)::timestamptz
         FROM input i ORDER BY i.account_id
       ON CONFLICT (account_id) DO UPDATE
         SET version = s.version + 1,
             status = EXCLUDED.status || jsonb_build_object('version', s.version + 1),
             changed_at = EXCLUDED.changed_at
       RETURNING s.account_id, s.version, s.status
     )`;

/** One body per account, as statusUpsertCtes needs (ON CONFLICT DO UPDATE may touch a row once per statement): the last wins. */
export function lastBodyPerAccount(bodies: readonly StatusMessageBody[]): StatusMessageBody[] {
  return [...new Map(bodies.map((b) => [b.accountId, b])).values()];
}

/**
 * Bumps the version of each account's status (1 for a first status), stores the full message, and queues one
 * `status` outbox row per account (dedupe key `status:<accountId>:<version>`), all in one statement.
 * Returns the stored messages, in input order.
 */
export async function recordStatusChanges(
  q: Queryable,
  bodies: readonly StatusMessageBody[],
  changedAt: string,
): Promise<StatusMessage[]> {
  if (bodies.length === 0) return [];
  const unique = lastBodyPerAccount(bodies);
  const res = await q.query<{ account_id: string; status: StatusMessage }>(
    `WITH ${statusUpsertCtes('$1', '$2')}, queued AS (
       INSERT INTO outbox (account_id, kind, payload, dedupe_key, state, attempts, next_attempt_at, created_at)
       SELECT u.account_id, 'status', u.status, 'status:' || u.account_id || ':' || u.version, 'pending', 0,
              ($2::text)::timestamptz, ($2::text)::timestamptz
         FROM upserted u
       ON CONFLICT (dedupe_key) DO NOTHING
     )
     SELECT u.account_id, u.status FROM upserted u JOIN input i USING (account_id) ORDER BY i.ord`,
    [json(unique), changedAt],
  );
  return res.rows.map((r) => r.status);
}
