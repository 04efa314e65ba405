// Live calls of many accounts in one arena (concurrency-state.ts) answer as a plain per-account model of the same
// rules does (CONTRACT §3: calls in progress at a start; the most in progress during an end-only record's interval;
// eviction by the watermark), through region moves, repacks of the whole arena, snapshots and accounts released;
// and through the intervals' switches between narrow (int32 offsets) and wide (doubles) and moves of their base: an
// interval that does not fit (a fraction of a millisecond, a jump of days) and the sweep's compaction.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTERVAL_KEEP_MS, LIVE_MAX_MS, LiveCalls } from '../../../src/rules/concurrency-state.js';
import { RowArena } from '../../../src/rules/row-arena.js';

/** One account's live calls as plain lists: live (id, start) in arrival order, intervals (start, end). */
class Model {
  live: [number, number][] = [];
  iv: [number, number][] = [];

  countAt(x: number): number {
    return this.iv.filter(([s, e]) => s <= x && e >= x).length + this.live.filter(([, s]) => s <= x).length;
  }

  evict(wm: number): void {
    this.iv = this.iv.filter(([, e]) => e >= wm - INTERVAL_KEEP_MS);
    this.live = this.live.filter(([, s]) => s >= wm - LIVE_MAX_MS);
  }

  start(id: number, t: number): number {
    this.live.push([id, t]);
    return this.countAt(t);
  }

  end(id: number): boolean {
    const i = this.live.findIndex(([x]) => x === id);
    if (i < 0) return false;
    this.live.splice(i, 1);
    return true;
  }

  /** The most calls in progress at any instant of [s, e]: the count only rises at s or at a start inside it. */
  interval(s: number, e: number): number {
    this.iv.push([s, e]);
    this.iv.sort((a, b) => a[1] - b[1]);
    const points = [s, ...this.iv.map(([x]) => x), ...this.live.map(([, x]) => x)].filter((x) => x >= s && x <= e);
    return Math.max(...points.map((x) => this.countAt(x)));
  }
}

const HOUR = 3_600_000;
const op = fc.record({
  acct: fc.integer({ min: 0, max: 5 }),
  kind: fc.constantFrom('start', 'start', 'end', 'interval', 'interval', 'interval', 'forget', 'odd', 'jump', 'sweep'),
  id: fc.integer({ min: 0, max: 40 }),
  step: fc.integer({ min: 0, max: 5 * 60_000 }),
  len: fc.integer({ min: 0, max: 3 * HOUR }),
});

describe('live calls in one arena', () => {
  const minWaste = RowArena.minWaste;
  beforeAll(() => {
    RowArena.minWaste = Number.NEGATIVE_INFINITY; // compact at every growth
  });
  afterAll(() => {
    RowArena.minWaste = minWaste;
  });

  it('answer as a plain per-account model, through moves, repacks, snapshots, released accounts and layouts', () => {
    let repacked = 0;
    let slid = 0;
    let wide = 0;
    let narrowAgain = 0;
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 400 }), (ops) => {
        const calls = new LiveCalls();
        calls.grow(6);
        const arena = calls.arena;
        const models = new Map<number, Model>();
        let clock = 0;
        for (const o of ops) {
          clock += o.step;
          if (o.kind === 'jump') {
            clock += 5 * 86_400_000; // past half the narrow offsets' range within a few jumps: the base moves up
            continue;
          }
          if (o.kind === 'sweep') {
            const was = calls.wideIntervals;
            calls.compact();
            if (was && !calls.wideIntervals) narrowAgain++;
            continue;
          }
          let model = models.get(o.acct);
          if (o.kind === 'forget') {
            calls.free(o.acct);
            models.delete(o.acct);
            expect(calls.opened(o.acct)).toBe(false);
            continue;
          }
          if (!model) models.set(o.acct, (model = new Model()));
          calls.open(o.acct);
          calls.evict(o.acct, clock);
          model.evict(clock);
          if (o.kind === 'start') expect(calls.start(o.acct, o.id, clock)).toBe(model.start(o.id, clock));
          else if (o.kind === 'end') expect(calls.end(o.acct, o.id)).toBe(model.end(o.id));
          else if (o.kind === 'odd') expect(calls.interval(o.acct, clock - o.len - 0.5, clock)).toBe(model.interval(clock - o.len - 0.5, clock));
          else expect(calls.interval(o.acct, clock - o.len, clock)).toBe(model.interval(clock - o.len, clock));
          if (calls.wideIntervals) wide++;
        }
        if (calls.arena !== arena) repacked++;
        if (calls.arena.slides > 0 || arena.slides > 0) slid++;
        for (const [acct, model] of models) {
          const [ids, starts, s, e] = calls.snapshot(acct);
          expect(ids.map((id, i) => [id, starts[i]])).toEqual(model.live);
          expect(s.map((x, i) => [x, e[i]])).toEqual(model.iv);
          // a snapshot restores the same state under another account number
          const again = new LiveCalls();
          again.grow(1);
          again.restore(0, calls.snapshot(acct));
          expect(again.snapshot(0)).toEqual(calls.snapshot(acct));
        }
      }),
      // A fixed seed: the counts below prove the runs reached every layout switch, and with a random seed one of them
      // came out 0 in about 1 run in 6 (CI, 30 November 2026); a failing property is reported with its seed anyway.
      { numRuns: 150, seed: 20261130 },
    );
    expect(repacked).toBeGreaterThan(0);
    expect(slid).toBeGreaterThan(0);
    expect(wide).toBeGreaterThan(0);
    expect(narrowAgain).toBeGreaterThan(0);
  });
  it('answer end-only records as the model does: crowded, out of order, equal ends, with and without live calls', () => {
    // interval() answers from the packed words when the intervals are narrow and the account has no live calls,
    // else as before (intervalSlow): many overlapping intervals ending out of order and on the same millisecond,
    // with a live call now and then (the other path) and evictions as the clock moves
    let crowded = 0;
    let moved = 0;
    const rec = fc.record({
      acct: fc.integer({ min: 0, max: 2 }),
      kind: fc.constantFrom('interval', 'interval', 'interval', 'interval', 'interval', 'interval', 'start', 'end', 'many'),
      id: fc.integer({ min: 0, max: 5 }),
      step: fc.constantFrom(0, 0, 1, 1_000, 60_000, 20 * 60_000),
      back: fc.constantFrom(0, 0, 1, 1_000, 60_000, 10 * 60_000, 30 * 60_000), // a coarse grid: equal times are common
      len: fc.constantFrom(0, 1, 1_000, 60_000, 10 * 60_000, 40 * 60_000, 3 * HOUR),
    });
    fc.assert(
      fc.property(fc.array(rec, { minLength: 1, maxLength: 80, size: 'max' }), (ops) => {
        const calls = new LiveCalls();
        calls.grow(3);
        const models = [new Model(), new Model(), new Model()];
        let clock = 10 * HOUR;
        for (const o of ops) {
          clock += o.step;
          const model = models[o.acct]!;
          calls.open(o.acct);
          calls.evict(o.acct, clock);
          model.evict(clock);
          expect(calls.hasLive(o.acct)).toBe(model.live.length > 0);
          if (o.kind === 'start') expect(calls.start(o.acct, o.id, clock)).toBe(model.start(o.id, clock));
          else if (o.kind === 'end') expect(calls.end(o.acct, o.id)).toBe(model.end(o.id));
          else if (o.kind === 'many') {
            // a list past 64 intervals: evictions from its front shift the rest with copyWithin
            for (let j = 0; j < 70; j++) expect(calls.interval(o.acct, clock - o.len - j * 60_000, clock - j * 1_000)).toBe(model.interval(clock - o.len - j * 60_000, clock - j * 1_000));
          } else {
            // an end record may arrive after later ones (its end before theirs)
            const e = clock - o.back;
            const got = calls.interval(o.acct, e - o.len, e);
            expect(got).toBe(model.interval(e - o.len, e));
            if (got > 2) crowded++;
            if (model.iv[model.iv.length - 1]![1] !== e) moved++;
          }
        }
        for (let a = 0; a < 3; a++) {
          const [ids, starts, s, e] = calls.snapshot(a);
          expect(ids.map((id, i) => [id, starts[i]])).toEqual(models[a]!.live);
          expect(s.map((x, i) => [x, e[i]])).toEqual(models[a]!.iv);
        }
      }),
      { numRuns: 50, seed: 20261130 },
    );
    expect(crowded).toBeGreaterThan(0);
    expect(moved).toBeGreaterThan(0);
  });
});
