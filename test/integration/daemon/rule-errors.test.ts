// Issue 12 item 6 through the composed daemon (src/main.ts) on real PostgreSQL: one HTTP ingest batch carries the
// case that made the shipped spend-spike compute a fractional money level (57600000.00000001 micro-units, which
// could not be formatted and answered the whole batch 500) and an expensive call. The batch answers 200, the
// expensive-call hold is placed, spend-spike opens its review with a level in whole micro-units, and /readyz shows
// no rule error in its details. (With the old arithmetic the engine's money guard turns the fractional level into
// a caught rule error: the batch still answers 200 and the hold is still placed; test/unit/rules/rule-errors.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRulesDaemon, type RulesDaemon } from '../../helpers/rules-daemon.js';

const RULES = `
fraud:
  - id: spend-spike
    mode: review
    match: { dispositions: [answered] }
    measure: cost
    window: 1h
    baseline: { factor: 10, minimum: "50.00" }
    cooldown: 6h
  - id: expensive-call
    measure: call_cost
    warn: "25.00"
    suspend: "75.00"
    cooldown: 1h
`;

let d: RulesDaemon;

beforeAll(async () => {
  d = await startRulesDaemon('rule-errors', RULES);
}, 60_000);

afterAll(async () => {
  await d?.stop();
});

const iso = (ms: number) => new Date(ms).toISOString();
const HOUR = 3_600_000;

function call(id: string, accountId: string, startedAt: number, cost: string) {
  return {
    id, accountId, direction: 'outbound', caller: '+442071234567', callee: '+442079460123',
    startedAt: iso(startedAt), answeredAt: iso(startedAt + 5_000), endedAt: iso(startedAt + 65_000), durationSec: 60,
    disposition: 'answered', cost, currency: 'GBP',
  };
}

describe('a rule can never lose a batch', () => {
  it('the fractional-baseline case and an expensive call in one batch: 200, the hold placed, the review opened', async () => {
    const t0 = Math.floor((Date.now() - 6 * HOUR) / HOUR) * HOUR + 10 * 60_000;
    const batch = [
      call('spike-1', 'cust-spike', t0, '45.00'),
      // two idle hours later: level 10 x (0.2 x 45.00 x 0.8^2) = 57.60, computed in floating point as 57.60000000001
      call('spike-2', 'cust-spike', t0 + 3 * HOUR, '60.00'),
      call('dear-1', 'cust-dear', t0 + 3 * HOUR, '80.00'),
    ];
    const res = await d.api('POST', '/v1/events/cdrs', batch);
    expect(res.status).toBe(200);
    expect(res.body.accepted).toBe(3);

    const dear = await d.api('GET', '/v1/accounts/cust-dear');
    expect(dear.status).toBe(200);
    expect(dear.body.holds.map((h: { reason: string; source: string }) => [h.reason, h.source])).toEqual([['fraud', 'rule:expensive-call']]);

    const pending = await d.api('GET', '/v1/decisions?state=pending');
    const spike = pending.body.items.find((d: { accountId: string }) => d.accountId === 'cust-spike');
    expect(spike.evidence).toMatchObject({ rule: 'spend-spike', value: 60_000_000, threshold: 57_600_000, amount: '60.00', thresholdAmount: '57.60' });

    const ready = await fetch(`${d.daemon.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, details: { ruleErrors: {}, fraudEngine: 'classic', fraudEngineFallback: null } });
  });
});
