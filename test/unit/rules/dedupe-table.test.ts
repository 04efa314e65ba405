// The dedupe table against a plain Map (the oracle): has / add / addIfAbsent / sweep / entries / size agree at every
// step, through grows and sweeps that start while an incremental move is still under way.
import { describe, expect, it } from 'vitest';
import { DedupeTable } from '../../../src/rules/dedupe-table.js';
import { rng } from '../../helpers/traffic.js';

const sorted = (m: Map<number, number>) => [...m].sort((a, b) => a[0] - b[0]).flat();

describe('DedupeTable', () => {
  it.each([1, 2, 3])('agrees with a Map through grows, sweeps and moves in progress (seed %i)', (seed) => {
    const r = rng(seed);
    const table = new DedupeTable(16);
    const oracle = new Map<number, number>();
    // Keys like hash53's: integers below 2^53, some colliding in the low 32 bits; a small pool so keys repeat.
    const pool = Array.from({ length: 6000 }, (_, i) => (i % 7 === 0 ? (i * 4294967296 + 12345) : Math.floor(r() * 2 ** 53)));
    let time = 0;
    let sawMove = 0;
    let sweptDuringMove = 0;
    for (let step = 0; step < 30_000; step++) {
      time += 1;
      const key = pool[Math.floor(r() * pool.length)]!;
      const op = r();
      if (op < 0.6) {
        const added = table.addIfAbsent(key, time);
        if (added === oracle.has(key)) expect({ step, added }).toEqual({ step, added: !oracle.has(key) });
        if (added) oracle.set(key, time);
      } else if (op < 0.8) {
        if (!table.has(key)) {
          if (oracle.has(key)) expect({ step, has: false }).toEqual({ step, has: true });
          table.add(key, time);
          oracle.set(key, time);
        } else if (!oracle.has(key)) expect({ step, has: true }).toEqual({ step, has: false });
      } else if (op < 0.998) {
        if (table.has(key) !== oracle.has(key)) expect({ step, has: table.has(key) }).toEqual({ step, has: oracle.has(key) });
      } else {
        if (table.moving) sweptDuringMove++;
        const before = time - Math.floor(r() * 3000);
        table.sweep(before);
        for (const [k, t] of oracle) if (t < before) oracle.delete(k);
      }
      if (table.moving) sawMove++;
      if (table.size !== oracle.size) expect({ step, size: table.size }).toEqual({ step, size: oracle.size });
      if (step % 997 === 0) expect(table.entries()).toEqual(sorted(oracle));
    }
    expect(table.entries()).toEqual(sorted(oracle));
    for (const k of pool) expect(table.has(k)).toBe(oracle.has(k));
    // The interesting states were reached: inserts while a move was under way, and a sweep starting during one.
    expect(sawMove).toBeGreaterThan(1000);
    expect(sweptDuringMove).toBeGreaterThan(0);
  }, 60_000);

  it('moves a grown table a bounded number of slots per insert, not all at once', () => {
    const table = new DedupeTable(1 << 16);
    for (let i = 0; i < 1 << 15; i++) table.add(i * 7919 + 1, i);
    expect(table.moving).toBe(false);
    table.add(1e15, 1); // passes half full: grows
    expect(table.moving).toBe(true);
    // 65,536 old slots at 16 a step: still moving after 1,000 more inserts, done within the 16,384 before the next grow.
    for (let i = 0; i < 1000; i++) table.add(2e15 + i, 1);
    expect(table.moving).toBe(true);
    let n = 0;
    while (table.moving) table.add(3e15 + n++, 1);
    expect(n).toBeLessThan(16_384);
    for (let i = 0; i < 1 << 15; i++) expect(table.has(i * 7919 + 1)).toBe(true);
    expect(table.size).toBe((1 << 15) + 1 + 1000 + n);
  }, 30_000);

  it('a sweep drops expired entries at once for has(), though they are moved out later', () => {
    const table = new DedupeTable(16);
    for (let i = 0; i < 5000; i++) table.add(i + 1, i);
    table.sweep(4000);
    expect(table.moving).toBe(true);
    expect(table.size).toBe(1000);
    expect(table.has(3999 + 1)).toBe(false);
    expect(table.has(4000 + 1)).toBe(true);
    // An expired key can be added again, with its new time, and is not overwritten when the move reaches it.
    expect(table.addIfAbsent(10, 9000)).toBe(true);
    while (table.moving) table.add(1e12 + table.size, 9000);
    expect(table.entries().slice(0, 2)).toEqual([10, 9000]);
  });

  it('keeps exact times that do not fit 32 bits after its base (far before or after, fractional), through grows and sweeps', () => {
    const table = new DedupeTable(16);
    const t0 = Date.parse('2026-11-24T10:00:00Z');
    const odd: [number, number][] = [[1, t0 - 40 * 86_400_000], [2, t0 + 400 * 86_400_000], [3, t0 + 0.5], [4, Number.MAX_SAFE_INTEGER], [5, -1e15]];
    table.add(100, t0);
    for (const [k, t] of odd) table.add(k, t);
    for (let i = 0; i < 200; i++) table.add(1000 + i, t0 + i * 60_000);
    const want = new Map<number, number>([[100, t0], ...odd, ...Array.from({ length: 200 }, (_, i) => [1000 + i, t0 + i * 60_000] as [number, number])]);
    const sorted2 = (m: Map<number, number>) => [...m].sort((a, b) => a[0] - b[0]).flat();
    expect(table.entries()).toEqual(sorted2(want));
    // a sweep rebases the table at its threshold: the times before it go, the far ones after it stay exact
    table.sweep(t0 + 0.25);
    for (const [k, t] of [...want]) if (t < t0 + 0.25) want.delete(k);
    while (table.moving) table.add(5000 + table.size, t0 + 3_600_000), want.set(5000 + want.size, t0 + 3_600_000);
    expect(table.entries()).toEqual(sorted2(want));
    for (const k of [1, 5, 100]) expect(table.has(k)).toBe(false);
    for (const k of [2, 3, 4, 1199]) expect(table.has(k)).toBe(true);
  });
});
