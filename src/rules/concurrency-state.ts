// Calls in progress at once for one account and rule (`concurrent_calls`, CONTRACT §3). A `phase: start` event
// adds a live call and the end with the same id removes it; an end record with no start seen adds its interval
// [startedAt, end]. The value at a start is the calls in progress at that instant; at an end-only record, the most
// calls in progress at any instant of its interval. Live calls older than LIVE_MAX_MS and intervals that ended
// INTERVAL_KEEP_MS before the watermark are evicted (a longer call may miss older overlaps: documented). Pure.

export const LIVE_MAX_MS = 6 * 3_600_000;
export const INTERVAL_KEEP_MS = 2 * 3_600_000;

export type ConcurrencySnapshot = [liveIds: number[], liveStarts: number[], starts: number[], ends: number[]];

export class ConcurrencyState {
  private liveIds: number[] = [];
  private liveStarts: number[] = [];
  /** End-only intervals, sorted by end. */
  private starts: number[] = [];
  private ends: number[] = [];

  /** A call set up at `t`: returns the calls in progress at `t`, itself included. */
  start(id: number, t: number): number {
    this.liveIds.push(id);
    this.liveStarts.push(t);
    return this.countAt(t, t, this.ends.length);
  }

  /** Removes the live call `id`; false when it was never seen starting. */
  end(id: number): boolean {
    const i = this.liveIds.indexOf(id);
    if (i < 0) return false;
    this.liveIds.splice(i, 1);
    this.liveStarts.splice(i, 1);
    return true;
  }

  /** An end record with no start seen: adds [s, e] and returns the most calls in progress during it. */
  interval(s: number, e: number): number {
    let p = this.ends.length;
    while (p > 0 && this.ends[p - 1]! > e) p--;
    this.ends.splice(p, 0, e);
    this.starts.splice(p, 0, s);
    let best = this.countAt(s, s, this.ends.length);
    for (let j = this.ends.length - 1; j >= 0 && this.ends[j]! >= s; j--) {
      const x = this.starts[j]!;
      if (x > s && x <= e) best = Math.max(best, this.countAt(x, s, this.ends.length));
    }
    for (const x of this.liveStarts) if (x > s && x <= e) best = Math.max(best, this.countAt(x, s, this.ends.length));
    return best;
  }

  evict(watermark: number): void {
    let drop = 0;
    while (drop < this.ends.length && this.ends[drop]! < watermark - INTERVAL_KEEP_MS) drop++;
    if (drop > 0) {
      this.ends.splice(0, drop);
      this.starts.splice(0, drop);
    }
    for (let i = this.liveStarts.length - 1; i >= 0; i--) {
      if (this.liveStarts[i]! < watermark - LIVE_MAX_MS) {
        this.liveStarts.splice(i, 1);
        this.liveIds.splice(i, 1);
      }
    }
  }

  empty(): boolean {
    return this.liveIds.length === 0 && this.ends.length === 0;
  }

  snapshot(): ConcurrencySnapshot {
    return [this.liveIds.slice(), this.liveStarts.slice(), this.starts.slice(), this.ends.slice()];
  }

  static restore(s: ConcurrencySnapshot): ConcurrencyState {
    const c = new ConcurrencyState();
    [c.liveIds, c.liveStarts, c.starts, c.ends] = [s[0], s[1], s[2], s[3]];
    return c;
  }

  /** Calls in progress at instant x: intervals containing x (scanning ends >= floor) plus live calls started by x. */
  private countAt(x: number, floor: number, n: number): number {
    let count = 0;
    for (let j = n - 1; j >= 0 && this.ends[j]! >= floor; j--) {
      if (this.starts[j]! <= x && this.ends[j]! >= x) count++;
    }
    for (const st of this.liveStarts) if (st <= x) count++;
    return count;
  }
}
