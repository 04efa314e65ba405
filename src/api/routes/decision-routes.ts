// The review queue and exemption removal (operator only): GET /v1/decisions, POST /v1/decisions/{id}/approve and
// /reject, DELETE /v1/exemptions/{id}. Approval and rejection are the store's decision transaction (the domain
// places the decision's hold or records the rejection, with exemptFor); nothing is decided here.
import { z } from 'zod';
import { actorLabel } from '../../domain/actors.js';
import { durationMs } from '../../config.js';
import { appendAudit } from '../../store/audit-repo.js';
import { listDecisions } from '../../store/decisions-repo.js';
import { deleteExemption } from '../../store/exemptions-repo.js';
import { accountDetail, personActor, visibleAccount } from '../account-view.js';
import { decodeCursor } from '../cursor.js';
import { parseRfc3339 } from '../../events/timestamp.js';
import { idProblem } from '../../events/validate.js';
import type { ApiDeps } from '../deps.js';
import { ApiError } from '../problem.js';
import { defineRoute, type RouteDef } from '../route.js';
import { runDecision } from '../run-transition.js';
import { approveBody, decisionOut, decisionPage, decisionsQuery, exemptionOut, idParams, rejectBody, transitionOut } from '../schemas.js';
import { outcome } from './action-routes.js';

export function decisionRoutes(deps: ApiDeps): RouteDef[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/v1/decisions',
      summary: 'The review queue (state=pending by default), oldest first',
      tag: 'decisions',
      access: ['operator'],
      query: decisionsQuery,
      response: decisionPage,
      handler: async ({ query }) => {
        // The cursor's first part reaches SQL as a timestamptz: a forged one is a 400, never a database error.
        const after = decodeCursor(query.cursor, 2);
        if (after !== undefined && (parseRfc3339(after[0]!) === null || idProblem(after[1]!) !== null)) {
          throw new ApiError(400, 'query.cursor: not a cursor returned by a previous page', 'query.cursor');
        }
        return listDecisions(deps.db, { state: query.state, cursor: query.cursor ?? null, limit: query.limit });
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/decisions/:id/approve',
      summary: "Approve a pending decision: the decision's hold is placed",
      tag: 'decisions',
      access: ['operator'],
      params: idParams,
      body: approveBody,
      response: transitionOut.extend({ decision: decisionOut }),
      handler: async ({ actor, params, body }) => {
        const { decision, result } = await runDecision(deps, {
          action: 'approve',
          decisionId: params.id,
          actor: personActor(actor!),
          note: body.note ?? null,
        });
        return { ...accountDetail(await visibleAccount(deps.db, actor!, decision.accountId)), ...outcome(result), decision };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/decisions/:id/reject',
      summary: 'Reject a pending decision; exemptFor (e.g. 24h) exempts the account from its reason for that long',
      tag: 'decisions',
      access: ['operator'],
      params: idParams,
      body: rejectBody,
      response: z.object({ decision: decisionOut, exemption: exemptionOut.nullable() }),
      handler: async ({ actor, params, body }) => {
        const { decision, result } = await runDecision(deps, {
          action: 'reject',
          decisionId: params.id,
          actor: personActor(actor!),
          note: body.note ?? null,
          exemptForMs: body.exemptFor === undefined ? null : durationMs(body.exemptFor),
        });
        return { decision, exemption: result.exemptionsCreated[0] ?? null };
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: '/v1/exemptions/:id',
      summary: 'Delete an exemption: automatic rules apply again at once',
      tag: 'decisions',
      access: ['operator'],
      params: idParams,
      response: exemptionOut,
      handler: async ({ actor, params }) => {
        const at = deps.clock.now().toISOString();
        const by = actorLabel(personActor(actor!));
        const x = await deps.db.transaction(async (tx) => {
          const deleted = await deleteExemption(tx, params.id);
          if (deleted) {
            await appendAudit(tx, [
              { accountId: deleted.accountId, kind: 'exemption_deleted', actor: by, at, reason: deleted.reason, note: deleted.note, evidence: { exemptionId: deleted.id } },
            ]);
          }
          return deleted;
        });
        if (!x) throw new ApiError(404, `params.id: exemption ${params.id} not found`, 'params.id');
        return x;
      },
    }),
  ];
}
