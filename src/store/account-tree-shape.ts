// The shape of the account tree (CONTRACT §2): a reseller has no parent, a channel's parent is a reseller, and a
// customer's parent is a reseller or a channel. Checked for a batch of snapshots against the batch itself and the
// stored tree, before they are written. Since every parent ranks above its child, a tree that keeps these rules
// can hold no cycle. A parent that is not known yet is allowed on the topics (a snapshot may arrive before its
// parent's) but not on PUT (`requireKnownParents`). Never: writes anything.
import { DomainError } from '../domain/errors.js';
import type { Account, AccountType } from '../domain/types.js';
import type { Queryable } from './db.js';

const PARENTS: Record<AccountType, readonly AccountType[]> = { reseller: [], channel: ['reseller'], customer: ['reseller', 'channel'] };

/** The article of a type, for messages: "a channel", "a customer". */
const a = (t: AccountType) => `a ${t}`;

/** One snapshot would break the tree. Not retryable: the same snapshot breaks it again. `field` is `parentId` or `type`. */
export class AccountTreeError extends DomainError {
  constructor(
    readonly accountId: string,
    readonly field: 'parentId' | 'type',
    readonly problem: string,
    readonly missingParent = false,
  ) {
    super('invalid', `${field}: ${problem} (account ${accountId})`);
  }
}

/** May an account of type `child` sit under one of type `parent`? */
export function mayParent(parent: AccountType, child: AccountType): boolean {
  return PARENTS[child].includes(parent);
}

/** What is wrong with `account` sitting under a parent of type `parentType` (undefined: not known), or null. */
export function parentProblem(account: Pick<Account, 'id' | 'type' | 'parentId'>, parentType: AccountType | undefined): string | null {
  if (account.type === 'reseller') return account.parentId === null ? null : 'must be absent for a reseller';
  if (account.parentId === null) return `required for ${a(account.type)}`;
  if (account.parentId === account.id) return 'must not be the account itself';
  if (parentType === undefined || mayParent(parentType, account.type)) return null;
  return `${account.parentId} is ${a(parentType)}, and ${a(account.type)}'s parent must be ${PARENTS[account.type].map(a).join(' or ')}`;
}

/** Throws AccountTreeError for the first snapshot (in id order) that would break the tree. */
export async function checkTreeShape(q: Queryable, accounts: readonly Account[], opts: { requireKnownParents?: boolean } = {}): Promise<void> {
  if (accounts.length === 0) return;
  const batch = new Map<string, Account>();
  for (const acc of accounts) {
    const prev = batch.get(acc.id);
    if (prev === undefined || Date.parse(acc.updatedAt) >= Date.parse(prev.updatedAt)) batch.set(acc.id, acc);
  }
  const ids = [...batch.keys()].sort();
  const lookup = [...new Set([...ids, ...[...batch.values()].flatMap((x) => (x.parentId === null ? [] : [x.parentId]))])];
  const stored = new Map<string, AccountType>();
  for (const r of (await q.query<{ id: string; type: AccountType }>(`SELECT id, type FROM accounts WHERE id = ANY($1::text[])`, [lookup])).rows) {
    stored.set(r.id, r.type);
  }
  const typeOf = (id: string) => batch.get(id)?.type ?? stored.get(id);

  for (const id of ids) {
    const acc = batch.get(id)!;
    const parentType = acc.parentId === null ? undefined : typeOf(acc.parentId);
    const why = parentProblem(acc, parentType);
    if (why !== null) throw new AccountTreeError(id, 'parentId', why);
    if (acc.parentId !== null && parentType === undefined && opts.requireKnownParents) {
      throw new AccountTreeError(id, 'parentId', `no account ${acc.parentId} is known; create the parent first`, true);
    }
  }

  // A new account, or one whose type changes, must still suit the stored children outside this batch (the batch's
  // own children were checked above against the batch's types).
  const retyped = ids.filter((id) => stored.get(id) !== batch.get(id)!.type);
  if (retyped.length === 0) return;
  const children = await q.query<{ parent_id: string; type: AccountType }>(
    `SELECT parent_id, type FROM accounts WHERE parent_id = ANY($1::text[]) AND id <> ALL($2::text[]) GROUP BY parent_id, type ORDER BY parent_id, type`,
    [retyped, ids],
  );
  for (const c of children.rows) {
    const parentType = batch.get(c.parent_id)!.type;
    if (!mayParent(parentType, c.type)) {
      throw new AccountTreeError(c.parent_id, 'type', `${a(parentType)} cannot be the parent of its ${c.type} children`);
    }
  }
}
