// Loads what a transition needs (src/domain/commands.ts `Subtree`) in a fixed number of set-based queries, whatever
// the tree's size and however many targets: the walk (account_subtree_ids, migration 0007: level by level through
// the parent_id index and the primary key, so the plan does not depend on the statistics) for targets, ancestors and
// descendants, which also locks the targets' and their descendants' account rows FOR UPDATE in id order (so
// overlapping transitions serialise and cannot deadlock), then one query for their holds and the targets'
// exemptions and pending decisions (two round trips in all).
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

/** Guards against a corrupt parent cycle above a target (the stream may deliver anything). */
const MAX_DEPTH = 64;

const cols = (alias: string) => ACCOUNT_COLUMNS.split(', ').map((c) => `${alias}.${c}`).join(', ');

// $1: the target ids (text[]). Rows: root_id, depth (0 target, < 0 descendant, > 0 ancestor), the account columns.
const SUBTREES_SQL = `
  WITH m AS MATERIALIZED (
    SELECT root_id, account_id, depth FROM account_subtree_ids($1::text[], ${MAX_DEPTH})
  ), locked AS MATERIALIZED (
    SELECT ${cols('a')} FROM accounts a WHERE a.id IN (SELECT account_id FROM m WHERE depth <= 0)
     ORDER BY a.id
       FOR UPDATE OF a
  )
  SELECT * FROM (
    SELECT m.root_id, m.depth, ${cols('l')} FROM m JOIN locked l ON l.id = m.account_id WHERE m.depth <= 0
    UNION ALL
    SELECT m.root_id, m.depth, ${cols('a')} FROM m JOIN accounts a ON a.id = m.account_id
     WHERE m.depth > 0
       AND NOT EXISTS (SELECT 1 FROM m d WHERE d.root_id = m.root_id AND d.depth <= 0 AND d.account_id = m.account_id)
  ) s
  ORDER BY s.root_id, s.depth > 0, s.id`;

/** The target's subtree with its rows locked, or null when the target account does not exist. */
export async function loadSubtree(tx: Queryable, accountId: string): Promise<Subtree | null> {
  return (await loadSubtrees(tx, [accountId])).get(accountId) ?? null;
}

/**
 * The subtrees of many targets at once (the same queries, whatever their number), rows locked; targets that do not
 * exist are absent from the map. Each subtree is what loadSubtree would return for that target in this transaction.
 */
export async function loadSubtrees(tx: Queryable, accountIds: readonly string[]): Promise<Map<string, Subtree>> {
  const out = new Map<string, Subtree>();
  const roots = [...new Set(accountIds)];
  if (roots.length === 0) return out;
  const res = await tx.query<AccountRow & { depth: number; root_id: string }>(SUBTREES_SQL, [roots]);
  const shapes = new Map<string, { target: Account | null; nearest: Map<string, { depth: number; account: Account }>; descendants: Account[] }>();
  for (const row of res.rows) {
    let shape = shapes.get(row.root_id);
    if (shape === undefined) shapes.set(row.root_id, (shape = { target: null, nearest: new Map(), descendants: [] }));
    const account = toAccount(row);
    const depth = Number(row.depth);
    if (depth === 0) shape.target = account;
    else if (depth > 0) {
      const seen = shape.nearest.get(account.id);
      if (seen === undefined || depth < seen.depth) shape.nearest.set(account.id, { depth, account });
    } else shape.descendants.push(account);
  }
  const members = new Map<string, { target: Account; ancestors: Account[]; descendants: Account[]; ids: Set<string> }>();
  for (const [root, shape] of shapes) {
    if (shape.target === null) continue;
    const ancestors = [...shape.nearest.values()].sort((a, b) => a.depth - b.depth).map((a) => a.account);
    const ids = new Set([shape.target.id, ...ancestors.map((a) => a.id), ...shape.descendants.map((d) => d.id)]);
    members.set(root, { target: shape.target, ancestors, descendants: shape.descendants, ids });
  }
  if (members.size === 0) return out;
  const allIds = new Set<string>();
  for (const m of members.values()) for (const id of m.ids) allIds.add(id);

  // One read for the holds of every member and the targets' exemptions and pending decisions (after the lock above,
  // so it sees what a transaction that held those rows committed). Holds keep their typed columns.
  const res2 = await tx.query<HoldRow & { kind: 'h' | 'x' | 'd'; row: ExemptionRow | DecisionRow | null }>(
    `SELECT 'h' AS kind, ${HOLD_COLUMNS}, NULL::jsonb AS row
       FROM holds WHERE account_id IN (SELECT jsonb_array_elements_text($1::jsonb))
     UNION ALL
     SELECT 'x', x.id, x.account_id, NULL, NULL, NULL, NULL, NULL, NULL, to_jsonb(x)
       FROM (SELECT ${EXEMPTION_COLUMNS} FROM exemptions WHERE account_id IN (SELECT jsonb_array_elements_text($2::jsonb))) x
     UNION ALL
     SELECT 'd', d.id, d.account_id, NULL, NULL, NULL, NULL, NULL, NULL, to_jsonb(d)
       FROM (SELECT ${DECISION_COLUMNS} FROM decisions
              WHERE account_id IN (SELECT jsonb_array_elements_text($2::jsonb)) AND state = 'pending') d
     ORDER BY kind, account_id, placed_at, id`,
    [json([...allIds]), json([...members.keys()])],
  );
  const holds = { rows: res2.rows.filter((r) => r.kind === 'h') };
  const extras = { rows: res2.rows.filter((r) => r.kind !== 'h').map((r) => ({ kind: r.kind as 'x' | 'd', account_id: r.account_id, row: r.row! })) };
  // Per account, the positions of its holds in the query's order (account, placement, id), so each subtree keeps it.
  const allHolds = holds.rows.map(toHold);
  const holdsAt = new Map<string, number[]>();
  allHolds.forEach((h, i) => { const at = holdsAt.get(h.accountId); if (at) at.push(i); else holdsAt.set(h.accountId, [i]); });
  const extrasOf = new Map<string, typeof extras.rows>();
  for (const r of extras.rows) { const e = extrasOf.get(r.account_id); if (e) e.push(r); else extrasOf.set(r.account_id, [r]); }
  for (const [root, m] of members) {
    const mine = extrasOf.get(root) ?? [];
    const at = [...m.ids].flatMap((id) => holdsAt.get(id) ?? []).sort((a, b) => a - b);
    out.set(root, {
      target: m.target,
      ancestors: m.ancestors,
      descendants: m.descendants,
      holds: at.map((i) => allHolds[i]!),
      exemptions: mine.filter((r) => r.kind === 'x').map((r) => toExemption(r.row as ExemptionRow)),
      pendingDecisions: mine.filter((r) => r.kind === 'd').map((r) => toDecision(r.row as DecisionRow)),
    });
  }
  return out;
}
