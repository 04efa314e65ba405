// The set-up answer (src/api/setup-authorize.ts) with an in-memory status view and set-up counter: what is counted,
// a crossing set-up denied with its rule and hold once the view shows it (or from the commit after the wait), a
// set-up that cannot be counted answered from the view, bad input a 400 naming the field; and the GET fast path
// leaves a request with a callId to the route.
import { describe, expect, it } from 'vitest';
import type { KnownStatus } from '../../../src/domain/call-authorization.js';
import { parseAuthorizeQuery } from '../../../src/api/fast-authorize.js';
import { ApiError } from '../../../src/api/problem.js';
import { createSetupAuthorizer, setupCallOf, type SetupRequest } from '../../../src/api/setup-authorize.js';
import type { SetupCall, SetupCounted } from '../../../src/ingest/setup-ingest.js';
import { createLogger } from '../../../src/log.js';
import { Metrics } from '../../../src/metrics.js';
import type { StatusView } from '../../../src/status-view/status-view.js';

const NOW = Date.parse('2026-11-27T11:00:00Z');
const ACTIVE: KnownStatus = { status: 'active', holds: [], inheritedFrom: [] };
const HOLD = { id: 'h-1', reason: 'fraud' as const, source: 'rule:premium-rate-numbers' as const, since: '2026-11-27T11:00:00.000Z' };

function harness(count: ((call: SetupCall) => Promise<SetupCounted>) | null, viewWaitMs = 200) {
  const statuses = new Map<string, KnownStatus>([['u1', ACTIVE]]);
  const view = { loaded: true, lookup: (id: string) => statuses.get(id) ?? null } as unknown as StatusView;
  const counted: SetupCall[] = [];
  const metrics = new Metrics({ defaultMetrics: false });
  const authorize = createSetupAuthorizer({
    view,
    count: count && ((c) => (counted.push(c), count(c))),
    metrics,
    log: createLogger('silent'),
    now: () => NOW,
    viewWaitMs,
  });
  const ask = (req: Partial<SetupRequest> = {}, emergency = false) => {
    const r: SetupRequest = { account: 'u1', callee: '+449098790001', callId: 'call-1', ...req };
    return authorize(r, { known: statuses.get(r.account) ?? null, emergency });
  };
  return { statuses, counted, metrics, ask };
}

const ok = (decisions: SetupCounted['decisions'] = [], accountHolds = decisions.filter((d) => d.action === 'suspend')) => async (): Promise<SetupCounted> => ({ outcome: 'accepted', decisions, accountHolds });
const crossed = [{ index: 0, accountId: 'u1', ruleId: 'premium-rate-numbers', level: 'suspend' as const, action: 'suspend' as const, holdId: 'h-1' }];

describe('set-up authorization', () => {
  it('counts an ordinary set-up at the request time, and answers from the view', async () => {
    const h = harness(ok());
    expect(await h.ask()).toEqual({ allow: true, reason: 'active', holds: [], inheritedFrom: [], emergency: false, counted: true });
    expect(h.counted).toEqual([{ callId: 'call-1', accountId: 'u1', callee: '+449098790001', caller: undefined, startedAt: NOW }]);
  });

  it('does not count an emergency call, a call the view denies, or anything when counting is off', async () => {
    const h = harness(ok());
    h.statuses.set('u1', { status: 'suspended', holds: [HOLD], inheritedFrom: [] });
    expect(await h.ask({ callee: '999' }, true)).toMatchObject({ allow: true, emergency: true, counted: false });
    expect(await h.ask()).toMatchObject({ allow: false, counted: false, reason: 'suspended: fraud hold by rule:premium-rate-numbers' });
    expect(h.counted).toEqual([]);
    const off = harness(null);
    expect(await off.ask()).toMatchObject({ allow: true, counted: false });
  });

  it('a set-up that crossed a suspend level is denied with its rule once the view shows the hold', async () => {
    const h = harness(ok(crossed));
    setTimeout(() => h.statuses.set('u1', { status: 'suspended', holds: [HOLD], inheritedFrom: [] }), 20);
    expect(await h.ask()).toEqual({
      allow: false, reason: 'suspended: fraud hold by rule:premium-rate-numbers', holds: [HOLD], inheritedFrom: [], emergency: false, counted: true, rule: 'premium-rate-numbers',
    });
  });

  it('...and still denied, from the commit, when the view does not show it in time', async () => {
    const h = harness(ok(crossed), 10);
    const out = await h.ask();
    expect(out).toMatchObject({ allow: false, rule: 'premium-rate-numbers', holds: [{ id: 'h-1', reason: 'fraud', source: 'rule:premium-rate-numbers' }] });
  });

  it('a review or warn level does not deny this set-up', async () => {
    const h = harness(ok([{ ...crossed[0]!, action: 'review', holdId: undefined }, { ...crossed[0]!, level: 'warn', action: null, holdId: undefined }]));
    expect(await h.ask()).toMatchObject({ allow: true, counted: true });
  });

  it('a set-up committed in the batch where another record put a hold on its account is denied too, without a rule of its own', async () => {
    const h = harness(ok([], [{ ...crossed[0]!, index: 3 }]), 10);
    const out = await h.ask();
    expect(out).toMatchObject({ allow: false, counted: true, holds: [{ id: 'h-1' }] });
    expect(out.rule).toBeUndefined();
  });

  it('a set-up that cannot be counted is answered from the view, not a 5xx', async () => {
    const down = harness(async () => {
      throw new Error('database down');
    });
    expect(await down.ask()).toMatchObject({ allow: true, counted: false });
    const refused = harness(async () => ({ outcome: 'rejected', error: 'accountId: cannot be read', decisions: [], accountHolds: [] }));
    expect(await refused.ask()).toMatchObject({ allow: true, counted: false });
    const dup = harness(async () => ({ outcome: 'duplicate', decisions: [], accountHolds: [] }));
    expect(await dup.ask()).toMatchObject({ allow: true, counted: true });
    expect(await dup.metrics.render()).toMatch(/suspensiond_authorize_setups_total\{outcome="duplicate"\} 1/);
  });

  it('bad set-up fields are a 400 naming the request field', () => {
    const bad = (req: Partial<SetupRequest>) => {
      try {
        setupCallOf({ account: 'u1', callee: '+449098790001', callId: 'c', ...req }, NOW);
      } catch (err) {
        expect(err).toBeInstanceOf(ApiError);
        return (err as ApiError).message;
      }
      return 'accepted';
    };
    expect(bad({})).toBe('accepted');
    expect(bad({ startedAt: '2026-11-27T11:00:00+01:00' })).toBe('accepted');
    expect(bad({ startedAt: 'soon' })).toMatch(/^startedAt: /);
    expect(bad({ startedAt: '2026-11-29T11:00:00Z' })).toMatch(/^startedAt: absurd timestamp/);
    expect(bad({ callId: ' ' })).toMatch(/^callId: /);
    expect(bad({ account: '\u2028' })).toMatch(/^account: /);
  });

  it('the GET fast path hands a request with a callId to the route', () => {
    expect(parseAuthorizeQuery('account=u1&callee=999')).not.toBeNull();
    expect(parseAuthorizeQuery('account=u1&callee=999&callId=abc')).toBeNull();
    expect(parseAuthorizeQuery('callId=abc&account=u1&callee=999&startedAt=2026-11-27T11%3A00%3A00Z')).toBeNull();
  });
});
