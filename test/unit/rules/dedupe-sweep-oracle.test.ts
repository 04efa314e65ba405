// The dedupe table's sweep (one counting pass, then expired entries deleted and `base` moved up in one pass, branch
// `exo5`) must leave the table exactly as the code before did (test/helpers/before-exo5: a count through timeAt,
// then a deletion pass, then a rebase pass): the same slots, times, FAR marks and sizes, through sweeps that rebase
// only, delete in place or rebuild, times far after the base (past a jump of the clock), fractional ones and late
// ones, in compact and wide tables. Fixed seed. Since 2 December 2026 a sweep moves `base` up only when the room
// above it runs short, and makes no pass when nothing can have expired, so the two tables' bases (and with them the
// time bits of each slot, and which times are FAR) may differ: the test holds the slots (keys, occupancy, capacity,
// counts, the move's state) and every entry's exact time equal, not the time encoding.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DedupeTable } from '../../../src/rules/dedupe-table.js';
import { DedupeTable as OldDedupeTable } from '../../helpers/before-exo5/dedupe-table.js';

const T0 = Date.parse('2026-11-24T00:00:00Z');
const HOUR = 3_600_000;

/** The table's private state that does not depend on its base, as the two versions name it alike: which slot holds
 * which key, the sizes, the move's progress and threshold, the odd keys. */
function inside(t: unknown): unknown {
  const x = t as Record<string, unknown> & { k0: Uint32Array; k1: Uint32Array; tt: Uint16Array | Uint32Array; EMPTY: number };
  return [x.k0, [...x.k1].map((v) => v >>> 11), [...x.tt].map((v) => v === x.EMPTY), x.cap, x.n, x.old !== null, x.moveAt, x.oldBefore, [...(x.odd as Map<number, number>)]];
}

const op = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('sweep' as const), back: fc.integer({ min: 24 * HOUR, max: 26 * HOUR }), frac: fc.boolean() }) },
  { weight: 20, arbitrary: fc.record({ kind: fc.constant('add' as const), key: fc.oneof({ weight: 20, arbitrary: fc.integer({ min: 0, max: 2 ** 40 }) }, { weight: 1, arbitrary: fc.constantFrom(-1, 0.5, 2 ** 53) }), step: fc.integer({ min: 0, max: 600_000 }), late: fc.integer({ min: 0, max: 20 }), odd: fc.integer({ min: 0, max: 50 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('sweep' as const), back: fc.integer({ min: 0, max: 30 * HOUR }), frac: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('jump' as const), days: fc.integer({ min: 1, max: 3 }) }) },
);

describe('dedupe sweep against the code before branch exo5', () => {
  it.each([[26 * HOUR], [Number.POSITIVE_INFINITY]])('leaves the same table after every step (horizon %d ms)', (horizon) => {
    const paths = { rebased: 0, deleted: 0, rebuilt: 0 };
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 400, size: 'max' }), (ops) => {
        const table = new DedupeTable(16, horizon);
        const old = new OldDedupeTable(16, horizon);
        let now = T0;
        for (const o of ops) {
          if (o.kind === 'add') {
            now += o.step;
            const t = o.late === 0 ? now - 25 * HOUR : o.odd === 0 ? now + 0.5 : now;
            expect(table.addIfAbsent(o.key, t)).toBe(old.addIfAbsent(o.key, t));
          } else if (o.kind === 'jump') now += o.days * 24 * HOUR;
          else {
            const before = now - o.back + (o.frac ? 0.25 : 0);
            const [size, cap] = [table.size, table.capacity];
            table.sweep(before);
            old.sweep(before);
            if (table.moving) paths.rebuilt++;
            else if (table.size < size && table.capacity === cap) paths.deleted++;
            else paths.rebased++;
          }
          expect(inside(table)).toEqual(inside(old));
          expect(table.size).toBe(old.size);
          expect(table.entries()).toEqual(old.entries());
        }
        expect(table.entries()).toEqual(old.entries());
      }),
      { numRuns: 60, seed: 20261130 },
    );
    expect(paths.rebased).toBeGreaterThan(0);
    expect(paths.deleted).toBeGreaterThan(0);
    expect(paths.rebuilt).toBeGreaterThan(0);
  });
});
