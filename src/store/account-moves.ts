// Account snapshots that move an account in the tree: a new parent, or a first snapshot under a parent that is
// already suspended. Effective status is inherited (CONTRACT §1), so such a move can suspend or restore the account
// and its whole subtree without any hold changing; the switch and the portal must still hear of it (CONTRACT §2: a
// status for every account whose effective status changes). Statuses are compared with what was last published,
// so a move that changes nothing publishes nothing. No email: an inherited change is not the account's own status.
// Cost: one ancestor walk for the moved accounts per batch; subtrees are loaded only when a move changes what the
// moved account inherits (never on a bulk load of a tree without holds). Never: changes holds.
import type { Queryable } from './db.js';
import type { Account, AuditEntry, EffectiveStatus } from '../domain/types.js';
import { computeStatuses, republishAfterMove, statusMessage } from '../domain/status.js';
import { upsertAccountRows } from './accounts-repo.js';
import { getAccountStatuses, recordStatusChanges } from './account-status-repo.js';
import { appendAudit } from './audit-repo.js';
import { checkTreeShape } from './account-tree-shape.js';
import { loadSubtrees } from './load-subtree.js';
import { wakeWaitingEmails } from '../effects/outbox-wait-sql.js';

/** Guards against a corrupt parent cycle (the stream may deliver anything). */
const MAX_DEPTH = 64;

export interface SyncSummary {
  /** Ids written (newer snapshots); stale and duplicate ones are not. */
  written: string[];
  /** Accounts whose status was published again because of a move. */
  republished: string[];
}

/**
 * Upserts the snapshots and publishes the statuses that moves changed, in the caller's transaction. A snapshot that
 * would break the tree's shape throws AccountTreeError (not retryable) and writes nothing; `requireKnownParents`
 * (PUT) also refuses a parent that is not stored yet, which the topics allow.
 */
export async function syncAccounts(
  tx: Queryable,
  accounts: readonly Account[],
  now: string,
  opts: { requireKnownParents?: boolean } = {},
): Promise<SyncSummary> {
  await checkTreeShape(tx, accounts, opts);
  const rows = await upsertAccountRows(tx, accounts);
  const written = rows.map((r) => r.id);
  // Emails that waited for these accounts' snapshot or contact go out now, not at their next backoff step.
  await wakeWaitingEmails(tx, written, now);
  const moved = rows.filter((r) => r.moved).map((r) => r.id);
  if (moved.length === 0) return { written, republished: [] };

  const inheritsNow = await suspendedAncestors(tx, moved);
  const publishedBefore = await getAccountStatuses(tx, moved);
  const changed = moved.filter((id) => !sameList(inheritsNow.get(id) ?? [], publishedBefore.get(id)?.status.inheritedFrom ?? []));
  if (changed.length === 0) return { written, republished: [] };

  const subtrees = await loadSubtrees(tx, changed);
  const statuses = new Map<string, EffectiveStatus>();
  const movedAccountOf = new Map<string, string>();
  for (const [root, subtree] of subtrees) {
    for (const [id, status] of computeStatuses(subtree, subtree.holds)) {
      statuses.set(id, status);
      if (!movedAccountOf.has(id) || id === root) movedAccountOf.set(id, root);
    }
  }
  const published = await getAccountStatuses(tx, [...statuses.keys()]);
  const republish = republishAfterMove(statuses, (id) => published.get(id)?.status ?? null);
  if (republish.length === 0) return { written, republished: [] };

  await recordStatusChanges(tx, republish.map(statusMessage), now);
  const parentOf = new Map(accounts.map((a) => [a.id, a.parentId]));
  const audit: AuditEntry[] = republish.map((s) => {
    const movedId = movedAccountOf.get(s.accountId) ?? s.accountId;
    return {
      accountId: s.accountId,
      kind: 'status_changed',
      actor: 'system',
      at: now,
      note: movedId === s.accountId ? 'account moved in the tree' : `ancestor ${movedId} moved in the tree`,
      evidence: { movedAccountId: movedId, newParentId: parentOf.get(movedId) ?? null, status: s.status, inheritedFrom: s.inheritedFrom },
    };
  });
  await appendAudit(tx, audit);
  return { written, republished: republish.map((s) => s.accountId) };
}

/** For each account, its ancestors that have a hold of their own, nearest first (what it now inherits). */
async function suspendedAncestors(tx: Queryable, ids: readonly string[]): Promise<Map<string, string[]>> {
  const res = await tx.query<{ root_id: string; id: string }>(
    `WITH RECURSIVE up(root_id, id, depth) AS (
       SELECT a.id, a.parent_id, 1 FROM accounts a WHERE a.id = ANY($1::text[]) AND a.parent_id IS NOT NULL
       UNION ALL
       SELECT up.root_id, a.parent_id, up.depth + 1
         FROM up JOIN accounts a ON a.id = up.id
        WHERE a.parent_id IS NOT NULL AND a.parent_id <> up.root_id AND up.depth < ${MAX_DEPTH}
     )
     SELECT up.root_id, up.id FROM up
      WHERE up.id <> up.root_id
        AND EXISTS (SELECT 1 FROM accounts x WHERE x.id = up.id)
        AND EXISTS (SELECT 1 FROM holds h WHERE h.account_id = up.id)
      ORDER BY up.root_id, up.depth`,
    [ids],
  );
  const out = new Map<string, string[]>();
  for (const r of res.rows) {
    const list = out.get(r.root_id);
    if (list) list.push(r.id);
    else out.set(r.root_id, [r.id]);
  }
  return out;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => b[i] === x);
}
