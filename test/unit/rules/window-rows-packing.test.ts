// A window group's rows with the time packed with the mask (or a one-slot sum's value) give back exactly what was
// inserted, and the group's counts and sums equal a plain model's, through the switches between packed rows and
// wide ones (a fractional time, a value past an int32), moves of the packed times' base at the sweep (jumps of
// days), evictions, frees, loads and repacks (window-state.ts over packed-pairs.ts).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GroupLogs, WindowKind, type GroupSpec } from '../../../src/rules/window-state.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-11-24T09:00:00Z');
const ACCOUNTS = 4;

/** Two slots sharing a log (a count and a cost sum): rows (time, cost, mask); the mask packs with the time. */
const MASKED: GroupSpec = { windowMs: 3_600_000, rules: [0, 1], kinds: [WindowKind.Count, WindowKind.Sum], valCol: [-1, 1], grpCol: [-1, -1], stride: 3, maskCol: 2 };
/** One cost sum: rows (time, cost); the cost packs with the time while it is an int32. */
const SUM: GroupSpec = { windowMs: DAY, rules: [0], kinds: [WindowKind.Sum], valCol: [1], grpCol: [-1], stride: 2, maskCol: -1 };

const op = fc.record({
  acct: fc.integer({ min: 0, max: ACCOUNTS - 1 }),
  kind: fc.constantFrom('insert', 'insert', 'insert', 'insert', 'insert', 'odd', 'big', 'jump', 'sweep', 'sweep', 'evict', 'free', 'reload'),
  step: fc.integer({ min: 0, max: 20 * 60_000 }),
  lag: fc.integer({ min: 0, max: 30 * 60_000 }),
  cost: fc.integer({ min: -5_000, max: 5_000_000 }),
  mask: fc.integer({ min: 1, max: 3 }),
});

/** Rows in time order, equal times in arrival order (as GroupLogs.insert keeps them). */
function insertSorted(rows: number[][], row: number[]): void {
  let p = rows.length;
  while (p > 0 && rows[p - 1]![0]! > row[0]!) p--;
  rows.splice(p, 0, row);
}

describe.each([
  ['time packed with the mask', MASKED],
  ['time packed with a one-slot sum', SUM],
])('window rows (%s)', (_name, spec) => {
  it('read back as inserted and measure as a plain model, packed or wide, across base moves and sweeps', () => {
    let wide = 0;
    let packedAgain = 0;
    let queries = 0;
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 250 }), (ops) => {
        const logs = new GroupLogs(spec);
        logs.grow(ACCOUNTS);
        logs.use();
        const model: number[][][] = Array.from({ length: ACCOUNTS }, () => []);
        let clock = T0;
        for (const o of ops) {
          clock += o.step;
          const rows = model[o.acct]!;
          if (o.kind === 'jump') clock += 6 * DAY;
          else if (o.kind === 'sweep') {
            const was = logs.wideRows;
            logs.compact();
            if (was && !logs.wideRows) packedAgain++;
          } else if (o.kind === 'evict') {
            const before = clock - DAY;
            logs.evict(o.acct, before);
            model[o.acct] = rows.filter((r) => r[0]! >= before);
          } else if (o.kind === 'free') {
            logs.free(o.acct);
            model[o.acct] = [];
          } else if (o.kind === 'reload') {
            const flat = logs.rows(o.acct);
            logs.free(o.acct);
            logs.load(o.acct, flat);
          } else {
            const t = clock - o.lag + (o.kind === 'odd' ? 0.5 : 0);
            const cost = o.kind === 'big' ? 2 ** 31 + o.cost : o.cost;
            const row = spec.maskCol < 0 ? [t, cost] : [t, cost, o.mask];
            logs.insert(o.acct, row);
            insertSorted(rows, row);
          }
          if (logs.wideRows) wide++;
          for (let a = 0; a < ACCOUNTS; a++) {
            const want = model[a]!.flat();
            const got = logs.rows(a);
            expect(got.length).toBe(want.length);
            want.forEach((x, i) => expect(Object.is(got[i], x), `account ${a} number ${i}: ${got[i]} != ${x}`).toBe(true));
            if (want.length === 0) continue;
            // an hour's window ending at the latest row: each slot's measure as the model computes it
            const hi = model[a]![model[a]!.length - 1]![0]!;
            const inWindow = model[a]!.filter((r) => r[0]! >= hi - 3_600_000 && r[0]! <= hi);
            const lo = logs.bound(a, hi - 3_600_000, false);
            const end = logs.bound(a, hi, true);
            spec.rules.forEach((_, s) => {
              const mine = inWindow.filter((r) => spec.maskCol < 0 || (r[spec.maskCol]! & (1 << s)) !== 0);
              const value = spec.kinds[s] === WindowKind.Count ? mine.length : mine.reduce((x, r) => x + r[1]!, 0);
              expect(logs.query(a, s, lo, end)).toBe(value);
              queries++;
            });
          }
        }
      }),
      // A fixed seed, as in ring-times.test.ts: the counts below must not depend on the draw.
      { numRuns: 100, seed: 20261130 },
    );
    expect(wide).toBeGreaterThan(0);
    expect(packedAgain).toBeGreaterThan(0);
    expect(queries).toBeGreaterThan(0);
  });

  it('stays packed over weeks of ordinary rows when swept, its base moving up', () => {
    const logs = new GroupLogs(spec);
    logs.grow(1);
    logs.use();
    for (let d = 0; d < 60; d++) {
      for (let h = 0; h < 24; h++) logs.insert(0, spec.maskCol < 0 ? [T0 + d * DAY + h * 3_600_000, 1_000 + h] : [T0 + d * DAY + h * 3_600_000, 1_000 + h, 1 + (h % 3)]);
      logs.evict(0, T0 + d * DAY);
      logs.compact();
      expect(logs.wideRows).toBe(false);
    }
    const rows = logs.rows(0);
    expect(rows.slice(-spec.stride)).toEqual(spec.maskCol < 0 ? [T0 + 59 * DAY + 23 * 3_600_000, 1_023] : [T0 + 59 * DAY + 23 * 3_600_000, 1_023, 3]);
  });
});
