// The sweep's one scan: per account and currency, the overdue aggregate under the account's policy (computed in SQL,
// mirroring src/rules/dunning/overdue.ts and ladder.ts), returning only the accounts the ladder has work for: an
// episode to open, re-anchor or close, a stage due (and not paused by an exemption), a dunning hold to place again
// or to lift (reactivateWhen below_suspend_stage: the position fell below the suspending stage), or an episode whose
// policy no longer applies to the account. Plus the number of overdue accounts for the gauge. The pure ladder then
// decides, account by account. (An anchor moving to another invoice of the same due date is not seen here: only an
// invoice event does that, and ingest evaluates the account at once.)
// Parameters: $1 now (timestamptz), $2 the default time zone, $3 the policies as JSON (policiesParam), $4 the zones
// the database can use (zones.ts).
import type { Database, Queryable } from '../store/db.js';
import type { DunningPolicy } from '../rules/types.js';
import { namedStages } from '../rules/dunning/policy.js';
import { databaseZones } from './zones.js';

export function policiesParam(policies: readonly DunningPolicy[]): string {
  return JSON.stringify(
    policies.map((p, ord) => {
      const stages = namedStages(p);
      return {
        ord, id: p.id,
        types: p.appliesTo?.accountTypes?.length ? p.appliesTo.accountTypes : null,
        tags_any: p.appliesTo?.tags?.any?.length ? p.appliesTo.tags.any : null,
        tags_none: p.appliesTo?.tags?.none?.length ? p.appliesTo.tags.none : null,
        min_micros: p.minOverdueMicros, grace: p.graceDays, count_disputed: p.countDisputed,
        stage_days: stages.map((s) => s.afterDays), stage_keys: stages.map((s) => s.key),
        suspend_day: stages.find((s) => s.suspend)?.afterDays ?? null, below: p.reactivateWhen === 'below_suspend_stage',
      };
    }),
  );
}

export const SWEEP_CANDIDATES = `
WITH pol AS (
  SELECT * FROM jsonb_to_recordset($3::jsonb) AS p(ord int, id text, types text[], tags_any text[], tags_none text[],
    min_micros bigint, grace int, count_disputed boolean, stage_days int[], stage_keys text[], suspend_day int, below boolean)
),
-- Zones the database can use; an account whose stored zone is not one of them is dunned in $2 (DEFAULT_TIMEZONE),
-- as the ladder does (src/rules/dunning/calendar.ts resolveTimeZone), instead of failing the whole scan.
zones AS MATERIALIZED (SELECT unnest($4::text[]) AS name),
-- The accounts to look at: those with an invoice that can be overdue under some policy somewhere on Earth right now
-- (marked overdue, or due before the latest local date (UTC+14) minus the smallest graceDays; a superset of what
-- scored counts, which spares the not-yet-due), and those with an open episode.
maybe AS (
  SELECT account_id, currency, outstanding_micros, due_at, overdue_marked_at, disputed_at, dispute_resolved_at
    FROM invoices
   WHERE closed_at IS NULL AND outstanding_micros > 0
     AND (overdue_marked_at IS NOT NULL
          OR due_at < ((($1::timestamptz) AT TIME ZONE 'UTC') + interval '14 hours')::date - (SELECT coalesce(min(grace), 0) FROM pol))
),
keys AS (
  SELECT DISTINCT account_id, currency FROM maybe
  UNION
  SELECT account_id, currency FROM dunning_episodes WHERE closed_at IS NULL
),
ctx AS (
  SELECT k.account_id, k.currency, e.id AS episode_id, e.policy_id AS episode_policy_id, e.anchor_due_at, e.fired_stages, e.suspended,
         (($1::timestamptz) AT TIME ZONE z.tz)::date AS today, z.tz, p.*
    FROM keys k
    JOIN accounts a ON a.id = k.account_id
    CROSS JOIN LATERAL (SELECT CASE WHEN lower(a.timezone) IN (SELECT name FROM zones) THEN a.timezone ELSE $2 END AS tz) z
    LEFT JOIN dunning_episodes e ON e.account_id = k.account_id AND e.currency = k.currency AND e.closed_at IS NULL
    -- The episode's policy while the account still matches it, else the first that matches (the episode then ends).
    LEFT JOIN LATERAL (
      SELECT pol.* FROM pol
       WHERE (pol.types IS NULL OR a.type = ANY(pol.types))
         AND (pol.tags_any IS NULL OR a.tags && pol.tags_any)
         AND (pol.tags_none IS NULL OR NOT (a.tags && pol.tags_none))
       ORDER BY (pol.id = e.policy_id) DESC NULLS LAST, pol.ord
       LIMIT 1
    ) p ON true
),
-- Per account and currency, the overdue invoices that count under its policy, summed: one index-only probe of
-- invoices_open_idx per account (its INCLUDE columns hold all this reads). At 10,000,000 open invoices this costs
-- ~20% less server CPU than joining all of them to ctx with two sorts (bench/README.md, issue 17).
scored AS (
  SELECT c.*, coalesce(g.overdue_micros, 0) AS overdue_micros, g.oldest,
         greatest(0, c.today - g.oldest - c.grace) AS dpd,
         EXISTS (SELECT 1 FROM exemptions x WHERE x.account_id = c.account_id AND x.until > $1::timestamptz
                   AND (x.reason IS NULL OR x.reason = 'non_payment')
                   AND (x.rules IS NULL OR cardinality(x.rules) = 0 OR c.id = ANY(x.rules))) AS paused
    FROM ctx c
    LEFT JOIN LATERAL (
      SELECT sum(i.outstanding_micros) AS overdue_micros, min(coalesce(i.due_at, (i.overdue_marked_at AT TIME ZONE c.tz)::date)) AS oldest
        FROM invoices i
       WHERE c.id IS NOT NULL AND i.account_id = c.account_id AND i.currency = c.currency
         AND i.closed_at IS NULL AND i.outstanding_micros > 0
         AND (c.count_disputed OR i.disputed_at IS NULL OR (i.dispute_resolved_at IS NOT NULL AND i.dispute_resolved_at >= i.disputed_at))
         AND (i.overdue_marked_at IS NOT NULL OR (i.due_at IS NOT NULL AND c.today - i.due_at > c.grace))
    ) g ON true
),
candidates AS (
  SELECT account_id FROM scored s
   WHERE (s.episode_id IS NOT NULL AND (s.id IS DISTINCT FROM s.episode_policy_id OR s.oldest IS NULL OR s.overdue_micros < s.min_micros))
      OR (s.id IS NOT NULL AND s.overdue_micros >= s.min_micros AND (
            s.episode_id IS NULL
         OR s.oldest IS DISTINCT FROM s.anchor_due_at
         OR (NOT s.paused AND EXISTS (SELECT 1 FROM unnest(s.stage_days, s.stage_keys) AS st(d, k)
                                       WHERE st.d <= s.dpd AND NOT (st.k = ANY(s.fired_stages))))
         OR (s.below AND s.suspended AND s.dpd < s.suspend_day)
         OR (NOT s.paused AND (CASE WHEN s.below THEN s.dpd >= s.suspend_day ELSE s.suspended END)
             AND NOT EXISTS (SELECT 1 FROM holds h WHERE h.account_id = s.account_id
                               AND h.reason = 'non_payment' AND h.source = 'dunning:' || s.id))))
)
-- count(*) over DISTINCT: hashed, where count(DISTINCT) sorts a million ids.
SELECT (SELECT count(*) FROM (SELECT DISTINCT account_id FROM scored WHERE id IS NOT NULL AND overdue_micros >= min_micros) o)::int AS overdue_accounts,
       coalesce((SELECT array_agg(DISTINCT account_id ORDER BY account_id) FROM candidates), '{}') AS account_ids`;

export interface SweepScan {
  overdueAccounts: number;
  accountIds: string[];
}

export async function scanSweepCandidates(q: Queryable, now: number, defaultTimezone: string, policies: readonly DunningPolicy[]): Promise<SweepScan> {
  const params = [new Date(now).toISOString(), defaultTimezone, policiesParam(policies), [...(await databaseZones(q))]];
  // Sorting and hashing a million invoices wants more than the default work_mem; SET LOCAL needs a transaction.
  // JIT off: the plan's cost is inflated by row estimates the planner cannot know, and compiling ~150 functions took
  // 6 s of a 7 s scan (bench/README.md, issue 13).
  const run = async (tx: Queryable) => {
    await tx.query(`SET LOCAL work_mem = '64MB'`);
    await tx.query('SET LOCAL jit = off');
    return tx.query<{ overdue_accounts: number; account_ids: string[] }>(SWEEP_CANDIDATES, params);
  };
  const res = 'transaction' in q ? await (q as Database).transaction(run) : await q.query<{ overdue_accounts: number; account_ids: string[] }>(SWEEP_CANDIDATES, params);
  const row = res.rows[0];
  return { overdueAccounts: Number(row?.overdue_accounts ?? 0), accountIds: row?.account_ids ?? [] };
}
