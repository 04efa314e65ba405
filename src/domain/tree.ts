// Helpers over the accounts tree as a Subtree carries it: indexes by id and parent, ancestor walks, descendant walks.
// Pure: no I/O, no clock. Tolerates bad data (cycles, missing parents) by stopping rather than looping.
import type { Subtree } from './commands.js';
import type { Account, Hold } from './types.js';

/** Ancestors (nearest first), the target, then its descendants. */
export function allAccounts(subtree: Subtree): Account[] {
  return [...subtree.ancestors, subtree.target, ...subtree.descendants];
}

export function indexById(accounts: Iterable<Account>): Map<string, Account> {
  const byId = new Map<string, Account>();
  for (const a of accounts) byId.set(a.id, a);
  return byId;
}

export function childrenByParent(accounts: Iterable<Account>): Map<string, Account[]> {
  const children = new Map<string, Account[]>();
  for (const a of accounts) {
    if (a.parentId === null) continue;
    const list = children.get(a.parentId);
    if (list) list.push(a);
    else children.set(a.parentId, [a]);
  }
  return children;
}

/** Ids of the ancestors of `id`, nearest first, as far up as `byId` knows them. */
export function ancestorIds(id: string, byId: ReadonlyMap<string, Account>): string[] {
  const out: string[] = [];
  const seen = new Set<string>([id]);
  let parent = byId.get(id)?.parentId ?? null;
  while (parent !== null && !seen.has(parent)) {
    out.push(parent);
    seen.add(parent);
    parent = byId.get(parent)?.parentId ?? null;
  }
  return out;
}

/** Every account below `rootId`, breadth first (a parent always comes before its children). */
export function descendantsOf(rootId: string, children: ReadonlyMap<string, Account[]>): Account[] {
  const out: Account[] = [];
  const seen = new Set<string>([rootId]);
  let frontier = [rootId];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const id of frontier) {
      for (const child of children.get(id) ?? []) {
        if (seen.has(child.id)) continue;
        seen.add(child.id);
        out.push(child);
        next.push(child.id);
      }
    }
    frontier = next;
  }
  return out;
}

/** Holds grouped by account, each group ordered by placement time then id (a stable order for messages). */
export function holdsByAccount(holds: Iterable<Hold>): Map<string, Hold[]> {
  const by = new Map<string, Hold[]>();
  for (const h of holds) {
    const list = by.get(h.accountId);
    if (list) list.push(h);
    else by.set(h.accountId, [h]);
  }
  for (const list of by.values()) list.sort(compareHolds);
  return by;
}

export function compareHolds(a: Hold, b: Hold): number {
  const t = Date.parse(a.placedAt) - Date.parse(b.placedAt);
  if (t !== 0 && !Number.isNaN(t)) return t;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The target's own holds, in stable order. */
export function ownHolds(subtree: Subtree): Hold[] {
  return subtree.holds.filter((h) => h.accountId === subtree.target.id).sort(compareHolds);
}
