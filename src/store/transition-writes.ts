// Every row a batch of transitions writes, in ONE data-modifying statement (one round trip, issue 17): holds placed
// and lifted, exemptions, review decisions, audit entries, the status versions and the outbox rows (status messages
// and emails). Each part is the statement the per-table repositories run (holds-repo, exemptions-repo,
// decisions-repo, audit-repo, account-status-repo, outbox-repo), as a CTE over the same JSON input, so the rows are
// the same column for column. Conflicts are reported, not raised: the caller compares what was placed, lifted and
// opened with what it asked for, and throws (its transaction, or savepoint, then undoes the whole statement).
// Never: decides anything, or commits.
import type { Queryable } from './db.js';
import type { StatusMessageBody } from '../domain/status.js';
import type { AuditEntry, Decision, Exemption, Hold } from '../domain/types.js';
import type { StatusMessage } from './account-status-repo.js';
import type { NewOutboxRow } from './outbox-repo.js';
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
    INSERT INTO holds (id, account_id, reason, source, evidence, note, placed_at, expires_at)
    SELECT r.id, r.account_id, r.reason, r.source, coalesce(r.evidence, '{}'::jsonb), r.note, r.placed_at, r.expires_at
      FROM jsonb_to_recordset($1::jsonb) AS r(id text, account_id text, reason text, source text, evidence jsonb,
                                               note text, placed_at timestamptz, expires_at timestamptz)
    ON CONFLICT (account_id, reason, source) DO NOTHING
    RETURNING id
  ), lifted AS (
    DELETE FROM holds WHERE id IN (SELECT jsonb_array_elements_text($2::jsonb)) RETURNING id
  ), exempted AS (
    INSERT INTO exemptions (id, account_id, reason, rules, until, note, created_by, created_at)
    SELECT r.id, r.account_id, r.reason, r.rules, r.until, r.note, r.created_by, r.created_at
      FROM jsonb_to_recordset($3::jsonb) AS r(id text, account_id text, reason text, rules text[], until timestamptz,
                                               note text, created_by text, created_at timestamptz)
  ), opened AS (
    INSERT INTO decisions (id, account_id, reason, source, evidence, note, state, created_at, decided_at, decided_by)
    SELECT r.id, r.account_id, r.reason, r.source, coalesce(r.evidence, '{}'::jsonb), r.note, r.state, r.created_at,
           r.decided_at, r.decided_by
      FROM jsonb_to_recordset($4::jsonb) AS r(id text, account_id text, reason text, source text, evidence jsonb,
           note text, state text, created_at timestamptz, decided_at timestamptz, decided_by text)
    ON CONFLICT (account_id, reason, source) WHERE state = 'pending' DO NOTHING
    RETURNING id
  ), audited AS (
    INSERT INTO audit (account_id, kind, actor, at, hold_id, decision_id, reason, note, evidence)
    SELECT e.doc->>'account_id', e.doc->>'kind', e.doc->>'actor', (e.doc->>'at')::timestamptz, e.doc->>'hold_id',
           e.doc->>'decision_id', e.doc->>'reason', e.doc->>'note', nullif(e.doc->'evidence', 'null'::jsonb)
      FROM jsonb_array_elements($5::jsonb) WITH ORDINALITY AS e(doc, ord)
     ORDER BY e.ord
  ), input AS (
    SELECT e.doc->>'accountId' AS account_id, e.doc AS body, e.ord
      FROM jsonb_array_elements($6::jsonb) WITH ORDINALITY AS e(doc, ord)
  ), upserted AS (
    INSERT INTO account_status AS s (account_id, version, status, changed_at)
    SELECT i.account_id, 1, i.body || jsonb_build_object('version', 1, 'changedAt', $7::text), ($7::text)::timestamptz
      FROM input i ORDER BY i.account_id
    ON CONFLICT (account_id) DO UPDATE
      SET version = s.version + 1,
          status = EXCLUDED.status || jsonb_build_object('version', s.version + 1),
          changed_at = EXCLUDED.changed_at
    RETURNING s.account_id, s.version, s.status
  ), queued AS (
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
    json(
      rows.holdsPlaced.map((h) => ({
        id: h.id,
        account_id: h.accountId,
        reason: h.reason,
        source: h.source,
        evidence: h.evidence,
        note: h.note,
        placed_at: h.placedAt,
        expires_at: h.expiresAt,
      })),
    ),
    json(rows.holdsLifted),
    json(
      rows.exemptions.map((x) => ({
        id: x.id,
        account_id: x.accountId,
        reason: x.reason,
        rules: x.rules,
        until: x.until,
        note: x.note,
        created_by: x.createdBy,
        created_at: x.createdAt,
      })),
    ),
    json(
      rows.decisions.map((d) => ({
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
      })),
    ),
    json(
      rows.audit.map((e) => ({
        account_id: e.accountId,
        kind: e.kind,
        actor: e.actor,
        at: e.at,
        hold_id: e.holdId ?? null,
        decision_id: e.decisionId ?? null,
        reason: e.reason ?? null,
        note: e.note ?? null,
        evidence: e.evidence ?? null,
      })),
    ),
    json(rows.statuses),
    now,
    json(rows.emails),
  ]);
  const row = res.rows[0]!;
  return { placed: row.placed, lifted: row.lifted, opened: row.opened, statuses: row.statuses };
}
