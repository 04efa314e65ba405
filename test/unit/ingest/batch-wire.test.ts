// The batch packing that carries raw records to an ingest worker (src/ingest/batch-wire.ts): what is packed comes
// back byte for byte, absent and empty parts kept apart, and the unpacked keys and values are views (no copy).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packBatch, unpackBatch } from '../../../src/ingest/batch-wire.js';
import type { RawRecord } from '../../../src/ingest/types.js';

const plain = (r: RawRecord) => ({
  offset: r.offset,
  arrivedAtMs: r.arrivedAtMs,
  key: r.key === null ? null : [...r.key],
  value: r.value === null ? null : [...r.value],
  headers: r.headers,
});

describe('packing a batch for a worker', () => {
  it('gives back every record as it was: offsets, arrival, key, value and headers', () => {
    const records: RawRecord[] = [
      { offset: 41, key: Buffer.from('acc-1'), value: Buffer.from('{"id":"c1"}'), arrivedAtMs: 1_700_000_000_123 },
      { offset: 42, key: null, value: null, headers: { 'x-suspensiond-setup': '1', 'x-é': 'ü' }, arrivedAtMs: 1_700_000_000_124 },
      { key: Buffer.alloc(0), value: Buffer.from([0, 255, 10]), arrivedAtMs: 5 },
    ];
    const back = unpackBatch(packBatch(records));
    expect(back.map(plain)).toEqual(records.map(plain));
    expect('offset' in back[2]!).toBe(false);
    expect(back[1]!.headers).toEqual({ 'x-suspensiond-setup': '1', 'x-é': 'ü' });
    expect(back[0]!.headers).toBeUndefined();
    expect(back[2]!.key).toEqual(Buffer.alloc(0));
  });

  it('an empty batch packs and unpacks to nothing', () => {
    expect(unpackBatch(packBatch([]))).toEqual([]);
  });

  it('survives a transfer: the buffer is all the worker needs', () => {
    const buf = packBatch([{ offset: 1, key: Buffer.from('k'), value: Buffer.from('v'), arrivedAtMs: 2 }]);
    const moved = structuredClone(buf, { transfer: [buf] });
    expect(buf.byteLength).toBe(0);
    expect(unpackBatch(moved)[0]!.value!.toString()).toBe('v');
  });

  it('round-trips any records (property)', () => {
    const bytes = fc.option(fc.uint8Array({ maxLength: 64 }), { nil: null });
    const record = fc.record(
      {
        offset: fc.integer({ min: 0, max: 2 ** 52 }),
        key: bytes,
        value: bytes,
        headers: fc.dictionary(fc.string(), fc.string()),
        arrivedAtMs: fc.integer({ min: 0, max: 2 ** 50 }),
      },
      { requiredKeys: ['key', 'value', 'arrivedAtMs'] },
    );
    fc.assert(
      fc.property(fc.array(record, { maxLength: 30 }), (raw) => {
        const records: RawRecord[] = raw.map((r) => ({ ...r, key: r.key && Buffer.from(r.key), value: r.value && Buffer.from(r.value) }));
        expect(unpackBatch(packBatch(records)).map(plain)).toEqual(records.map(plain));
      }),
    );
  });
});
