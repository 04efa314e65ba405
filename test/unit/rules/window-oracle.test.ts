// The windowed measures match a brute-force oracle over random CDR streams with out-of-order, late and repeated
// arrivals: for every accepted CDR the engine reports the value the oracle computes from the events accepted so
// far, over the closed window [tau - w, tau] with tau = max(t, watermark) (fraud-engine.ts).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CdrRecord } from '../../../src/events/types.js';
import { createFraudEngine, eventTime } from '../../../src/rules/fraud-engine.js';
import type { FraudRule, Measure } from '../../../src/rules/types.js';
import { WindowState } from '../../../src/rules/window-state.js';
import { profile } from '../../helpers/traffic.js';

const DEFAULT_INDEX_ABOVE = WindowState.indexAbove;
const WINDOWED: Measure[] = ['calls', 'cost', 'minutes', 'distinct_callees', 'calls_to_one_callee', 'range_scan'];

function rule(measure: Measure, windowMs: number, extra: Partial<FraudRule> = {}): FraudRule {
  return {
    id: `${measure}-${windowMs}`, description: null, mode: 'enforce', appliesTo: null, match: { direction: 'outbound' },
    measure, windowMs, rangeDigits: 1, warn: null, suspend: 0, baseline: null, cooldownMs: 0, releaseAfterMs: null,
    origin: { file: 'test', line: 1 }, ...extra,
  };
}

const BASE = Date.parse('2026-11-24T09:00:00Z');
const CALLEES = ['+442071230001', '+442071230002', '+442071230013', '+442071230024', '+447911123456', '+447911123457', '+4930123456'];

const eventArb = fc.record({
  acct: fc.integer({ min: 0, max: 2 }),
  step: fc.integer({ min: 0, max: 40_000 }),
  lag: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 20 * 60_000 })),
  dur: fc.integer({ min: 0, max: 600 }),
  cost: fc.integer({ min: 0, max: 5_000_000 }),
  callee: fc.integer({ min: 0, max: CALLEES.length - 1 }),
  repeat: fc.option(fc.nat(), { freq: 8 }),
});

type EventSpec = typeof eventArb extends fc.Arbitrary<infer T> ? T : never;

function buildStream(events: EventSpec[]): CdrRecord[] {
  const out: CdrRecord[] = [];
  let clock = BASE;
  events.forEach((e, i) => {
    if (e.repeat !== null && out.length > 0) return void out.push(out[e.repeat % out.length]!);
    clock += e.step;
    const endedAt = clock - e.lag;
    out.push({
      id: `c${i}`, accountId: `a${e.acct}`, direction: 'outbound', caller: null, callee: CALLEES[e.callee]!,
      startedAt: endedAt - e.dur * 1000 - 5000, answeredAt: endedAt - e.dur * 1000, endedAt, durationSec: e.dur,
      disposition: 'answered', costMicros: e.cost, currency: 'GBP', phase: 'end',
    });
  });
  return out;
}

function oracleValue(measure: Measure, events: CdrRecord[]): number {
  const count = (key: (c: CdrRecord) => string) => {
    const m = new Map<string, number>();
    for (const c of events) m.set(key(c), (m.get(key(c)) ?? 0) + 1);
    return m;
  };
  switch (measure) {
    case 'calls': return events.length;
    case 'cost': return events.reduce((s, c) => s + c.costMicros!, 0);
    case 'minutes': return events.reduce((s, c) => s + c.durationSec!, 0) / 60;
    case 'distinct_callees': return new Set(events.map((c) => c.callee)).size;
    case 'calls_to_one_callee': return Math.max(0, ...count((c) => c.callee).values());
    case 'range_scan': {
      const groups = new Map<string, Set<string>>();
      for (const c of events) {
        const g = c.callee.slice(0, -1);
        groups.set(g, (groups.get(g) ?? new Set()).add(c.callee));
      }
      return Math.max(0, ...[...groups.values()].map((s) => s.size));
    }
    default: throw new Error(measure);
  }
}

type Outcome = { outcome: string; values: [string, number][] };

function oracle(rules: FraudRule[], latenessMs: number, stream: CdrRecord[]): Outcome[] {
  const maxWindow = Math.max(...rules.map((r) => r.windowMs!));
  const accepted: CdrRecord[] = [];
  const maxT = new Map<string, number>();
  const seen = new Set<string>();
  let globalMax = -Infinity;
  return stream.map((cdr) => {
    const t = eventTime(cdr);
    const m = Math.max(maxT.get(cdr.accountId) ?? -Infinity, t);
    const wm = m - latenessMs;
    if (t < wm - maxWindow || t < globalMax - latenessMs - maxWindow - 3_600_000) return { outcome: 'late', values: [] };
    if (seen.has(`${cdr.id}/${cdr.phase}`)) return { outcome: 'duplicate', values: [] };
    seen.add(`${cdr.id}/${cdr.phase}`);
    maxT.set(cdr.accountId, m);
    globalMax = Math.max(globalMax, t);
    accepted.push(cdr);
    const tau = Math.max(t, wm);
    const values: [string, number][] = [];
    for (const r of rules) {
      if (t < wm - r.windowMs!) continue;
      const inWindow = accepted.filter((c) => c.accountId === cdr.accountId && eventTime(c) >= tau - r.windowMs! && eventTime(c) <= tau);
      values.push([r.id, oracleValue(r.measure, inWindow)]);
    }
    return { outcome: 'accepted', values };
  });
}

describe.each([
  ['scanned small windows', WindowState.indexAbove],
  ['indexed windows', 1],
  ['windows switching between both', 3],
])('sliding windows (%s)', (_name, indexAbove) => {
  beforeAll(() => {
    WindowState.indexAbove = indexAbove;
  });
  afterAll(() => {
    WindowState.indexAbove = DEFAULT_INDEX_ABOVE;
  });

  it('every windowed measure equals the brute-force oracle, out-of-order and late arrivals included', () => {
    fc.assert(
      fc.property(
        fc.array(eventArb, { minLength: 1, maxLength: 120 }),
        fc.constantFrom(60_000, 5 * 60_000, 10 * 60_000),
        fc.constantFrom(0, 60_000, 5 * 60_000),
        (events, windowMs, latenessMs) => {
          const rules = WINDOWED.map((m, i) => rule(m, i % 2 ? windowMs : 2 * windowMs));
          const stream = buildStream(events);
          const engine = createFraudEngine(rules, { allowedLatenessMs: latenessMs, defaultTimezone: 'UTC' });
          const got: Outcome[] = stream.map((c) => {
            const r = engine.process(c, profile(c.accountId));
            return { outcome: r.outcome, values: r.hits.map((h) => [h.ruleId, h.value] as [string, number]) };
          });
          expect(got).toEqual(oracle(rules, latenessMs, stream));
        },
      ),
      { numRuns: 200 },
    );
  }, 60_000);

  it('evicts events that fell out of every window, so state stays bounded', () => {
    const r = rule('calls', 60_000);
    const engine = createFraudEngine([r], { allowedLatenessMs: 0, defaultTimezone: 'UTC' });
    for (let i = 0; i < 10_000; i++) {
      engine.process({ id: `e${i}`, accountId: 'a', direction: 'outbound', caller: null, callee: '+442071230001', startedAt: BASE + i * 1000, answeredAt: null, endedAt: BASE + i * 1000, durationSec: 0, disposition: 'answered', costMicros: 0, currency: null, phase: 'end' }, profile('a'));
    }
    const snapshot = JSON.parse(new TextDecoder().decode(engine.snapshot()));
    // account row: [id, maxT, ring ids, ring times, ring next, level states, live calls, logs]; a log is
    // [group, rows], and a one-rule `calls` group's rows hold one number (the event time) per event
    const [, rows] = snapshot.a[0][7][0];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThanOrEqual(62);
    expect(engine.state.dedupe.size).toBeLessThan(10_000);
  });
});
