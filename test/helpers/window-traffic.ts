// Random engine traffic shared by the engine-level window oracles (window-feed-oracle, window-merge-oracle): rule sets
// of every window kind in several window lengths, and a stream of events per account (end records in order, late
// and too late, repeated, start events, inbound rings and call-backs, set-up evaluations, gaps, odd times and costs).
import fc from 'fast-check';
import type { CdrRecord } from '../../src/events/types.js';
import type { FraudRule, Measure } from '../../src/rules/types.js';

export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const BASE = Date.parse('2026-11-24T21:30:00Z');

let n = 0;
export function rule(measure: Measure, windowMs: number | null, warn: number | null, suspend: number, extra: Partial<FraudRule> = {}): FraudRule {
  return {
    id: `r${n++}-${measure}`, description: null, mode: 'enforce', appliesTo: null, match: { direction: 'outbound' },
    measure, windowMs, rangeDigits: 1, warn, suspend, baseline: null, cooldownMs: 10 * MIN, releaseAfterMs: null,
    origin: { file: 'test', line: 1 }, ...extra,
  };
}

/** Every window kind, in three window lengths, with levels low enough to reach and too high to, and baselines. */
export const mixed: FraudRule[] = [
  rule('calls', 5 * MIN, 3, 6),
  rule('calls', 5 * MIN, null, 40),
  rule('calls', HOUR, 2, 5, { match: { direction: 'outbound', dispositions: ['answered'] } }),
  rule('calls', HOUR, null, 0, { baseline: { factor: 2, minimum: 3 } }),
  rule('cost', HOUR, null, 0, { baseline: { factor: 3, minimum: 2_000_000 } }),
  rule('cost', HOUR, 4_000_000, 9_000_000),
  rule('minutes', HOUR, 20, 40),
  rule('distinct_callees', HOUR, 3, 5),
  rule('distinct_callees', HOUR, 30, 50),
  rule('calls_to_one_callee', HOUR, 2, 4),
  rule('calls_to_one_callee', HOUR, 20, 50),
  rule('range_scan', HOUR, 2, 3, { rangeDigits: 1 }),
  rule('range_scan', HOUR, 10, 25, { rangeDigits: 2 }),
  rule('distinct_callers', HOUR, 2, 4, { match: { direction: 'inbound', dispositions: ['no_answer'] } }),
  rule('callbacks', HOUR, null, 2),
  rule('calls', 6 * HOUR, 4, 8, { baseline: { factor: 2, minimum: 6 } }),
  rule('distinct_callees', 6 * HOUR, 6, 12),
  rule('call_duration', null, 10, 20),
  rule('concurrent_calls', null, 2, 3),
];

/** Rules that hit at every record they count (level 0, no cooldown): each judgement's value shows in a hit. */
export const always: FraudRule[] = [
  rule('calls', 5 * MIN, null, 0, { cooldownMs: 0 }),
  rule('cost', 5 * MIN, null, 0, { cooldownMs: 0 }),
  rule('range_scan', 5 * MIN, null, 0, { cooldownMs: 0 }),
  rule('distinct_callees', HOUR, null, 0, { cooldownMs: 0 }),
  rule('calls_to_one_callee', HOUR, null, 0, { cooldownMs: 0 }),
  rule('distinct_callers', HOUR, null, 0, { cooldownMs: 0, match: { direction: 'inbound' } }),
  rule('minutes', 6 * HOUR, null, 0, { cooldownMs: 0 }),
  rule('calls', 6 * HOUR, null, 0, { cooldownMs: 0, match: { direction: 'outbound', dispositions: ['answered'] } }),
];

export const CALLEES = ['+442071230001', '+442071230002', '+442071230013', '+442071230024', '+447911123456', '+447911123457', '+4930123456', '+882123456'];
export const CALLERS = ['+4930123456', '+33123456789', '+4930123457', '+447911123456'];

export const EVENT_KINDS = ['end', 'end', 'end', 'end', 'end', 'end', 'start', 'ring', 'late', 'late', 'late', 'repeat', 'setup', 'setup-commit', 'gap', 'odd', 'big'] as const;

/** One event of the stream (`kinds`: its kinds, repeated by weight). */
export function event<K extends string>(accounts: number, kinds: readonly K[]) {
  return fc.record({
    acct: fc.integer({ min: 0, max: accounts - 1 }),
    kind: fc.constantFrom(...kinds),
    step: fc.integer({ min: 0, max: 3 * MIN }),
    lag: fc.oneof(fc.integer({ min: 0, max: 12 * MIN }), fc.integer({ min: 0, max: 40 * MIN })),
    dur: fc.integer({ min: 0, max: 900 }),
    cost: fc.integer({ min: 0, max: 3_000_000 }),
    callee: fc.integer({ min: 0, max: CALLEES.length - 1 }),
    caller: fc.integer({ min: 0, max: CALLERS.length - 1 }),
    pick: fc.nat(),
  });
}

export type TrafficEvent = { acct: number; kind: string; step: number; lag: number; dur: number; cost: number; callee: number; caller: number; pick: number };

/**
 * The record of event `e` (number `i`) at `clock` for `accountId` (`grid` rounds spans): a repeat of one `sent`
 * before, else a new end record (late by `lag`, inbound for a ring, at an odd time, or of a cost past an int32) or
 * start event, pushed to `sent`.
 */
export function recordOf(e: TrafficEvent, i: number, clock: number, grid: (x: number) => number, sent: CdrRecord[], accountId: string): CdrRecord {
  if (e.kind === 'repeat' && sent.length > 0) return sent[e.pick % sent.length]!;
  // a fractional time or a cost past an int32 turns a group's rows wide (window-rows.ts)
  const end = e.kind === 'late' ? clock - grid(e.lag) : e.kind === 'odd' ? clock + 0.5 : clock;
  const ring = e.kind === 'ring';
  const answered = !ring && e.dur % 5 !== 0;
  const dur = answered ? e.dur : 0;
  let c: CdrRecord = {
    id: `c${i}`, accountId, direction: ring ? 'inbound' : 'outbound',
    caller: ring ? CALLERS[e.caller]! : '+442071234567', callee: ring ? '+442071234567' : CALLEES[e.callee]!,
    startedAt: end - dur * 1000 - 5000, answeredAt: answered ? end - dur * 1000 : null, endedAt: end,
    durationSec: dur, disposition: answered ? 'answered' : 'no_answer', costMicros: answered ? (e.kind === 'big' ? 5_000_000_000 + e.cost : e.cost) : 0,
    currency: 'GBP', phase: 'end',
  };
  if (e.kind === 'start') c = { ...c, phase: 'start', answeredAt: null, endedAt: null, durationSec: null, disposition: null, costMicros: null, startedAt: clock };
  sent.push(c);
  return c;
}
