// The stored state that must not depend on the input path: accounts, holds, pending decisions, invoices, alerts.
// Times of placement are left out (they are the wall clock live and event time in replay).
import type { Queryable } from '../../../src/store/db.js';

export async function storedState(q: Queryable): Promise<Record<string, unknown[]>> {
  const rows = async (sql: string) => (await q.query(sql)).rows;
  return {
    accounts: await rows(`SELECT id, type, parent_id, name, tags, timezone, closed, updated_at::text FROM accounts ORDER BY id`),
    holds: await rows(`SELECT account_id, reason, source, evidence->>'rule' AS rule, evidence->>'value' AS value FROM holds ORDER BY account_id, source`),
    decisions: await rows(`SELECT account_id, reason, source, state FROM decisions ORDER BY account_id, source`),
    invoices: await rows(`SELECT account_id, invoice_id, currency, outstanding_micros::text, total_micros::text, due_at::text, last_type FROM invoices ORDER BY account_id, invoice_id`),
    alerts: await rows(`SELECT account_id, actor, evidence->>'value' AS value FROM audit WHERE kind = 'alert' ORDER BY account_id, actor, id`),
  };
}
