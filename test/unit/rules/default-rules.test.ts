// Every default rule (rules/fraud.yaml) both ways: a generated attack of its pattern is caught within its first
// window, and a generated day of ordinary UK business traffic for 1,000 accounts triggers no rule at suspend level.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CdrRecord } from '../../../src/events/types.js';
import { createFraudEngine } from '../../../src/rules/fraud-engine.js';
import { buildRuleSet } from '../../../src/rules/load-rules.js';
import type { AccountProfile, FraudRule, RuleHit } from '../../../src/rules/types.js';
import {
  attack, callBurst, cdr, concurrentCalls, highRiskBurst, irsfBurst, premiumRateBurst, profile, rangeScan, repeatedCallee,
  ukBusinessDay,
} from '../../helpers/traffic.js';

const rules = buildRuleSet([{ file: 'rules/fraud.yaml', text: readFileSync('rules/fraud.yaml', 'utf8') }], 'now').rules.fraud;
const rule = (id: string): FraudRule => rules.find((r) => r.id === id)!;

function run(cdrs: CdrRecord[], profiles: (id: string) => AccountProfile = (id) => profile(id)): RuleHit[] {
  const engine = createFraudEngine(rules, { allowedLatenessMs: 5 * 60_000, defaultTimezone: 'UTC' });
  return cdrs.flatMap((c) => engine.process(c, profiles(c.accountId)).hits);
}

function firstSuspend(cdrs: CdrRecord[], ruleId: string): RuleHit | undefined {
  return run(cdrs).find((h) => h.ruleId === ruleId && h.level === 'suspend');
}

// Tuesday 24 November 2026, 10:00 London (GMT); Saturday 28 November; Tuesday 02:00.
const TUE_10 = Date.parse('2026-11-24T10:00:00Z');
const SAT_11 = Date.parse('2026-11-28T11:00:00Z');
const TUE_02 = Date.parse('2026-11-24T02:00:00Z');


/** A Wangiri campaign: `rings` one-ring calls from +232 numbers, then `callbacks` of them called back. */
function wangiri(start: number, rings: number, callbacks: number): CdrRecord[] {
  const from = (i: number) => `+2327612${String(3400 + i)}`;
  const ring = (i: number): CdrRecord => ({ ...cdr({ id: `ring-${i}`, accountId: 'victim', callee: '+441134960001', caller: from(i), startedAt: start + i * 30_000, disposition: 'no_answer' }), direction: 'inbound' });
  const back = (i: number) => cdr({ id: `back-${i}`, accountId: 'victim', callee: from(i), startedAt: start + 20 * 60_000 + i * 60_000, durationSec: 90, costMicros: 3_000_000 });
  return [...Array.from({ length: rings }, (_, i) => ring(i)), ...Array.from({ length: callbacks }, (_, i) => back(i))].sort((a, b) => a.endedAt! - b.endedAt!);
}

const attacks: [ruleId: string, cdrs: CdrRecord[]][] = [
  ['irsf-international-networks', irsfBurst({ accountId: 'victim', start: TUE_10 })],
  ['irsf-high-risk-ranges', highRiskBurst({ accountId: 'victim', start: TUE_10 })],
  ['irsf-high-risk-out-of-hours', highRiskBurst({ accountId: 'victim', start: TUE_02, calls: 5, spacingMs: 20 * 60_000 })],
  ['irsf-high-risk-weekend', highRiskBurst({ accountId: 'victim', start: SAT_11, calls: 5, spacingMs: 10 * 60_000 })],
  ['uncommon-destinations-parallel', highRiskBurst({ accountId: 'victim', start: TUE_10, calls: 6, spacingMs: 20_000, durationSec: 900 }, '+225')],
  ['uncommon-destinations-1h', highRiskBurst({ accountId: 'victim', start: TUE_10, calls: 12, spacingMs: 4 * 60_000, durationSec: 60 }, '+225')],
  ['wangiri-ring-flood', wangiri(TUE_10, 12, 0)],
  ['wangiri-callbacks', wangiri(TUE_10, 4, 4)],
  ['premium-rate-numbers', premiumRateBurst({ accountId: 'victim', start: TUE_10 })],
  ['premium-rate-parallel', premiumRateBurst({ accountId: 'victim', start: TUE_10, calls: 5, spacingMs: 20_000, durationSec: 600 })],
  ['call-burst', callBurst({ accountId: 'victim', start: TUE_10 })],
  ['spend-1h', premiumRateBurst({ accountId: 'victim', start: TUE_10, calls: 40, costMicros: 6_000_000 })],
  ['spend-24h', highRiskBurst({ accountId: 'victim', start: TUE_10, calls: 60, spacingMs: 20 * 60_000, costMicros: 15_000_000 }, '+336')],
  ['concurrent-calls', concurrentCalls({ accountId: 'victim', start: TUE_10 })],
  ['night-uncommon-destinations', highRiskBurst({ accountId: 'victim', start: TUE_02, calls: 6, spacingMs: 40 * 60_000, durationSec: 600 }, '+225')],
  ['simbox-night', attack({ accountId: 'victim', start: TUE_02, calls: 60, spacingMs: 30_000, durationSec: 90 }, (i) => `+447400${String(123000 + i * 37)}`)],
  ['range-scan', rangeScan({ accountId: 'victim', start: TUE_10 })],
  ['repeated-callee', repeatedCallee({ accountId: 'victim', start: TUE_10 })],
  ['long-call', [cdr({ id: 'long', accountId: 'victim', callee: '+4930123456', startedAt: TUE_10, durationSec: 9 * 3600, costMicros: 1 })]],
  ['expensive-call', [cdr({ id: 'dear', accountId: 'victim', callee: '+4930123456', startedAt: TUE_10, durationSec: 600, costMicros: 90_000_000 })]],
];

describe('default fraud rules', () => {
  it('cover every default rule with an attack', () => {
    expect(attacks.map(([id]) => id).sort()).toEqual(rules.map((r) => r.id).sort());
  });

  it.each(attacks)('%s catches its attack within the first window', (ruleId, cdrs) => {
    const hit = firstSuspend(cdrs, ruleId);
    expect(hit, `no suspend hit for ${ruleId}`).toBeDefined();
    const first = Math.min(...cdrs.map((c) => c.startedAt));
    const window = rule(ruleId).windowMs ?? 24 * 3_600_000;
    expect(hit!.at - first).toBeLessThanOrEqual(window + 10 * 3_600_000 * (rule(ruleId).measure === 'call_duration' ? 1 : 0));
    expect(hit!.sampleCdrIds.length).toBeGreaterThan(0);
    expect(hit!.sampleCdrIds.length).toBeLessThanOrEqual(5);
  });

  it('the blatant IRSF burst is suspended by its first call, naming the rule', () => {
    const cdrs = irsfBurst({ accountId: 'victim', start: TUE_10 });
    const hit = firstSuspend(cdrs, 'irsf-international-networks')!;
    expect(hit.value).toBe(1);
    expect(hit.sampleCdrIds).toEqual([cdrs[0]!.id]);
    expect(hit.at).toBe(cdrs[0]!.endedAt);
  });

  it('a trusted-international account is not held for international-network calls', () => {
    const cdrs = irsfBurst({ accountId: 'trusted', start: TUE_10 });
    const hits = run(cdrs, (id) => profile(id, { tags: ['trusted-international'] }));
    expect(hits.filter((h) => h.ruleId === 'irsf-international-networks')).toEqual([]);
  });

  it('an ordinary UK business day for 1,000 accounts triggers no rule at suspend level', () => {
    const day = ukBusinessDay({ accounts: 1000, date: '2026-11-24', seed: 42 });
    expect(day.cdrs.length).toBeGreaterThan(20_000);
    const hits = run(day.cdrs, (id) => day.profiles.get(id)!);
    const suspends = hits.filter((h) => h.level === 'suspend');
    expect(suspends.map((h) => `${h.accountId} ${h.ruleId} ${h.value}`)).toEqual([]);
  }, 60_000);
});
