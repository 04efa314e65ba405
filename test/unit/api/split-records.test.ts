import { describe, expect, it } from 'vitest';
import { splitRecords } from '../../../src/api/routes/event-routes.js';

const texts = (bufs: Buffer[]) => bufs.map((b) => b.toString('utf8'));

describe('splitting an ingest body into records', () => {
  it('a JSON object is one record with its bytes unchanged', () => {
    const body = Buffer.from('{ "id": "a",  "type": "reseller" }');
    expect(splitRecords(body, 'application/json')).toEqual([body]);
  });

  it('a JSON array is one record per element', () => {
    expect(texts(splitRecords(Buffer.from('[{"id":"a"},{"id":"b"}, 7]'), 'application/json; charset=utf-8'))).toEqual([
      '{"id":"a"}',
      '{"id":"b"}',
      '7',
    ]);
  });

  it('NDJSON is one record per non-blank line, bad lines included for the pipeline to reject', () => {
    const body = Buffer.from('{"id":"a"}\r\n\n{not json\n{"id":"c"}');
    expect(texts(splitRecords(body, 'application/x-ndjson'))).toEqual(['{"id":"a"}', '{not json', '{"id":"c"}']);
  });

  it('malformed JSON is a 400 naming the body', () => {
    expect(() => splitRecords(Buffer.from('{"id":'), 'application/json')).toThrow(/body: malformed JSON/);
  });

  it('a JSON array element keeps its exact bytes, so invalid UTF-8 reaches the decoder instead of becoming U+FFFD', () => {
    const bad = Buffer.concat([Buffer.from('{"id":"a\u00e9","name":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    const body = Buffer.concat([Buffer.from('[ {"id":"ok"} ,'), bad, Buffer.from(', "s,t]r{i\\"ng" ]')]);
    const parts = splitRecords(body, 'application/json');
    expect(parts).toHaveLength(3);
    expect(parts[1]!.equals(bad)).toBe(true);
    expect(parts[2]!.toString('utf8')).toBe('"s,t]r{i\\"ng"');
  });

  it('an element nested 12,000 levels deep is split out without recursion', () => {
    const deep = '['.repeat(12_000) + ']'.repeat(12_000);
    const parts = splitRecords(Buffer.from(`[{"id":"a"},${deep}]`), 'application/json');
    expect(parts.map((p) => p.length)).toEqual([10, deep.length]);
  });

  it('more records than the cap is a 413 naming the body, for arrays and NDJSON alike', () => {
    const ones = Buffer.from(`[${Array(500_000).fill('1').join(',')}]`);
    expect(() => splitRecords(ones, 'application/json')).toThrow(expect.objectContaining({ status: 413, field: 'body' }));
    expect(() => splitRecords(Buffer.from('1\n2\n3\n'), 'application/x-ndjson', 2)).toThrow(/more than 2 records/);
    expect(splitRecords(Buffer.from('[1,2]'), 'application/json', 2)).toHaveLength(2);
  });
});
