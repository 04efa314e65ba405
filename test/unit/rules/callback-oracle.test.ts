// The measures of issue 12 match a brute-force oracle over random streams of inbound and outbound calls, with start
// events, out-of-order, late and repeated arrivals: `callbacks` (outbound calls to a number that rang the account,
// unanswered or answered for at most shortCall, within the window before), `distinct_callers`, and `calls` decided
// at set-up. A call decided at set-up counts once: at whichever of its start event and end record is accepted first.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CdrRecord } from '../../../src/events/types.js';
import { createFraudEngine, eventTime } from '../../../src/rules/fraud-engine.js';
import type { FraudRule, Measure } from '../../../src/rules/types.js';
import { WindowState } from '../../../src/rules/window-state.js';
import { profile } from '../../helpers/traffic.js';

const DEFAULT_INDEX_ABOVE = WindowState.indexAbove;
const BASE = Date.parse('2026-11-24T09:00:00Z');
const NUMBERS = ['+2348031234567', '+2348031234568', '+442071230001', '+447911123456', '+4930123456'];
const SHORT_MS = 10_000;

function rule(id: string, measure: Measure, windowMs: number, direction: 'inbound' | 'outbound'): FraudRule {
  return {
    id, description: null, mode: 'enforce', appliesTo: null, match: { direction }, measure, windowMs, rangeDigits: 2,
    warn: null, suspend: 0, baseline: null, cooldownMs: 0, releaseAfterMs: null, shortCallMs: SHORT_MS,
    origin: { file: 'test', line: 1 },
  };
}

const callArb = fc.record({
  acct: fc.integer({ min: 0, max: 1 }),
  step: fc.integer({ min: 0, max: 60_000 }),
  lag: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 15 * 60_000 })),
  inbound: fc.boolean(),
  other: fc.integer({ min: 0, max: NUMBERS.length - 1 }),
  noCaller: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
  answered: fc.boolean(),
  dur: fc.oneof(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 300 })),
  /** 0: end record only; 1: start then end; 2: end then start (a late start). */
  phases: fc.integer({ min: 0, max: 2 }),
  repeat: fc.option(fc.nat(), { freq: 8 }),
});
type CallSpec = typeof callArb extends fc.Arbitrary<infer T> ? T : never;

function buildStream(calls: CallSpec[]): CdrRecord[] {
  const out: CdrRecord[] = [];
  let clock = BASE;
  calls.forEach((c, i) => {
    if (c.repeat !== null && out.length > 0) return void out.push(out[c.repeat % out.length]!);
    clock += c.step;
    const endedAt = clock - c.lag;
    const dur = c.answered ? c.dur : 0;
    const startedAt = endedAt - dur * 1000 - 5000;
    const own = `+4420700000${c.acct}0`;
    const other = NUMBERS[c.other]!;
    const end: CdrRecord = {
      id: `c${i}`, accountId: `a${c.acct}`, direction: c.inbound ? 'inbound' : 'outbound',
      caller: c.inbound ? (c.noCaller ? null : other) : own, callee: c.inbound ? own : other,
      startedAt, answeredAt: c.answered ? endedAt - dur * 1000 : null, endedAt, durationSec: dur,
      disposition: c.answered ? 'answered' : 'no_answer', costMicros: 0, currency: 'GBP', phase: 'end',
    };
    const start: CdrRecord = { ...end, phase: 'start', answeredAt: null, endedAt: null, durationSec: null, disposition: null, costMicros: null };
    if (c.phases === 0) out.push(end);
    else if (c.phases === 1) out.push(start, end);
    else out.push(end, start);
  });
  return out;
}

type Outcome = { outcome: string; values: [string, number][] };

function oracle(rules: FraudRule[], latenessMs: number, stream: CdrRecord[]): Outcome[] {
  const maxWindow = Math.max(...rules.map((r) => r.windowMs!));
  const accepted = new Set<string>();
  const maxT = new Map<string, number>();
  const rings: { acct: string; caller: string; at: number; ms: number }[] = [];
  const counted = new Map<string, { acct: string; t: number; cdr: CdrRecord }[]>(rules.map((r) => [r.id, []]));
  let globalMax = -Infinity;
  return stream.map((cdr) => {
    const t = eventTime(cdr);
    const m = Math.max(maxT.get(cdr.accountId) ?? -Infinity, t);
    const wm = m - latenessMs;
    if (t < wm - maxWindow || t < globalMax - latenessMs - maxWindow - 3_600_000) return { outcome: 'late', values: [] };
    const key = `${cdr.id}/${cdr.phase}`;
    if (accepted.has(key)) return { outcome: 'duplicate', values: [] };
    const otherPhaseSeen = accepted.has(`${cdr.id}/${cdr.phase === 'start' ? 'end' : 'start'}`);
    accepted.add(key);
    maxT.set(cdr.accountId, m);
    globalMax = Math.max(globalMax, t);
    if (cdr.direction === 'inbound' && cdr.phase === 'end' && cdr.caller !== null) {
      const ms = cdr.disposition === 'answered' ? cdr.durationSec! * 1000 : 0;
      if (ms <= SHORT_MS) rings.push({ acct: cdr.accountId, caller: cdr.caller, at: cdr.startedAt, ms });
    }
    const tau = Math.max(t, wm);
    const values: [string, number][] = [];
    for (const r of rules) {
      const w = r.windowMs!;
      if (r.match.direction !== cdr.direction || otherPhaseSeen || t < wm - w) continue;
      if (r.measure === 'callbacks' && !rings.some((g) => g.acct === cdr.accountId && g.caller === cdr.callee && g.at >= cdr.startedAt - w && g.at <= cdr.startedAt)) continue;
      if (r.measure === 'distinct_callers' && cdr.caller === null) continue;
      const list = counted.get(r.id)!;
      list.push({ acct: cdr.accountId, t, cdr });
      const inWindow = list.filter((x) => x.acct === cdr.accountId && x.t >= tau - w && x.t <= tau);
      values.push([r.id, r.measure === 'distinct_callers' ? new Set(inWindow.map((x) => x.cdr.caller)).size : inWindow.length]);
    }
    return { outcome: 'accepted', values };
  });
}

describe.each([
  ['scanned small windows', WindowState.indexAbove],
  ['indexed windows', 1],
])('callbacks, distinct_callers and set-up counting (%s)', (_name, indexAbove) => {
  beforeAll(() => {
    WindowState.indexAbove = indexAbove;
  });
  afterAll(() => {
    WindowState.indexAbove = DEFAULT_INDEX_ABOVE;
  });

  it('equal the brute-force oracle, start events, out-of-order and late arrivals included', () => {
    fc.assert(
      fc.property(
        fc.array(callArb, { minLength: 1, maxLength: 100 }),
        fc.constantFrom(5 * 60_000, 10 * 60_000, 30 * 60_000),
        fc.constantFrom(0, 60_000, 5 * 60_000),
        (calls, windowMs, latenessMs) => {
          const rules = [
            rule('callbacks', 'callbacks', windowMs, 'outbound'),
            rule('calls-out', 'calls', 2 * windowMs, 'outbound'),
            rule('callers', 'distinct_callers', windowMs, 'inbound'),
            rule('calls-in', 'calls', windowMs, 'inbound'),
          ];
          const stream = buildStream(calls);
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
});
