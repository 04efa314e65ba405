// The evidence ring as EngineState.remember keeps it (ids in ring-ids.ts, times in ring-times.ts) must hold exactly
// what the code before branch `exo5` held (test/helpers/before-exo5 and RingTimes(4): a list grown a row at a time, `remember`
// dropping ids that hold RING_SEP itself): the ring's text, its (time, mask) pairs and its next entry, through rings
// filling and wrapping, ids of every length and kind of code unit, rings restored from stored parts (old ones of
// RING entries with '' unused, and ones whose ids and pairs disagree in count), frees, compactions and the times'
// switches to wide pairs. Fixed seeds.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EngineState, RING, RING_SEP } from '../../../src/rules/engine-state.js';
import { RowArena } from '../../../src/rules/row-arena.js';
import { compactRings, freeRing, restoreRing, ringSide } from '../../helpers/ring-sides.js';
import { RingTimes } from '../../helpers/before-keep6/ring-times.js';
import { RingIds as OldRingIds } from '../../helpers/before-exo5/ring-ids.js';

const T0 = Date.parse('2026-11-24T09:00:00Z');
const ACCOUNTS = 6;

/** The rings as the code before kept them, with its `remember`. */
class Before {
  ids = new OldRingIds();
  tm = new RingTimes(4); // main's before exo5: first regions of 4 rows
  next = new Uint8Array(ACCOUNTS);

  constructor() {
    this.ids.grow(ACCOUNTS);
    this.tm.grow(ACCOUNTS);
  }

  remember(ix: number, id: string, t: number, mask: number): void {
    const j = this.next[ix]!;
    const text = id.includes(RING_SEP) ? '' : id;
    if (j >= this.tm.length(ix)) {
      this.ids.append(ix, text);
      this.tm.set(ix, this.tm.length(ix), t, mask);
    } else {
      this.ids.replace(ix, j, text);
      this.tm.set(ix, j, t, mask);
    }
    this.next[ix] = (j + 1) % RING;
  }
}

const UNITS = [0x41, 0x7a, 0x30, 0x2d, 0x7f, 0x80, 0xe9, 0x7ff, 0x800, 0x4e2d, 0xd83d, 0xde00, 0xfffd, 0xffff, 0x01, 0x1f];

const id = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 99_999 }).map((n) => `cdr-${n}`) },
  { weight: 2, arbitrary: fc.array(fc.constantFrom(...UNITS), { maxLength: 12 }).map((u) => String.fromCharCode(...u)) },
  { weight: 1, arbitrary: fc.string({ minLength: 30, maxLength: 120 }) },
  { weight: 1, arbitrary: fc.constant('') },
);

const op = fc.oneof(
  { weight: 12, arbitrary: fc.record({ kind: fc.constant('remember' as const), acct: fc.integer({ min: 0, max: ACCOUNTS - 1 }), id, step: fc.integer({ min: 0, max: 20 * 60_000 }), mask: fc.integer({ min: 1, max: 2 ** 30 - 1 }), odd: fc.integer({ min: 0, max: 40 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('restore' as const), acct: fc.integer({ min: 0, max: ACCOUNTS - 1 }), ids: fc.option(fc.array(id, { maxLength: RING + 2 })), pairs: fc.integer({ min: 0, max: RING + 2 }), legacy: fc.boolean(), next: fc.integer({ min: 0, max: RING - 1 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('free' as const), acct: fc.integer({ min: 0, max: ACCOUNTS - 1 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('compact' as const) }) },
);

describe('evidence ring bookkeeping against the code before branch exo5', () => {
  it('holds the same text, pairs and next entry through remembers, restores, frees and compactions', () => {
    const saved = RowArena.minWaste;
    RowArena.minWaste = Number.NEGATIVE_INFINITY; // compact whenever holey, to move rings often
    let wrapped = 0;
    let wide = 0;
    try {
      fc.assert(
        fc.property(fc.array(op, { minLength: 1, maxLength: 200 }), (ops) => {
          const st = new EngineState([], 5 * 60_000);
          for (let a = 0; a < ACCOUNTS; a++) expect(st.accounts.add(`a${a}`)).toBe(a);
          const old = new Before();
          let clock = T0;
          for (const o of ops) {
            if (o.kind === 'remember') {
              clock += o.step;
              // now and then a time that does not pack (a fraction of a millisecond): the times go wide
              const t = o.odd === 0 ? clock + 0.5 : clock;
              st.remember(o.acct, o.id, t, o.mask);
              old.remember(o.acct, o.id, t, o.mask);
              if (st.ringNext[o.acct] === 0) wrapped++;
            } else if (o.kind === 'restore') {
              // a stored part's ring: ids by entry (old parts: RING of them, '' unused), pairs, next entry; the
              // counts need not agree
              const ids = o.ids === null ? null : o.legacy ? [...o.ids, ...new Array<string>(RING).fill('')].slice(0, RING) : o.ids;
              const pairs = o.pairs === 0 ? null : Array.from({ length: 2 * o.pairs }, (_, i) => (i % 2 === 0 ? (o.legacy && i > 4 ? 0 : clock - i * 1000) : 1 << (i % 29)));
              restoreRing([ringSide(st), old], o.acct, ids, pairs, o.next);            } else if (o.kind === 'free') {
              freeRing([ringSide(st), old], o.acct);            } else {
              compactRings([ringSide(st), old]);
            }
            if (st.ringTm.widePairs) wide++;
            for (let a = 0; a < ACCOUNTS; a++) {
              expect(st.ringIds.text(a)).toBe(old.ids.text(a));
              expect(st.ringIds.list(a)).toEqual(old.ids.list(a));
              const got = st.ringTm.toArray(a);
              const want = old.tm.toArray(a);
              expect(got === null ? null : got.length).toBe(want === null ? null : want.length);
              want?.forEach((x, i) => expect(Object.is(got![i], x)).toBe(true));
              expect(st.ringTm.length(a)).toBe(old.tm.length(a));
              expect(st.ringNext[a]).toBe(old.next[a]);
            }
          }
        }),
        { numRuns: 150, seed: 20261130 },
      );
    } finally {
      RowArena.minWaste = saved;
    }
    expect(wrapped).toBeGreaterThan(0);
    expect(wide).toBeGreaterThan(0);
  });

  it('moves a filling ring of ordinary ids once, and takes the rows the code before took once full', () => {
    const st = new EngineState([], 5 * 60_000);
    const old = new Before();
    for (let a = 0; a < ACCOUNTS; a++) st.accounts.add(`a${a}`);
    for (let k = 0; k < 3 * RING; k++) {
      for (let a = 0; a < ACCOUNTS; a++) {
        st.remember(a, `b1-${10_000 + a}-${k % 10}`, T0 + k * 60_000, 1);
        old.remember(a, `b1-${10_000 + a}-${k % 10}`, T0 + k * 60_000, 1);
      }
    }
    for (let a = 0; a < ACCOUNTS; a++) {
      expect(st.ringIds.text(a)).toBe(old.ids.text(a));
      expect(st.ringIds.bytes(a)).toBe(old.ids.bytes(a));
      expect(st.ringTm.bytes(a)).toBe(old.tm.bytes(a));
    }
  });
});
