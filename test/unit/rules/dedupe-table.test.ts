// The dedupe table against a plain Map (the oracle): has / add / addIfAbsent / sweep / entries / size agree at every
// step, through grows and sweeps that start while an incremental move is still under way.
import { describe, expect, it } from 'vitest';
import { capacityFor, DedupeTable, homeOf, scaleOf } from '../../../src/rules/dedupe-table.js';
import { LOAD_AFTER, MAX_LOAD } from '../../../src/rules/table-sizing.js';
import { hash53 } from '../../../src/rules/hash.js';
import { rng } from '../../helpers/traffic.js';

const sorted = (m: Map<number, number>) => [...m].sort((a, b) => a[0] - b[0]).flat();

// Both slot layouts: wide (12 bytes, any horizon) and compact (10 bytes, a horizon under ~37 h; its times past the
// span are kept as FAR, exactly).
describe.each([['wide', Number.POSITIVE_INFINITY], ['compact', 3_600_000]])('DedupeTable (%s)', (layout, horizon) => {
  it('takes the layout its horizon allows', () => {
    expect(new DedupeTable(16, horizon).compact).toBe(layout === 'compact');
    expect(new DedupeTable(16, 36 * 3_600_000).compact).toBe(true);
    expect(new DedupeTable(16, 37 * 3_600_000).compact).toBe(false);
  });

  it.each([[1, 16], [2, 37], [3, 1000]])('agrees with a Map through grows, sweeps and moves in progress (seed %i, capacity %i)', (seed, capacity) => {
    const r = rng(seed);
    const table = new DedupeTable(capacity, horizon);
    const oracle = new Map<number, number>();
    // Keys like hash53's: integers below 2^53, some colliding in the low 32 bits; a small pool so keys repeat.
    const pool = Array.from({ length: 6000 }, (_, i) => (i % 7 === 0 ? (i * 4294967296 + 12345) : Math.floor(r() * 2 ** 53)));
    let time = 0;
    let sawMove = 0;
    let sweptDuringMove = 0;
    let rebuilt = 0;
    let inPlace = 0;
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
        const was = oracle.size;
        table.sweep(before);
        for (const [k, t] of oracle) if (t < before) oracle.delete(k);
        if (oracle.size < was) {
          if (table.moving) rebuilt++;
          else inPlace++;
        }
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
    // sweeps that expired entries both ways: rebuilding an oversized table, and deleting in place
    expect(rebuilt).toBeGreaterThan(0);
    expect(inPlace).toBeGreaterThan(0);
  }, 60_000);

  it('moves a grown table a bounded number of slots per insert, not all at once', () => {
    const table = new DedupeTable(1 << 16, horizon);
    const limit = Math.floor(MAX_LOAD * (1 << 16));
    // keys as the engine's are (hash53 of ids): homes spread over the table
    const key = (i: number) => hash53(`cdr-${i}`);
    for (let i = 0; i < limit; i++) table.add(key(i), i);
    expect(table.moving).toBe(false);
    expect(table.capacity).toBe(1 << 16);
    table.add(key(-1), 1); // passes MAX_LOAD: grows, to LOAD_AFTER
    expect(table.moving).toBe(true);
    expect(table.capacity).toBe(capacityFor(limit + 1));
    // 65,536 old slots some at a step: still moving after 200 more inserts, done within a sixteenth of the inserts before the next grow.
    for (let i = 0; i < 200; i++) table.add(key(1e6 + i), 1);
    expect(table.moving).toBe(true);
    let n = 0;
    while (table.moving) table.add(key(2e6 + n++), 1);
    expect(n + 201).toBeLessThanOrEqual((Math.floor(MAX_LOAD * table.capacity) - limit - 1) / 16 + 1);
    for (let i = 0; i < limit; i++) expect(table.has(key(i))).toBe(true);
    expect(table.size).toBe(limit + 1 + 200 + n);
  }, 30_000);

  it('home slots: floor(low 32 bits x capacity / 2^32), exact up to 2^21 slots, within one past it, below the capacity, rising with the low bits', () => {
    const r = rng(7);
    const caps = [16, 17, 1000, 0x1fffff, 0x200000, 0x200001, 3_000_001, 6_990_507, 2 ** 28 + 3, 2 ** 31 - 1];
    const edge = [0, 1, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, 0xffff, 0x10000, 0xffff0000];
    for (const cap of caps) {
      const scale = scaleOf(cap);
      const keys = [...edge, ...Array.from({ length: 3000 }, () => Math.floor(r() * 2 ** 53))];
      for (const key of keys) {
        const want = Number((BigInt(key % 2 ** 32) * BigInt(cap)) >> 32n);
        const got = homeOf(key, scale);
        const ok = cap <= 0x200000 ? got === want : Math.abs(got - want) <= 1 && got >= 0 && got < cap;
        if (!ok) expect({ key, cap, got }).toEqual({ key, cap, got: want });
      }
      expect(homeOf(2 ** 32 - 1, scale)).toBe(cap - 1);
      const low = keys.map((k) => k % 2 ** 32).sort((x, y) => x - y);
      for (let i = 1; i < low.length; i++) if (homeOf(low[i]!, scale) < homeOf(low[i - 1]!, scale)) expect({ cap, x: low[i] }).toBe('rising');
    }
  });

  it('keeps its load between LOAD_AFTER and MAX_LOAD while growing, and a rebuilding sweep sizes it at LOAD_AFTER', () => {
    const table = new DedupeTable(16, horizon);
    let grows = 0;
    let cap = table.capacity;
    for (let i = 0; i < 200_000; i++) {
      table.add(i * 2654435761 + 7, 1_000_000 + i);
      if (table.size > MAX_LOAD * table.capacity) expect({ i, size: table.size }).toEqual({ i, capacity: table.capacity });
      if (table.capacity !== cap) {
        grows++;
        cap = table.capacity;
        expect(table.size / cap).toBeGreaterThan(cap > 1000 ? LOAD_AFTER - 0.001 : LOAD_AFTER - 0.05);
        expect(table.size / cap).toBeLessThanOrEqual(LOAD_AFTER);
      }
    }
    expect(grows).toBeGreaterThan(10);
    // A sweep that expires half the entries rebuilds at LOAD_AFTER; one that expires nothing keeps the table.
    table.sweep(1_000_000 + 100_000);
    expect(table.size).toBe(100_000);
    expect(table.capacity).toBe(capacityFor(100_000));
    const kept = table.capacity;
    table.sweep(1_000_000 + 100_000); // finishes the move; nothing more expires
    expect(table.moving).toBe(false);
    expect(table.capacity).toBe(kept);
    for (let i = 99_990; i < 100_010; i++) expect(table.has(i * 2654435761 + 7)).toBe(i >= 100_000);
    // A sweep that leaves it at least half full deletes in place: no move, the same capacity, times kept exactly.
    table.sweep(1_000_000 + 101_000);
    expect(table.moving).toBe(false);
    expect(table.capacity).toBe(kept);
    expect(table.size).toBe(99_000);
    const e = table.entries();
    expect(e.length).toBe(2 * 99_000);
    for (let j = 0; j < e.length; j += 2) expect((e[j]! - 7) / 2654435761 + 1_000_000).toBe(e[j + 1]);
  }, 30_000);

  it.each([4, 5, 6])('a steady horizon swept in place agrees with a Map, through clusters that wrap past the last slot (seed %i)', (seed) => {
    const r = rng(seed);
    const table = new DedupeTable(16, horizon);
    const oracle = new Map<number, number>();
    // a few keys share their low 32 bits (one home), so deletions shift entries across homes
    const key = () => (r() < 0.1 ? Math.floor(r() * 8) * 4294967296 + 4294967295 - Math.floor(r() * 3) : Math.floor(r() * 2 ** 53));
    let inPlace = 0;
    for (let now = 0; now < 40_000; now++) {
      const k = key();
      if (table.addIfAbsent(k, now) === oracle.has(k)) expect({ now, k }).toBe('added iff absent');
      if (!oracle.has(k)) oracle.set(k, now);
      if (now % 97 === 0) {
        const before = now - 300 - Math.floor(r() * 50);
        const cap = table.capacity;
        table.sweep(before);
        for (const [x, t] of oracle) if (t < before) oracle.delete(x);
        if (!table.moving && table.capacity === cap) inPlace++;
        expect(table.size).toBe(oracle.size);
        expect(table.entries()).toEqual(sorted(oracle));
      }
    }
    for (const k of oracle.keys()) expect(table.has(k)).toBe(true);
    expect(inPlace).toBeGreaterThan(150);
  }, 60_000);

  it('a sweep drops expired entries at once for has(), though they are moved out later', () => {
    const table = new DedupeTable(16, horizon);
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
    const table = new DedupeTable(16, horizon);
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
  it('follows a clock over days (a sweep each 15 min, a 25 h horizon, jumps of two days, late and fractional times): exact, and FAR only past a jump until the next sweep', () => {
    const table = new DedupeTable(16, horizon === Number.POSITIVE_INFINITY ? horizon : 26 * 3_600_000);
    const oracle = new Map<number, number>();
    const r = rng(11);
    const far = () => (table as unknown as { far: Map<number, number> }).far.size;
    let now = Date.parse('2026-11-24T00:00:00Z');
    let nextSweep = now + 900_000;
    let maxFar = 0;
    let rebuilt = 0;
    for (let step = 0; step < 60_000; step++) {
      now += r() < 0.0005 ? 2 * 86_400_000 : Math.floor(r() * 20_000);
      // mostly on time, some late within the horizon, a few fractional
      const t = r() < 0.1 ? now - Math.floor(r() * 25 * 3_600_000) : r() < 0.01 ? now + 0.5 : now;
      const k = Math.floor(r() * 2 ** 53);
      if (table.addIfAbsent(k, t) === oracle.has(k)) expect({ step, k }).toBe('added iff absent');
      if (!oracle.has(k)) oracle.set(k, t);
      if (now >= nextSweep) {
        const before = now - 25 * 3_600_000;
        table.sweep(before);
        for (const [x, u] of oracle) if (u < before) oracle.delete(x);
        nextSweep = now + 900_000;
        // right after a sweep only the fractional times are FAR (compact and wide alike; a rebuilding sweep packs
        // them as its move reaches them)
        let fractional = 0;
        for (const u of oracle.values()) if (!Number.isInteger(u)) fractional++;
        if (!table.moving) expect(far()).toBe(fractional);
        else rebuilt++;
      }
      maxFar = Math.max(maxFar, far());
      if (step % 4999 === 0) {
        expect(table.size).toBe(oracle.size);
        expect(table.entries()).toEqual(sorted(oracle));
        for (const [x, u] of oracle) expect(table.timeOf(x)).toBe(u);
      }
    }
    expect(table.entries()).toEqual(sorted(oracle));
    expect(maxFar).toBeLessThan(200);
    expect(rebuilt).toBeLessThan(100);
  }, 60_000);

  it('keeps keys that are not integers below 2^53 exactly (never hash53\'s), through sweeps', () => {
    const table = new DedupeTable(16, horizon);
    const keys = [-1, 0.5, 2 ** 53, 2 ** 60, -(2 ** 40), 0, 2 ** 53 - 1, 4294967296, 4294967295];
    keys.forEach((k, i) => expect(table.addIfAbsent(k, 1000 + i)).toBe(true));
    keys.forEach((k) => expect(table.addIfAbsent(k, 5)).toBe(false));
    expect(table.size).toBe(keys.length);
    keys.forEach((k, i) => expect(table.timeOf(k)).toBe(1000 + i));
    table.sweep(1004);
    keys.forEach((k, i) => expect(table.has(k)).toBe(i >= 4));
    expect(table.entries()).toEqual(sorted(new Map(keys.map((k, i) => [k, 1000 + i] as [number, number]).filter(([, t]) => t >= 1004))));
  });
});

// A sweep moves `base` up only when the room above it runs short, and passes over the slots only when an entry may
// have expired (2 December 2026: before, two passes at every sweep).
describe('DedupeTable sweeps on a steady clock', () => {
  it('keeps every time packed (none FAR), moves its base up only every few hours while nothing expires, and drops what expires', () => {
    const horizon = 24 * 3_600_000 + 30 * 60_000;
    const table = new DedupeTable(16, horizon);
    const inner = table as unknown as { base: number; far: Map<number, number>; rebaseAfter: number };
    const oracle = new Map<number, number>();
    const r = rng(5);
    let now = Date.parse('2026-11-24T00:00:00Z');
    const bases = new Set<number>();
    let sweeps = 0;
    for (let step = 0; step < 3 * 96; step++) {
      for (let i = 0; i < 40; i++) {
        const t = now + Math.floor(r() * 900_000);
        const k = Math.floor(r() * 2 ** 53);
        expect(table.addIfAbsent(k, t)).toBe(!oracle.has(k));
        if (!oracle.has(k)) oracle.set(k, t);
      }
      now += 900_000;
      const before = now - 24 * 3_600_000;
      table.sweep(before);
      sweeps++;
      for (const [k, t] of oracle) if (t < before) oracle.delete(k);
      // the first day nothing expires (a sweep then makes no pass); after it each sweep deletes in place, moving the
      // base in the same pass
      if (step < 96) bases.add(inner.base);
      expect(inner.far.size).toBe(0);
      expect(table.size).toBe(oracle.size);
    }
    expect(table.entries()).toEqual(sorted(oracle));
    // a day of sweeps every 15 min: the base moved about once every rebaseAfter (~3.2 h), not at every sweep
    expect(sweeps).toBe(3 * 96);
    expect(inner.rebaseAfter).toBeGreaterThan(3 * 3_600_000);
    expect(bases.size).toBeGreaterThan(3);
    expect(bases.size).toBeLessThan(96 / 8);
  });
});
