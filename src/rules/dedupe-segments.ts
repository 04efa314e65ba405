// The dedupe horizon as the checkpoint stores it (issue 17 item 1, branch `dedupe9`): append-only segments, one per
// state write, each the (key, event time) pairs the engine-wide table took since the write before, instead of each
// account part carrying its account's keys (which cost every account a list of its keys in memory). A restore loads
// every stored segment, in write order, into the table and drops the pairs before the stored sweep threshold, as it
// dropped them from the account parts; a segment whose newest time is before that threshold holds nothing live and
// is deleted by the write that stores a threshold past it. Encoding: the pairs as raw little-endian float64s (every
// double round-trips exactly). Pure.

/** What one state write stores of the dedupe horizon. */
export interface DedupeSegment {
  /** (key, event time) pairs added since the last segment handed out, little-endian float64s (empty: none added). */
  pairs: Uint8Array;
  /** The newest event time among them (-Infinity when empty). */
  newest: number;
  /**
   * The last sweep's threshold: stored segments whose newest time is before it hold only expired keys (Infinity:
   * this segment holds the whole horizon and replaces every stored one; -Infinity: none expired).
   */
  expiredBefore: number;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A segment of (key, time) pairs; `expiredBefore` as DedupeSegment says. */
export function encodeSegment(pairs: readonly number[], expiredBefore: number): DedupeSegment {
  const out = new Uint8Array(pairs.length * 8);
  const view = new DataView(out.buffer);
  let newest = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < pairs.length; i++) {
    view.setFloat64(i * 8, pairs[i]!, true);
    if ((i & 1) === 1 && pairs[i]! > newest) newest = pairs[i]!;
  }
  return { pairs: out, newest, expiredBefore };
}

/** Calls `fn` with each (key, time) pair of a stored segment's bytes, in order. */
export function forEachPair(bytes: Uint8Array, fn: (key: number, time: number) => void): void {
  if (bytes.byteLength % 16 !== 0) throw new Error(`dedupe segment of ${bytes.byteLength} bytes: not whole (key, time) pairs`);
  if (LITTLE_ENDIAN && bytes.byteOffset % 8 === 0) {
    const f = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
    for (let i = 0; i < f.length; i += 2) fn(f[i]!, f[i + 1]!);
    return;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at < bytes.byteLength; at += 16) fn(view.getFloat64(at, true), view.getFloat64(at + 8, true));
}
