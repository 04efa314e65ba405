// Calls in progress at once for one account and rule (`concurrent_calls`, CONTRACT §3). A `phase: start` event
// adds a live call and the end with the same id removes it; an end record with no start seen adds its interval
// [startedAt, end]. The value at a start is the calls in progress at that instant; at an end-only record, the most
// calls in progress at any instant of its interval. Live calls older than LIVE_MAX_MS and intervals that ended
// INTERVAL_KEEP_MS before the watermark are evicted (a longer call may miss older overlaps: documented). Pure.
// Storage: two flat number arrays of pairs (live: id, start; intervals: start, end, sorted by end), kept at exact
// size while small (tight-array.ts); an empty one is the shared NONE, never written.
import { append2, cut } from './tight-array.js';

export const LIVE_MAX_MS = 6 * 3_600_000;
export const INTERVAL_KEEP_MS = 2 * 3_600_000;

export type ConcurrencySnapshot = [liveIds: number[], liveStarts: number[], starts: number[], ends: number[]];

const NONE: number[] = [];

export class ConcurrencyState {
  /** Pairs (id, start) of live calls, in arrival order. */
  private live = NONE;
  /** Pairs (start, end) of end-only intervals, sorted by end. */
  private iv = NONE;

  /** A call set up at `t`: returns the calls in progress at `t`, itself included. */
  start(id: number, t: number): number {
    this.live = append2(this.live, id, t);
    return this.countAt(t, t);
  }

  /** Removes the live call `id`; false when it was never seen starting. */
  end(id: number): boolean {
    const live = this.live;
    for (let i = 0; i < live.length; i += 2) {
      if (live[i] === id) {
        this.live = cut(live, i, 2);
        return true;
      }
    }
    return false;
  }

  /** An end record with no start seen: adds [s, e] and returns the most calls in progress during it. */
  interval(s: number, e: number): number {
    let p = this.iv.length;
    while (p > 0 && this.iv[p - 1]! > e) p -= 2;
    const iv = (this.iv = append2(this.iv, s, e));
    if (p < iv.length - 2) {
      iv.copyWithin(p + 2, p, iv.length - 2);
      iv[p] = s;
      iv[p + 1] = e;
    }
    let best = this.countAt(s, s);
    for (let j = iv.length - 2; j >= 0 && iv[j + 1]! >= s; j -= 2) {
      const x = iv[j]!;
      if (x > s && x <= e) best = Math.max(best, this.countAt(x, s));
    }
    const live = this.live;
    for (let i = 1; i < live.length; i += 2) {
      const x = live[i]!;
      if (x > s && x <= e) best = Math.max(best, this.countAt(x, s));
    }
    return best;
  }

  evict(watermark: number): void {
    const iv = this.iv;
    let drop = 0;
    while (drop < iv.length && iv[drop + 1]! < watermark - INTERVAL_KEEP_MS) drop += 2;
    if (drop > 0) this.iv = drop === iv.length ? NONE : cut(iv, 0, drop);
    for (let i = this.live.length - 2; i >= 0; i -= 2) {
      if (this.live[i + 1]! < watermark - LIVE_MAX_MS) this.live = this.live.length === 2 ? NONE : cut(this.live, i, 2);
    }
  }

  /** Heap bytes of its two arrays (an empty one is shared). */
  bytes(): number {
    return (this.live.length > 0 ? 48 + 8 * this.live.length : 0) + (this.iv.length > 0 ? 48 + 8 * this.iv.length : 0);
  }

  empty(): boolean {
    return this.live.length === 0 && this.iv.length === 0;
  }

  snapshot(): ConcurrencySnapshot {
    const a: number[] = [];
    const b: number[] = [];
    const c: number[] = [];
    const d: number[] = [];
    for (let i = 0; i < this.live.length; i += 2) a.push(this.live[i]!), b.push(this.live[i + 1]!);
    for (let i = 0; i < this.iv.length; i += 2) c.push(this.iv[i]!), d.push(this.iv[i + 1]!);
    return [a, b, c, d];
  }

  static restore(s: ConcurrencySnapshot): ConcurrencyState {
    const c = new ConcurrencyState();
    if (s[0].length > 0) c.live = interleave(s[0], s[1]);
    if (s[2].length > 0) c.iv = interleave(s[2], s[3]);
    return c;
  }

  /** Calls in progress at instant x: intervals containing x (scanning ends >= floor) plus live calls started by x. */
  private countAt(x: number, floor: number): number {
    const iv = this.iv;
    let count = 0;
    for (let j = iv.length - 2; j >= 0 && iv[j + 1]! >= floor; j -= 2) {
      if (iv[j]! <= x && iv[j + 1]! >= x) count++;
    }
    const live = this.live;
    for (let i = 1; i < live.length; i += 2) if (live[i]! <= x) count++;
    return count;
  }
}

/** [a0, b0, a1, b1, ...] at exact size. */
function interleave(a: number[], b: number[]): number[] {
  const out = new Array<number>(2 * a.length);
  for (let i = 0; i < a.length; i++) {
    out[2 * i] = a[i]!;
    out[2 * i + 1] = b[i]!;
  }
  return out;
}
