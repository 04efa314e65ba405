// Every row a batch of transitions writes, in ONE data-modifying statement (one round trip, issue 17): holds placed
// and lifted, exemptions, review decisions, audit entries, the status versions and the outbox rows (status messages
// and emails). Each part is the per-table repository's own statement and records (insertHoldsSql and holdRecords in
// holds-repo, and likewise in exemptions-repo, decisions-repo, audit-repo, account-status-repo), as a CTE over the
// same JSON input, so the rows are the same column for column. Conflicts are reported, not raised: the caller compares what was placed, lifted and
// opened with what it asked for, and throws (its transaction, or savepoint, then undoes the whole statement).
// Never: decides anything, or commits.
import type { Queryable } from './db.js';
import type { StatusMessageBody } from '../domain/status.js';
import type { AuditEntry, Decision, Exemption, Hold } from '../domain/types.js';
import { statusUpsertCtes, type StatusMessage } from './account-status-repo.js';
import type { NewOutboxRow } from './outbox-repo.js';
import { appendAuditSql, auditRecords } from './audit-repo.js';
import { decisionRecords, insertDecisionsSql } from './decisions-repo.js';
import { exemptionRecords, insertExemptionsSql } from './exemptions-repo.js';
import { holdRecords, insertHoldsSql } from './holds-repo.js';
import { json } from './rows.js';

export interface TransitionRows {
  holdsPlaced: readonly Hold[];
  holdsLifted: readonly string[];
  exemptions: readonly Exemption[];
  decisions: readonly Decision[];
  audit: readonly AuditEntry[];
  /** One body per account (the caller keeps the last of each account's changes). */
  statuses: readonly StatusMessageBody[];
  emails: readonly NewOutboxRow[];
}

export interface WrittenRows {
  /** Ids of the holds inserted (a duplicate (account, reason, source) is skipped). */
  placed: string[];
  /** Ids of the holds deleted. */
  lifted: string[];
  /** Ids of the decisions inserted (a duplicate pending (account, reason, source) is skipped). */
  opened: string[];
  /** The stored status messages with their versions, in the order of `statuses`. */
  statuses: StatusMessage[];
}

// $1 holds, $2 lifted hold ids, $3 exemptions, $4 decisions, $5 audit entries, $6 status bodies, $7 the transition's
// instant (ISO text), $8 email outbox rows; all JSON arrays. Outbox rows: status messages first, then emails, each
// in input order (the order of the separate inserts this replaces).
const WRITE_SQL = `
  WITH placed AS (
    ${insertHoldsSql('$1')}
  ), lifted AS (
    DELETE FROM holds WHERE id IN (SELECT jsonb_array_elements_text($2::jsonb)) RETURNING id
  ), exempted AS (
    ${insertExemptionsSql('$3')}
  ), opened AS (
    ${insertDecisionsSql('$4')}
  ), audited AS (
    ${appendAuditSql('$5')}
  ), ${statusUpsertCtes('$6', '$7')}, queued AS (
    INSERT INTO outbox (account_id, kind, payload, dedupe_key, state, attempts, next_attempt_at, created_at)
    SELECT q.account_id, q.kind, q.payload, q.dedupe_key, 'pending', 0, ($7::text)::timestamptz, ($7::text)::timestamptz
      FROM (
        SELECT u.account_id, 'status' AS kind, u.status AS payload, 'status:' || u.account_id || ':' || u.version AS dedupe_key,
               1 AS part, i.ord
          FROM upserted u JOIN input i USING (account_id)
        UNION ALL
        SELECT e.doc->>'accountId', e.doc->>'kind', e.doc->'payload', e.doc->>'dedupeKey', 2, e.ord
          FROM jsonb_array_elements($8::jsonb) WITH ORDINALITY AS e(doc, ord)
      ) q
     ORDER BY q.part, q.ord
    ON CONFLICT (dedupe_key) DO NOTHING
  )
  SELECT (SELECT coalesce(array_agg(id), '{}') FROM placed) AS placed,
         (SELECT coalesce(array_agg(id), '{}') FROM lifted) AS lifted,
         (SELECT coalesce(array_agg(id), '{}') FROM opened) AS opened,
         (SELECT coalesce(jsonb_agg(u.status ORDER BY i.ord), '[]'::jsonb) FROM upserted u JOIN input i USING (account_id)) AS statuses`;

/** Writes all of `rows` in one statement and reports what it placed, lifted, opened and the stored statuses. */
export async function writeTransitionRows(q: Queryable, rows: TransitionRows, now: string): Promise<WrittenRows> {
  const res = await q.query<{ placed: string[]; lifted: string[]; opened: string[]; statuses: StatusMessage[] }>(WRITE_SQL, [
    json(holdRecords(rows.holdsPlaced)),
    json(rows.holdsLifted),
    json(exemptionRecords(rows.exemptions)),
    json(decisionRecords(rows.decisions)),
    json(auditRecords(rows.audit)),
    json(rows.statuses),
    now,
    json(rows.emails),
  ]);
  const row = res.rows[0]!;
  return { placed: row.placed, lifted: row.lifted, opened: row.opened, statuses: row.statuses };
}
