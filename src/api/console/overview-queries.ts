// The console's read queries: the overview's counts and series (scoped to the actor's subtree for resellers and
// channels) and the tree annotations (own hold reasons, suspended ancestors, child counts) for a page of accounts.
// One statement per figure, parameterised; never builds SQL from request text.
import type { Queryable } from '../../store/db.js';

/** Null: every account (operator); else the root of the actor's subtree. */
export type ScopeRoot = string | null;

// LATERAL ... OFFSET 0 keeps each level a parameterised index scan (see 0007_dunning_perf.sql for why).
const SCOPE_CTE = `scope AS (
  SELECT $1::text AS id
  UNION
  SELECT k.id FROM scope s CROSS JOIN LATERAL (SELECT a.id FROM accounts a WHERE a.parent_id = s.id OFFSET 0) k)`;

/** `WITH RECURSIVE scope ...` and a predicate on `col`, or nothing for an operator. */
function scoped(root: ScopeRoot, col: string): { with: string; where: string } {
  return root === null ? { with: '', where: 'true' } : { with: `WITH RECURSIVE ${SCOPE_CTE}`, where: `${col} IN (SELECT id FROM scope)` };
}

export interface OverviewCounts {
  suspendedByReason: Record<string, number>;
  suspendedOwn: number;
  decisions: Array<{ kind: string; actor: string; reason: string | null; count: number }>;
  perHour: Array<{ hour: string; count: number }>;
  reviewQueue: number;
}

export async function overviewCounts(db: Queryable, root: ScopeRoot, now: Date): Promise<OverviewCounts> {
  const since = new Date(now.getTime() - 24 * 3600_000);
  const held = scoped(root, 'h.account_id');
  const byReason = await db.query<{ reason: string; n: string }>(
    `${held.with} SELECT h.reason, count(DISTINCT h.account_id)::text AS n FROM holds h WHERE ${held.where} GROUP BY h.reason`,
    root === null ? [] : [root],
  );
  const own = await db.query<{ n: string }>(
    `${held.with} SELECT count(DISTINCT h.account_id)::text AS n FROM holds h WHERE ${held.where}`,
    root === null ? [] : [root],
  );
  const au = scoped(root, 'u.account_id');
  const p = root === null ? [since] : [root, since];
  const sinceParam = root === null ? '$1' : '$2';
  const decisions = await db.query<{ kind: string; actor: string; reason: string | null; n: string }>(
    `${au.with} SELECT u.kind, u.actor, u.reason, count(*)::text AS n FROM audit u
      WHERE ${au.where} AND u.at >= ${sinceParam}
        AND u.kind IN ('hold_placed', 'hold_lifted', 'decision_opened', 'decision_approved', 'decision_rejected', 'alert')
      GROUP BY u.kind, u.actor, u.reason`,
    p,
  );
  const perHour = await db.query<{ hour: Date | string; n: string }>(
    `${au.with} SELECT date_trunc('hour', u.at) AS hour, count(*)::text AS n FROM audit u
      WHERE ${au.where} AND u.at >= ${sinceParam} AND u.kind = 'hold_placed'
      GROUP BY 1 ORDER BY 1`,
    p,
  );
  const dq = scoped(root, 'd.account_id');
  const queue = await db.query<{ n: string }>(
    `${dq.with} SELECT count(*)::text AS n FROM decisions d WHERE d.state = 'pending' AND ${dq.where}`,
    root === null ? [] : [root],
  );
  return {
    suspendedByReason: Object.fromEntries(byReason.rows.map((r) => [r.reason, Number(r.n)])),
    suspendedOwn: Number(own.rows[0]?.n ?? 0),
    decisions: decisions.rows.map((r) => ({ kind: r.kind, actor: r.actor, reason: r.reason, count: Number(r.n) })),
    perHour: perHour.rows.map((r) => ({ hour: new Date(r.hour).toISOString(), count: Number(r.n) })),
    reviewQueue: Number(queue.rows[0]?.n ?? 0),
  };
}

/** Operator-only figures: dead letters (all and last 24 h) and the last dunning sweep. */
export async function operatorCounts(db: Queryable, now: Date): Promise<{ deadLetters: number; deadLetters24h: number; lastSweep: string | null }> {
  const since = new Date(now.getTime() - 24 * 3600_000);
  const dl = await db.query<{ n: string; recent: string }>(
    `SELECT count(*)::text AS n, count(*) FILTER (WHERE received_at >= $1)::text AS recent FROM dead_letters`,
    [since],
  );
  const sweep = await db.query<{ last_sweep: Date | string | null }>(`SELECT max(last_sweep) AS last_sweep FROM dunning_lease`);
  const last = sweep.rows[0]?.last_sweep ?? null;
  return {
    deadLetters: Number(dl.rows[0]?.n ?? 0),
    deadLetters24h: Number(dl.rows[0]?.recent ?? 0),
    lastSweep: last === null ? null : new Date(last).toISOString(),
  };
}

export interface TreeNote {
  holdReasons: string[];
  /** Suspended ancestors, nearest first. */
  inheritedFrom: string[];
  children: number;
}

/** For each id: its own hold reasons, its suspended ancestors and how many children it has. */
export async function treeNotes(db: Queryable, ids: readonly string[]): Promise<Map<string, TreeNote>> {
  const out = new Map<string, TreeNote>(ids.map((id) => [id, { holdReasons: [], inheritedFrom: [], children: 0 }]));
  if (ids.length === 0) return out;
  const { rows } = await db.query<{ id: string; reasons: string[] | null; inherited: string[] | null; children: string }>(
    `WITH RECURSIVE chain AS (
       SELECT a.id AS start, a.parent_id AS pid, 1 AS depth FROM accounts a WHERE a.id = ANY ($1::text[])
       UNION ALL
       SELECT c.start, p.parent_id, c.depth + 1
         FROM chain c CROSS JOIN LATERAL (SELECT p.parent_id FROM accounts p WHERE p.id = c.pid OFFSET 0) p
        WHERE c.depth < 32
     )
     SELECT x.id,
            (SELECT array_agg(DISTINCT h.reason ORDER BY h.reason) FROM holds h WHERE h.account_id = x.id) AS reasons,
            (SELECT array_agg(c.pid ORDER BY c.depth) FROM chain c
              WHERE c.start = x.id AND c.pid IS NOT NULL AND EXISTS (SELECT 1 FROM holds h WHERE h.account_id = c.pid)) AS inherited,
            (SELECT count(*) FROM accounts k WHERE k.parent_id = x.id)::text AS children
       FROM unnest($1::text[]) AS x(id)`,
    [ids],
  );
  for (const r of rows) out.set(r.id, { holdReasons: r.reasons ?? [], inheritedFrom: r.inherited ?? [], children: Number(r.children) });
  return out;
}
