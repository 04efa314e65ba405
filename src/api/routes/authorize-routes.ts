// Call authorization (CONTRACT §4): `POST /v1/authorize` `{account, callee, caller?}` and the GET form
// `/v1/authorize?account=&callee=&caller=` for proxies that only do GET. Answers from the in-memory status view
// (src/status-view): no database read in the request path. Roles `authorize` and `operator` only.
// Never: answers a suspended account's non-emergency call with allow; logs the numbers dialled.
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { z } from 'zod';
import { authorizeCall, type CallAuthorization, type KnownStatus } from '../../domain/call-authorization.js';
import { emergencyCheck, type EmergencyNumbers } from '../../domain/emergency-numbers.js';
import { parseRfc3339 } from '../../events/timestamp.js';
import type { Metrics } from '../../metrics.js';
import type { StatusView } from '../../status-view/status-view.js';
import { ApiError } from '../problem.js';
import type { SetupAuthorizer } from '../setup-authorize.js';
import { defineRoute, type RouteDef } from '../route.js';

export interface AuthorizeDeps {
  view: StatusView;
  emergency: EmergencyNumbers;
  metrics: Metrics;
  /** Counts a request with a `callId` as that call's set-up (src/api/setup-authorize.ts); absent: callId is ignored. */
  setup?: SetupAuthorizer | undefined;
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

// callId and startedAt (issue 15, prevention): the request is then also the set-up of that call (setup-authorize.ts).
export const authorizeInput = z.strictObject({
  account: wireId,
  callee: number,
  caller: number.optional(),
  callId: wireId.optional(),
  startedAt: z.string().max(64).refine((s) => parseRfc3339(s) !== null, 'must be an RFC 3339 timestamp with an offset').optional(),
});

const holdOut = z.object({ id: z.string(), reason: z.enum(['fraud', 'non_payment']), source: z.string(), since: z.string() });
export const authorizeOut = z.object({
  allow: z.boolean(),
  reason: z.string(),
  holds: z.array(holdOut),
  inheritedFrom: z.array(z.string()),
  emergency: z.boolean(),
  /** With a callId: whether the call's start is counted (by this request or an earlier one with the same callId). */
  counted: z.boolean().optional(),
  /** With a callId: the rule whose suspend level this set-up crossed (its hold is in `holds`). */
  rule: z.string().optional(),
});

function parseCountry(caller: string): string | null {
  try {
    return parsePhoneNumberFromString(caller)?.country ?? null;
  } catch {
    return null;
  }
}

// A caller's country, remembered (a switch asks for the same few thousand lines over and over); bounded.
const countries = new Map<string, string | null>();
function callerCountry(caller: string | undefined): string | null {
  if (!caller) return null;
  let c = countries.get(caller);
  if (c === undefined) {
    if (countries.size >= 10_000) countries.clear();
    c = parseCountry(caller);
    countries.set(caller, c);
  }
  return c;
}

export type AuthorizeInput = z.infer<typeof authorizeInput>;

type Outcome = Parameters<Metrics['authorized']>[0];
const outcomeOf = (known: KnownStatus | null, out: CallAuthorization): Outcome =>
  known === null ? 'unknown_account' : !out.allow ? 'deny' : out.emergency && known.status === 'suspended' ? 'emergency' : 'allow';

/** Whether the callee is an emergency number for this caller. */
function emergencyOf(deps: AuthorizeDeps): (input: AuthorizeInput) => boolean {
  const check = emergencyCheck(deps.emergency);
  // The caller's country is looked up only when the callee could be an emergency number at all.
  return (input) => check(input.callee, () => callerCountry(input.caller));
}

/** The account's effective status (null: unknown) and whether the callee is an emergency number for this caller. */
function decider(deps: AuthorizeDeps): (input: AuthorizeInput) => { known: KnownStatus | null; emergency: boolean } {
  const isEmergency = emergencyOf(deps);
  return (input) => ({ known: deps.view.lookup(input.account), emergency: isEmergency(input) });
}

/** The answer to one validated request once the view is loaded, counted in the metrics (the route's). */
export function authorizeAnswerer(deps: AuthorizeDeps): (input: AuthorizeInput) => CallAuthorization {
  const isEmergency = emergencyOf(deps);
  return (input) => {
    const known = deps.view.lookup(input.account);
    const emergency = isEmergency(input);
    const out = authorizeCall(known, emergency);
    deps.metrics.authorized(outcomeOf(known, out));
    return out;
  };
}

/** A serialised answer: exactly JSON.stringify(authorizeCall(known, emergency)), and what the metric counts. */
export interface AuthorizeJson {
  body: string;
  headers: { 'content-type': string; 'content-length': string };
  outcome: Outcome;
}

/**
 * The same answer as authorizeAnswerer, serialised, for the fast path (src/api/fast-authorize.ts): the JSON of
 * authorizeCall kept per (status entry, emergency). The status view replaces an account's entry object on every
 * change (never edits one), so an entry's answers stay right for as long as it is the entry looked up.
 */
export function authorizeJsonAnswerer(deps: AuthorizeDeps): (input: AuthorizeInput) => AuthorizeJson {
  const isEmergency = emergencyOf(deps);
  const byEntry = new WeakMap<KnownStatus, [AuthorizeJson | undefined, AuthorizeJson | undefined]>();
  const unknown: [AuthorizeJson | undefined, AuthorizeJson | undefined] = [undefined, undefined];
  const serialise = (known: KnownStatus | null, emergency: boolean): AuthorizeJson => {
    const out = authorizeCall(known, emergency);
    const body = JSON.stringify(out);
    return { body, headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(body)) }, outcome: outcomeOf(known, out) };
  };
  return (input) => {
    const known = deps.view.lookup(input.account);
    const emergency = isEmergency(input);
    let pair = known === null ? unknown : byEntry.get(known);
    if (!pair) byEntry.set(known!, (pair = [undefined, undefined]));
    const json = (pair[emergency ? 1 : 0] ??= serialise(known, emergency));
    deps.metrics.authorized(json.outcome);
    return json;
  };
}

export function authorizeRoutes(deps: AuthorizeDeps | undefined): RouteDef[] {
  const answerLoaded = deps ? authorizeAnswerer(deps) : undefined;
  const decide = deps ? decider(deps) : undefined;
  const answer = async (input: AuthorizeInput) => {
    if (!deps || !answerLoaded) throw new ApiError(503, 'authorize: call authorization is not available in this process', 'authorize');
    if (!deps.view.loaded) throw new ApiError(503, 'authorize: the status view is still loading', 'authorize');
    if (input.callId === undefined || !deps.setup) return answerLoaded(input);
    return deps.setup({ ...input, callId: input.callId }, decide!(input));
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
      summary: 'May this account place this call now? Answered from memory; a suspended account is denied except to emergency numbers. With callId, also the call set-up: counted by the fraud rules, and a set-up that crosses a suspend level is denied with its hold committed',
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
