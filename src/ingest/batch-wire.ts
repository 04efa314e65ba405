// A batch of raw records packed into one ArrayBuffer, so the main thread can hand it to an ingest worker by transfer
// (no structured clone of thousands of small Buffers). Layout: u32 count, then per record a fixed 32-byte entry
// (f64 offset or NaN when absent, f64 arrivedAtMs, i32 key length, i32 value length, i32 headers length; -1 = absent,
// 4 bytes padding), then the key, value and headers (JSON, UTF-8) bytes of every record in order.
// Unpacked keys and values are Buffer views on the transferred memory (no copy).
// Pure: no I/O, no clock. Never: changes a record (what is packed is what is unpacked, byte for byte).
import type { Headers, RawRecord } from './types.js';

const ENTRY = 32;
const HEAD = 8; // u32 count + 4 bytes padding, so entries stay 8-aligned for the f64s

export function packBatch(records: readonly RawRecord[]): ArrayBuffer {
  const n = records.length;
  const headers: (Buffer | null)[] = new Array(n);
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    const h = r.headers === undefined ? null : Buffer.from(JSON.stringify(r.headers), 'utf8');
    headers[i] = h;
    bytes += (r.key?.length ?? 0) + (r.value?.length ?? 0) + (h?.length ?? 0);
  }
  const buf = new ArrayBuffer(HEAD + n * ENTRY + bytes);
  const view = new DataView(buf);
  const body = new Uint8Array(buf);
  view.setUint32(0, n, true);
  let at = HEAD + n * ENTRY;
  const put = (b: Uint8Array | null): number => {
    if (b === null) return -1;
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
    const h = take(view.getInt32(e + 24, true));
    const r: RawRecord = { key, value, arrivedAtMs };
    if (!Number.isNaN(offset)) r.offset = offset;
    if (h !== null) r.headers = JSON.parse(h.toString('utf8')) as Headers;
    out[i] = r;
  }
  return out;
}
