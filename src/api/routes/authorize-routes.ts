// Call authorization (CONTRACT §4): `POST /v1/authorize` `{account, callee, caller?}` and the GET form
// `/v1/authorize?account=&callee=&caller=` for proxies that only do GET. Answers from the in-memory status view
// (src/status-view): no database read in the request path. Roles `authorize` and `operator` only.
// Never: answers a suspended account's non-emergency call with allow; logs the numbers dialled.
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { z } from 'zod';
import { authorizeCall, type CallAuthorization } from '../../domain/call-authorization.js';
import { allEmergencyNumbers, dialledDigits, isEmergencyNumber, type EmergencyNumbers } from '../../domain/emergency-numbers.js';
import type { Metrics } from '../../metrics.js';
import type { StatusView } from '../../status-view/status-view.js';
import { ApiError } from '../problem.js';
import { defineRoute, type RouteDef } from '../route.js';

export interface AuthorizeDeps {
  view: StatusView;
  emergency: EmergencyNumbers;
  metrics: Metrics;
}

// Ids as on the wire (CONTRACT §2): 1 to 200 characters, no control characters.
const wireId = z
  .string()
  .min(1)
  .max(200)
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'must have no control characters');
const number = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9+*#:@._\- ()]+$/, 'must be a dialled number or SIP user part');

export const authorizeInput = z.strictObject({ account: wireId, callee: number, caller: number.optional() });

const holdOut = z.object({ id: z.string(), reason: z.enum(['fraud', 'non_payment']), source: z.string(), since: z.string() });
export const authorizeOut = z.object({
  allow: z.boolean(),
  reason: z.string(),
  holds: z.array(holdOut),
  inheritedFrom: z.array(z.string()),
  emergency: z.boolean(),
});

function callerCountry(caller: string | undefined): string | null {
  if (!caller) return null;
  try {
    return parsePhoneNumberFromString(caller)?.country ?? null;
  } catch {
    return null;
  }
}

export type AuthorizeInput = z.infer<typeof authorizeInput>;

/**
 * The answer to one validated request once the view is loaded, counted in the metrics: the route below and the
 * fast path (src/api/fast-authorize.ts) both answer through it.
 */
export function authorizeAnswerer(deps: AuthorizeDeps): (input: AuthorizeInput) => CallAuthorization {
  const anyEmergency = allEmergencyNumbers(deps.emergency);
  return (input) => {
    // The caller's country is looked up only when the callee could be an emergency number at all.
    const emergency = anyEmergency.has(dialledDigits(input.callee)) && isEmergencyNumber(deps.emergency, input.callee, callerCountry(input.caller));
    const known = deps.view.lookup(input.account);
    const out = authorizeCall(known, emergency);
    deps.metrics.authorized(known === null ? 'unknown_account' : !out.allow ? 'deny' : emergency && known.status === 'suspended' ? 'emergency' : 'allow');
    return out;
  };
}

export function authorizeRoutes(deps: AuthorizeDeps | undefined): RouteDef[] {
  const answerLoaded = deps ? authorizeAnswerer(deps) : undefined;
  const answer = (input: AuthorizeInput) => {
    if (!deps || !answerLoaded) throw new ApiError(503, 'authorize: call authorization is not available in this process', 'authorize');
    if (!deps.view.loaded) throw new ApiError(503, 'authorize: the status view is still loading', 'authorize');
    return answerLoaded(input);
  };
  const common = {
    url: '/v1/authorize',
    tag: 'authorize',
    access: ['authorize', 'operator'] as const,
    response: authorizeOut,
  };
  return [
    defineRoute({
      ...common,
      method: 'POST',
      summary: 'May this account place this call now? Answered from memory; a suspended account is denied except to emergency numbers',
      body: authorizeInput,
      handler: async ({ body }) => answer(body),
    }),
    defineRoute({
      ...common,
      method: 'GET',
      summary: 'The GET form of POST /v1/authorize, for proxies that only do GET',
      query: authorizeInput,
      handler: async ({ query }) => answer(query),
    }),
  ];
}
