// The fused engine's stored state (src/rules/fused/fused-engine.ts: snapshot, parts, dedupe segments, restore,
// dirty tracking, setRules) against the classic engine (src/rules/fraud-engine.ts, the reference): the two are
// interchangeable through stored state. One uninterrupted classic engine decides a random stream (the streams of
// fused-oracle.test.ts: test/helpers/fraud-streams.ts); beside it run lanes that are stopped at random points and
// restarted from what they stored, each time into a fresh engine:
//   - `full fused`: a full snapshot into a fresh fused engine, each time;
//   - `full hop`: a full snapshot into the other kind each time (fused -> classic -> fused ...);
//   - `parts fused`, `parts hop`: incremental checkpoints as the daemon writes them (the dirty accounts' parts, or
//     their deletion; the shared part; the dedupe segment, stored as checkpoint-repo.ts stores it; markClean) at
//     random points, and at a restart the shared part, every stored part and the stored segments into a fresh
//     engine (fused each time, or the other kind each time).
// Every ProcessResult and every set-up's hits of every lane equal the reference's (whole, as fused-oracle.test.ts
// compares them, with its one allowance for a `minutes` float sum's last bits), and so do the rule errors. Beside
// them an uninterrupted classic and fused pair checkpoint at the same points: the same dirty accounts (in order) and
// count before each checkpoint, the same shared part and dedupe segment bytes; and at each restart, a classic and a
// fused engine restored from the same bytes have the same dirty accounts. Each account part the fused engine writes
// is one a classic engine writes back byte for byte once restored from it, and is the classic engine's part byte for
// byte or, where not (the classic engine's lazy cut-offs keep rows, intervals and key columns that can never count
// again: about half the parts), the same in everything that can still count (canCount). A rule change
// (setRules: some rules kept, some with other levels, some with another window, some new) comes mid-stream in half
// the runs, to every engine at once. Fixed seeds.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeAccountPart, type PlainAccount } from '../../../src/rules/account-part.js';
import { INTERVAL_KEEP_MS } from '../../../src/rules/concurrency-state.js';
import { GuardedEngine } from '../../../src/rules/engine-choice.js';
import { createFraudEngine } from '../../../src/rules/fraud-engine.js';
import { createFusedEngine, FusedLimits } from '../../../src/rules/fused/fused-engine.js';
import { buildRuleSet } from '../../../src/rules/load-rules.js';
import { RuleErrors } from '../../../src/rules/rule-errors.js';
import { WindowPlan } from '../../../src/rules/rule-state.js';
import type { DedupeSegment } from '../../../src/rules/dedupe-segments.js';
import type { CdrRecord } from '../../../src/events/types.js';
import type { FraudEngine, FraudRule, RuleHit } from '../../../src/rules/types.js';
import { actionsOf, ev, ruleArb, rulesArb, streamProfiles, type Action, type Ev, sameUpToSecondsRounding, secondsRoundings } from '../../helpers/fraud-streams.js';

const OPTS = { allowedLatenessMs: 5 * 60_000, defaultTimezone: 'Europe/London' };
const shipped = buildRuleSet([{ file: 'rules/fraud.yaml', text: readFileSync('rules/fraud.yaml', 'utf8') }], 'now').rules.fraud;

type Kind = 'classic' | 'fused';

function engineOf(kind: Kind, rules: readonly FraudRule[], errors: RuleErrors): FraudEngine {
  return kind === 'classic' ? createFraudEngine(rules, { ...OPTS, errors }) : createFusedEngine(rules, { ...OPTS, errors });
}

/** A checkpoint store as checkpoint-repo.ts keeps one: the shared part, a part per account, the dedupe segments. */
class Store {
  shared: Uint8Array | null = null;
  readonly parts = new Map<string, Uint8Array>();
  segments: { pairs: Uint8Array; newest: number }[] = [];

  /** One state write of `e` (partition-checkpoint.ts): the dirty accounts, the shared part, the segment; then clean. */
  write(e: FraudEngine): DedupeSegment {
    for (const id of e.dirtyAccounts()) {
      const part = e.snapshotAccount(id);
      if (part === null) this.parts.delete(id);
      else this.parts.set(id, part);
    }
    this.shared = e.snapshotShared();
    const seg = e.dedupeSegment();
    if (seg.expiredBefore === Number.POSITIVE_INFINITY) this.segments = [];
    else if (Number.isFinite(seg.expiredBefore)) this.segments = this.segments.filter((s) => !(s.newest < seg.expiredBefore));
    if (seg.pairs.byteLength > 0) this.segments.push({ pairs: seg.pairs, newest: seg.newest });
    e.dedupeStored();
    e.markClean();
    return seg;
  }

  restoreInto(e: FraudEngine): FraudEngine {
    e.restoreParts(this.shared!, [...this.parts], this.segments.map((s) => s.pairs));
    return e;
  }
}

/**
 * What of a classic engine's part can still count (for a ProcessResult or a set-up): the window rows at or after the
 * account's watermark minus their group's window (every later query starts at tau - w >= wm - w), the intervals of
 * concurrent_calls rules ending at or after wm - INTERVAL_KEEP_MS (the rest are evicted before their next use), rules'
 * live-call lists that hold something, level states other than a baseline's not counted yet (the same as none), and
 * in a row only the columns a rule of its mask reads (a row's other columns are read by none).
 */
function canCount(p: PlainAccount, rules: readonly FraudRule[]): PlainAccount {
  const plan = new WindowPlan(rules);
  const wm = p.maxT - OPTS.allowedLatenessMs;
  const windows = p.windows
    .map((w) => {
      const grp = plan.groups[w.group]!;
      const rows: number[] = [];
      const cols = grp.stored;
      for (let q = 0; q < w.rows.length; q += cols.stride) {
        if (w.rows[q]! < wm - grp.windowMs) continue;
        const row = w.rows.slice(q, q + cols.stride);
        const slots = cols.maskCol < 0 ? 1 : row[cols.maskCol]!;
        for (let c = 1; c <= cols.reads.length; c++) if ((cols.reads[c - 1]! & slots) === 0) row[c] = 0;
        rows.push(...row);
      }
      return { group: w.group, rows };
    })
    .filter((w) => w.rows.length > 0);
  const live = p.live
    .map((c) => {
      const keep = c.intervalEnds.map((e) => e >= wm - INTERVAL_KEEP_MS);
      return { ...c, intervalStarts: c.intervalStarts.filter((_, i) => keep[i]), intervalEnds: c.intervalEnds.filter((_, i) => keep[i]) };
    })
    .filter((c) => c.callIds.length > 0 || c.intervalEnds.length > 0);
  const levels = p.levels.filter((l) => !(l.baseline === 0 && l.period === -1 && l.peak === 0 && l.warnedAt === null && l.suspendedAt === null && l.weekly === null));
  return { ...p, windows, live, levels };
}

interface Lane {
  name: string;
  via: 'full' | 'parts';
  hop: boolean;
  kind: Kind;
  e: FraudEngine;
  errors: RuleErrors;
  store: Store;
}

const stats = { records: 0, hits: 0, restarts: 0, checkpoints: 0, ruleChanges: 0, partsSame: 0, partsOther: 0, partsRoundTrip: 0, dirtyChecked: 0 };

/**
 * One stream: the reference, the lanes, and the checkpointing pair. `cuts`: restart points (indices into the
 * actions); `writes`: checkpoint points; `change`: the action index of the rule change and the new rules.
 */
function drive(rules: readonly FraudRule[], actions: Action[], cuts: Set<number>, writes: Set<number>, change: { at: number; rules: FraudRule[] } | null, partBytes: boolean): void {
  const refErrors = new RuleErrors();
  const ref = createFraudEngine(rules, { ...OPTS, errors: refErrors });
  const lanes: Lane[] = [
    { name: 'full fused', via: 'full', hop: false, kind: 'fused' },
    { name: 'full hop', via: 'full', hop: true, kind: 'fused' },
    { name: 'parts fused', via: 'parts', hop: false, kind: 'fused' },
    { name: 'parts hop', via: 'parts', hop: true, kind: 'fused' },
  ].map((l) => {
    const errors = new RuleErrors();
    return { ...l, via: l.via as Lane['via'], kind: l.kind as Kind, errors, e: engineOf(l.kind as Kind, rules, errors), store: new Store() };
  });
  const pairC = createFraudEngine(rules, OPTS);
  const pairF = createFusedEngine(rules, OPTS);
  const storeC = new Store();
  const storeF = new Store();
  let current = rules;

  const checkpointPair = () => {
    expect(pairF.dirtyAccounts()).toEqual(pairC.dirtyAccounts());
    expect(pairF.dirtyCount()).toBe(pairC.dirtyCount());
    const dirty = pairC.dirtyAccounts();
    if (partBytes) {
      for (const id of dirty) {
        const c = pairC.snapshotAccount(id);
        const f = pairF.snapshotAccount(id);
        if (c === null || f === null) expect(f).toBe(c);
        else if (Buffer.from(c).equals(Buffer.from(f))) stats.partsSame++;
        else {
          // a classic part holds more only where it can never count again (see canCount)
          const ctx = { plan: new WindowPlan(current) };
          expect(canCount(decodeAccountPart(f, ctx), current)).toEqual(canCount(decodeAccountPart(c, ctx), current));
          stats.partsOther++;
        }
      }
    }
    // the fused engine's parts are classic parts as a classic engine writes them: restored into one, it writes them
    // back byte for byte
    const shared = pairF.snapshotShared();
    for (const id of dirty) {
      const f = pairF.snapshotAccount(id);
      if (f === null) continue;
      const c = createFraudEngine(current, OPTS);
      c.restoreParts(shared, [[id, f]], []);
      expect(Buffer.from(c.snapshotAccount(id)!).equals(Buffer.from(f))).toBe(true);
      stats.partsRoundTrip++;
    }
    const segC = storeC.write(pairC);
    const segF = storeF.write(pairF);
    expect(Buffer.from(storeF.shared!).equals(Buffer.from(storeC.shared!))).toBe(true);
    expect({ ...segF, pairs: [...segF.pairs] }).toEqual({ ...segC, pairs: [...segC.pairs] });
    expect(pairF.dirtyCount()).toBe(0);
    stats.dirtyChecked += dirty.length;
    stats.checkpoints++;
  };

  const restart = (lane: Lane) => {
    const next: Kind = lane.hop ? (lane.kind === 'fused' ? 'classic' : 'fused') : lane.kind;
    lane.errors = new RuleErrors();
    if (lane.via === 'full') {
      const bytes = lane.e.snapshot();
      const e = engineOf(next, current, lane.errors);
      e.restore(bytes);
      // a classic and a fused engine restored from the same bytes: the same dirty accounts (all of them)
      const c = engineOf('classic', current, new RuleErrors());
      const f = engineOf('fused', current, new RuleErrors());
      c.restore(bytes);
      f.restore(bytes);
      expect(f.dirtyAccounts()).toEqual(c.dirtyAccounts());
      expect(e.dirtyAccounts()).toEqual(c.dirtyAccounts());
      lane.e = e;
    } else {
      lane.store.write(lane.e);
      lane.e = lane.store.restoreInto(engineOf(next, current, lane.errors));
      expect(lane.e.dirtyCount()).toBe(0);
    }
    lane.kind = next;
    stats.restarts++;
  };

  actions.forEach((a, i) => {
    if (change !== null && change.at === i) {
      for (const e of [ref, pairC, pairF, ...lanes.map((l) => l.e)]) e.setRules(change.rules);
      current = change.rules;
      expect(pairF.dirtyAccounts()).toEqual(pairC.dirtyAccounts());
      stats.ruleChanges++;
    }
    if (writes.has(i)) {
      checkpointPair();
      for (const lane of lanes) if (lane.via === 'parts') lane.store.write(lane.e);
    }
    if (cuts.has(i)) for (const lane of lanes) restart(lane);
    if (a.kind === 'setup') {
      const want = ref.evaluateSetup!(a.account, a.call, { commit: a.commit });
      for (const e of [pairC, pairF, ...lanes.map((l) => l.e)]) expect(e.evaluateSetup!(a.account, a.call, { commit: a.commit })).toEqual(want);
      return;
    }
    const want = ref.process(a.cdr, a.account);
    for (const e of [pairC, pairF, ...lanes.map((l) => l.e)]) {
      const got = e.process(a.cdr, a.account);
      expect(sameUpToSecondsRounding(got.hits, want.hits)).toBe(got.hits);
      expect(got).toEqual(want);
    }
    stats.records++;
    stats.hits += want.hits.length;
  });
  checkpointPair();
  for (const lane of lanes) {
    restart(lane);
    expect(lane.e.size()).toBe(ref.size());
  }
  expect(pairF.size()).toBe(pairC.size());
  // rule errors: each lane's since its last restart are the reference's over the same records (none expected)
  expect(refErrors.count()).toBe(0);
  for (const lane of lanes) expect(lane.errors.count()).toBe(0);
}

/** A rule change: some rules kept (some with other levels: their state stays), some with another window, some new. */
const changeArb = (n: number) =>
  fc.record({
    keep: fc.array(fc.constantFrom('keep', 'keep', 'levels', 'window', 'drop'), { minLength: n, maxLength: n }),
    extra: fc.array(ruleArb, { maxLength: 4 }),
    at: fc.nat(),
  });

function changed(rules: readonly FraudRule[], c: { keep: string[]; extra: Omit<FraudRule, 'id'>[] }): FraudRule[] {
  const out: FraudRule[] = [];
  rules.forEach((r, i) => {
    const how = c.keep[i] ?? 'keep';
    if (how === 'drop') return;
    if (how === 'levels') out.push({ ...r, suspend: r.suspend + 1, warn: r.warn === null ? null : r.warn + 1 });
    else if (how === 'window' && r.windowMs !== null) out.push({ ...r, windowMs: r.windowMs === 3_600_000 ? 21_600_000 : 3_600_000 });
    else out.push(r);
  });
  c.extra.forEach((r, i) => out.length < 30 && out.push({ ...r, id: `new${i}-${r.measure}` }));
  // a rule set keeps one rule at least
  return out.length > 0 ? out : [rules[0]!];
}

const pointsArb = fc.record({ cuts: fc.array(fc.nat(), { maxLength: 5 }), writes: fc.array(fc.nat(), { maxLength: 6 }), changeOn: fc.boolean() });

function run(rules: readonly FraudRule[], evs: Ev[], coarse: boolean, points: { cuts: number[]; writes: number[]; changeOn: boolean }, ch: { keep: string[]; extra: Omit<FraudRule, 'id'>[]; at: number }, partBytes: boolean): void {
  const actions = actionsOf(evs, coarse);
  if (actions.length === 0) return;
  const n = actions.length;
  const cuts = new Set(points.cuts.map((x) => x % n));
  // every restart of a parts lane writes first; the pair also checkpoints there
  const writes = new Set([...points.writes.map((x) => x % n), ...cuts]);
  const change = points.changeOn ? { at: ch.at % n, rules: changed(rules, ch) } : null;
  drive(rules, actions, cuts, writes, change, partBytes);
}

afterEach(() => {
  FusedLimits.scanRows = 24;
  FusedLimits.offsetSpan = 2 ** 30;
});

const streamArb = fc.array(ev, { minLength: 1, maxLength: 120, size: 'max' });

describe.each([
  ['default limits', 24, 2 ** 30],
  ['cursor records from 3 rows, the time base moved every ~2 h', 3, 2 ** 22],
])('the fused engine\'s stored state against the classic engine (%s)', (_name, scanRows, offsetSpan) => {
  it('the shipped rules: every lane decides as the uninterrupted classic engine', () => {
    FusedLimits.scanRows = scanRows;
    FusedLimits.offsetSpan = offsetSpan;
    const before = { ...stats };
    fc.assert(
      fc.property(streamArb, fc.boolean(), pointsArb, changeArb(shipped.length), (evs, coarse, points, ch) => run(shipped, evs, coarse, points, ch, true)),
      { numRuns: 25, seed: 20261211, endOnFailure: true },
    );
    const d = Object.fromEntries(Object.entries(stats).map(([k, v]) => [k, v - before[k as keyof typeof stats]]));
    console.log('shipped rules:', d);
    expect(d.records).toBeGreaterThan(5_000);
    expect(d.restarts).toBeGreaterThan(100);
    expect(d.ruleChanges).toBeGreaterThan(5);
    // byte for byte where the classic engine's lazy cut-offs left nothing extra (else: canCount, compared above)
    expect(d.partsSame).toBeGreaterThan(100);
  }, 300_000);

  it('restarts before every record (times on a 30 s grid): rows at the very edge of what can still count are kept', () => {
    FusedLimits.scanRows = scanRows;
    FusedLimits.offsetSpan = offsetSpan;
    const before = { ...stats };
    const short = fc.array(ev.filter((e) => e.kind !== 'burst'), { minLength: 1, maxLength: 60, size: 'max' });
    const every = (rules: readonly FraudRule[], evs: Ev[]) => {
      const actions = actionsOf(evs, true);
      const all = new Set(actions.map((_, i) => i));
      drive(rules, actions, all, all, null, true);
    };
    fc.assert(fc.property(short, (evs) => every(shipped, evs)), { numRuns: 15, seed: 20261213, endOnFailure: true });
    fc.assert(fc.property(rulesArb, short, (rules, evs) => every(rules, evs)), { numRuns: 40, seed: 20261214, endOnFailure: true });
    const d = Object.fromEntries(Object.entries(stats).map(([k, v]) => [k, v - before[k as keyof typeof stats]]));
    console.log('a restart before every record:', d);
    expect(d.restarts).toBeGreaterThan(5_000);
  }, 300_000);

  it('generated rule sets of every measure, window and baseline: every lane decides as the uninterrupted classic engine', () => {
    FusedLimits.scanRows = scanRows;
    FusedLimits.offsetSpan = offsetSpan;
    const before = { ...stats };
    fc.assert(
      fc.property(rulesArb, streamArb, fc.boolean(), pointsArb, changeArb(14), (rules, evs, coarse, points, ch) => run(rules, evs, coarse, points, ch, true)),
      { numRuns: 60, seed: 20261212, endOnFailure: true },
    );
    const d = Object.fromEntries(Object.entries(stats).map(([k, v]) => [k, v - before[k as keyof typeof stats]]));
    console.log('generated rule sets:', d, { roundings: secondsRoundings.count });
    expect(d.records).toBeGreaterThan(10_000);
    expect(d.restarts).toBeGreaterThan(200);
    expect(d.ruleChanges).toBeGreaterThan(10);
  }, 300_000);
});

describe('rows at the very edge of what can still count survive a restart', () => {
  const T = Date.parse('2026-11-30T10:00:00Z');
  const MIN = 60_000;
  const HOUR = 60 * MIN;
  const L = OPTS.allowedLatenessMs;
  const rule = (over: Partial<FraudRule>): FraudRule => ({
    id: 'r', description: null, mode: 'enforce', appliesTo: null, match: { direction: 'outbound' }, measure: 'calls', windowMs: HOUR,
    rangeDigits: 3, warn: null, suspend: 2, baseline: null, cooldownMs: 0, releaseAfterMs: null, origin: { file: 'test', line: 1 }, ...over,
  });
  const call = (id: string, start: number, end: number): CdrRecord => ({
    id, accountId: 'a1', direction: 'outbound', caller: '+442071234567', callee: '+442071230001', startedAt: start, answeredAt: start,
    endedAt: end, durationSec: (end - start) / 1000, disposition: 'answered', costMicros: 1000, currency: 'GBP', phase: 'end',
  });
  const account = streamProfiles[1]!;

  /** Every way across a restart (full or parts; fused or classic, to fused or classic) decides `after` as the reference. */
  function acrossRestart(rules: FraudRule[], before: CdrRecord[], after: CdrRecord[]): RuleHit[] {
    const ref = createFraudEngine(rules, OPTS);
    for (const c of before) ref.process(c, account);
    const want = after.map((c) => ref.process(c, account));
    for (const from of ['fused', 'classic'] as Kind[]) {
      for (const to of ['fused', 'classic'] as Kind[]) {
        for (const via of ['full', 'parts']) {
          const a = engineOf(from, rules, new RuleErrors());
          for (const c of before) a.process(c, account);
          const b = engineOf(to, rules, new RuleErrors());
          if (via === 'full') b.restore(a.snapshot());
          else {
            const store = new Store();
            store.write(a);
            store.restoreInto(b);
          }
          expect(after.map((c) => b.process(c, account)), `${from} -> ${to} (${via})`).toEqual(want);
        }
      }
    }
    return want.flatMap((r) => r.hits);
  }

  it('a windowed rule: a row at exactly the watermark minus the window counts for a record at the watermark', () => {
    // r1 at T; r2 at T + 1h + L (the watermark moves to T + 1h: r1 is at its window's start); after the restart r3
    // at the watermark is judged over [T, T + 1h]: r1 and r3, the suspend level
    const hits = acrossRestart([rule({})], [call('r1', T - MIN, T), call('r2', T + HOUR + L - MIN, T + HOUR + L)], [call('r3', T + HOUR - MIN, T + HOUR)]);
    expect(hits.map((h) => [h.ruleId, h.value])).toEqual([['r', 2]]);
  });

  it('two window lengths: each group keeps its own edge', () => {
    const rules = [rule({ id: 'short', windowMs: 30 * MIN }), rule({ id: 'long', windowMs: 6 * HOUR, suspend: 3 })];
    const hits = acrossRestart(rules, [call('r0', T - 5 * HOUR - MIN, T - 5 * HOUR), call('r1', T - MIN, T), call('r2', T + 30 * MIN + L - MIN, T + 30 * MIN + L)], [call('r3', T + 30 * MIN - MIN, T + 30 * MIN)]);
    expect(hits.map((h) => [h.ruleId, h.value])).toEqual([['short', 2], ['long', 3]]);
  });

  it('concurrent_calls: an interval ending at exactly the watermark minus the intervals kept still overlaps', () => {
    // r1 ends at E; r2 moves the watermark to E + 2 h (INTERVAL_KEEP_MS); r3, a call of 2 h 5 min ending at the
    // watermark, started while r1 was in progress
    const E = T;
    const rules = [rule({ measure: 'concurrent_calls', windowMs: null })];
    const hits = acrossRestart(rules, [call('r1', E - 10 * MIN, E), call('r2', E + 2 * HOUR + L - MIN, E + 2 * HOUR + L)], [call('r3', E - 5 * MIN, E + 2 * HOUR)]);
    expect(hits.map((h) => [h.ruleId, h.value])).toEqual([['r', 2]]);
  });
});

describe('a stored state the fused engine cannot hold', () => {
  it('is refused before anything changes, and the guarded engine restores it on the classic engine', () => {
    const T = Date.parse('2026-11-30T10:00:00Z');
    const account = streamProfiles[0]!;
    const cdr = (id: string, end: number): CdrRecord => ({
      id, accountId: account.id, direction: 'outbound', caller: '+442071234567', callee: '+882123456', startedAt: end - 60_000, answeredAt: end - 60_000,
      endedAt: end, durationSec: 60, disposition: 'answered', costMicros: 1000, currency: 'GBP', phase: 'end',
    });
    // a classic engine holds a fractional event time (the fused engine's rows hold whole milliseconds)
    const classic = createFraudEngine(shipped, OPTS);
    classic.process(cdr('x1', T + 0.5), account);
    const odd = classic.snapshot();
    const fused = createFusedEngine(shipped, OPTS);
    fused.process(cdr('y1', T), account);
    const before = fused.snapshot();
    expect(() => fused.restore(odd)).toThrow(/^fused engine: .* not built yet$/);
    expect(Buffer.from(fused.snapshot()).equals(Buffer.from(before))).toBe(true);
    expect(fused.dirtyAccounts()).toEqual([account.id]);

    const fallbacks: string[] = [];
    const guarded = new GuardedEngine(createFusedEngine(shipped, OPTS), shipped, OPTS, (why) => fallbacks.push(why));
    guarded.restore(odd);
    expect(guarded.fused).toBe(false);
    expect(fallbacks).toHaveLength(1);
    const next = cdr('x2', T + 120_000);
    expect(guarded.process(next, account)).toEqual(classic.process(next, account));
  });
});
