// The matches and baselines of issue 12 item 2: caller-side matching for inbound calls, distinct callees at night
// (SIM-box), baselines by hour of week (a call centre's Monday morning is normal for it; the same volume at 03:00 on
// a Sunday is not), and their state surviving a snapshot.
import { describe, expect, it } from 'vitest';
import type { CdrRecord } from '../../../src/events/types.js';
import { createFraudEngine } from '../../../src/rules/fraud-engine.js';
import { buildRuleSet } from '../../../src/rules/load-rules.js';
import type { FraudRule } from '../../../src/rules/types.js';
import { cdr, profile } from '../../helpers/traffic.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

function rulesOf(yaml: string): FraudRule[] {
  const { rules, problems } = buildRuleSet([{ file: 't.yaml', text: yaml }], 'now');
  expect(problems).toEqual([]);
  return rules.fraud;
}
const engineOf = (yaml: string) => createFraudEngine(rulesOf(yaml), { allowedLatenessMs: 5 * MIN, defaultTimezone: 'Europe/London' });
const inbound = (id: string, caller: string | null, at: number): CdrRecord =>
  ({ ...cdr({ id, accountId: 'line', callee: '+442071234567', startedAt: at, durationSec: 30 }), direction: 'inbound', caller });

describe('caller-side matches', () => {
  it('callerCountries and callerPrefixes look at who rings the account; a call without a caller matches neither', () => {
    const engine = engineOf(`
fraud:
  - id: from-abroad
    match: { direction: inbound, callerCountries: { none: [GB] } }
    measure: calls
    window: 1h
    suspend: 1
    cooldown: 1s
  - id: from-nigeria
    match: { direction: inbound, callerPrefixes: ["+234"] }
    measure: calls
    window: 1h
    suspend: 1
    cooldown: 1s
`);
    const T = Date.parse('2026-11-24T10:00:00Z');
    const hits = (c: CdrRecord) => engine.process(c, profile('line')).hits.map((h) => h.ruleId);
    expect(hits(inbound('a', '+2348031234567', T))).toEqual(['from-abroad', 'from-nigeria']);
    expect(hits(inbound('b', '+33123456789', T + MIN))).toEqual(['from-abroad']);
    expect(hits(inbound('c', '+447812345678', T + 2 * MIN))).toEqual([]);
    expect(hits(inbound('d', '+447700900123', T + 3 * MIN))).toEqual([]); // drama range: GB
    expect(hits(inbound('e', null, T + 4 * MIN))).toEqual([]);
  });

  it('distinct_callers counts the different numbers that called the line', () => {
    const engine = engineOf(`
fraud:
  - id: many-callers
    match: { direction: inbound }
    measure: distinct_callers
    window: 1h
    suspend: 3
`);
    const T = Date.parse('2026-11-24T10:00:00Z');
    const values = ['+447911000001', '+447911000002', '+447911000001', null, '+447911000003'].map((c, i) => engine.process(inbound(`i${i}`, c, T + i * MIN), profile('line')).hits.map((h) => h.value));
    expect(values).toEqual([[], [], [], [], [3]]);
  });
});

describe('distinct callees at night (SIM-box)', () => {
  it('many different mobiles called at night reach the level; the same calls by day do not count', () => {
    const yaml = `
fraud:
  - id: simbox-night
    match: { numberTypes: [mobile], hours: "00:00-06:00" }
    measure: distinct_callees
    window: 1h
    suspend: 20
`;
    const calls = (start: number) => Array.from({ length: 25 }, (_, i) => cdr({ id: `s${start}-${i}`, accountId: 'sim', callee: `+4479111234${String(i).padStart(2, '0')}`, startedAt: start + i * MIN, durationSec: 40 }));
    const night = engineOf(yaml);
    const nightHits = calls(Date.parse('2026-11-24T02:00:00Z')).flatMap((c) => night.process(c, profile('sim')).hits);
    expect(nightHits.map((h) => [h.ruleId, h.value])).toEqual([['simbox-night', 20]]);
    const day = engineOf(yaml);
    expect(calls(Date.parse('2026-11-24T14:00:00Z')).flatMap((c) => day.process(c, profile('sim')).hits)).toEqual([]);
  });
});

describe('baselines by hour of week', () => {
  const yaml = `
fraud:
  - id: calls-vs-usual-hour
    measure: calls
    window: 1h
    baseline: { by: hour_of_week, factor: 2, minimum: 30 }
    cooldown: 1h
`;
  // Monday 23 November 2026, 09:00 London (GMT)
  const MON_09 = Date.parse('2026-11-23T09:00:00Z');
  const burst = (engine: ReturnType<typeof engineOf>, start: number, n: number, tag: string) =>
    Array.from({ length: n }, (_, i) => cdr({ id: `${tag}-${i}`, accountId: 'cc', callee: `+4420712345${String(i % 100).padStart(2, '0')}`, startedAt: start + Math.floor((i * 55 * MIN) / n), durationSec: 30 }))
      .flatMap((c) => engine.process(c, profile('cc')).hits);

  it("a call centre's usual Monday 09:00 is normal for it; the same volume at 03:00 on a Sunday is not", () => {
    const engine = engineOf(yaml);
    // four weeks of 100 calls every Monday 09:00-10:00: the first Monday, with no history, meets the minimum; from
    // the second on, the Monday-09:00 slot has learnt its usual 100
    const learning = [0, 1, 2, 3].map((w) => burst(engine, MON_09 + w * WEEK, 100, `w${w}`).filter((h) => h.level === 'suspend').length);
    expect(learning).toEqual([1, 0, 0, 0]);
    // week 5: Monday 09:00 as usual, quiet
    expect(burst(engine, MON_09 + 4 * WEEK, 100, 'w4')).toEqual([]);
    // the same 100 calls on Sunday 03:00 cross max(30, 2 x ~0) = 30
    const sunday = burst(engine, MON_09 + 4 * WEEK + 5 * DAY + 18 * HOUR, 100, 'sun');
    expect(sunday.map((h) => [h.level, h.value, h.threshold])).toEqual([['suspend', 30, 30]]);
  });

  it('the hour-of-week profile and the call-back rings survive a snapshot', () => {
    const full = `${yaml}
  - id: wangiri
    measure: callbacks
    window: 1h
    suspend: 1
`;
    const a = engineOf(full);
    for (let w = 0; w < 3; w++) burst(a, MON_09 + w * WEEK, 100, `w${w}`);
    a.process({ ...inbound('ring', '+37120012345', MON_09 + 3 * WEEK - MIN), accountId: 'cc', disposition: 'no_answer', durationSec: 0, answeredAt: null }, profile('cc'));
    const b = engineOf(full);
    b.restore(a.snapshot());
    const parts = engineOf(full);
    parts.restoreParts(a.snapshotShared(), [['cc', a.snapshotAccount('cc')!]]);
    for (const e of [a, b, parts]) {
      expect(burst(e, MON_09 + 3 * WEEK, 100, "w3").map((h) => [h.ruleId, h.value, h.threshold]), String([a, b, parts].indexOf(e))).toEqual([]);
      const back = cdr({ id: 'back', accountId: 'cc', callee: '+37120012345', startedAt: MON_09 + 3 * WEEK + 57 * MIN });
      expect(e.process(back, profile('cc')).hits.map((h) => h.ruleId)).toEqual(['wangiri']);
    }
  });
});
