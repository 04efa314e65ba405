// The in-place compaction of a row arena (RowArena.slide, through RowLists): lists of many accounts, changed at random
// (rows pushed, cut, truncated, lists freed and loaded, a few large enough for a chunk of their own) and compacted at
// random (the whole arena, or one chunk per sweep round the arena), read back as a plain model of the same lists; after
// each compaction no two regions overlap, every region lies inside its chunk, no chunk was allocated, and after a whole
// one the holes left are only chunk ends too short for a region.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { RowArena } from '../../../src/rules/row-arena.js';
import { RowLists } from '../../../src/rules/row-lists.js';

const ACCOUNTS = 40;
const BIG = 140_000; // doubles: past a chunk's eighth, so the list's region is a large one (a chunk of its own)

type Op =
  | { kind: 'push'; acct: number; count: number }
  | { kind: 'cut'; acct: number; at: number; count: number }
  | { kind: 'truncate'; acct: number; keep: number }
  | { kind: 'free'; acct: number }
  | { kind: 'load'; acct: number; rows: number }
  | { kind: 'compact' };

const acct = fc.integer({ min: 0, max: ACCOUNTS - 1 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('push' as const), acct, count: fc.integer({ min: 1, max: 40 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('cut' as const), acct, at: fc.nat(60), count: fc.integer({ min: 1, max: 30 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('truncate' as const), acct, keep: fc.nat(20) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('free' as const), acct }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('load' as const), acct, rows: fc.oneof(fc.nat(50), fc.constant(-1)) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('compact' as const) }) },
);

/** Every region of `lists` as [start, end) in chunk-local doubles, by chunk; fails on a region outside its chunk. */
function regions(lists: RowLists, stride: number): Map<Float64Array, [number, number][]> {
  const byChunk = new Map<Float64Array, [number, number][]>();
  for (let ix = 0; ix < ACCOUNTS; ix++) {
    const at = lists.at(ix);
    if (at < 0) continue;
    const size = (lists.bytes(ix) - 8) / 8;
    expect(size % stride).toBe(0);
    const B = lists.base(at);
    const chunk = lists.chunk(at);
    expect(B + size).toBeLessThanOrEqual(chunk.length);
    const list = byChunk.get(chunk) ?? [];
    list.push([B, B + size]);
    byChunk.set(chunk, list);
  }
  return byChunk;
}

describe('arenas compacted in place', () => {
  const minWaste = RowArena.minWaste;
  const run = RowArena.run;
  afterAll(() => {
    RowArena.minWaste = minWaste;
    RowArena.run = run;
  });

  it.each([
    ['stride 1, compacted when holey', 1, -16, run],
    ['stride 3, compacted when holey', 3, -16, run],
    ['stride 2, compacted at every growth and sweep', 2, Number.NEGATIVE_INFINITY, run],
    ['stride 1, a sweep compacting one chunk at a time, round the arena', 1, -16, 1],
  ])('keep every list as a plain model of it (%s)', (_name, stride, waste, chunksRun) => {
    RowArena.minWaste = waste;
    RowArena.run = chunksRun;
    const whole = chunksRun === run;
    let slides = 0;
    let bigs = 0;
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 300 }), fc.nat(3), (ops, big) => {
        const withBig = big === 0;
        const lists = new RowLists(stride, 1 + (ops.length % 4));
        lists.grow(ACCOUNTS);
        const model = new Map<number, number[]>();
        let next = 1;
        const rowsOf = (ix: number) => model.get(ix) ?? [];
        const check = (ix: number) => {
          if (withBig && ix === ACCOUNTS - 1) {
            // the large list, cheaply: its length, and its rows at a few places
            const at = lists.at(ix);
            expect(lists.length(ix)).toBe(BIG);
            for (const i of [0, 1, 777, BIG * stride - 1]) expect(lists.chunk(at)[lists.base(at) + i]).toBe(i);
          } else expect(lists.toArray(ix) ?? []).toEqual(rowsOf(ix));
        };
        if (withBig) {
          // a region of its own chunk, never slid, kept through everything else
          lists.load(ACCOUNTS - 1, Array.from({ length: BIG * stride }, (_, i) => i));
          bigs++;
        }
        for (const o of ops) {
          if (o.kind === 'compact') {
            const made = RowArena.chunksMade;
            const was = lists.arena.slides;
            lists.compact();
            expect(RowArena.chunksMade).toBe(made);
            if (lists.arena.slides === was) continue;
            slides++;
            // what is left between regions: only ends of chunks too short for the next region
            const a = lists.arena;
            let largest = 0;
            for (let ix = 0; ix < ACCOUNTS; ix++) if (!(withBig && ix === ACCOUNTS - 1)) largest = Math.max(largest, (lists.bytes(ix) - 8) / 8);
            const chunks = a.chunks.filter((c) => c !== null).length;
            if (whole) expect(a.capacity - a.ahead() - a.used).toBeLessThanOrEqual(chunks * largest);
            for (let ix = 0; ix < ACCOUNTS; ix++) check(ix);
            for (const list of regions(lists, stride).values()) {
              list.sort((x, y) => x[0] - y[0]);
              for (let i = 1; i < list.length; i++) expect(list[i]![0]).toBeGreaterThanOrEqual(list[i - 1]![1]);
            }
            continue;
          }
          if (withBig && o.acct === ACCOUNTS - 1) continue;
          const rows = rowsOf(o.acct);
          if (o.kind === 'push') {
            for (let k = 0; k < o.count; k++) {
              const row = Array.from({ length: stride }, () => next++);
              const p = lists.insert(o.acct, lists.length(o.acct));
              const at = lists.at(o.acct);
              for (let j = 0; j < stride; j++) lists.chunk(at)[p + j] = row[j]!;
              rows.push(...row);
            }
            model.set(o.acct, rows);
          } else if (o.kind === 'cut') {
            const n = rows.length / stride;
            if (n === 0) continue;
            const i = o.at % n;
            const count = Math.min(o.count, n - i);
            lists.cut(o.acct, i, count);
            rows.splice(i * stride, count * stride);
            model.set(o.acct, rows);
          } else if (o.kind === 'truncate') {
            const keep = Math.min(o.keep, rows.length / stride);
            lists.truncate(o.acct, keep);
            model.set(o.acct, rows.slice(0, keep * stride));
          } else if (o.kind === 'free') {
            lists.free(o.acct);
            model.delete(o.acct);
          } else {
            const flat = o.rows < 0 ? null : Array.from({ length: o.rows * stride }, () => next++);
            lists.load(o.acct, flat);
            model.set(o.acct, flat ?? []);
          }
          check(o.acct);
        }
        for (let ix = 0; ix < ACCOUNTS; ix++) check(ix);
      }),
      // a fixed seed: the counts below prove the runs compacted and kept large regions
      { numRuns: 40, seed: 20261130 },
    );
    expect(slides).toBeGreaterThan(20);
    expect(bigs).toBeGreaterThan(0);
  });
});
