// Account reads and the operator's upsert: GET /v1/accounts (scoped list, cursor paged, effective-status filter),
// GET /v1/accounts/{id}, PUT /v1/accounts/{id}, GET /v1/accounts/{id}/history. Never changes holds.
import type { Account } from '../../domain/types.js';
import type { AccountCache } from '../account-cache.js';
import { accountDetail, accountSummary, visibleAccount } from '../account-view.js';
import { decodeCursor, paginate } from '../cursor.js';
import type { ApiDeps } from '../deps.js';
import { ApiError } from '../problem.js';
import { withoutJit } from '../console/without-jit.js';
import { listAccounts } from '../queries/account-queries.js';
import { syncAccounts } from '../../store/account-moves.js';
import { wake } from '../run-transition.js';
import { listAudit } from '../../store/audit-repo.js';
import { defineRoute, type RouteDef } from '../route.js';
import { accountBody, accountDetailOut, accountPage, auditPage, idParams, listAccountsQuery, pageQuery } from '../schemas.js';

/** `cache`: GET /v1/accounts/{id} answers from it (src/api/account-cache.ts); absent, from the store. */
export function accountRoutes(deps: ApiDeps, cache?: AccountCache): RouteDef[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/v1/accounts',
      summary: "Accounts in the actor's scope, filtered by type, effective status, parent and a search text",
      tag: 'accounts',
      access: ['operator', 'reseller', 'channel', 'customer'],
      query: listAccountsQuery,
      response: accountPage,
      handler: async ({ actor, query }) => {
        const after = decodeCursor(query.cursor, 1)?.[0];
        const rows = await withoutJit(deps.db, (tx) => listAccounts(tx, {
          scopeRoot: actor!.role === 'operator' ? null : actor!.accountId,
          type: query.type,
          status: query.status,
          parent: query.parent,
          q: query.q,
          after,
          limit: query.limit + 1,
        }));
        const page = paginate(rows, query.limit, (r) => [r.account.id]);
        return { items: page.items.map((r) => accountSummary(r.account, r.suspended)), nextCursor: page.nextCursor };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/accounts/:id',
      summary: 'The account, its own holds, its effective status and the suspended ancestors it inherits from',
      tag: 'accounts',
      access: 'authenticated',
      params: idParams,
      response: accountDetailOut,
      handler: async ({ actor, params }) => accountDetail(await visibleAccount(deps.db, actor!, params.id, cache)),
    }),
    defineRoute({
      method: 'PUT',
      url: '/v1/accounts/:id',
      summary: 'Upsert an account in the shape of the accounts topic (the latest updatedAt wins)',
      tag: 'accounts',
      access: 'authenticated',
      params: idParams,
      body: accountBody,
      response: accountDetailOut,
      handler: async ({ actor, params, body }) => {
        if (actor!.role !== 'operator') {
          // Outside the scope the account does not exist for this actor; inside it, the action is forbidden.
          await visibleAccount(deps.db, actor!, params.id);
          throw new ApiError(403, 'authorization: only an operator may upsert accounts', 'authorization');
        }
        if (body.id !== undefined && body.id !== params.id) {
          throw new ApiError(400, 'body.id: must equal the id in the path', 'body.id');
        }
        if (body.type !== 'reseller' && !body.parentId) {
          throw new ApiError(400, `body.parentId: required for a ${body.type}`, 'body.parentId');
        }
        const account: Account = {
          id: params.id,
          type: body.type,
          parentId: body.type === 'reseller' ? (body.parentId ?? null) : body.parentId!,
          name: body.name ?? null,
          mainContact: body.mainContact ?? null,
          timezone: body.timezone ?? null,
          currency: body.currency ?? null,
          tags: body.tags ?? [],
          closed: body.closed ?? false,
          updatedAt: body.updatedAt ? new Date(body.updatedAt).toISOString() : deps.clock.now().toISOString(),
        };
        // As on the topic: the latest `updatedAt` wins, and a move in the tree publishes the statuses it changes.
        const { republished } = await deps.db.transaction((tx) => syncAccounts(tx, [account], deps.clock.now().toISOString()));
        if (republished.length > 0) wake(deps);
        return accountDetail(await visibleAccount(deps.db, actor!, params.id));
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/accounts/:id/history',
      summary: 'The audit trail: every hold, lift, decision, exemption and email, with actor, note and evidence',
      tag: 'accounts',
      access: 'authenticated',
      params: idParams,
      query: pageQuery,
      response: auditPage,
      handler: async ({ actor, params, query }) => {
        await visibleAccount(deps.db, actor!, params.id);
        if (query.cursor !== undefined && !/^\d{1,18}$/.test(Buffer.from(query.cursor, 'base64url').toString('utf8'))) {
          throw new ApiError(400, 'query.cursor: not a cursor returned by a previous page', 'query.cursor');
        }
        const page = await listAudit(deps.db, params.id, { cursor: query.cursor ?? null, limit: query.limit });
        return {
          nextCursor: page.nextCursor,
          items: page.items.map((e) => ({
            id: e.id, kind: e.kind, actor: e.actor, at: e.at, holdId: e.holdId ?? null, decisionId: e.decisionId ?? null,
            reason: e.reason ?? null, note: e.note ?? null, evidence: e.evidence ?? null,
          })),
        };
      },
    }),
  ];
}

