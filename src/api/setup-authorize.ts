// Prevention (issue 15 item 3): `/v1/authorize` with a `callId` is also the set-up of that call. The set-up is
// counted as the call's `phase: start` CDR by the engine that owns the account's CDRs (src/ingest/setup-ingest.ts:
// the HTTP lane), and when it crosses a suspend level the hold is committed, with its audit, emails and status
// message, in that batch's transaction BEFORE the answer, which is then deny, naming the rule and the hold.
// What is not counted: a call to an emergency number (always allowed, CONTRACT §1), a call the status view already
// denies (it will not be placed), and everything when counting is off. When the set-up cannot be counted (the
// database is unavailable, the record is refused), the answer comes from the status view as without a call id (a
// 5xx would make a switch fail open) and the switch's end record counts the call later: detection, not prevention.
// A deny waits (at most `viewWaitMs`) for this replica's status view to show the new hold, so the next request of
// the account, with or without a call id, is denied too.
// Never: answers allow for a set-up whose own hold was placed; reads the database itself.
import { authorizeCall, type CallAuthorization, type KnownStatus } from '../domain/call-authorization.js';
import type { StatusMessageHold } from '../domain/status.js';
import { decodeRecord } from '../events/decode-record.js';
import { parseRfc3339 } from '../events/timestamp.js';
import type { SetupCall, SetupIngest } from '../ingest/setup-ingest.js';
import { setupCdrJson } from '../ingest/setup-ingest.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { StatusView } from '../status-view/status-view.js';
import { ApiError } from './problem.js';

export interface SetupAuthorizeDeps {
  view: StatusView;
  /** Counts a set-up (null: counting is off, AUTHORIZE_COUNTS_SETUP=off). */
  count: SetupIngest | null;
  metrics: Metrics;
  log: Logger;
  now: () => number;
  /** How long a deny waits for the status view to show the hold it placed (default 1,000 ms). */
  viewWaitMs?: number;
}

export interface SetupRequest {
  account: string;
  callee: string;
  caller?: string | undefined;
  callId: string;
  startedAt?: string | undefined;
}

/** The answer with the set-up's part: whether the call's start is counted, and the rule this set-up crossed. */
export interface SetupAnswer extends CallAuthorization {
  counted: boolean;
  rule?: string;
}

export type SetupAuthorizer = (req: SetupRequest, decided: { known: KnownStatus | null; emergency: boolean }) => Promise<SetupAnswer>;

// decodeRecord's CDR field names, as the request names them.
const FIELD: Record<string, string> = { id: 'callId', accountId: 'account', callee: 'callee', caller: 'caller', startedAt: 'startedAt' };

/** The set-up as the pipeline will decode it, or a 400 naming the request's field (never a dead letter). */
export function setupCallOf(req: SetupRequest, nowMs: number): SetupCall {
  const startedAt = req.startedAt === undefined ? nowMs : parseRfc3339(req.startedAt);
  if (startedAt === null) throw new ApiError(400, 'startedAt: must be an RFC 3339 timestamp', 'authorize');
  const call: SetupCall = { callId: req.callId, accountId: req.account, callee: req.callee, caller: req.caller, startedAt };
  const decoded = decodeRecord('cdrs', setupCdrJson(call), nowMs);
  if (!decoded.ok) {
    const colon = decoded.error.indexOf(':');
    const field = FIELD[decoded.error.slice(0, colon)];
    throw new ApiError(400, field ? `${field}${decoded.error.slice(colon)}` : `callId: the set-up is not a valid call record (${decoded.error})`, 'authorize');
  }
  return call;
}

type Outcome = Parameters<Metrics['authorized']>[0];
const outcomeOf = (known: KnownStatus | null, out: CallAuthorization): Outcome =>
  known === null ? 'unknown_account' : !out.allow ? 'deny' : out.emergency && known.status === 'suspended' ? 'emergency' : 'allow';

export function createSetupAuthorizer(deps: SetupAuthorizeDeps): SetupAuthorizer {
  const waitMs = deps.viewWaitMs ?? 1_000;

  const answer = (known: KnownStatus | null, emergency: boolean, counted: boolean): SetupAnswer => {
    const out = authorizeCall(known, emergency);
    deps.metrics.authorized(outcomeOf(known, out));
    return { ...out, counted };
  };
  const fromView = (account: string, counted: boolean): SetupAnswer => answer(deps.view.lookup(account), false, counted);

  /** The account's status once the view shows `holdId` (or, after waitMs, the view's with the hold added). */
  async function withHold(account: string, hold: StatusMessageHold): Promise<KnownStatus> {
    // A time-out, not a decision: the monotonic clock, not the injected one.
    const deadline = performance.now() + waitMs;
    for (;;) {
      const known = deps.view.lookup(account);
      if (known?.holds.some((h) => h.id === hold.id)) return known;
      if (performance.now() >= deadline) {
        deps.log.warn({ accountId: account, holdId: hold.id }, 'set-up hold not yet in the status view; answering deny from the commit');
        return { status: 'suspended', holds: [...(known?.holds ?? []), hold], inheritedFrom: [...(known?.inheritedFrom ?? [])] };
      }
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  return async (req, { known, emergency }) => {
    // Validated whether or not it is counted, so a request is refused (400) or not whatever the account's status.
    const call = setupCallOf(req, deps.now());
    // Not a set-up to count: an emergency call (always allowed), or a call the view denies (it is not placed).
    if (emergency || known?.status === 'suspended' || deps.count === null) {
      deps.metrics.authorizeSetup('not_counted');
      return answer(known, emergency, false);
    }
    const t0 = performance.now();
    let counted;
    try {
      counted = await deps.count(call);
    } catch (err) {
      deps.metrics.authorizeSetup('failed');
      deps.log.warn({ err, accountId: call.accountId }, 'set-up not counted (answered from the status view; the end record counts the call)');
      return fromView(call.accountId, false);
    }
    const seconds = (performance.now() - t0) / 1000;
    if (counted.outcome === 'rejected') {
      deps.metrics.authorizeSetup('failed', seconds);
      deps.log.warn({ accountId: call.accountId, error: counted.error }, 'set-up refused by the pipeline (dead-lettered); answered from the status view');
      return fromView(call.accountId, false);
    }
    deps.metrics.authorizeSetup(counted.outcome === 'duplicate' ? 'duplicate' : 'counted', seconds);
    // Denied when this set-up placed a hold, or another record of the same batch placed one on the account (a call
    // set up together with the crossing one): either way the account is suspended once the batch committed.
    const own = counted.decisions.find((d) => d.action === 'suspend' && d.holdId !== undefined);
    const held = own ?? counted.accountHolds[0];
    if (!held) return fromView(call.accountId, true);
    const hold: StatusMessageHold = { id: held.holdId!, reason: 'fraud', source: `rule:${held.ruleId}`, since: new Date(deps.now()).toISOString() };
    const status = await withHold(call.accountId, hold);
    const out = authorizeCall(status, false);
    deps.metrics.authorized('deny');
    return own ? { ...out, counted: true, rule: own.ruleId } : { ...out, counted: true };
  };
}
