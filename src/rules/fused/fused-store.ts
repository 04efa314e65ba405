// What the fused engine keeps for storing its state the classic engine's way (engine-state.ts holds the same for the
// classic engine): the dedupe keys taken since the last segment was handed out (`pending`, null until the horizon is
// stored at all), the lists handed out whose write has not committed (`unstored`), whether the next segment replaces
// every stored one, the threshold of the last dedupe sweep, and the dedupe pairs of restored parts written before
// segments (`legacyDd`, per account number, so such a part re-encodes as it was). The same rules as the classic
// engine's, so that a fused engine's segments are the bytes a classic engine's would be (the fused-store oracle).
// Pure.
import { encodeSegment, type DedupeSegment } from '../dedupe-segments.js';
import { pruneDedupe } from '../engine-state.js';

export class StoreMarks {
  pending: number[] | null = null;
  unstored: number[][] = [];
  replaceStored = false;
  sweptBefore = Number.NEGATIVE_INFINITY;
  readonly legacyDd = new Map<number, number[]>();

  /** The table took `key` at `time`: the next segment stores it (EngineState.keyAdded). */
  keyAdded(key: number, time: number): void {
    if (this.pending !== null) this.pending.push(key, time);
  }

  /** EngineState.takeSegment; `entries`: the whole table's (key, time) pairs. */
  takeSegment(entries: () => number[]): DedupeSegment {
    if (this.pending === null) {
      this.unstored = [entries()];
      this.replaceStored = true;
    } else if (this.pending.length > 0) this.unstored.push(this.pending);
    this.pending = [];
    return encodeSegment(this.unstored.length === 1 ? this.unstored[0]! : this.unstored.flat(), this.replaceStored ? Number.POSITIVE_INFINITY : this.sweptBefore);
  }

  /** EngineState.segmentStored. */
  segmentStored(): void {
    this.unstored = [];
    this.replaceStored = false;
  }

  /** A sweep dropped the dedupe keys before `lateBefore` (EngineState.sweep, after forgetting idle accounts). */
  swept(lateBefore: number): void {
    for (const [ix, pairs] of this.legacyDd) {
      pruneDedupe(pairs, lateBefore);
      if (pairs.length === 0) this.legacyDd.delete(ix);
    }
    if (this.pending !== null) pruneDedupe(this.pending, lateBefore);
    for (const pairs of this.unstored) pruneDedupe(pairs, lateBefore);
    this.sweptBefore = lateBefore;
  }
}
