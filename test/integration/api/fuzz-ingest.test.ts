// Fuzzing the HTTP ingest paths (issue 11): NDJSON, JSON arrays and single JSON values on /v1/events/*, with
// arbitrary Unicode (NUL, lone surrogates, separators), numbers, nesting, raw invalid bytes and omitted fields,
// through the real ingest pipeline on real PostgreSQL. Properties: never a 500, and every record ends accepted,
// duplicate or dead-lettered (one result per record, one dead letter per rejection). 2,000 cases per path; the
// NDJSON and array cases share requests of 100 records, single values go 20 requests at a time.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASES, recordBytes, type Topic } from './hostile-arbitraries.js';
import { startIngestApiFixture, type IngestApiFixture } from './ingest-api-fixture.js';

const TOPICS: Topic[] = ['accounts', 'cdrs', 'invoices'];
const topic = fc.constantFrom(...TOPICS);
const FIELD_ERROR = /^[^:\s]+(?:\.[^:\s]+)*: \S/;

type Answer = { status: number; body: any; contentType: string };

describe('fuzzing HTTP ingest (issue 11)', () => {
  let f: IngestApiFixture;
  beforeAll(async () => {
    f = await startIngestApiFixture();
  });
  afterAll(async () => {
    await f.close();
  });

  const deadLetterCount = async () => Number((await f.fresh.db.query<{ n: string }>('SELECT count(*) AS n FROM dead_letters')).rows[0]!.n);

  /** No 500, and an error is a problem+json naming a field. */
  const wellAnswered = (res: Answer, what: string) => {
    expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBeLessThan(500);
    if (res.status >= 400) {
      expect(res.contentType, what).toContain('application/problem+json');
      expect(typeof res.body.detail, what).toBe('string');
    }
  };

  /** Posts records and checks that each ended accepted, duplicate or dead-lettered. */
  const ingest = async (t: Topic, raw: Buffer, contentType: string, records: number) => {
    const before = await deadLetterCount();
    const res = await f.call('POST', `/v1/events/${t}`, { token: f.tokens.ingest, raw, contentType });
    wellAnswered(res, `${t} ${contentType}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const results = res.body.results as Array<{ index: number; outcome: string; error?: string }>;
    expect(results).toHaveLength(records);
    expect(res.body.accepted + res.body.duplicate + res.body.rejected).toBe(records);
    for (const r of results) {
      expect(['accepted', 'duplicate', 'rejected']).toContain(r.outcome);
      if (r.outcome === 'rejected') expect(r.error).toMatch(FIELD_ERROR);
    }
    expect(await deadLetterCount()).toBe(before + res.body.rejected);
  };

  it(`NDJSON: ${CASES} records in batches of 100, each ends accepted, duplicate or dead-lettered`, async () => {
    await fc.assert(
      fc.asyncProperty(topic.chain((t) => fc.tuple(fc.constant(t), fc.array(recordBytes(t, true), { minLength: 100, maxLength: 100 }))), async ([t, recs]) => {
        await ingest(t, Buffer.concat(recs.flatMap((r) => [r, Buffer.from('\n')])), 'application/x-ndjson', recs.length);
      }),
      { numRuns: CASES / 100 },
    );
  });

  it(`JSON arrays: ${CASES} records in batches of 100, each ends accepted, duplicate or dead-lettered`, async () => {
    await fc.assert(
      fc.asyncProperty(topic.chain((t) => fc.tuple(fc.constant(t), fc.array(recordBytes(t, false), { minLength: 100, maxLength: 100 }))), async ([t, recs]) => {
        const body = Buffer.concat([Buffer.from('[\n'), ...recs.flatMap((r, i) => (i === 0 ? [r] : [Buffer.from(' ,'), r])), Buffer.from(']')]);
        await ingest(t, body, 'application/json', recs.length);
      }),
      { numRuns: CASES / 100 },
    );
  });

  it(`single JSON objects: ${CASES} requests, 20 at a time, each one result`, async () => {
    // A top-level array is the JSON-array path, tested above; here every body is one value.
    const single = topic.chain((t) => fc.tuple(fc.constant(t), recordBytes(t, true).filter((b) => b[0] !== 0x5b)));
    await fc.assert(
      fc.asyncProperty(fc.array(single, { minLength: 20, maxLength: 20 }), async (batch) => {
        const answers = await Promise.all(batch.map(([t, raw]) => f.call('POST', `/v1/events/${t}`, { token: f.tokens.ingest, raw })));
        answers.forEach((res, i) => {
          wellAnswered(res, `single ${batch[i]![0]}`);
          // A body that is not JSON at all (a raw control byte) is the request's 400; anything else is one result.
          if (res.status === 200) expect(res.body.results).toHaveLength(1);
          else expect(res.status).toBe(400);
        });
      }),
      { numRuns: CASES / 20 },
    );
  });

  it('after all of it the server is up and answers as before', async () => {
    expect((await f.call('GET', '/healthz')).status).toBe(200);
    expect((await f.call('GET', '/v1/accounts/r1', { token: f.tokens.operator })).status).toBe(200);
  });});
