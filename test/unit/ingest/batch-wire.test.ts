// The batch packing that carries raw records to an ingest worker (src/ingest/batch-wire.ts): what is packed comes
// back byte for byte, absent and empty parts kept apart, and the unpacked keys and values are views (no copy).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packBatch, packResult, unpackBatch, unpackResult } from '../../../src/ingest/batch-wire.js';
import type { BatchResult, RawRecord, RecordResult } from '../../../src/ingest/types.js';

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

  it('headers without entries (kafkajs gives them for every message) come back as an object of their own, with no bytes', () => {
    const records: RawRecord[] = [
      { offset: 1, key: Buffer.from('a'), value: Buffer.from('1'), headers: {}, arrivedAtMs: 1 },
      { offset: 2, key: Buffer.from('b'), value: Buffer.from('2'), headers: {}, arrivedAtMs: 2 },
      { offset: 3, key: Buffer.from('c'), value: Buffer.from('3'), arrivedAtMs: 3 },
    ];
    const buf = packBatch(records);
    expect(buf.byteLength).toBe(packBatch(records.map((r) => ({ ...r, headers: undefined }))).byteLength);
    const back = unpackBatch(buf);
    expect(back.map(plain)).toEqual(records.map(plain));
    expect(back[0]!.headers).toEqual({});
    expect(back[0]!.headers).not.toBe(back[1]!.headers);
    expect('headers' in back[2]!).toBe(false);
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

describe('packing a batch\'s answer for the main thread', () => {
  const travel = (r: BatchResult) => {
    const wire = packResult(r);
    const transfer = [wire.outcomes.buffer as ArrayBuffer, ...(wire.indexes ? [wire.indexes.buffer as ArrayBuffer] : [])];
    return unpackResult(structuredClone(wire, { transfer }));
  };

  it('gives back results, offsets, skips and decisions as they were', () => {
    const result: BatchResult = {
      results: [
        { index: 0, outcome: 'accepted' },
        { index: 1, outcome: 'duplicate' },
        { index: 2, outcome: 'rejected', error: 'callee: not E.164' },
      ],
      durableOffset: 42,
      skipped: 1,
      decisions: [{ index: 2, accountId: 'acc-1', ruleId: 'irsf', level: 'suspend', action: 'suspend', holdId: 'h-1' }],
    };
    const back = travel(result);
    expect(back).toEqual(result);
    expect(back.results[2]).toEqual({ index: 2, outcome: 'rejected', error: 'callee: not E.164' });
    expect('error' in back.results[0]!).toBe(false);
    expect(back.results).toBe(back.results);
  });

  it('keeps indexes that are not 0..n-1, and an empty answer', () => {
    const result: BatchResult = { results: [{ index: 3, outcome: 'accepted' }, { index: 7, outcome: 'rejected', error: 'x' }], durableOffset: null, skipped: 0 };
    expect(travel(result)).toEqual(result);
    expect(packResult(result).indexes).not.toBeNull();
    expect(packResult({ results: [{ index: 0, outcome: 'accepted' }], durableOffset: 1, skipped: 0 }).indexes).toBeNull();
    expect(travel({ results: [], durableOffset: null, skipped: 0 })).toEqual({ results: [], durableOffset: null, skipped: 0 });
  });

  it('round-trips any results (property)', () => {
    const result = fc.record({
      results: fc.array(
        fc.record(
          { index: fc.nat({ max: 5000 }), outcome: fc.constantFrom('accepted' as const, 'duplicate' as const, 'rejected' as const), error: fc.string() },
          { requiredKeys: ['index', 'outcome'] },
        ),
        { maxLength: 40 },
      ),
      durableOffset: fc.option(fc.nat(), { nil: null }),
      skipped: fc.nat(),
    });
    fc.assert(
      fc.property(result, (r) => {
        const back = travel(r as BatchResult);
        expect(back).toEqual(r);
        expect(back.results.map((x: RecordResult) => Object.keys(x).sort())).toEqual(r.results.map((x) => Object.keys(x).sort()));
      }),
    );
  });
});
