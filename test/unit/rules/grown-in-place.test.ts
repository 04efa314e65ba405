// The fused engine's account slots grow in place in a resizable ArrayBuffer (row-arena.ts grownInPlace), and move to
// a larger reservation, contents kept, when theirs is full.
import { describe, expect, it } from 'vitest';
import { grownInPlace, resizableBytes } from '../../../src/rules/row-arena.js';

const slotsOf = (now: Float64Array<ArrayBuffer>, n: number, reserveMin: number) => grownInPlace(now, n, Float64Array, reserveMin);

describe('the fused engine slots grown in place', () => {
  it('grows in place within its reservation and keeps every value', () => {
    const first = slotsOf(new Float64Array(0), 1000, 64 * 1024);
    expect(first.length).toBe(1000);
    expect(first.buffer.resizable).toBe(true);
    expect(first.buffer.maxByteLength).toBe(16 * 8 * 1000);
    for (let i = 0; i < first.length; i++) first[i] = i + 0.5;
    const grown = slotsOf(first, 1063, 64 * 1024);
    expect(grown.buffer).toBe(first.buffer);
    expect(grown.length).toBe(1063);
    expect(grown.buffer.byteLength).toBe(8 * 1063);
    for (let i = 0; i < 1000; i++) expect(grown[i]).toBe(i + 0.5);
    // the room added reads as zero, as a fresh Float64Array's would
    for (let i = 1000; i < 1063; i++) expect(grown[i]).toBe(0);
    expect(resizableBytes(grown)).toBe(8 * 1063);
    expect(resizableBytes(new Float64Array(5))).toBe(0);
  });

  it('moves to a new reservation of 16 times its size when the old one is full, contents kept', () => {
    let slots = slotsOf(new Float64Array(0), 16, 1024);
    for (let i = 0; i < 16; i++) slots[i] = -i;
    let moves = 0;
    for (let n = 16; n < 5000; n = Math.ceil(n * 1.0625)) {
      const next = slotsOf(slots, n, 1024);
      if (next.buffer !== slots.buffer) {
        moves++;
        expect(next.buffer.maxByteLength).toBe(16 * 8 * n);
      }
      expect(next.length).toBe(n);
      for (let i = 0; i < 16; i++) expect(next[i]).toBe(-i);
      slots = next;
    }
    // 16 doubles reserve 1 KB (128 doubles); then 16x: 2,048, then 32,768: two moves on the way to 5,000
    expect(moves).toBe(2);
  });

  it('reserves at most reserveMax, and past it grows as a plain array, copied, contents kept', () => {
    const a = grownInPlace(new Float64Array(0), 100, Float64Array, 1024, 4096);
    expect(a.buffer.resizable).toBe(true);
    expect(a.buffer.maxByteLength).toBe(4096); // 16 x 800 B clamped
    a[99] = 7;
    const b = grownInPlace(a, 512, Float64Array, 1024, 4096); // exactly the reservation: in place
    expect(b.buffer).toBe(a.buffer);
    const c = grownInPlace(b, 600, Float64Array, 1024, 4096); // past it: a plain buffer
    expect(c.buffer.resizable).toBe(false);
    expect(c[99]).toBe(7);
    expect(resizableBytes(c)).toBe(0);
    const d = grownInPlace(c, 700, Float64Array, 1024, 4096);
    expect(d.buffer).not.toBe(c.buffer);
    expect([d.length, d[99]]).toEqual([700, 7]);
  });

  it('takes a reservation as large as Node allows (4 GB) without throwing', () => {
    const a = grownInPlace(new Float64Array(0), 1 << 20, Float64Array, 2 ** 33);
    expect(a.buffer.maxByteLength).toBe(2 ** 32);
  });
});
