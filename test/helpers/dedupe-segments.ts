// The dedupe segments as engine_dedupe_segments keeps them (checkpoint-repo.ts), for the in-memory stores of the
// tests: a state write deletes the segments its sweep threshold passed (all of them for a whole-horizon segment)
// and appends its own when it added keys.
import type { DedupeSegment } from '../../src/rules/dedupe-segments.js';

/** Stored segments with their newest times, in the order written. */
export type StoredSegments = [newest: number, pairs: Uint8Array][];

export function storeSegment(stored: StoredSegments, seg: DedupeSegment): StoredSegments {
  const kept = stored.filter(([newest]) => !(newest < seg.expiredBefore));
  if (seg.pairs.byteLength > 0) kept.push([seg.newest, seg.pairs]);
  return kept;
}
