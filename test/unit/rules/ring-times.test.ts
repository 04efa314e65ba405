// The evidence ring's (time, mask) pairs (ring-times.ts) give back exactly what was written, as a plain list per
// account does, through the store's switches between narrow (packed int32s) and wide (doubles), moves of its base
// at the sweep, time 0 (unused entries of old parts), repacks and released accounts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RingTimes } from '../../../src/rules/ring-times.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-11-24T09:00:00Z');

const op = fc.record({
  acct: fc.integer({ min: 0, max: 4 }),
  kind: fc.constantFrom('write', 'write', 'write', 'write', 'zero', 'odd', 'jump', 'sweep', 'sweep', 'free', 'free'),
  slot: fc.integer({ min: 0, max: 3 }),
  step: fc.integer({ min: 0, max: 30 * 60_000 }),
  mask: fc.oneof(fc.integer({ min: 0, max: 2 ** 30 - 1 }), fc.constantFrom(2 ** 31, 0.5)),
});

describe('evidence ring times', () => {
  it('read back as written, narrow or wide, across base moves and sweeps', () => {
    let wide = 0;
    let narrowAgain = 0;
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 300 }), (ops) => {
        const ring = new RingTimes();
        ring.grow(5);
        const model = new Map<number, number[]>();
        let clock = T0;
        for (const o of ops) {
          clock += o.step;
          if (o.kind === 'jump') clock += 6 * DAY;
          else if (o.kind === 'sweep') {
            const was = ring.widePairs;
            ring.compact();
            if (was && !ring.widePairs) narrowAgain++;
          } else if (o.kind === 'free') {
            ring.free(o.acct);
            model.delete(o.acct);
          } else {
            const pairs = model.get(o.acct) ?? [];
            const j = Math.min(o.slot, pairs.length / 2);
            const t = o.kind === 'zero' ? 0 : o.kind === 'odd' ? clock + 0.25 : clock;
            const mask = o.kind === 'write' ? o.mask & 0x3fffffff : o.mask;
            ring.set(o.acct, j, t, mask);
            pairs[2 * j] = t;
            pairs[2 * j + 1] = mask;
            model.set(o.acct, pairs);
          }
          if (ring.widePairs) wide++;
          for (let a = 0; a < 5; a++) {
            const want = model.get(a) ?? null;
            const got = ring.toArray(a);
            expect(got === null ? null : got.length).toBe(want === null ? null : want.length);
            want?.forEach((x, i) => expect(Object.is(got![i], x), `account ${a} entry ${i}: ${got![i]} != ${x}`).toBe(true));
          }
        }
        // a loaded copy reads the same
        const again = new RingTimes();
        again.grow(5);
        for (const [a, pairs] of model) again.load(a, pairs);
        for (const [a, pairs] of model) expect(again.toArray(a)).toEqual(pairs);
      }),
      // A fixed seed, as in live-calls-oracle.test.ts: the counts below must not depend on the draw.
      { numRuns: 120, seed: 20261130 },
    );
    expect(wide).toBeGreaterThan(0);
    expect(narrowAgain).toBeGreaterThan(0);
  });

  it('stays narrow over weeks of ordinary times when swept, its base moving up', () => {
    const ring = new RingTimes();
    ring.grow(1);
    for (let d = 0; d < 60; d++) {
      for (let h = 0; h < 24; h++) ring.set(0, h % 8 === ring.length(0) ? ring.length(0) : h % 8, T0 + d * DAY + h * 3_600_000, 1 << (h % 20));
      ring.compact();
      expect(ring.widePairs).toBe(false);
    }
    expect(ring.time(0, 7)).toBe(T0 + 59 * DAY + 23 * 3_600_000);
    expect(ring.mask(0, 7)).toBe(1 << 3);
  });
});
