// The windowed measures match a brute-force oracle over random CDR streams with out-of-order, late and repeated
// arrivals: for every accepted CDR the engine reports the value the oracle computes from the events accepted so
// far, over the closed window [tau - w, tau] with tau = max(t, watermark) (fraud-engine.ts). Each path of the window
// logs is driven in turn: scanned windows, cursored ones, key measures scanned or indexed, the switches between
// them, and the arena repacking every account's rows (window-state.ts, row-arena.ts).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CdrRecord } from '../../../src/events/types.js';
import { createFraudEngine, eventTime } from '../../../src/rules/fraud-engine.js';
import type { FraudRule, Measure } from '../../../src/rules/types.js';
import { RowArena } from '../../../src/rules/row-arena.js';
import { WindowState } from '../../../src/rules/window-state.js';
import { profile } from '../../helpers/traffic.js';

const DEFAULT_INDEX_ABOVE = WindowState.indexAbove;
const DEFAULT_SCAN_UP_TO = WindowState.scanUpTo;
const DEFAULT_MIN_WASTE = RowArena.minWaste;
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

const eventArb = (accounts: number) => fc.record({
  acct: fc.integer({ min: 0, max: accounts - 1 }),
  step: fc.integer({ min: 0, max: 40_000 }),
  lag: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 20 * 60_000 })),
  dur: fc.integer({ min: 0, max: 600 }),
  cost: fc.integer({ min: 0, max: 5_000_000 }),
  callee: fc.integer({ min: 0, max: CALLEES.length - 1 }),
  repeat: fc.option(fc.nat(), { freq: 8 }),
});

type EventSpec = ReturnType<typeof eventArb> extends fc.Arbitrary<infer T> ? T : never;

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
  // name, key measures indexed above, windows scanned up to (rows), arena repacked past this much waste, accounts
  ['scanned small windows', DEFAULT_INDEX_ABOVE, DEFAULT_SCAN_UP_TO, DEFAULT_MIN_WASTE, 3],
  ['cursored windows', DEFAULT_INDEX_ABOVE, 0, DEFAULT_MIN_WASTE, 3],
  ['indexed windows', 1, 0, DEFAULT_MIN_WASTE, 3],
  ['indexed windows that start scanned', 1, DEFAULT_SCAN_UP_TO, DEFAULT_MIN_WASTE, 3],
  ['windows switching between all three', 3, 2, DEFAULT_MIN_WASTE, 3],
  ['more accounts in arenas repacked at every growth', 3, 2, Number.NEGATIVE_INFINITY, 5],
])('sliding windows (%s)', (_name, indexAbove, scanUpTo, minWaste, accounts) => {
  beforeAll(() => {
    WindowState.indexAbove = indexAbove;
    WindowState.scanUpTo = scanUpTo;
    RowArena.minWaste = minWaste;
  });
  afterAll(() => {
    WindowState.indexAbove = DEFAULT_INDEX_ABOVE;
    WindowState.scanUpTo = DEFAULT_SCAN_UP_TO;
    RowArena.minWaste = DEFAULT_MIN_WASTE;
  });

  it('every windowed measure equals the brute-force oracle, out-of-order and late arrivals included', () => {
    fc.assert(
      fc.property(
        fc.array(eventArb(accounts), { minLength: 1, maxLength: 120 }),
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

describe('arenas', () => {
  afterAll(() => {
    RowArena.minWaste = DEFAULT_MIN_WASTE;
  });

  it('compacted at every growth, every account keeps its rows and its values', () => {
    const rules = WINDOWED.map((m, i) => rule(m, i % 2 ? 10 * 60_000 : 20 * 60_000));
    // 12 accounts, 30 s apart in turn, 400 calls: each account's logs grow to ~17 and ~34 rows
    const stream = buildStream(Array.from({ length: 400 }, (_, i) => ({ acct: i % 12, step: 2_500, lag: i % 3 === 0 ? 40_000 : 0, dur: i % 300, cost: 1000 + i, callee: (i * 31) % CALLEES.length, repeat: null })));
    const run = (minWaste: number) => {
      RowArena.minWaste = minWaste;
      const engine = createFraudEngine(rules, { allowedLatenessMs: 5 * 60_000, defaultTimezone: 'UTC' });
      const arenas = engine.state.windows.map((w) => w.arena);
      const values = stream.map((c) => engine.process(c, profile(c.accountId)).hits.map((h) => `${h.ruleId} ${h.value}`).join());
      const repacked = engine.state.windows.some((w, g) => w.arena !== arenas[g] || w.arena.slides > 0);
      const parts = [...engine.state.accounts.keys()].map((id) => engine.snapshotAccount(id));
      return { values, repacked, parts };
    };
    const packed = run(Number.NEGATIVE_INFINITY);
    const plain = run(DEFAULT_MIN_WASTE);
    expect(packed.repacked).toBe(true);
    expect(plain.repacked).toBe(false);
    expect(packed.values).toEqual(plain.values);
    expect(packed.parts).toEqual(plain.parts);
  });
});

describe('cursor records', () => {
  afterAll(() => {
    WindowState.scanUpTo = DEFAULT_SCAN_UP_TO;
  });

  it('a busy window takes one and gives it back when it quiets down; a quiet one never has one', () => {
    WindowState.scanUpTo = 4;
    const rules = [rule('calls', 60_000), rule('cost', 60_000)];
    const engine = createFraudEngine(rules, { allowedLatenessMs: 0, defaultTimezone: 'UTC' });
    const at = (i: number, t: number, acct = 'a') => engine.process({ id: `e${i}`, accountId: acct, direction: 'outbound', caller: null, callee: '+442071230001', startedAt: t, answeredAt: null, endedAt: t, durationSec: 0, disposition: 'answered', costMicros: 7, currency: null, phase: 'end' }, profile(acct));
    const logs = engine.state.windows[0]!;
    const ix = () => engine.state.accounts.get('a')!.ix;
    const seen: boolean[] = [];
    const values: number[] = [];
    // 12 calls 1 s apart (busy: up to 12 rows in the minute), then one a minute (quiet: 1-2 rows)
    for (let i = 0; i < 12; i++) values.push(at(i, BASE + i * 1000).hits[0]!.value), seen.push(logs.cursored(ix(), 0));
    for (let i = 12; i < 16; i++) values.push(at(i, BASE + (i - 10) * 61_000).hits[0]!.value), seen.push(logs.cursored(ix(), 0));
    expect(values).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 1, 1, 1]);
    expect(seen).toEqual([false, false, false, false, true, true, true, true, true, true, true, true, false, false, false, false]);
    // another account with a quiet window, filed in the same arena, has none
    at(99, BASE + 20 * 61_000, 'b');
    expect(logs.cursored(engine.state.accounts.get('b')!.ix, 0)).toBe(false);
  });

  it('an account forgotten, swept or restored over gives its rows back, and its number goes to the next account', () => {
    const engine = createFraudEngine([rule('calls', 60_000)], { allowedLatenessMs: 0, defaultTimezone: 'UTC' });
    const call = (i: number, acct: string) => engine.process({ id: `f${i}`, accountId: acct, direction: 'outbound', caller: null, callee: '+442071230001', startedAt: BASE + i, answeredAt: null, endedAt: BASE + i, durationSec: 0, disposition: 'answered', costMicros: 7, currency: null, phase: 'end' }, profile(acct));
    const arena = () => engine.state.windows[0]!.arena;
    for (let i = 0; i < 5; i++) call(i, 'a');
    const used = arena().used;
    expect(used).toBeGreaterThan(0);
    const ix = engine.state.accounts.get('a')!.ix;
    engine.markClean();
    expect(engine.state.forget('a')).toBe(true);
    expect(arena().used).toBe(0);
    call(10, 'b');
    expect(engine.state.accounts.get('b')!.ix).toBe(ix);
    // restored over: the old rows go, the part's rows come
    const part = engine.snapshotAccount('b')!;
    call(11, 'b');
    engine.spill!.load('b', part, Number.NEGATIVE_INFINITY, []);
    expect(engine.state.windows[0]!.length(engine.state.accounts.get('b')!.ix)).toBe(1);
    expect(arena().used).toBe(1);
  });
});
