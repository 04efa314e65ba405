// Loads what a transition needs (src/domain/commands.ts `Subtree`) in a fixed number of set-based queries, whatever
// the tree's size: one recursive CTE for target + ancestors + descendants, which also locks the target's and its
// descendants' account rows FOR UPDATE in id order (so overlapping transitions serialise and cannot deadlock), then
// one query for their holds and one for the target's exemptions and pending decisions.
// Ancestors are read, not locked: a transition on an ancestor locks its own subtree, which includes our target.
// Never: one query per account; never called outside a transaction (the locks would be released at once).
import type { Queryable } from './db.js';
import type { Subtree } from '../domain/commands.js';
import type { Account } from '../domain/types.js';
import {
  ACCOUNT_COLUMNS,
  DECISION_COLUMNS,
  EXEMPTION_COLUMNS,
  HOLD_COLUMNS,
  json,
  toAccount,
  toDecision,
  toExemption,
  toHold,
  type AccountRow,
  type DecisionRow,
  type ExemptionRow,
  type HoldRow,
} from './rows.js';

/** Guards against a corrupt parent cycle above the target (the stream may deliver anything). */
const MAX_DEPTH = 64;

const SUBTREE_SQL = `
  WITH RECURSIVE down(id) AS (
    SELECT id FROM accounts WHERE id = $1
    UNION
    SELECT c.id FROM accounts c JOIN down d ON c.parent_id = d.id
  ), locked AS MATERIALIZED (
    SELECT ${ACCOUNT_COLUMNS.split(', ').map((c) => `a.${c}`).join(', ')}
      FROM accounts a WHERE a.id IN (SELECT id FROM down)
     ORDER BY a.id
       FOR UPDATE OF a
  ), up(id, parent_id, depth) AS (
    SELECT t.id, t.parent_id, 0 FROM accounts t WHERE t.id = $1
    UNION ALL
    SELECT p.id, p.parent_id, u.depth + 1 FROM accounts p JOIN up u ON p.id = u.parent_id
     WHERE u.depth < ${MAX_DEPTH} AND p.id <> $1
  )
  SELECT CASE WHEN l.id = $1 THEN 0 ELSE -1 END AS depth, ${ACCOUNT_COLUMNS.split(', ').map((c) => `l.${c}`).join(', ')}
    FROM locked l
  UNION ALL
  SELECT u.depth, ${ACCOUNT_COLUMNS.split(', ').map((c) => `a.${c}`).join(', ')}
    FROM up u JOIN accounts a ON a.id = u.id
   WHERE u.depth > 0 AND u.id NOT IN (SELECT id FROM locked)`;

/** The target's subtree with its rows locked, or null when the target account does not exist. */
export async function loadSubtree(tx: Queryable, accountId: string): Promise<Subtree | null> {
  const res = await tx.query<AccountRow & { depth: number }>(SUBTREE_SQL, [accountId]);
  let target: Account | null = null;
  const nearest = new Map<string, { depth: number; account: Account }>();
  const descendants: Account[] = [];
  for (const row of res.rows) {
    const account = toAccount(row);
    const depth = Number(row.depth);
    if (depth === 0) target = account;
    else if (depth > 0) {
      const seen = nearest.get(account.id);
      if (seen === undefined || depth < seen.depth) nearest.set(account.id, { depth, account });
    }
    else descendants.push(account);
  }
  if (target === null) return null;
  const ancestors = [...nearest.values()].sort((a, b) => a.depth - b.depth);
  const ids = [target.id, ...ancestors.map((a) => a.account.id), ...descendants.map((d) => d.id)];

  const holds = await tx.query<HoldRow>(
    `SELECT ${HOLD_COLUMNS} FROM holds WHERE account_id IN (SELECT jsonb_array_elements_text($1::jsonb))
     ORDER BY account_id, placed_at, id`,
    [json(ids)],
  );
  const extras = await tx.query<{ kind: 'x' | 'd'; row: ExemptionRow | DecisionRow }>(
    `SELECT 'x' AS kind, to_jsonb(x) AS row FROM (SELECT ${EXEMPTION_COLUMNS} FROM exemptions WHERE account_id = $1) x
     UNION ALL
     SELECT 'd', to_jsonb(d) FROM (SELECT ${DECISION_COLUMNS} FROM decisions
                                   WHERE account_id = $1 AND state = 'pending') d`,
    [target.id],
  );
  return {
    target,
    ancestors: ancestors.map((a) => a.account),
    descendants,
    holds: holds.rows.map(toHold),
    exemptions: extras.rows.filter((r) => r.kind === 'x').map((r) => toExemption(r.row as ExemptionRow)),
    pendingDecisions: extras.rows.filter((r) => r.kind === 'd').map((r) => toDecision(r.row as DecisionRow)),
  };
}
