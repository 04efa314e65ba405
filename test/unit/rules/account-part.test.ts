// An account part's plain form (src/rules/account-part.ts) is exact, and the engine's per-account encode and its
// restores from the store, which now go through it, are the code before it (test/helpers/before-parts10:
// engine-snapshot.ts as on main 1f1926f).
// Two engines take the same random traffic (end records in order, late, too late, duplicates; start events and their
// ends; inbound rings and call-backs; set-ups; gaps of hours and of a day; busy accounts) under the shipped rules and
// under generated rule sets (every measure, windows of 5 min to 24 h, baselines by period and by hour of week, low
// levels); `now` restores through the plain form (loadPlain of decodeAccountPart, or restoreAccount), `was` through the
// frozen code. At random points, for every account: the part the frozen encoder writes is the one src writes, the one
// encodeAccountPart(plainOf(...)) writes and the one encodeAccountPart(decodeAccountPart(P)) writes, and plainOf
// deep-equals decodeAccountPart(P); an account restored in both (as it is, as a spilled part with its dedupe pruned,
// or as an older-format part: JSON, no start flag or call-back ring, rings of RING entries with '' unused, ids holding
// RING_SEP, profiles of fewer or more hours and no slot, rows holding sources no rule of theirs reads, dedupe lists,
// lists out of order) holds what decodeAccountPart gives and then gives the same results and the same later parts;
// full snapshots, stored parts with segments and rule resets restore alike. The stored-parts fixture (parts of the
// build before the columns) reads to what the engine holds restored. Fixed seeds.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CdrRecord } from '../../../src/events/types.js';
import { decodeAccountPart, decodePartTuple, encodeAccountPart, encodePartTuple, loadPlain, plainOf, type AccountPart, type PartContext } from '../../../src/rules/account-part.js';
import { encodeSegment } from '../../../src/rules/dedupe-segments.js';
import * as now from '../../../src/rules/engine-snapshot.js';
import { RING, RING_SEP, type EngineState } from '../../../src/rules/engine-state.js';
import { createFraudEngine } from '../../../src/rules/fraud-engine.js';
import { buildRuleSet } from '../../../src/rules/load-rules.js';
import type { AccountProfile, FraudRule, Measure } from '../../../src/rules/types.js';
import * as was from '../../helpers/before-parts10/engine-snapshot.js';
import { rule as matchRule, number } from '../../helpers/matcher-arbitraries.js';
import { profile } from '../../helpers/traffic.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const ACCOUNTS = 5;
const LATENESS = 5 * MIN;
const OPTS = { allowedLatenessMs: LATENESS, defaultTimezone: 'Europe/London' };

const shipped = buildRuleSet([{ file: 'rules/fraud.yaml', text: readFileSync('rules/fraud.yaml', 'utf8') }], 'now').rules.fraud;

const MEASURES: Measure[] = ['calls', 'cost', 'minutes', 'distinct_callees', 'calls_to_one_callee', 'range_scan', 'distinct_callers', 'callbacks', 'call_duration', 'call_cost', 'concurrent_calls'];

/** Generated rule sets: every measure, most matching by direction only (so levels are reached), some by anything. */
const ruleSet: fc.Arbitrary<FraudRule[]> = fc.array(
  fc.record({
    m: fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom('outbound', 'inbound').map((direction) => ({ match: { direction }, appliesTo: null, numberOverrides: [] })) },
      { weight: 1, arbitrary: matchRule.map((r) => ({ match: r.match, appliesTo: r.appliesTo, numberOverrides: r.numberOverrides })) },
    ),
    measure: fc.constantFrom(...MEASURES),
    window: fc.constantFrom(5 * MIN, HOUR, HOUR, 6 * HOUR, DAY),
    digits: fc.integer({ min: 1, max: 3 }),
    warn: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }),
    suspend: fc.integer({ min: 1, max: 8 }),
    baseline: fc.option(fc.record({ factor: fc.constantFrom(1, 2), minimum: fc.integer({ min: 0, max: 3 }), by: fc.constantFrom(undefined, undefined, 'hour_of_week' as const) }), { nil: null, freq: 3 }),
    cooldown: fc.constantFrom(0, 0, 10 * MIN),
  }),
  { minLength: 1, maxLength: 16 },
).map((xs) =>
  xs.map((x, i): FraudRule => {
    const windowless = x.measure === 'call_duration' || x.measure === 'call_cost' || x.measure === 'concurrent_calls';
    const baseline = x.baseline === null ? null : x.baseline.by ? { factor: x.baseline.factor, minimum: x.baseline.minimum, by: x.baseline.by } : { factor: x.baseline.factor, minimum: x.baseline.minimum };
    return {
      id: `g${i}-${x.measure}`, description: null, mode: 'enforce', appliesTo: x.m.appliesTo, match: x.m.match,
      numberOverrides: x.m.numberOverrides, measure: x.measure, windowMs: windowless ? null : x.window, rangeDigits: x.digits,
      warn: x.warn !== null && x.warn < x.suspend ? x.warn : null, suspend: x.suspend, baseline: baseline as FraudRule['baseline'],
      cooldownMs: x.cooldown, releaseAfterMs: null, origin: { file: 'test', line: i + 1 },
    } as FraudRule;
  }),
);

const CALLEES = ['+442071230001', '+442071230002', '+447911123456', '+4930123456', '+882123456', '+25261234567', '+18765551234', '+33123456789', '0845123456', '118500'];
const CALLERS = ['+447700900111', '+447700900222', '+23240100111', '+18765550000'];

const ev = fc.record({
  acct: fc.integer({ min: 0, max: ACCOUNTS - 1 }),
  kind: fc.constantFrom(
    'end', 'end', 'end', 'end', 'end', 'end', 'start', 'start', 'finish', 'finish', 'ring', 'ring', 'callback', 'late', 'too-late', 'repeat',
    'setup', 'setup-commit', 'gap', 'day', 'busy', 'check', 'check', 'restore', 'restore', 'spill', 'old', 'old', 'old', 'snapshot', 'reload', 'rules',
  ),
  step: fc.integer({ min: 0, max: 10 * MIN }),
  lag: fc.integer({ min: 0, max: LATENESS }),
  tooLate: fc.integer({ min: LATENESS + 1, max: 3 * HOUR }),
  gap: fc.integer({ min: 2 * HOUR, max: 9 * HOUR }),
  dur: fc.integer({ min: 0, max: 900 }),
  cost: fc.integer({ min: 0, max: 3_000_000 }),
  callee: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...CALLEES) }, { weight: 1, arbitrary: number }),
  caller: fc.constantFrom(...CALLERS),
  pick: fc.nat(),
  bits: fc.nat({ max: 1023 }),
  burst: fc.integer({ min: 5, max: 40 }),
});
type Ev = typeof ev extends fc.Arbitrary<infer T> ? T : never;

type Engine = ReturnType<typeof createFraudEngine>;

/** What the checks met (so that the test is known to reach each kind of state). */
const met = {
  parts: 0, levels: 0, weekly: 0, live: 0, masked: 0, callbacks: 0, startSeen: 0, dedupe: 0, restores: 0, plainLoads: 0,
  spills: 0, olds: 0, oldJson: 0, zeroed: 0, snapshots: 0, reloads: 0, resets: 0, hits: 0,
};

/** Every account's part: the frozen encoder, src's, and the plain form's agree, both ways. */
function checkParts(a: Engine, b: Engine, ids: string[]): void {
  const ctx: PartContext = { plan: a.state.plan };
  for (const id of ids) {
    const part = was.encodeAccount(b.state, id);
    expect(now.encodeAccount(a.state, id)).toEqual(part);
    expect(was.encodeAccount(a.state, id)).toEqual(part);
    expect(now.encodeAccount(b.state, id)).toEqual(part);
    if (part === null) continue;
    const plain = plainOf(a.state, a.state.accounts.indexOf(id));
    expect(encodeAccountPart(plain, ctx)).toEqual(part);
    const read = decodeAccountPart(part, ctx);
    expect(read).toStrictEqual(plain);
    expect(encodeAccountPart(read, ctx)).toEqual(part);
    met.parts++;
    if (plain.levels.length > 0) met.levels++;
    if (plain.levels.some((l) => l.weekly !== null)) met.weekly++;
    if (plain.live.some((c) => c.callIds.length + c.intervalStarts.length > 0)) met.live++;
    if (plain.windows.some((w) => a.state.plan.groups[w.group]!.stored.maskCol >= 0)) met.masked++;
    if (plain.callbacks.length > 0) met.callbacks++;
    if (plain.startSeen) met.startSeen++;
    if (plain.dedupe.length > 0) met.dedupe++;
  }
}

/** An older-format part of the same state (what builds before wrote, and what the restore still accepts). */
function olderPart(part: Uint8Array, bits: number, st: EngineState, pick: number): Uint8Array {
  const t = decodePartTuple(part);
  let k = pick;
  const next = () => (k = (k * 1103515245 + 12345) % 2147483648);
  if (bits & 1) {
    // a ring as builds before ring9 held it: RING entries, '' and time 0 unused
    const ids = t[1] ?? [];
    const tm = t[2] ?? [];
    while (ids.length < RING) ids.push('');
    while (tm.length < 2 * RING) tm.push(0, 0);
    t[1] = ids;
    t[2] = tm;
  }
  if (bits & 2 && t[1] !== null && t[1].length > 0) t[1][next() % t[1].length] = `x${RING_SEP}y`;
  if (bits & 4) {
    for (const [, s] of t[4]) {
      if (s[5]) {
        const n = next() % 200;
        s[5] = s[5].slice(0, Math.min(n, 168));
        while (s[5].length < n) s[5].push(7);
        if (next() % 2 === 0) s.length = 6;
      }
      if (next() % 3 === 0) s[3] = null;
    }
  }
  if (bits & 8) {
    // rows as builds before shared columns wrote them: a source no rule of the row reads kept its value
    for (const [g, rows] of t[6]) {
      const cols = st.plan.groups[g]!.stored;
      for (let o = 0; o < rows.length; o += cols.stride) {
        for (let c = 1; c <= cols.at.length; c++) {
          if (cols.of[cols.at[c - 1]! - 1]!.length > 1 && rows[o + c] === 0) (rows[o + c] = 1000 + (next() % 5000)), met.zeroed++;
        }
      }
    }
  }
  if (bits & 16) {
    // a dedupe list, as parts before segments carried: times about the sweep threshold and the account's latest
    const around = [st.sweptBefore, t[0]].filter(Number.isFinite);
    for (let i = next() % 6; i > 0; i--) t[7].push(next(), (around[next() % Math.max(1, around.length)] ?? t[0]) + (next() % (2 * HOUR)) - HOUR);
  }
  if (bits & 32) t.length = 8; // no start flag, no call-back ring: a part of a build before them
  if (bits & 64) {
    if (t[2] === null) t[2] = [];
    else if (next() % 2 === 0) t[2].push(123);
  }
  if (bits & 128) {
    t[4].reverse();
    t[5].reverse();
    t[6].reverse();
  }
  if (bits & 256 && t.length === 8) t.push([]);
  if (bits & 512) {
    met.oldJson++;
    return new TextEncoder().encode(JSON.stringify(t));
  }
  return encodePartTuple(t);
}

function run(rules: readonly FraudRule[], evs: Ev[]): void {
  const a = createFraudEngine(rules, OPTS);
  const b = createFraudEngine(rules, OPTS);
  const accounts: AccountProfile[] = Array.from({ length: ACCOUNTS }, (_, i) => profile(`a${i}`));
  const ids = accounts.map((p) => p.id);
  const sent: CdrRecord[] = [];
  const started: CdrRecord[] = [];
  const rang: CdrRecord[] = [];
  let clock = Date.parse('2026-03-28T18:30:00Z'); // a Saturday evening before a DST change
  const both = (c: CdrRecord, account: AccountProfile) => {
    const got = a.process(c, account);
    expect(got).toEqual(b.process(c, account));
    met.hits += got.hits.length;
  };
  const call = (e: Ev, account: AccountProfile, end: number, i: number, inbound = false, callee = e.callee): CdrRecord => {
    const answered = e.dur % 5 !== 0;
    const dur = answered ? e.dur : 0;
    return {
      id: `c${i}`, accountId: account.id, direction: inbound ? 'inbound' : 'outbound',
      caller: inbound ? e.caller : '+442071234567', callee: inbound ? '+442071234567' : callee,
      startedAt: end - dur * 1000 - 5000, answeredAt: answered ? end - dur * 1000 : null, endedAt: end,
      durationSec: dur, disposition: answered ? 'answered' : 'no_answer', costMicros: answered ? e.cost : 0,
      currency: 'GBP', phase: 'end',
    };
  };
  evs.forEach((e, i) => {
    const account = accounts[e.acct]!;
    const id = account.id;
    clock += e.kind === 'gap' ? e.gap : e.kind === 'day' ? DAY + e.step : e.step;
    switch (e.kind) {
      case 'check':
        return checkParts(a, b, ids);
      case 'setup':
      case 'setup-commit': {
        const setup = { at: clock, callee: e.callee, id: `s${i}` };
        const commit = e.kind === 'setup-commit';
        expect(a.evaluateSetup(account, setup, { commit })).toEqual(b.evaluateSetup(account, setup, { commit }));
        return;
      }
      case 'restore':
      case 'spill':
      case 'old': {
        let part = was.encodeAccount(b.state, id);
        if (part === null && e.kind !== 'restore') return;
        const pruneBefore = e.kind === 'spill' || (e.kind === 'old' && e.pick % 3 === 0) ? b.state.sweptBefore : undefined;
        if (e.kind === 'old') (part = olderPart(part!, e.bits, b.state, e.pick)), met.olds++;
        was.restoreAccount(b.state, id, part, pruneBefore);
        if (part !== null && e.pick % 2 === 0) {
          loadPlain(a.state, a.state.accounts.add(id), decodeAccountPart(part, { plan: a.state.plan, pruneBefore }), pruneBefore !== undefined);
          met.plainLoads++;
        } else now.restoreAccount(a.state, id, part, pruneBefore);
        if (part !== null) expect(plainOf(a.state, a.state.accounts.indexOf(id))).toStrictEqual(decodeAccountPart(part, { plan: a.state.plan, pruneBefore }));
        if (e.kind === 'spill') met.spills++;
        else if (e.kind === 'restore') met.restores++;
        return;
      }
      case 'snapshot': {
        const bytes = was.encodeSnapshot(b.state);
        expect(now.encodeSnapshot(a.state)).toEqual(bytes);
        a.restore(bytes);
        b.state = was.decodeSnapshot(bytes, rules, LATENESS);
        met.snapshots++;
        return;
      }
      case 'reload': {
        // the stored form: the shared part, every account's part and the table as one segment
        const shared = was.encodeShared(b.state);
        expect(now.encodeShared(a.state)).toEqual(shared);
        const parts = ids.flatMap((x) => {
          const p = was.encodeAccount(b.state, x);
          return p === null ? [] : [[x, p] as const];
        });
        const seg = encodeSegment(b.state.dedupe.entries(), b.state.sweptBefore).pairs;
        expect(encodeSegment(a.state.dedupe.entries(), a.state.sweptBefore).pairs).toEqual(seg);
        a.restoreParts(shared, parts, [seg]);
        b.state = was.decodeParts(shared, parts, rules, LATENESS, [seg]);
        met.reloads++;
        return;
      }
      case 'rules': {
        // the same rules set again: every account carried over (rings dropped)
        a.setRules(rules);
        const before = b.state;
        b.setRules(rules);
        b.state = was.withRules(before, rules);
        met.resets++;
        return;
      }
      case 'busy': {
        for (let k = 0; k < e.burst; k++) {
          clock += 5_000 + ((e.pick + k * 7919) % 25_000);
          const c = call({ ...e, dur: (e.dur + k * 37) % 900 }, account, clock, i * 1000 + k, false, CALLEES[(e.pick + k) % CALLEES.length]!);
          sent.push(c);
          both(c, account);
        }
        return;
      }
    }
    let c: CdrRecord;
    if (e.kind === 'repeat' && sent.length > 0) c = sent[e.pick % sent.length]!;
    else if (e.kind === 'finish' && started.length > 0) {
      // the end record of a call whose start event came before
      const s = started.splice(e.pick % started.length, 1)[0]!;
      const end = Math.max(clock, s.startedAt + 1000);
      c = { ...call(e, accounts[Number(s.accountId.slice(1))]!, end, i), id: s.id, callee: s.callee, startedAt: s.startedAt };
      c.answeredAt = c.answeredAt === null ? null : Math.max(s.startedAt, c.answeredAt);
      c.durationSec = c.answeredAt === null ? 0 : Math.floor((end - c.answeredAt) / 1000);
      sent.push(c);
      return both(c, accounts[Number(s.accountId.slice(1))]!);
    } else if (e.kind === 'callback' && rang.length > 0) {
      const r = rang[e.pick % rang.length]!;
      c = call(e, accounts[Number(r.accountId.slice(1))]!, clock, i, false, r.caller!);
      sent.push(c);
      return both(c, accounts[Number(r.accountId.slice(1))]!);
    } else {
      const end = e.kind === 'late' ? clock - e.lag : e.kind === 'too-late' ? clock - e.tooLate : clock;
      c = call(e, account, end, i, e.kind === 'ring');
      if (e.kind === 'ring') rang.push(c);
      if (e.kind === 'start') {
        c = { ...c, phase: 'start', answeredAt: null, endedAt: null, durationSec: null, disposition: null, costMicros: null, startedAt: clock };
        started.push(c);
      }
      sent.push(c);
    }
    both(c, account);
  });
  checkParts(a, b, ids);
  expect(a.snapshot()).toEqual(b.snapshot());
}

describe('the plain form of an account part', () => {
  it('is exact under the shipped rules (bytes both ways, restores through it as before)', () => {
    fc.assert(
      fc.property(fc.array(ev, { minLength: 1, maxLength: 400, size: 'max' }), (evs) => run(shipped, evs)),
      { numRuns: 16, seed: 20261201, endOnFailure: true },
    );
  }, 120_000);

  it('and under generated rule sets (every measure, baselines by period and by hour of week)', () => {
    fc.assert(
      fc.property(ruleSet, fc.array(ev, { minLength: 1, maxLength: 400, size: 'max' }), (rules, evs) => run(rules, evs)),
      { numRuns: 30, seed: 20261202, endOnFailure: true },
    );
  }, 120_000);

  it('met every kind of state', () => {
    // eslint-disable-next-line no-console
    console.log('account-part met', met);
    for (const [k, n] of Object.entries(met)) expect(n, k).toBeGreaterThan(0);
  });
});

describe('the plain form of the parts of the build before the columns (stored-parts fixture)', () => {
  const fixture = JSON.parse(readFileSync(new URL('../../fixtures/engine-parts-e37c7cc.json', import.meta.url), 'utf8')) as { shared: string; parts: [string, string][] };
  const bytes = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));

  it('reads each part to what the engine holds restored, and restores alike through either code', () => {
    const a = createFraudEngine(shipped, { allowedLatenessMs: 5 * MIN, defaultTimezone: 'UTC' });
    const parts = fixture.parts.map(([id, p]) => [id, bytes(p)] as const);
    a.restoreParts(bytes(fixture.shared), parts);
    const st = was.decodeParts(bytes(fixture.shared), parts, shipped, 5 * MIN);
    const sb = (JSON.parse(Buffer.from(fixture.shared, 'base64').toString('utf8')) as { sb: number | null }).sb ?? Number.NEGATIVE_INFINITY;
    let zeroed = 0;
    for (const [id, p] of parts) {
      const ctx = { plan: a.state.plan, pruneBefore: sb };
      const plain = decodeAccountPart(p, ctx);
      expect(plainOf(a.state, a.state.accounts.indexOf(id))).toStrictEqual(plain);
      expect(encodeAccountPart(plain, ctx)).toEqual(was.encodeAccount(st, id));
      expect(now.encodeAccount(a.state, id)).toEqual(was.encodeAccount(st, id));
      const raw = decodePartTuple(p) as AccountPart;
      zeroed += raw[6].reduce((n, [g, rows]) => n + rows.filter((x, k) => x !== plain.windows.find((w) => w.group === g)!.rows[k]).length, 0);
      // one account alone, through loadPlain and through the frozen restore
      const one = createFraudEngine(shipped, { allowedLatenessMs: 5 * MIN, defaultTimezone: 'UTC' });
      const two = createFraudEngine(shipped, { allowedLatenessMs: 5 * MIN, defaultTimezone: 'UTC' });
      loadPlain(one.state, one.state.accounts.add(id), decodeAccountPart(p, { plan: one.state.plan }), false);
      was.restoreAccount(two.state, id, p);
      expect(now.encodeAccount(one.state, id)).toEqual(was.encodeAccount(two.state, id));
    }
    // eslint-disable-next-line no-console
    console.log('account-part fixture: numbers zeroed', zeroed);
    expect(zeroed).toBeGreaterThan(0);
    expect(a.snapshot()).toEqual(was.encodeSnapshot(st));
  });
});
