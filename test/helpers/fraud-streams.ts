// Random fraud-engine streams for the oracle tests that hold the fused engine to the classic one
// (test/unit/rules/fused-oracle.test.ts, fused-store-oracle.test.ts): generated rule sets of every measure, window
// and baseline, and stream events (end records in order, late, too late; repeated ids; start events and their ends;
// rings and call-backs; set-ups with and without commit; gaps; bursts; long calls; records without a duration; costs
// past an int32). `actionsOf` turns events into the records and set-ups an engine is given, the same for any engine.
import fc from 'fast-check';
import type { CdrRecord } from '../../src/events/types.js';
import type { AccountProfile, FraudRule, Measure, RuleHit, SetupCall } from '../../src/rules/types.js';
import { profile } from './traffic.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
export const STREAM_BASE = Date.parse('2026-11-27T21:30:00Z');
export const ACCOUNTS = 4;

export const CALLEES = ['+442071230001', '+442071230002', '+442071230013', '+442071230024', '+447911123456', '+447911123457', '+4930123456', '+882123456', '+449098123456', '+252611234567'];
export const CALLERS = ['+4930123456', '+33123456789', '+4930123457', '+447911123456', '+882123456'];
const WINDOWS = [5 * MIN, HOUR, 6 * HOUR, DAY];
const MEASURES: Measure[] = ['calls', 'cost', 'minutes', 'distinct_callees', 'calls_to_one_callee', 'range_scan', 'callbacks', 'distinct_callers', 'concurrent_calls', 'call_duration', 'call_cost'];

/** A generated rule: any measure, any of the four windows, levels low (reached) or high (not), a baseline or none. */
export const ruleArb = fc
  .record({
    measure: fc.constantFrom(...MEASURES),
    w: fc.constantFrom(...WINDOWS),
    low: fc.integer({ min: 0, max: 4 }),
    high: fc.boolean(),
    warn: fc.boolean(),
    baseline: fc.constantFrom('none', 'none', 'period', 'weekly'),
    cooldown: fc.constantFrom(null, 0, 10 * MIN),
    inbound: fc.boolean(),
    disp: fc.constantFrom(null, null, 'answered', 'no_answer'),
    digits: fc.integer({ min: 1, max: 4 }),
    prefix: fc.constantFrom(null, null, '+44', '+4420'),
    mode: fc.constantFrom('enforce', 'review', 'monitor'),
  })
  .map((g): Omit<FraudRule, 'id'> => {
    const m = g.measure;
    const windowless = m === 'concurrent_calls' || m === 'call_duration' || m === 'call_cost';
    const inbound = m === 'distinct_callers' || (g.inbound && (m === 'calls' || m === 'minutes' || m === 'call_duration'));
    const unit = m === 'cost' || m === 'call_cost' ? 1_000_000 : m === 'minutes' || m === 'call_duration' ? 5 : 1;
    const suspend = (g.high ? 1000 : g.low + 1) * unit;
    const warn = g.warn ? Math.max(0, suspend - unit) : null;
    const baseline = g.baseline === 'none' ? null : { factor: 2, minimum: suspend, ...(g.baseline === 'weekly' ? { by: 'hour_of_week' as const } : {}) };
    return {
      description: null, mode: g.mode as FraudRule['mode'], appliesTo: null,
      match: {
        direction: inbound ? 'inbound' : 'outbound',
        ...(g.disp !== null ? { dispositions: [g.disp] } : {}),
        ...(g.prefix !== null && !inbound ? { calleePrefixes: [g.prefix] } : {}),
      },
      measure: m, windowMs: windowless ? null : g.w, rangeDigits: g.digits, warn, suspend, baseline,
      cooldownMs: g.cooldown, releaseAfterMs: g.high ? null : 3_600_000, origin: { file: 'gen', line: 1 },
    };
  });

export const rulesArb = fc.array(ruleArb, { minLength: 1, maxLength: 14 }).map((rs) => rs.map((r, i): FraudRule => ({ ...r, id: `g${i}-${r.measure}` })));

export const ev = fc.record({
  acct: fc.integer({ min: 0, max: ACCOUNTS - 1 }),
  kind: fc.constantFrom('end', 'end', 'end', 'end', 'end', 'end', 'start', 'start', 'finish', 'ring', 'ring', 'callback', 'late', 'late', 'toolate', 'repeat', 'reuse', 'setup', 'setup-commit', 'gap', 'burst', 'long', 'nodur', 'big'),
  step: fc.integer({ min: 0, max: 4 * MIN }),
  lag: fc.oneof(fc.integer({ min: 0, max: 5 * MIN }), fc.integer({ min: 0, max: 40 * MIN }), fc.integer({ min: 0, max: 30 * HOUR })),
  gap: fc.constantFrom(2 * HOUR, 7 * HOUR, 25 * HOUR, 50 * HOUR),
  dur: fc.integer({ min: 0, max: 900 }),
  cost: fc.integer({ min: 0, max: 3_000_000 }),
  callee: fc.integer({ min: 0, max: CALLEES.length - 1 }),
  caller: fc.integer({ min: 0, max: CALLERS.length - 1 }),
  burst: fc.integer({ min: 80, max: 400 }),
  pick: fc.nat(),
});

export type Ev = typeof ev extends fc.Arbitrary<infer T> ? T : never;

/** What an engine is given: a record, or a set-up (committed or not). */
export type Action =
  | { kind: 'process'; cdr: CdrRecord; account: AccountProfile }
  | { kind: 'setup'; account: AccountProfile; call: SetupCall; commit: boolean };

/** The stream's accounts' profiles (one in another time zone). */
export const streamProfiles: AccountProfile[] = Array.from({ length: ACCOUNTS }, (_, a) => profile(`a${a}`, a === 3 ? { timezone: 'America/New_York' } : {}));

/**
 * The records and set-ups of a stream of events, as fused-oracle.test.ts's drive sends them. `profiles`: the accounts
 * an event's `acct` indexes (the four stream accounts by default; the soak, test/helpers/engine-soak.ts, has
 * thousands).
 */
export function actionsOf(evs: Ev[], coarse: boolean, profiles: readonly AccountProfile[] = streamProfiles): Action[] {
  const out: Action[] = [];
  const grid = (x: number) => (coarse ? Math.round(x / 30_000) * 30_000 : x);
  const sent: CdrRecord[] = [];
  const open: CdrRecord[][] = profiles.map(() => []);
  let clock = STREAM_BASE;
  let n = 0;
  const send = (c: CdrRecord, account: AccountProfile) => out.push({ kind: 'process', cdr: c, account });
  const endRecord = (e: Ev, account: AccountProfile, end: number, over: Partial<CdrRecord> = {}): CdrRecord => {
    const answered = e.dur % 5 !== 0;
    const dur = answered ? e.dur : 0;
    return {
      id: `c${n++}`, accountId: account.id, direction: 'outbound', caller: e.pick % 7 === 0 ? null : '+442071234567', callee: CALLEES[e.callee]!,
      startedAt: end - dur * 1000 - 5000, answeredAt: answered ? end - dur * 1000 : null, endedAt: end,
      durationSec: dur, disposition: answered ? 'answered' : 'no_answer', costMicros: answered ? e.cost : 0,
      currency: 'GBP', phase: 'end', ...over,
    };
  };
  for (const e of evs) {
    const account = profiles[e.acct]!;
    clock += e.kind === 'gap' ? e.gap : grid(e.step);
    switch (e.kind) {
      case 'setup':
      case 'setup-commit': {
        const call = { at: clock, callee: CALLEES[e.callee]!, caller: e.pick % 3 === 0 ? CALLERS[e.caller]! : null, ...(e.pick % 2 === 0 ? { id: `s${n++}` } : {}) };
        out.push({ kind: 'setup', account, call, commit: e.kind === 'setup-commit' });
        break;
      }
      case 'start': {
        const end = endRecord(e, account, clock + e.dur * 1000 + 5000);
        const start: CdrRecord = { ...end, startedAt: clock, answeredAt: null, endedAt: null, durationSec: null, disposition: null, costMicros: null, phase: 'start' };
        open[e.acct]!.push(end);
        sent.push(start);
        send(start, account);
        break;
      }
      case 'finish': {
        const list = open[e.acct]!;
        if (list.length === 0) break;
        const end = list.splice(e.pick % list.length, 1)[0]!;
        const c = e.pick % 4 === 0 ? end : { ...end, endedAt: Math.max(end.endedAt!, clock) };
        sent.push(c);
        send(c, account);
        break;
      }
      case 'ring':
      case 'callback': {
        if (e.kind === 'ring') {
          const kind = e.pick % 3;
          const dur = kind === 0 ? 0 : kind === 1 ? 1 + (e.dur % 9) : 20 + e.dur;
          const c: CdrRecord = {
            id: `c${n++}`, accountId: account.id, direction: 'inbound', caller: e.pick % 11 === 0 ? null : CALLERS[e.caller]!, callee: '+442071234567',
            startedAt: clock - dur * 1000 - 5000, answeredAt: dur > 0 ? clock - dur * 1000 : null, endedAt: clock, durationSec: dur,
            disposition: dur > 0 ? 'answered' : 'no_answer', costMicros: 0, currency: 'GBP', phase: 'end',
          };
          sent.push(c);
          send(c, account);
        } else {
          const c = endRecord(e, account, clock, { callee: CALLERS[e.caller]! });
          sent.push(c);
          send(c, account);
        }
        break;
      }
      case 'late':
      case 'toolate': {
        const lag = e.kind === 'late' ? e.lag : e.lag + DAY;
        const c = endRecord(e, account, clock - grid(lag));
        sent.push(c);
        send(c, account);
        break;
      }
      case 'repeat':
      case 'reuse': {
        if (sent.length === 0) break;
        const old = sent[e.pick % sent.length]!;
        // (a copy: the record sent before keeps the time it was sent with)
        const c = e.kind === 'repeat' ? { ...old } : { ...endRecord(e, account, clock), id: old.id, phase: old.phase };
        if (c.phase === 'start') Object.assign(c, { answeredAt: null, endedAt: null, durationSec: null, disposition: null, costMicros: null, startedAt: clock });
        send(c, account);
        break;
      }
      case 'burst': {
        for (let k = 0; k < e.burst; k++) {
          clock += grid(1_000 + ((e.pick + k * 7919) % 12_000));
          const back = k % 17 === 5 ? grid((k * 31_337) % (8 * MIN)) : 0;
          const c = endRecord({ ...e, callee: (e.callee + k * (e.pick % 3)) % CALLEES.length, dur: (e.dur + k * 13) % 300, cost: (e.cost + k * 1_003) % 400_000 }, account, clock - back);
          sent.push(c);
          send(c, account);
        }
        break;
      }
      case 'long': {
        const c = endRecord({ ...e, dur: 3600 + e.dur * 16 + 1 }, account, clock);
        sent.push(c);
        send(c, account);
        break;
      }
      case 'nodur': {
        const c = endRecord(e, account, clock, { durationSec: null });
        if (c.answeredAt !== null) c.answeredAt -= e.pick % 1000;
        sent.push(c);
        send(c, account);
        break;
      }
      case 'big': {
        const c = endRecord({ ...e, dur: e.dur | 1 }, account, clock, { costMicros: 5_000_000_000 + e.cost });
        sent.push(c);
        send(c, account);
        break;
      }
      case 'gap':
      case 'end':
      default: {
        const c = endRecord(e, account, clock);
        sent.push(c);
        send(c, account);
      }
    }
  }
  return out;
}

/**
 * The fused oracles' one known difference, let through there and nowhere else: a `minutes` value over records
 * without a duration (seconds from answer and end times to the millisecond, not whole) is a float sum whose last bits
 * depend on the order it was added in, which in the classic engine depends on its cursor's history. Where a fused
 * hit's minutes value is within 1e-12 (relative) of the classic one's and everything else is equal, the classic value
 * is put into the fused hit (counted in `secondsRoundings.count`), so the whole comparison that follows compares the
 * rest.
 */
export const secondsRoundings = { count: 0 };
export function sameUpToSecondsRounding(got: RuleHit[], want: RuleHit[]): RuleHit[] {
  if (got.length !== want.length) return got;
  got.forEach((h, i) => {
    const w = want[i]!;
    if (h.measure === 'minutes' && w.measure === 'minutes' && h.value !== w.value && Math.abs(h.value - w.value) <= 1e-12 * Math.max(1, Math.abs(w.value))) {
      h.value = w.value;
      secondsRoundings.count++;
    }
  });
  return got;
}
