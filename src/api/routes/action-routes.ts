// Suspend, activate and exempt one account: POST /v1/accounts/{id}/suspend|activate|exemptions. Scope is checked
// first (404 outside it); the domain's authority table decides the rest (403) inside the one transition.
import { actorLabel, personSource } from '../../domain/actors.js';
import type { Exemption, TransitionResult } from '../../domain/types.js';
import { durationMs } from '../../config.js';
import { MAX_EXEMPTION_MS } from '../../events/validate.js';
import { accountDetail, personActor, visibleAccount } from '../account-view.js';
import type { ApiDeps } from '../deps.js';
import { ApiError } from '../problem.js';
import { appendAudit } from '../../store/audit-repo.js';
import { insertExemptions } from '../../store/exemptions-repo.js';
import { newId } from '../../store/transitions.js';
import { defineRoute, type RouteDef } from '../route.js';
import { runTransition } from '../run-transition.js';
import { activateBody, exemptionBody, exemptionOut, idParams, suspendBody, transitionOut } from '../schemas.js';

export function outcome(result: TransitionResult) {
  return {
    changed: result.changed,
    holdsPlaced: result.holdsPlaced.map((h) => h.id),
    holdsLifted: result.holdsLifted.map((h) => h.id),
    decisionsOpened: result.decisionsOpened.map((d) => d.id),
    exemptionsCreated: result.exemptionsCreated.map((x) => x.id),
  };
}

export function actionRoutes(deps: ApiDeps): RouteDef[] {
  return [
    defineRoute({
      method: 'POST',
      url: '/v1/accounts/:id/suspend',
      summary: 'Place a hold (idempotent per reason and actor); answers with the new status',
      tag: 'actions',
      access: 'authenticated',
      params: idParams,
      body: suspendBody,
      response: transitionOut,
      handler: async ({ actor, params, body }) => {
        await visibleAccount(deps.db, actor!, params.id);
        const person = personActor(actor!);
        const result = await runTransition(deps, {
          kind: 'suspend',
          accountId: params.id,
          actor: person,
          reason: body.reason,
          source: personSource(person),
          note: body.note ?? null,
        });
        return { ...accountDetail(await visibleAccount(deps.db, actor!, params.id)), ...outcome(result) };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/accounts/:id/activate',
      summary: 'Lift the holds the actor may lift; an operator may add exemptFor (e.g. 24h)',
      tag: 'actions',
      access: 'authenticated',
      params: idParams,
      body: activateBody,
      response: transitionOut,
      handler: async ({ actor, params, body }) => {
        await visibleAccount(deps.db, actor!, params.id);
        const result = await runTransition(deps, {
          kind: 'activate',
          accountId: params.id,
          actor: personActor(actor!),
          reason: body.reason ?? null,
          note: body.note ?? null,
          exemptForMs: body.exemptFor === undefined ? null : durationMs(body.exemptFor),
        });
        return { ...accountDetail(await visibleAccount(deps.db, actor!, params.id)), ...outcome(result) };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/accounts/:id/exemptions',
      summary: 'Create an exemption: until then, automatic rules of the reason open a review decision instead',
      tag: 'actions',
      access: 'authenticated',
      params: idParams,
      body: exemptionBody,
      status: 201,
      response: exemptionOut,
      handler: async ({ actor, params, body }) => {
        await visibleAccount(deps.db, actor!, params.id);
        if (actor!.role !== 'operator') {
          throw new ApiError(403, 'authorization: only an operator may create exemptions', 'authorization');
        }
        const now = deps.clock.now();
        const until = new Date(body.until);
        if (until.getTime() <= now.getTime()) throw new ApiError(400, 'body.until: must be in the future', 'body.until');
        if (until.getTime() > now.getTime() + MAX_EXEMPTION_MS) throw new ApiError(400, 'body.until: must be at most 366 days ahead', 'body.until');
        const exemption: Exemption = {
          id: newId('x'),
          accountId: params.id,
          reason: body.reason ?? null,
          rules: body.rules ?? null,
          until: until.toISOString(),
          note: body.note,
          createdBy: actorLabel(personActor(actor!)),
          createdAt: now.toISOString(),
        };
        await deps.db.transaction(async (tx) => {
          await insertExemptions(tx, [exemption]);
          await appendAudit(tx, [
            {
              accountId: exemption.accountId, kind: 'exemption_created', actor: exemption.createdBy, at: exemption.createdAt,
              reason: exemption.reason, note: exemption.note, evidence: { exemptionId: exemption.id, until: exemption.until, rules: exemption.rules },
            },
          ]);
        });
        deps.logger.info({ accountId: params.id, exemptionId: exemption.id, until: exemption.until }, 'exemption created');
        return exemption;
      },
    }),
  ];
}
