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
});
