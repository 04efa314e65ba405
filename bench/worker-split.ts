// What worker threads (issue 17 item 3) can buy on this machine, before building them into the daemon: the same
// CDRs from a 6-partition topic through (a) a bare kafkajs consumer that only counts, (m) kafkajs + the daemon's
// decode and fraud engine on the consumer's thread, and (w) kafkajs on the main thread handing each batch's values
// (one copied buffer, transferred) to K worker threads that decode and evaluate, each owning partitions p % K. The
// main thread awaits each batch's answer before the next batch of that partition, as a commit would. PostgreSQL,
// checkpoints and effects are left out on purpose: this is the ceiling of the split, not the daemon's rate.
// Run: KAFKA_BROKERS=127.0.0.1:9092 npx tsx bench/worker-split.ts  (CDRS, default 1,000,000; WORKERS, default 1,2;
// RULES_DIR, default rules; NO_RULES=1 runs the engine without fraud rules, as bench/ingest.ts's (b')).
import { loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { loadRules } from '../src/rules-dir.js';
import { cdrMessage, generateCdrs } from '../test/integration/ingest/wire.js';
import { createEvaluator } from './worker-split-evaluate.js';

const N = Number(process.env.CDRS ?? 1_000_000);
const WORKERS = (process.env.WORKERS ?? '1,2').split(',').map(Number);
const RULES_DIR = process.env.RULES_DIR ?? 'rules';
const NO_RULES = process.env.NO_RULES === '1';
const PARTITIONS = 6;
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const suffix = `${Date.now().toString(36)}-${process.pid}`;
const kafka = () => new Kafka({ clientId: `bench-split-${suffix}`, brokers, logLevel: logLevel.NOTHING });
const topic = `bench-split-${suffix}`;
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

type Handler = (partition: number, values: Buffer[]) => Promise<void> | void;

/** Consumes the topic from the start until N messages were handled; wall seconds from the first batch, and CPU. */
async function consume(label: string, concurrency: number, handle: Handler): Promise<{ seconds: number; cpuSeconds: number }> {
  const c: Consumer = kafka().consumer({ groupId: `bench-split-${label}-${suffix}`, maxBytesPerPartition: 2 * 1024 * 1024 });
  await c.connect();
  await c.subscribe({ topic, fromBeginning: true });
  let n = 0;
  let t0 = 0;
  let cpu0 = process.cpuUsage();
  const done = new Promise<number>((resolve) => {
    void c.run({
      partitionsConsumedConcurrently: concurrency,
      eachBatch: async ({ batch }) => {
        if (t0 === 0) {
          t0 = performance.now();
          cpu0 = process.cpuUsage();
        }
        const values = batch.messages.map((m) => m.value!);
        await handle(batch.partition, values);
        n += values.length;
        if (n >= N) resolve((performance.now() - t0) / 1000);
      },
    });
  });
  const seconds = await done;
  const u = process.cpuUsage(cpu0);
  await c.disconnect();
  return { seconds, cpuSeconds: (u.user + u.system) / 1e6 };
}

function pack(values: Buffer[]): { bytes: Uint8Array<ArrayBuffer>; ends: Uint32Array<ArrayBuffer> } {
  const ends = new Uint32Array(values.length);
  let total = 0;
  for (let i = 0; i < values.length; i++) ends[i] = total += values[i]!.length;
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const v of values) {
    bytes.set(v, at);
    at += v.length;
  }
  return { bytes, ends };
}

async function startWorker(): Promise<Worker> {
  const entry = new URL('./worker-split-evaluate.ts', import.meta.url).href;
  const w = new Worker(new URL('./worker-boot.mjs', import.meta.url), { workerData: { entry, rulesDir: RULES_DIR, noRules: NO_RULES } });
  await new Promise<void>((resolve, reject) => {
    w.once('message', () => resolve());
    w.once('error', reject);
  });
  return w;
}

const messages = generateCdrs({ n: N, accounts: 20_000, startMs: Date.now() - 12 * 3_600_000, seed: 1, stepMs: 40 }).map(cdrMessage);
const admin = kafka().admin();
await admin.connect();
await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true });
const producer = kafka().producer({ idempotent: true, maxInFlightRequests: 5 });
await producer.connect();
for (let i = 0; i < messages.length; i += 2000) await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 2000) });
await producer.disconnect();
console.log(`${N.toLocaleString('en-GB')} CDRs on ${PARTITIONS} partitions, ${NO_RULES ? 'no fraud rules' : `rules from ${RULES_DIR}`}; load ${load()}`);

const rows: { label: string; seconds: number; cpuSeconds: number }[] = [];
const report = (label: string, r: { seconds: number; cpuSeconds: number }) => {
  rows.push({ label, ...r });
  const bare = rows[0]!;
  console.log(`${label.padEnd(34)} ${Math.round(N / r.seconds).toLocaleString('en-GB').padStart(9)} msg/s  ratio ${(bare.seconds / r.seconds).toFixed(2)}  ` +
    `CPU ${((r.cpuSeconds * 1e6) / N).toFixed(1)} µs per CDR (process, all threads)  load ${load()}`);
};

report('(a) bare kafkajs consumer', await consume('bare', 3, () => {}));
const rules = await loadRules(RULES_DIR);
const main = createEvaluator(NO_RULES ? [] : rules.fraud);
report('(m) decode + engine, main thread', await consume('main', 3, (p, values) => {
  const { bytes, ends } = pack(values);
  main.batch(p, bytes, ends);
}));
for (const k of WORKERS) {
  const workers = await Promise.all(Array.from({ length: k }, startWorker));
  let nextId = 0;
  const waiting = new Map<number, () => void>();
  for (const w of workers) w.on('message', (m: { id?: number }) => { if (m.id !== undefined) { waiting.get(m.id)!(); waiting.delete(m.id); } });
  report(`(w) decode + engine in ${k} worker${k > 1 ? 's' : ''}`, await consume(`w${k}`, PARTITIONS, (p, values) => {
    const { bytes, ends } = pack(values);
    const id = nextId++;
    return new Promise<void>((resolve) => {
      waiting.set(id, resolve);
      workers[p % k]!.postMessage({ id, partition: p, bytes, ends }, [bytes.buffer, ends.buffer]);
    });
  }));
  await Promise.all(workers.map((w) => w.terminate()));
}
await admin.deleteTopics({ topics: [topic] });
await admin.disconnect();
