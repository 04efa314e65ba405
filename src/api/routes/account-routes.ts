// Account reads and the operator's upsert: GET /v1/accounts (scoped list, cursor paged, effective-status filter),
// GET /v1/accounts/{id}, PUT /v1/accounts/{id}, GET /v1/accounts/{id}/history. Never changes holds.
import type { Account } from '../../domain/types.js';
import type { AccountCache } from '../account-cache.js';
import { accountDetail, accountDetailJson, accountSummary, visibleAccount } from '../account-view.js';
import { decodeCursor, paginate } from '../cursor.js';
import type { ApiDeps } from '../deps.js';
import { ApiError } from '../problem.js';
import { withoutJit } from '../console/without-jit.js';
import { listAccounts } from '../queries/account-queries.js';
import { syncAccounts } from '../../store/account-moves.js';
import { AccountTreeError } from '../../store/account-tree-shape.js';
import { isRetryableDbError } from '../../store/errors.js';
import { absurdTime, parseRfc3339 } from '../../events/timestamp.js';
import { wake } from '../run-transition.js';
import { listAudit } from '../../store/audit-repo.js';
import { defineRoute, type RouteDef } from '../route.js';
import { accountBody, accountDetailOut, accountPage, auditPage, idParams, listAccountsQuery, pageQuery } from '../schemas.js';

/** Intl accepted the zone (schemas.ts); the dunning sweep also needs PostgreSQL to know it. */
async function checkDatabaseKnowsZone(deps: ApiDeps, timezone: string): Promise<void> {
  try {
    await deps.db.query('SELECT now() AT TIME ZONE $1', [timezone]);
  } catch (err) {
    if (isRetryableDbError(err)) throw err;
    throw new ApiError(400, `body.timezone: the database does not know the time zone ${timezone}`, 'body.timezone');
  }
}

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
      handler: async ({ actor, params, reply }) => {
        const view = await visibleAccount(deps.db, actor!, params.id, cache);
        reply.type('application/json; charset=utf-8');
        return accountDetailJson(view);
      },
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
        if (body.type === 'reseller' && body.parentId) throw new ApiError(400, 'body.parentId: must be absent for a reseller', 'body.parentId');
        if (body.parentId === params.id) throw new ApiError(400, 'body.parentId: must not be the account itself', 'body.parentId');
        // The latest updatedAt wins for good, so one far in the future would freeze the account: bound it as ingest does.
        const updatedMs = body.updatedAt === undefined ? null : parseRfc3339(body.updatedAt)!;
        const absurd = updatedMs === null ? null : absurdTime(updatedMs, deps.clock.now().getTime());
        if (absurd) throw new ApiError(400, `body.updatedAt: absurd timestamp (${absurd})`, 'body.updatedAt');
        if (body.timezone) await checkDatabaseKnowsZone(deps, body.timezone);
        const account: Account = {
          id: params.id,
          type: body.type,
          parentId: body.parentId ?? null,
          name: body.name ?? null,
          mainContact: body.mainContact ?? null,
          timezone: body.timezone ?? null,
          currency: body.currency ?? null,
          tags: body.tags ?? [],
          closed: body.closed ?? false,
          updatedAt: updatedMs !== null ? new Date(updatedMs).toISOString() : deps.clock.now().toISOString(),
        };
        // As on the topic: the latest `updatedAt` wins, and a move in the tree publishes the statuses it changes.
        // Unlike the topic, PUT needs the parent to exist: an operator can create it first.
        const { republished } = await deps.db
          .transaction((tx) => syncAccounts(tx, [account], deps.clock.now().toISOString(), { requireKnownParents: true }))
          .catch((err: unknown) => {
            if (err instanceof AccountTreeError) throw new ApiError(409, `body.${err.field}: ${err.problem}`, `body.${err.field}`);
            throw err;
          });
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

