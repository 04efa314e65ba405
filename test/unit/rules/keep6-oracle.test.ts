// Branch `keep6` (the per-CDR bookkeeping: ring ids written over in place in one pass, ring times rewritten by one
// check, dedupe slots split by integer ops, grows that copy slots as they are, sweeps that skip the low bits of sure
// live slots) must leave every store exactly as the code before it did (test/helpers/before-keep6): the ring's text,
// ids, pairs, next entry and bytes per account, through rings filling and wrapping with ids mostly of one shape (the
// fast paths) and of every other kind (the slow ones), restores, frees and compactions; and the dedupe table's
// slots, keys, exact times and sizes after every add and sweep (its base and time bits since 2 December 2026 may
// differ: a sweep moves the base only when the room above it runs short), through grows, in-place deletions and rebuilds,
// times past a jump, fractional and late. Fixed seeds.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DedupeTable } from '../../../src/rules/dedupe-table.js';
import { EngineState, RING } from '../../../src/rules/engine-state.js';
import { RowArena } from '../../../src/rules/row-arena.js';
import { compactRings, freeRing, restoreRing, ringSide } from '../../helpers/ring-sides.js';
import { DedupeTable as OldDedupeTable } from '../../helpers/before-keep6/dedupe-table.js';
import { RingIds as OldRingIds } from '../../helpers/before-keep6/ring-ids.js';
import { RingTimes as OldRingTimes } from '../../helpers/before-keep6/ring-times.js';

const T0 = Date.parse('2026-11-24T09:00:00Z');
const HOUR = 3_600_000;
const ACCOUNTS = 5;

/** EngineState.remember as it was before `keep6`, on the frozen stores. */
class Before {
  ids = new OldRingIds();
  tm = new OldRingTimes();
  next = new Uint8Array(ACCOUNTS);

  constructor() {
    this.ids.grow(ACCOUNTS);
    this.tm.grow(ACCOUNTS);
  }

  remember(ix: number, id: string, t: number, mask: number): void {
    const j = this.next[ix]!;
    const n = this.tm.length(ix);
    if (j >= n) {
      this.ids.append(ix, id, RING - 1 - n);
      this.tm.set(ix, n, t, mask);
    } else {
      this.ids.replace(ix, j, id);
      this.tm.set(ix, j, t, mask);
    }
    this.next[ix] = (j + 1) % RING;
  }
}

const UNITS = [0x41, 0x30, 0x2d, 0x7f, 0x80, 0xe9, 0x7ff, 0x800, 0xd83d, 0xffff, 0x01, 0x1f];

const id = fc.oneof(
  // one shape: the in-place paths
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 9 }).chain((k) => fc.integer({ min: 10_000, max: 99_999 }).map((a) => `b2-${a}-${k}`)) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 99_999 }).map((n) => `cdr-${n}`) },
  // one unit that is not plain ASCII somewhere in an id of the same shape: the fast paths must give up cleanly
  { weight: 2, arbitrary: fc.tuple(fc.integer({ min: 0, max: 8 }), fc.constantFrom(...UNITS)).map(([at, u]) => { const s = `b2-12345-${at % 10}`; return s.slice(0, at) + String.fromCharCode(u) + s.slice(at + 1); }) },
  { weight: 1, arbitrary: fc.array(fc.constantFrom(...UNITS), { maxLength: 12 }).map((u) => String.fromCharCode(...u)) },
  { weight: 1, arbitrary: fc.string({ minLength: 20, maxLength: 90 }) },
  { weight: 1, arbitrary: fc.constant('') },
);

const ringOp = fc.oneof(
  { weight: 16, arbitrary: fc.record({ kind: fc.constant('remember' as const), acct: fc.integer({ min: 0, max: ACCOUNTS - 1 }), id, step: fc.integer({ min: 0, max: 20 * 60_000 }), mask: fc.oneof(fc.integer({ min: 1, max: 2 ** 30 - 1 }), fc.constantFrom(-0, 0, 2 ** 31, 0.5)), odd: fc.integer({ min: 0, max: 60 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('restore' as const), acct: fc.integer({ min: 0, max: ACCOUNTS - 1 }), ids: fc.option(fc.array(id, { maxLength: RING + 2 })), pairs: fc.integer({ min: 0, max: RING + 2 }), zero: fc.boolean(), next: fc.integer({ min: 0, max: RING - 1 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('free' as const), acct: fc.integer({ min: 0, max: ACCOUNTS - 1 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('compact' as const) }) },
);

describe('per-CDR bookkeeping against the code before branch keep6', () => {
  it('keeps the same rings (text, ids, pairs, next entry, bytes)', () => {
    const saved = RowArena.minWaste;
    RowArena.minWaste = Number.NEGATIVE_INFINITY;
    try {
      fc.assert(
        // a clock starting near 0 too: time 0 then packs within the offsets of the base, and must keep its own offset
        fc.property(fc.array(ringOp, { minLength: 1, maxLength: 250 }), fc.constantFrom(T0, 1_000), (ops, start) => {
          const st = new EngineState([], 5 * 60_000);
          for (let a = 0; a < ACCOUNTS; a++) st.accounts.add(`a${a}`);
          const old = new Before();
          let clock = start;
          for (const o of ops) {
            if (o.kind === 'remember') {
              clock += o.step;
              const t = o.odd === 0 ? clock + 0.5 : o.odd === 1 ? 0 : clock;
              st.remember(o.acct, o.id, t, o.mask);
              old.remember(o.acct, o.id, t, o.mask);
            } else if (o.kind === 'restore') {
              const ids = o.ids === null ? null : o.ids;
              const pairs = o.pairs === 0 ? null : Array.from({ length: 2 * o.pairs }, (_, i) => (i % 2 === 0 ? (o.zero && i > 4 ? 0 : clock - i * 1000) : 1 << (i % 29)));
              restoreRing([ringSide(st), old], o.acct, ids, pairs, o.next);            } else if (o.kind === 'free') {
              freeRing([ringSide(st), old], o.acct);            } else {
              compactRings([ringSide(st), old]);
            }
            expect(st.ringTm.widePairs).toBe(old.tm.widePairs);
            for (let a = 0; a < ACCOUNTS; a++) {
              expect(st.ringIds.text(a)).toBe(old.ids.text(a));
              expect(st.ringIds.list(a)).toEqual(old.ids.list(a));
              // (the ids' bytes are not compared since branch ring9: fixed-width cells, ring9-oracle.test.ts)
              expect(st.ringTm.bytes(a)).toBe(old.tm.bytes(a));
              const got = st.ringTm.toArray(a);
              const want = old.tm.toArray(a);
              expect(got === null ? null : got.length).toBe(want === null ? null : want.length);
              want?.forEach((x, i) => expect(Object.is(got![i], x)).toBe(true));
              expect(st.ringNext[a]).toBe(old.next[a]);
            }
          }
        }),
        { numRuns: 200, seed: 20261201 },
      );
    } finally {
      RowArena.minWaste = saved;
    }
  });

  /**
   * The table's private state that does not depend on its base, as both versions name it: which slot holds which key
   * in both tables, the sizes, the move's progress, threshold and step, the odd keys. Since 2 December 2026 a sweep
   * moves `base` up only when the room above it runs short, so the bases, the time bits and the FAR marks may differ
   * from the code before; every entry's exact time is compared through entries().
   */
  function inside(t: unknown): unknown {
    type Tops = Uint16Array | Uint32Array;
    const x = t as Record<string, unknown> & { k0: Uint32Array; k1: Uint32Array; tt: Tops; old: Uint32Array | null; oldK1: Uint32Array; oldTt: Tops; EMPTY: number };
    const keys = (k0: Uint32Array | null, k1: Uint32Array, tt: Tops) => [k0, [...k1].map((v) => v >>> 11), [...tt].map((v) => v === x.EMPTY)];
    return [keys(x.k0, x.k1, x.tt), x.cap, x.n, keys(x.old, x.oldK1, x.oldTt), x.moveAt, x.oldBefore, x.step, [...(x.odd as Map<number, number>)]];
  }

  const ddOp = fc.oneof(
    { weight: 30, arbitrary: fc.record({ kind: fc.constant('add' as const), key: fc.oneof({ weight: 30, arbitrary: fc.integer({ min: 0, max: 2 ** 40 }) }, { weight: 1, arbitrary: fc.constantFrom(-1, 0.5, 2 ** 53, 2 ** 53 - 1) }), step: fc.integer({ min: 0, max: 300_000 }), late: fc.integer({ min: 0, max: 20 }), odd: fc.integer({ min: 0, max: 50 }) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('sweep' as const), back: fc.integer({ min: 0, max: 30 * HOUR }), frac: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('jump' as const), days: fc.integer({ min: 1, max: 3 }) }) },
  );

  it.each([[2 * HOUR], [26 * HOUR], [Number.POSITIVE_INFINITY]])('leaves the same dedupe table after every add and sweep (horizon %d ms)', (horizon) => {
    let moved = 0;
    fc.assert(
      fc.property(fc.array(ddOp, { minLength: 1, maxLength: 500, size: 'max' }), fc.constantFrom(T0, 2 ** 52 + 2 ** 40, 2 ** 60), (ops, start) => {
        const table = new DedupeTable(16, horizon);
        const old = new OldDedupeTable(16, horizon);
        const exact = start < 2 ** 53;
        let now = start;
        for (const o of ops) {
          if (o.kind === 'add') {
            now += o.step;
            const t = o.late === 0 ? now - 25 * HOUR : o.odd === 0 ? now + 0.5 : now;
            expect(table.addIfAbsent(o.key, t)).toBe(old.addIfAbsent(o.key, t));
            if (table.moving) moved++;
          } else if (o.kind === 'jump') now += o.days * 24 * HOUR;
          else {
            const before = now - o.back + (o.frac ? 0.25 : 0);
            table.sweep(before);
            old.sweep(before);
          }
          expect(inside(table)).toEqual(inside(old));
          expect(table.size).toBe(old.size);
          // Past 2^53 ms (no Date gets there; the decoder's times stay under 8.64e15) base + offset is not exact in
          // doubles in either version, and the two bases differ: there only the slots are compared.
          if (exact) expect(table.entries()).toEqual(old.entries());
        }
        if (exact) expect(table.entries()).toEqual(old.entries());
      }),
      { numRuns: 60, seed: 20261201 },
    );
    expect(moved).toBeGreaterThan(0);
  });

  it('moves a rebuilt table the long way when its base is the old one but the sweep drops entries', () => {
    // a sweep at a threshold a fraction after the base: the rebuilt table keeps that base, and the entries at the
    // base itself are dropped as the move reaches them (a copy of the slots as they are would keep them)
    const X = T0;
    const table = new DedupeTable(16, Number.POSITIVE_INFINITY);
    const old = new OldDedupeTable(16, Number.POSITIVE_INFINITY);
    for (const t of [table, old]) {
      for (let k = 0; k < 18; k++) t.addIfAbsent(1000 + k, X);
      t.sweep(X);
      for (let k = 0; k < 40; k++) t.addIfAbsent(5000 + k, X + 1000);
      t.sweep(X + 0.25);
    }
    expect(table.moving).toBe(true);
    for (let k = 0; k < 40; k++) {
      expect(table.addIfAbsent(9000 + k, X + 2000)).toBe(old.addIfAbsent(9000 + k, X + 2000));
      expect(inside(table)).toEqual(inside(old));
    }
    expect(table.entries()).toEqual(old.entries());
    expect(table.has(1000)).toBe(false);
  });
});
