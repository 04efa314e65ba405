// A batch of raw records packed into one ArrayBuffer, so the main thread can hand it to an ingest worker by transfer
// (no structured clone of thousands of small Buffers). Layout: u32 count, then per record a fixed 32-byte entry
// (f64 offset or NaN when absent, f64 arrivedAtMs, i32 key length, i32 value length, i32 headers length; -1 = absent,
// 4 bytes padding), then the key, value and headers (JSON, UTF-8) bytes of every record in order. Headers without
// any entry (what kafkajs gives for a message without headers, nearly every message) are length -2 and no bytes: no
// JSON on either side.
// Unpacked keys and values are Buffer views on the transferred memory (no copy). The batch's answer comes back packed
// too (packResult / unpackResult).
// Pure: no I/O, no clock. Never: changes a record (what is packed is what is unpacked, byte for byte).
import { lazyResults } from './results.js';
import type { BatchResult, Headers, RawRecord, RecordOutcome, RecordResult } from './types.js';

const ENTRY = 32;
const HEAD = 8; // u32 count + 4 bytes padding, so entries stay 8-aligned for the f64s
const ABSENT = -1;
const EMPTY_HEADERS = -2;

/** The headers' JSON bytes, EMPTY_HEADERS for an object without entries, or null when absent. */
function headerBytes(h: Headers | undefined): Buffer | null | typeof EMPTY_HEADERS {
  if (h === undefined) return null;
  for (const k in h) if (Object.hasOwn(h, k)) return Buffer.from(JSON.stringify(h), 'utf8');
  return EMPTY_HEADERS;
}

export function packBatch(records: readonly RawRecord[]): ArrayBuffer {
  const n = records.length;
  const headers: (Buffer | null | typeof EMPTY_HEADERS)[] = new Array(n);
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    const h = headerBytes(r.headers);
    headers[i] = h;
    bytes += (r.key?.length ?? 0) + (r.value?.length ?? 0) + (h === null || h === EMPTY_HEADERS ? 0 : h.length);
  }
  const buf = new ArrayBuffer(HEAD + n * ENTRY + bytes);
  const view = new DataView(buf);
  const body = new Uint8Array(buf);
  view.setUint32(0, n, true);
  let at = HEAD + n * ENTRY;
  const put = (b: Uint8Array | null | typeof EMPTY_HEADERS): number => {
    if (b === null) return ABSENT;
    if (b === EMPTY_HEADERS) return EMPTY_HEADERS;
    body.set(b, at);
    at += b.length;
    return b.length;
  };
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    const e = HEAD + i * ENTRY;
    view.setFloat64(e, r.offset ?? Number.NaN, true);
    view.setFloat64(e + 8, r.arrivedAtMs, true);
    view.setInt32(e + 16, put(r.key), true);
    view.setInt32(e + 20, put(r.value), true);
    view.setInt32(e + 24, put(headers[i]!), true);
  }
  return buf;
}

export function unpackBatch(buf: ArrayBuffer): RawRecord[] {
  const view = new DataView(buf);
  const n = view.getUint32(0, true);
  const out: RawRecord[] = new Array(n);
  let at = HEAD + n * ENTRY;
  const take = (len: number): Buffer | null => {
    if (len < 0) return null;
    const b = Buffer.from(buf, at, len);
    at += len;
    return b;
  };
  for (let i = 0; i < n; i++) {
    const e = HEAD + i * ENTRY;
    const offset = view.getFloat64(e, true);
    const arrivedAtMs = view.getFloat64(e + 8, true);
    const key = take(view.getInt32(e + 16, true));
    const value = take(view.getInt32(e + 20, true));
    const hLen = view.getInt32(e + 24, true);
    const h = hLen === EMPTY_HEADERS ? null : take(hLen);
    const r: RawRecord = { key, value, arrivedAtMs };
    if (!Number.isNaN(offset)) r.offset = offset;
    if (hLen === EMPTY_HEADERS) r.headers = {};
    else if (h !== null) r.headers = JSON.parse(h.toString('utf8')) as Headers;
    out[i] = r;
  }
  return out;
}

/**
 * A batch's answer as it travels back to the main thread: the per-record results (one small object per record, which
 * structured clone would serialize and rebuild one by one) as one byte per record, the record indexes only when they
 * are not simply 0..n-1, and the errors apart; everything else of the BatchResult as it is.
 */
export interface WireBatchResult extends Omit<BatchResult, 'results'> {
  outcomes: Uint8Array;
  /** results[i].index, or null when it is i for every i. */
  indexes: Int32Array | null;
  /** [i, results[i].error] for every result with an error. */
  errors: [number, string][];
}

const OUTCOMES: readonly RecordOutcome[] = ['accepted', 'duplicate', 'rejected'];

export function packResult(result: BatchResult): WireBatchResult {
  const { results, ...rest } = result;
  const n = results.length;
  const outcomes = new Uint8Array(n);
  let indexes: Int32Array | null = null;
  const errors: [number, string][] = [];
  for (let i = 0; i < n; i++) {
    const r = results[i]!;
    const o = OUTCOMES.indexOf(r.outcome);
    if (o < 0) throw new Error(`unknown record outcome ${String(r.outcome)}`);
    outcomes[i] = o;
    if (r.index !== i && indexes === null) {
      indexes = new Int32Array(n);
      for (let k = 0; k < i; k++) indexes[k] = k;
    }
    if (indexes !== null) indexes[i] = r.index;
    if (r.error !== undefined) errors.push([i, r.error]);
  }
  return { ...rest, outcomes, indexes, errors };
}

/**
 * The BatchResult again. `results` is built on first read (the Kafka consumer reads only the offsets; set-up counting
 * and tests read the results), then kept: it reads the same as the worker's.
 */
export function unpackResult(wire: WireBatchResult): BatchResult {
  const { outcomes, indexes, errors, ...rest } = wire;
  return lazyResults(rest, (): RecordResult[] => {
    const out: RecordResult[] = new Array(outcomes.length);
    for (let i = 0; i < outcomes.length; i++) out[i] = { index: indexes === null ? i : indexes[i]!, outcome: OUTCOMES[outcomes[i]!]! };
    for (const [i, error] of errors) out[i]!.error = error;
    return out;
  });
}
