// The ingest path's own CPU per CDR, without Kafka or PostgreSQL (branch `pipe10`): the CDRs of bench/ingest.ts as
// kafkajs would hand them over (message objects with string offsets and timestamps), through the consumer's chunking
// and `toRaw` and the pipeline's decode -> evaluate steps (`createPipeline` of SRC, default this tree's src), into
// an engine without rules or a stub engine (ENGINE=none|stub; stub answers every CDR 'accepted' with no hits, so
// only src/ingest and src/events are timed). The source is a replay lane (no checkpoint row, so no database writes);
// profiles come from a warmed cache. Prints the process CPU per CDR of each round, and the best.
// Separate processes for two trees, alternating: `SRC=/tmp/base/src npx tsx bench/pipeline-steps.ts`.
import { resolve } from 'node:path';
import { cdrMessage, generateCdrs } from '../test/integration/ingest/wire.js';

const SRC = resolve(process.env.SRC ?? new URL('../src', import.meta.url).pathname);
const N = Number(process.env.N ?? 300_000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const CHUNK = 2000;
const { createPipeline } = (await import(`${SRC}/ingest/pipeline.ts`)) as typeof import('../src/ingest/pipeline.js');
const { createFraudEngine } = (await import(`${SRC}/rules/fraud-engine.ts`)) as typeof import('../src/rules/fraud-engine.js');
const { createLogger } = (await import(`${SRC}/log.ts`)) as typeof import('../src/log.js');
const { Metrics } = (await import(`${SRC}/metrics.ts`)) as typeof import('../src/metrics.js');
const consumer = (await import(`${SRC}/ingest/kafka-consumer.ts`)) as Record<string, unknown>;

const start = Date.now() - 12 * 3_600_000;
const msgs = generateCdrs({ n: N, accounts: 20_000, startMs: start, seed: 1, stepMs: 40 }).map(cdrMessage);
interface Msg { magicByte: number; attributes: number; timestamp: string; offset: string; key: Buffer | null; value: Buffer | null; headers: Record<string, never>; isControlRecord: boolean; batchContext: object }
// Kafka messages as kafkajs makes them: each a fresh object per round (kafkajs decodes each fetch anew).
const ctx = {};
const kafkaMessages = (round: number): Msg[] => msgs.map((m, i) => ({
  magicByte: 2, attributes: 0, timestamp: String(start + i * 40), offset: String(round * N + i), key: m.key, value: m.value, headers: {}, isControlRecord: false, batchContext: ctx,
}));
// toRaw as main's kafka-consumer.ts has it, when SRC's does not export one.
const toRawOld = (m: Msg, nowMs: number) => {
  const ts = Number(m.timestamp);
  return { offset: Number(m.offset), key: m.key, value: m.value, headers: {} as Record<string, string>, arrivedAtMs: ts > 0 && ts <= nowMs ? ts : nowMs };
};
const chunkOf = (consumer.rawChunk as ((ms: readonly Msg[], from: number, to: number, now: number) => unknown[]) | undefined) ??
  ((ms: readonly Msg[], from: number, to: number, now: number) => {
    const raw = new Array(to - from);
    for (let k = from; k < to; k++) raw[k - from] = toRawOld(ms[k]!, now);
    return raw;
  });

const stubEngine = { process: () => ({ outcome: 'accepted' as const, hits: [] }), markClean: () => undefined, dirtyCount: () => 0 };
const db = {
  kind: 'postgres' as const,
  query: async () => ({ rows: [], rowCount: 0 }),
  transaction: async () => { throw new Error('no database in this bench'); },
  close: async () => undefined,
};
const pipeline = createPipeline({
  db: db as never, effects: {} as never, dlq: null,
  createEngine: (fraud) => (process.env.ENGINE === 'stub' ? (stubEngine as never) : createFraudEngine(fraud, { allowedLatenessMs: 300_000, defaultTimezone: 'UTC' })),
  rules: { fraud: [], dunning: [] } as never, enforce: true, defaultTimezone: 'UTC', clock: { now: () => new Date() } as never,
  metrics: new Metrics({ defaultMetrics: false }), log: createLogger('silent'),
});
const source = { kind: 'cdrs' as const, topicName: 'bench-cdrs', partition: 'replay' as const };
let best = Infinity;
const per: string[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const ms = kafkaMessages(round);
  const t = process.cpuUsage();
  for (let i = 0; i < ms.length; i += CHUNK) {
    const raw = chunkOf(ms, i, Math.min(ms.length, i + CHUNK), Date.now());
    const res = await pipeline.processBatch(source, raw as never);
    if (res.skipped !== 0) throw new Error('skipped');
  }
  const u = process.cpuUsage(t);
  const us = (u.user + u.system) / N;
  per.push(us.toFixed(2));
  if (round > 0) best = Math.min(best, us);
}
console.log(`${SRC} engine=${process.env.ENGINE ?? 'none'}: µs CPU per CDR by round ${per.join(' ')}; best after the first ${best.toFixed(2)}`);
