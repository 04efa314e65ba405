// snapshot()/restore() is exact: processing a, snapshotting, restoring into a fresh engine and processing b gives
// exactly what processing a ++ b in one engine gives (windows, baselines, cooldowns, dedupe and live calls).
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CdrRecord } from '../../../src/events/types.js';
import { createFraudEngine } from '../../../src/rules/fraud-engine.js';
import { buildRuleSet } from '../../../src/rules/load-rules.js';
import type { ProcessResult } from '../../../src/rules/types.js';
import { concurrentCalls, irsfBurst, profile, rangeScan, repeatedCallee, ukBusinessDay } from '../../helpers/traffic.js';

const rules = buildRuleSet([{ file: 'rules/fraud.yaml', text: readFileSync('rules/fraud.yaml', 'utf8') }], 'now').rules.fraud;
const opts = { allowedLatenessMs: 5 * 60_000, defaultTimezone: 'UTC' };
const TUE_10 = Date.parse('2026-11-24T10:00:00Z');

function mixedTraffic(): CdrRecord[] {
  const day = ukBusinessDay({ accounts: 30, date: '2026-11-24', seed: 3 }).cdrs;
  const attacks = [
    ...irsfBurst({ accountId: 'acct-1', start: TUE_10 }),
    ...rangeScan({ accountId: 'acct-2', start: TUE_10 + 3_600_000 }),
    ...repeatedCallee({ accountId: 'acct-3', start: TUE_10 - 3_600_000 }),
    ...concurrentCalls({ accountId: 'acct-4', start: TUE_10 }),
  ];
  const all = [...day, ...attacks].sort((a, b) => (a.endedAt ?? a.startedAt) - (b.endedAt ?? b.startedAt));
  // a few repeats and some mild disorder, as Kafka redelivery and clock skew give
  for (let i = 10; i < all.length; i += 97) all.splice(i, 0, all[i - 7]!);
  for (let i = 5; i + 3 < all.length; i += 41) [all[i], all[i + 3]] = [all[i + 3]!, all[i]!];
  return all;
}

const run = (engine: ReturnType<typeof createFraudEngine>, cdrs: CdrRecord[]): ProcessResult[] =>
  cdrs.map((c) => engine.process(c, profile(c.accountId)));

describe('engine snapshot', () => {
  const traffic = mixedTraffic();
  const whole = run(createFraudEngine(rules, opts), traffic);

  it('the traffic exercises hits, duplicates and concurrency', () => {
    expect(whole.filter((r) => r.outcome === 'duplicate').length).toBeGreaterThan(0);
    const hitRules = new Set(whole.flatMap((r) => r.hits.map((h) => h.ruleId)));
    expect([...hitRules]).toEqual(expect.arrayContaining(['irsf-international-networks', 'range-scan', 'repeated-callee', 'concurrent-calls']));
  });

  it('process(a); snapshot; restore; process(b) equals process(a ++ b) at any split point', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: traffic.length }), (split) => {
        const first = createFraudEngine(rules, opts);
        const a = run(first, traffic.slice(0, split));
        const second = createFraudEngine(rules, opts);
        second.restore(first.snapshot());
        const b = run(second, traffic.slice(split));
        expect([...a, ...b]).toEqual(whole);
      }),
      { numRuns: 8 },
    );
  }, 120_000);

  it('a restored engine snapshots to the same bytes', () => {
    const engine = createFraudEngine(rules, opts);
    run(engine, traffic.slice(0, 2000));
    const bytes = engine.snapshot();
    const copy = createFraudEngine(rules, opts);
    copy.restore(bytes);
    expect(new TextDecoder().decode(copy.snapshot())).toBe(new TextDecoder().decode(bytes));
    expect(copy.size()).toBe(engine.size());
  });

  it('restoring under changed rules keeps the state of unchanged rules and drops the rest', () => {
    // Its own two rules, so that tuning the shipped defaults does not change what this checks.
    const own = buildRuleSet([{ file: 'own.yaml', text: `
fraud:
  - { id: irsf, match: { calleePrefixes: ["+881", "+882", "+883"] }, measure: calls, window: 1h, suspend: 3 }
  - { id: call-burst, measure: calls, window: 5m, suspend: 60 }
` }], 'now').rules.fraud;
    const engine = createFraudEngine(own, opts);
    run(engine, irsfBurst({ accountId: 'v', start: TUE_10 }).slice(0, 2));
    const changed = own.map((r) => (r.id === 'call-burst' ? { ...r, windowMs: 60_000 } : r));
    const other = createFraudEngine(changed, opts);
    other.restore(engine.snapshot());
    const third = irsfBurst({ accountId: 'v', start: TUE_10 })[2]!;
    const hit = other.process(third, profile('v')).hits.find((h) => h.ruleId === 'irsf');
    expect(hit?.value).toBe(3);
  });
});
