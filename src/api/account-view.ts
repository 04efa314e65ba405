// Shapes account reads for responses and enforces read scope: an account outside the actor's scope is a 404
// naming `id`, exactly as one that does not exist, so existence never leaks.
import { canRead } from '../domain/authority.js';
import type { Account, Actor } from '../domain/types.js';
import type { Queryable } from '../store/db.js';
import type { AccountCache } from './account-cache.js';
import { ApiError } from './problem.js';
import { loadAccountView, type AccountView } from './queries/account-queries.js';
import type { TokenActor } from './tokens.js';

export function personActor(actor: TokenActor): Actor & { kind: 'person' } {
  return { kind: 'person', id: actor.tokenId, role: actor.role, accountId: actor.accountId };
}

export function notFound(id: string): ApiError {
  return new ApiError(404, `params.id: account ${id} not found`, 'params.id');
}

/**
 * Loads the account if the actor may read it; else the same 404 as a missing account. With `cache` (reads only),
 * from memory when it holds a current answer (src/api/account-cache.ts); the scope check is the same either way.
 */
export async function visibleAccount(db: Queryable, actor: TokenActor, id: string, cache?: AccountCache): Promise<AccountView> {
  const view = cache ? await cache.load(db, id) : await loadAccountView(db, id);
  if (!view || !canRead(personActor(actor), view.account, view.ancestors)) throw notFound(id);
  return view;
}

export function accountSummary(account: Account, suspended: boolean) {
  return {
    id: account.id,
    type: account.type,
    parentId: account.parentId,
    name: account.name,
    mainContact: account.mainContact ? { ...account.mainContact, name: account.mainContact.name ?? undefined } : null,
    timezone: account.timezone,
    currency: account.currency,
    tags: account.tags,
    closed: account.closed,
    updatedAt: account.updatedAt,
    status: suspended ? ('suspended' as const) : ('active' as const),
  };
}

/** accountDetail's JSON text per view. A view is never mutated (account-cache.ts), so its answer never changes. */
const detailJson = new WeakMap<AccountView, string>();

/**
 * accountDetail as JSON text, made once per view: a cached account's reads send the same string again, with no
 * object built, serialized or collected per request (bench/README.md, API).
 */
export function accountDetailJson(view: AccountView): string {
  let text = detailJson.get(view);
  if (text === undefined) {
    text = JSON.stringify(accountDetail(view));
    detailJson.set(view, text);
  }
  return text;
}

export function accountDetail(view: AccountView) {
  const suspended = view.holds.length > 0 || view.inheritedFrom.length > 0;
  const blocked = suspended ? ('blocked' as const) : ('allowed' as const);
  return {
    ...accountSummary(view.account, suspended),
    holds: view.holds.map((h) => ({
      id: h.id,
      reason: h.reason,
      source: h.source,
      since: h.placedAt,
      note: h.note,
      evidence: h.evidence,
      expiresAt: h.expiresAt,
    })),
    inheritedFrom: view.inheritedFrom,
    outboundCalls: blocked,
    portalAccess: blocked,
    inboundCalls: 'allowed' as const,
    billing: 'continues' as const,
  };
}
