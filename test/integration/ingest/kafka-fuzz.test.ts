// Issue 11: a fast-check property suite through the Kafka path, on the real broker and database. Each case is one
// record value: a valid CDR with fields replaced by arbitrary Unicode (with NUL and lone surrogates), numbers,
// deep nesting or nothing, or arbitrary bytes. Each run produces a few hundred cases to one partition; properties:
// the partition's durable offset reaches the end (no stall, no pause), every record is counted as accepted,
// duplicate or rejected exactly once, every record the decoder refuses is a dead letter, and every dead letter
// holds the produced bytes at its offset.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRecord } from '../../../src/events/decode-record.js';
import { freshDatabase, type FreshDatabase } from '../../helpers/db.js';
import { testBrokers, uniqueName } from '../../helpers/kafka.js';
import { countingRulesDir, makeTopics, produce, progress, waitFor, type IngestTopics } from './harness.js';
import { startInProcess, type InProcess } from './in-process.js';
import { cdrToWire, generateCdrs } from './wire.js';

const RUNS = 5;
const PER_RUN = { minLength: 420, maxLength: 480 };

const hostileText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('\u0000', 'a\u0000b', '\ud800', 'x\udc00y', '\ufeff', '\u2028', ''),
  fc.string({ unit: fc.constantFrom('\u0000', '\ud800', '\udfff', 'a', '\u0085', '\r', '\n'), maxLength: 12 }),
);
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileText,
  fc.double(),
  fc.integer(),
  fc.constantFrom(1e308, -0, Number.MAX_SAFE_INTEGER + 2, null, true),
  fc.jsonValue({ maxDepth: 4 }),
  fc.integer({ min: 50, max: 400 }).map((depth) => JSON.parse('['.repeat(depth) + ']'.repeat(depth)) as unknown),
);

function recordArbitrary(base: Record<string, unknown>[]): fc.Arbitrary<Buffer> {
  const fields = Object.keys(base[0]!);
  let serial = 0;
  const mutated = fc
    .record({
      which: fc.nat({ max: base.length - 1 }),
      replace: fc.dictionary(fc.constantFrom(...fields), hostileValue, { maxKeys: 3 }),
      omit: fc.subarray(fields, { maxLength: 2 }),
    })
    .map(({ which, replace, omit }) => {
      const o: Record<string, unknown> = { ...base[which]!, id: `fz-${which}-${serial++}`, ...replace };
      for (const f of omit) delete o[f];
      return Buffer.from(JSON.stringify(o));
    });
  return fc.oneof(
    { weight: 6, arbitrary: mutated },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)) },
    { weight: 1, arbitrary: fc.nat({ max: base.length - 1 }).map((i) => Buffer.from(JSON.stringify(base[i]!))) },
  );
}

const eventTotals = async (w: InProcess): Promise<Record<string, number>> => {
  const text = await w.metrics.render();
  const out: Record<string, number> = { accepted: 0, duplicate: 0, rejected: 0 };
  for (const m of text.matchAll(/suspensiond_events_total\{topic="cdrs",outcome="(\w+)"\} (\d+)/g)) out[m[1]!] = Number(m[2]);
  return out;
};

describe('fuzzing the Kafka path', () => {
  let brokers: string[];
  let topics: IngestTopics;
  let fresh: FreshDatabase;
  let worker: InProcess;

  beforeAll(async () => {
    brokers = testBrokers();
    topics = await makeTopics(brokers, 1);
    fresh = await freshDatabase();
    worker = await startInProcess({ db: fresh.db, brokers, topics, groupId: uniqueName('g-fuzz'), rulesDir: countingRulesDir() });
  });
  afterAll(async () => {
    await worker?.stop();
    await fresh.drop();
  });

  it('ends every record accepted, duplicate or dead-lettered, and the partition reaches its end', async () => {
    const base = generateCdrs({ n: 50, accounts: 10, startMs: Date.now() - 3_600_000, seed: 17 }).map(cdrToWire);
    let end = 0;
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(recordArbitrary(base), PER_RUN), async (values) => {
        const start = end;
        const before = await eventTotals(worker);
        await produce(brokers, topics.cdrs, values.map((value) => ({ key: Buffer.from('fuzz'), value })));
        end += values.length;
        cases += values.length;
        await waitFor(`offsets ${start}..${end} durable`, async () => (await progress(fresh.db, topics.cdrs)) === end, 30_000, 100);

        const after = await eventTotals(worker);
        const delta = (k: string) => after[k]! - before[k]!;
        expect(delta('accepted') + delta('duplicate') + delta('rejected')).toBe(values.length);
        const letters = await fresh.db.query<{ offset: string; value: Buffer | null }>(
          `SELECT "offset"::text AS offset, value FROM dead_letters WHERE topic = $1 AND "offset" >= $2 AND "offset" < $3`,
          [topics.cdrs, start, end],
        );
        expect(letters.rows).toHaveLength(delta('rejected'));
        const lettered = new Set<number>();
        for (const l of letters.rows) {
          const offset = Number(l.offset);
          lettered.add(offset);
          expect((l.value ?? Buffer.alloc(0)).equals(values[offset - start]!)).toBe(true);
        }
        values.forEach((v, i) => {
          if (!decodeRecord('cdrs', v, Date.now()).ok) expect(lettered.has(start + i)).toBe(true);
        });
        expect(worker.ingest.stats().pausedBatches).toBe(0);
      }),
      { numRuns: RUNS, seed: 1_100_011, endOnFailure: true },
    );
    expect(cases).toBeGreaterThanOrEqual(2_000);
  }, 120_000);
});
