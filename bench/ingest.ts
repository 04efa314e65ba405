// Ingestion benchmark (issue 3): loads CDRS (default 1,000,000) realistic ~300-byte CDRs into a 6-partition topic on
// the local broker, then in the same run measures (a) a bare kafkajs consumer that only counts messages, (b) the
// pipeline end to end (decode, validate, dedupe, engine, checkpoint, commit) with the default rules and, for
// comparison, with no fraud rules (the pipeline's own cost), and (c) decision latency from produce to hold
// committed at a steady RATE (default 5,000) CDR/s for LATENCY_SECONDS (default 20; 0 skips it), its traffic sent by
// a process of its own (latency-producer.ts), after WARMUP_SECONDS (default 5) of the same traffic whose holds are
// reported on a line of their own (a process's first seconds: JIT, first fetches); beside the slowest holds it prints the event-loop stalls over 50 ms
// and the garbage collector's pauses over 20 ms, with their times, so each slow hold can be set beside its cause.
// PARTITIONS (default 6) is the CDR topic's partition count; a comma list (e.g. 1,6,12) runs (a), (b) and (b') once
// per count on a topic of that many partitions and prints the growth of throughput and CPU per CDR.
// After (b) and (b') the bare consumer runs again, (a'), and the ratios are also given against the mean of the two
// bare runs (the bare rate alone moved by up to a third between runs; BARE_TWICE=0 skips it).
// WORKERS (a comma list, e.g. 1,2; default none) adds (w) per count: the pipeline end to end with the default rules
// through that many ingest worker threads (INGEST_WORKERS; src/ingest/worker-pipeline.ts). LATENCY_WORKERS=n runs
// (c) through n workers (latency then measured on the main thread when the batch's answer arrives: the trip back
// included). ACCOUNTS (default 20,000) spreads (b)'s CDRs over that many accounts. ENGINE=fused runs every pipeline
// on the fused engine (FRAUD_ENGINE; default classic).
// (b) and (b') are timed from the pipeline's first batch to the end of the input with its deferred checkpoints written
// at once (checkpoint-clock.ts endOfInput says why); END_FLUSH=0 keeps the clock before 1 December 2026 (from the
// first durable checkpoint, scaled, to the flush timer's tick after the last record).
// Run: KAFKA_BROKERS=127.0.0.1:9092 DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/ingest.ts
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadavg } from 'node:os';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { fileURLToPath } from 'node:url';
import { PerformanceObserver, constants as perfConstants } from 'node:perf_hooks';
import { Kafka, logLevel } from 'kafkajs';
import { systemClock } from '../src/clock.js';
import { tuneGarbageCollector } from '../src/gc-tuning.js';
import { createIngestEffects } from '../src/ingest/effects.js';
import { createKafkaIngest } from '../src/ingest/kafka-consumer.js';
import { createPipeline, type Pipeline } from '../src/ingest/pipeline.js';
import { createWorkerPipeline, type WorkerPipeline } from '../src/ingest/worker-pipeline.js';
import { loadConfig } from '../src/config.js';
import { RuleErrors } from '../src/rules/rule-errors.js';
import { createLogger } from '../src/log.js';
import { Metrics } from '../src/metrics.js';
import { createEngineOf } from '../src/rules/engine-choice.js';
import { loadRules } from '../src/rules-dir.js';
import type { RuleSet } from '../src/rules/types.js';
import { createPgDatabase } from '../src/store/pg-database.js';
import { endOfInput, secondsToCheckpoint } from './checkpoint-clock.js';
import { threadCpu, threadCpuSplit, type ThreadCpu } from './thread-cpu.js';
import { freshDb } from './fresh-db.js';
import { HoldStages } from './hold-stages.js';
import { cdr } from '../test/helpers/traffic.js';
import { cdrMessage, generateCdrs } from '../test/integration/ingest/wire.js';

// The daemon's collector settings (`suspensiond run` sets them too); PRETENURING=1 keeps V8's default.
if (process.env.PRETENURING !== '1') tuneGarbageCollector();
const N = Number(process.env.CDRS ?? 1_000_000);
const RATE = Number(process.env.RATE ?? 5_000);
const LATENCY_SECONDS = Number(process.env.LATENCY_SECONDS ?? 20);
/** Seconds of (c)'s traffic sent before the measured LATENCY_SECONDS; their holds are reported apart (0: none). */
const WARMUP_SECONDS = Number(process.env.WARMUP_SECONDS ?? 5);
/** Partition counts of the CDR topic, one end-to-end round each (a growth curve when there are several). */
const PARTITIONS = (process.env.PARTITIONS ?? '6').split(',').map(Number);
/** How long a batch without effects may defer its checkpoint (the daemon's default is 2 s). */
const CHECKPOINT_MS = Number(process.env.CHECKPOINT_MS ?? 2_000);
const STATE_MS = Number(process.env.STATE_MS ?? 30_000);
/** A second bare consumer run after (b) and (b'), and the ratios against the mean of both (BARE_TWICE=0: one run). */
const BARE_TWICE = process.env.BARE_TWICE !== '0';
/** Ingest worker counts for (w), one round each per partition count (none by default). */
/** FRAUD_ENGINE of the pipelines measured: ENGINE=fused (default classic). */
const ENGINE = process.env.ENGINE === 'fused' ? 'fused' : 'classic';
const WORKERS = (process.env.WORKERS ?? '').split(',').filter((w) => w.trim() !== '').map(Number);
const LATENCY_WORKERS = Number(process.env.LATENCY_WORKERS ?? 0);
/** Attacking accounts a second in (c), 3 CDRs each (1: the traffic of every run before 30 November, 07:00 UTC). */
const ATTACKS = Number(process.env.ATTACKS ?? 10);
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const suffix = `${Date.now().toString(36)}-${process.pid}`;
const kafka = () => new Kafka({ clientId: `bench-${suffix}`, brokers, logLevel: logLevel.NOTHING });
const log = createLogger('silent');

// The bench has hung twice before its first phase (bench/README.md, Ingest, branch `stall`), silently: each step
// says what it waits for, and a step without progress for STEP_LIMIT_S (default 300) seconds ends the run with its
// name (KAFKAJS_LOG_LEVEL=INFO then shows the client's side).
const STEP_LIMIT_MS = Number(process.env.STEP_LIMIT_S ?? 300) * 1000;
let step = 'starting';
let stepAt = performance.now();
const stepTo = (what: string) => {
  step = what;
  stepAt = performance.now();
};
setInterval(() => {
  if (performance.now() - stepAt < STEP_LIMIT_MS) return;
  console.error(`bench: no progress for ${Math.round((performance.now() - stepAt) / 1000)} s in step "${step}"; giving up`);
  process.exit(2);
}, 5_000).unref();

async function produceAll(topic: string, messages: { key: Buffer; value: Buffer }[]): Promise<number> {
  const producer = kafka().producer({ idempotent: true, maxInFlightRequests: 5 });
  stepTo(`producing to ${topic}: connecting the producer`);
  await producer.connect();
  const t = performance.now();
  const chunk = 2000;
  const inflight: Promise<unknown>[] = [];
  for (let i = 0; i < messages.length; i += chunk) {
    inflight.push(producer.send({ topic, acks: -1, messages: messages.slice(i, i + chunk) }));
    if (inflight.length >= 4) await inflight.shift();
    stepTo(`producing to ${topic}: ${i.toLocaleString('en-GB')} of ${messages.length.toLocaleString('en-GB')} sent, 4 sends in flight`);
  }
  await Promise.all(inflight);
  const s = (performance.now() - t) / 1000;
  await producer.disconnect();
  return s;
}

async function bare(topic: string, round = 1): Promise<number> {
  const c = kafka().consumer({ groupId: `bench-bare-${round}-${suffix}`, maxBytesPerPartition: 2 * 1024 * 1024 });
  const label = round === 1 ? '(a)' : "(a')";
  stepTo(`${label} bare consumer: connecting`);
  await c.connect();
  await c.subscribe({ topic, fromBeginning: true });
  stepTo(`${label} bare consumer: joining its group, waiting for the first batch`);
  let n = 0;
  let t0 = 0;
  const done = new Promise<number>((resolve) => {
    void c.run({
      // As many partitions at once as the daemon's consumer (createKafkaIngest's default since 30 November 2026).
      partitionsConsumedConcurrently: 16,
      eachBatch: async ({ batch }) => {
        if (t0 === 0) t0 = performance.now();
        n += batch.messages.length;
        stepTo(`${label} bare consumer: ${n.toLocaleString('en-GB')} of ${N.toLocaleString('en-GB')} messages`);
        if (n >= N) resolve((performance.now() - t0) / 1000);
      },
    });
  });
  const s = await done;
  await c.disconnect();
  return s;
}

async function endToEnd(topic: string, rules: RuleSet, label: string, latencies?: [seconds: number, at: number][], workers = 0, trace?: HoldStages): Promise<{ seconds: number; cpuSeconds: number; threads: string; stop: () => Promise<void>; url: string; drop: () => Promise<void> }> {
  stepTo(`${label}: creating its database`);
  const dbi = await freshDb(serverUrl, `bench_ingest_${label}_${suffix}`.replace(/-/g, '_'));
  const db = createPgDatabase(dbi.url, { max: 6 });
  const metrics = new Metrics({ defaultMetrics: false });
  if (latencies && workers === 0) {
    trace?.metrics(metrics);
    const traced = metrics.observeDecisionLatency.bind(metrics);
    metrics.observeDecisionLatency = (r: string, s: number) => {
      latencies.push([s, performance.now()]);
      traced(r, s);
    };
  }
  const local = createPipeline({
    db: trace ? trace.db(db) : db, effects: createIngestEffects({ defaultTimezone: 'UTC' }), dlq: null,
    createEngine: (fraud) => createEngineOf(ENGINE, fraud, { allowedLatenessMs: 300_000, defaultTimezone: 'UTC' }, (why) => console.log(`fraud engine fallback: ${why}`)),
    rules, enforce: true, defaultTimezone: 'UTC', clock: systemClock, metrics, log, checkpointIntervalMs: CHECKPOINT_MS, stateIntervalMs: STATE_MS,
    ...(process.env.STATE_MAX_ACCOUNTS ? { stateMaxAccounts: Number(process.env.STATE_MAX_ACCOUNTS) } : {}),
    // STATE_MIN_SPACING_MS: the pipeline's stateMinSpacingMs (default 1,000; 0: main before the spacing).
    ...(process.env.STATE_MIN_SPACING_MS ? { stateMinSpacingMs: Number(process.env.STATE_MIN_SPACING_MS) } : {}),
  });
  // (w): the daemon's worker pipeline, its workers configured as the daemon would be (each its own pool).
  let pool: WorkerPipeline | null = null;
  let known: ThreadCpu | null = null;
  if (workers > 0) {
    known = threadCpu();
    const config = loadConfig({
      DATABASE_URL: dbi.url, KAFKA_BROKERS: brokers.join(','), LOG_LEVEL: 'silent', DEFAULT_TIMEZONE: 'UTC', ALLOWED_LATENESS: '5m',
      ENGINE_STATE_INTERVAL: `${STATE_MS}ms`, INGEST_WORKERS: String(workers), FRAUD_ENGINE: ENGINE, RULES_DIR: process.env.RULES_DIR ?? 'rules',
    });
    pool = createWorkerPipeline({ count: workers, local, config, rules, budgetBytes: null, dlq: null, ruleErrors: new RuleErrors(), onCommitted: () => {}, metrics, log });
    await pool.start();
    if (latencies) {
      pool.observe((_source, records, result) => {
        const now = Date.now();
        for (const d of result.decisions ?? []) if (d.action === 'suspend') latencies.push([Math.max(0, now - records[d.index]!.arrivedAtMs) / 1000, performance.now()]);
      });
    }
  }
  const inner: Pipeline = pool ?? (trace ? trace.pipeline(local) : local);
  // (b), (b'): the clock from the first batch to the end of the input (checkpoint-clock.ts; END_FLUSH=0: the old one).
  const end = !latencies && process.env.END_FLUSH !== '0' ? endOfInput(inner, topic, N) : null;
  const pipeline: Pipeline = end?.pipeline ?? inner;
  const ingest = createKafkaIngest({
    kafka: trace ? trace.kafka(kafka) : kafka, groupId: `bench-e2e-${label}-${suffix}`, topics: { accounts: `bench-acc-${suffix}`, cdrs: topic, invoices: `bench-inv-${suffix}` },
    pipeline, log, metrics, flushIntervalMs: CHECKPOINT_MS,
    ...(process.env.INGEST_CONCURRENCY ? { concurrency: Number(process.env.INGEST_CONCURRENCY) } : {}),
    ...(process.env.INGEST_CHUNK ? { chunkSize: Number(process.env.INGEST_CHUNK) } : {}),
    ...(process.env.INGEST_FETCH_KB ? { maxBytesPerPartition: Number(process.env.INGEST_FETCH_KB) * 1024 } : {}),
  });
  const t = performance.now();
  const cpu = process.cpuUsage();
  const cpuByThread = known && threadCpu();
  stepTo(`${label}: starting the consumer`);
  await ingest.start();
  stepTo(`${label}: waiting for the checkpoints to cover ${N.toLocaleString('en-GB')} records`);
  let seconds = 0;
  if (!latencies) {
    seconds = await secondsToCheckpoint(db, topic, N, t, end?.firstBatchAt);
    end?.stop();
  }
  // CPU of this process (the daemon's side: kafkajs, decoding, engine, pg client) from start to the last checkpoint:
  // steadier than wall time when the machine is shared, as it does not count time spent waiting for a core.
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  // (w): which threads burned it, µs per CDR: the main thread, each ingest worker, the rest (V8's GC and compiler
  // helper threads, libuv's pool).
  const us = (s: number) => ((s * 1e6) / N).toFixed(1);
  const split = known && cpuByThread ? threadCpuSplit(known, cpuByThread) : null;
  const threads = split ? `main ${us(split.main)}, workers ${split.started.map(us).join(' + ')}, other threads ${us(split.others)} µs per CDR` : '';
  return { seconds, cpuSeconds, threads, url: dbi.url, drop: dbi.drop, stop: async () => { await ingest.stop(); await pool?.close(); await db.close(); } };
}

const rate = (n: number, s: number) => Math.round(n / s).toLocaleString('en-GB');
const admin = kafka().admin();
stepTo('connecting the admin client');
await admin.connect();
stepTo('creating the topics');
const latencyTopic = `bench-latency-${suffix}`;
const cdrTopic = (p: number) => `bench-cdrs-${suffix}-p${p}`;
await admin.createTopics({ waitForLeaders: true, topics: [
  ...PARTITIONS.map((p) => ({ topic: cdrTopic(p), numPartitions: p })), { topic: latencyTopic, numPartitions: 6 },
  { topic: `bench-acc-${suffix}`, numPartitions: 1 }, { topic: `bench-inv-${suffix}`, numPartitions: 1 },
] });
stepTo('loading the rules and building the CDRs');
const rules = await loadRules(process.env.RULES_DIR ?? 'rules');
/** `ACCOUNTS`: accounts the CDRs of (a) and (b) are spread over (default 20,000: ~50 CDRs each; 1,000,000: about one
 * each, as a platform of a million accounts sees in a short while, so that nearly every CDR makes a state write). */
const ACCOUNTS = Number(process.env.ACCOUNTS ?? 20_000);
const cdrs = generateCdrs({ n: N, accounts: ACCOUNTS, startMs: Date.now() - 12 * 3_600_000, seed: 1, stepMs: 40 }).map(cdrMessage);
const avg = Math.round(cdrs.reduce((s, m) => s + m.value.length, 0) / cdrs.length);
const perCdr = (cpuSeconds: number) => `CPU ${cpuSeconds.toFixed(1)} s, ${((cpuSeconds * 1e6) / N).toFixed(1)} µs per CDR`;
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
interface Row { partitions: number; bareS: number; e2eS: number; e2eCpuS: number; noneS: number; noneCpuS: number; load: string }
const rows: Row[] = [];
for (const partitions of PARTITIONS) {
  const topic = cdrTopic(partitions);
  console.log(`--- ${partitions} partition(s), ${ENGINE} engine (load ${load()})`);
  console.log(`produced ${N.toLocaleString('en-GB')} CDRs (avg ${avg} bytes) in ${(await produceAll(topic, cdrs)).toFixed(1)} s`);
  const bareS = await bare(topic);
  console.log(`(a) bare kafkajs consumer: ${rate(N, bareS)} msg/s (${bareS.toFixed(1)} s)`);
  const e2e = await endToEnd(topic, rules, `rules_p${partitions}`);
  await e2e.stop();
  await e2e.drop();
  console.log(`(b) pipeline end to end, default rules (${rules.fraud.length}): ${rate(N, e2e.seconds)} CDR/s (${e2e.seconds.toFixed(1)} s), ratio to bare ${(bareS / e2e.seconds).toFixed(2)}; ${perCdr(e2e.cpuSeconds)}`);
  const none = await endToEnd(topic, { ...rules, fraud: [] }, `norules_p${partitions}`);
  await none.stop();
  await none.drop();
  console.log(`(b') pipeline end to end, no fraud rules: ${rate(N, none.seconds)} CDR/s (${none.seconds.toFixed(1)} s), ratio to bare ${(bareS / none.seconds).toFixed(2)}; ${perCdr(none.cpuSeconds)}`);
  if (BARE_TWICE) {
    // The bare consumer's own rate moved by up to a third between runs on a quiet machine (240k-340k msg/s, 2
    // December 2026), and the ratio with it: a second bare run after the pipelines, and the ratios against both.
    const again = await bare(topic, 2);
    const meanS = (bareS + again) / 2;
    console.log(`(a') bare kafkajs consumer again, after (b) and (b'): ${rate(N, again)} msg/s (${again.toFixed(1)} s); against the mean of both bare runs (${rate(N, meanS)} msg/s): (b) ${(meanS / e2e.seconds).toFixed(2)}, (b') ${(meanS / none.seconds).toFixed(2)}`);
  }
  for (const [wi, w] of WORKERS.entries()) {
    const before = load();
    const pooled = await endToEnd(topic, rules, `workers${w}_${wi}_p${partitions}`, undefined, w);
    await pooled.stop();
    await pooled.drop();
    console.log(`(w) pipeline end to end, default rules, ${w} ingest worker(s): ${rate(N, pooled.seconds)} CDR/s (${pooled.seconds.toFixed(1)} s), ratio to bare ${(bareS / pooled.seconds).toFixed(2)}, x${(e2e.seconds / pooled.seconds).toFixed(2)} of (b); ${perCdr(pooled.cpuSeconds)} (all threads: ${pooled.threads}); load before ${before}, after ${load()}`);
  }
  rows.push({ partitions, bareS, e2eS: e2e.seconds, e2eCpuS: e2e.cpuSeconds, noneS: none.seconds, noneCpuS: none.cpuSeconds, load: load() });
}
// (a), (b) and (b') are done with the CDRs built for them: drop them before (c), whose garbage collections would
// otherwise mark them every time (20,000 messages: ~61,000 heap objects and 7.5 MB of array buffers that the daemon
// does not have; branch `lat3`).
cdrs.length = 0;
if (rows.length > 1) {
  // The growth curve per partition count: throughput and CPU per CDR, each against the first count.
  const us = (cpuS: number) => `${((cpuS * 1e6) / N).toFixed(1)} µs`;
  const x = (a: number, b: number) => `x${(a / b).toFixed(2)}`;
  const r0 = rows[0]!;
  console.log(`\ngrowth (N = ${N.toLocaleString('en-GB')}): partitions | bare msg/s | rules: CDR/s (ratio to bare), CPU per CDR | no rules: CDR/s (ratio), CPU per CDR | vs ${r0.partitions}: rules CDR/s, CPU per CDR | load after`);
  for (const r of rows) {
    console.log(`${r.partitions} | ${rate(N, r.bareS)} | ${rate(N, r.e2eS)} (${(r.bareS / r.e2eS).toFixed(2)}), ${us(r.e2eCpuS)} | ${rate(N, r.noneS)} (${(r.bareS / r.noneS).toFixed(2)}), ${us(r.noneCpuS)} | ` +
      `${x(r0.e2eS, r.e2eS)}, ${x(r.e2eCpuS, r0.e2eCpuS)} | ${r.load}`);
  }
  console.log(JSON.stringify({ bench: 'ingest-growth', n: N, rows }));
}

if (LATENCY_SECONDS > 0) {
  // (c) steady RATE CDR/s of ordinary traffic; every second one fresh account dials an IRSF burst (3 calls to +882
  // cross the default irsf-international-networks suspend level). Latency: produce (Kafka timestamp) -> hold committed.
  const latencies: [seconds: number, at: number][] = [];
  const trace = LATENCY_WORKERS === 0 ? new HoldStages() : undefined;
  const live = await endToEnd(latencyTopic, rules, 'latency', latencies, LATENCY_WORKERS, trace);
  stepTo('(c) sending the traffic');
  if (LATENCY_WORKERS > 0) console.log(`(c) through ${LATENCY_WORKERS} ingest worker(s); the stalls and GC pauses below are the main thread's only`);
  // What held the event loop during (c), to set beside the slow holds: stalls (a 5 ms timer firing more than 50 ms
  // late; `at` is when the stall began) and the garbage collector's pauses over 20 ms, with their kind.
  const stalls: { at: number; ms: number }[] = [];
  let tick = performance.now();
  const sampler = setInterval(() => {
    const now = performance.now();
    if (now - tick - 5 > 50) stalls.push({ at: tick, ms: now - tick - 5 });
    if (now - tick - 5 > 20) trace?.stalls.push({ at: performance.timeOrigin + tick, ms: now - tick - 5 });
    tick = now;
  }, 5);
  const gcKinds: Record<number, string> = {
    [perfConstants.NODE_PERFORMANCE_GC_MAJOR]: 'major', [perfConstants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
    [perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental', [perfConstants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
  };
  const gcs: { at: number; ms: number; kind: string }[] = [];
  const gcCount: Record<string, { n: number; ms: number }> = {};
  // The heap in use just after each major GC (read when the observer runs, soon after): its growth over (c) is what
  // brings the old-space Mark-Compacts, whose marking is the stall ~30 s apart (branches `tail30`, `gclat`).
  // With it, the array buffers' bytes (ArrayBuffer backing stores: outside the V8 heap, but V8 counts them as
  // external memory, and 64 MB of growth since the last Mark-Compact starts the next one).
  const afterMajor: { at: number; mb: number; ab: number }[] = [];
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = gcKinds[(e as unknown as { detail: { kind: number } }).detail.kind] ?? 'other';
      if (kind === 'major') afterMajor.push({ at: e.startTime, mb: getHeapStatistics().used_heap_size / 2 ** 20, ab: process.memoryUsage().arrayBuffers / 2 ** 20 });
      const c = (gcCount[kind] ??= { n: 0, ms: 0 });
      c.n++;
      c.ms += e.duration;
      trace?.gcs.push({ at: performance.timeOrigin + e.startTime, ms: e.duration });
      if (e.duration > 20) gcs.push({ at: e.startTime, ms: e.duration, kind });
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  await new Promise((r) => setTimeout(r, 3000));
  // HEAP_SAMPLE=file: V8's sampling heap profiler over (c), keeping the samples that a scavenge did not free (those
  // a Mark-Compact frees are kept): what reaches the old space, the garbage that brings its Mark-Compacts included,
  // by allocating stack (summarise with `npx tsx bench/heap-sample-top.ts file`).
  const heapSession = process.env.HEAP_SAMPLE ? new Session() : null;
  if (heapSession) {
    heapSession.connect();
    await heapSession.post('HeapProfiler.startSampling', { samplingInterval: 16_384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: false });
  }
  // The traffic comes from a process of its own (latency-producer.ts), so building and sending it does not hold
  // this event loop; LATENCY_PRODUCER=inline sends it from here, as before 30 November 2026.
  const start = Date.now() + 2000;
  const sent = WARMUP_SECONDS + LATENCY_SECONDS;
  // The measured window begins after the warm-up's seconds of traffic (produce times from t0 on).
  const t0 = performance.now() + (start - Date.now()) + WARMUP_SECONDS * 1000;
  // This process's CPU (all its threads: the GC's helpers too) from 2 s before the traffic to 5 s after it: less
  // bent by a busy machine than the latencies, so two builds can be told apart when the load is high.
  const cpuC = process.cpuUsage();
  if (process.env.LATENCY_PRODUCER === 'inline') {
    const producer = kafka().producer({ idempotent: true });
    await producer.connect();
    for (let sec = 0; sec < sent; sec++) {
      const tick = start + sec * 1000;
      const ordinary = generateCdrs({ n: RATE - 3, accounts: 20_000, startMs: tick - 600_000, seed: 100 + sec, stepMs: 0, prefix: `lat${sec}` }).map(cdrMessage);
      const burst = [0, 1, 2].map((i) => cdrMessage(cdr({ id: `irsf-${sec}-${i}`, accountId: `victim-${sec}`, callee: `+88213000${100 + i}`, startedAt: tick - 120_000 + i * 1000, durationSec: 30 })));
      for (let k = 0; k < 10; k++) {
        const part = [...ordinary.slice((k * ordinary.length) / 10, ((k + 1) * ordinary.length) / 10), ...(k === 9 ? burst : [])];
        await producer.send({ topic: latencyTopic, acks: -1, messages: part });
        const wait = tick + (k + 1) * 100 - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
    }
    await producer.disconnect();
  } else {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./latency-producer.ts', import.meta.url))], {
      stdio: 'inherit',
      env: { ...process.env, NODE_OPTIONS: '', TOPIC: latencyTopic, RATE: String(RATE), LATENCY_SECONDS: String(sent), START: String(start), KAFKA_BROKERS: brokers.join(','), ATTACKS: String(ATTACKS) },
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    if (code !== 0) throw new Error(`latency producer exited with ${code}`);
  }
  await new Promise((r) => setTimeout(r, 5000));
  const usedC = process.cpuUsage(cpuC);
  if (heapSession) {
    const { profile } = await heapSession.post('HeapProfiler.stopSampling');
    writeFileSync(process.env.HEAP_SAMPLE!, JSON.stringify(profile));
    heapSession.disconnect();
  }
  clearInterval(sampler);
  gcObserver.disconnect();
  stepTo('(c) stopping');
  await live.stop();
  await live.drop();
  // The warm-up's holds (produced before t0) apart; then the slowest five of the measured window, with the second
  // of the window (from its first CDR produced) they were committed in.
  const warm = latencies.filter(([l, at]) => at - l * 1000 < t0).map(([l]) => l).sort((a, b) => a - b);
  const measured = latencies.filter(([l, at]) => at - l * 1000 >= t0);
  latencies.length = 0;
  latencies.push(...measured);
  latencies.sort((a, b) => a[0] - b[0]);
  if (WARMUP_SECONDS > 0) {
    const wq = (p: number) => (warm.length ? (warm[Math.min(warm.length - 1, Math.floor(p * warm.length))]! * 1000).toFixed(0) : 'n/a');
    console.log(`(c) warm-up, the first ${WARMUP_SECONDS} s of the same traffic (not in the figures below): ${warm.length} holds, p50 ${wq(0.5)} ms, p99 ${wq(0.99)} ms, max ${wq(1)} ms`);
  }
  const sec = (at: number) => `+${((at - t0) / 1000).toFixed(1)} s`;
  const slowest = latencies.slice(-5).reverse().map(([l, at]) => `${(l * 1000).toFixed(0)} ms at ${sec(at)}`);
  const q = (p: number) => (latencies.length ? (latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]![0] * 1000).toFixed(0) : 'n/a');
  console.log(`(c) decision latency at ${RATE.toLocaleString('en-GB')} CDR/s for ${LATENCY_SECONDS} s, ${ATTACKS} attacking account(s) a second (${((300 * ATTACKS) / RATE).toFixed(1)}% of the CDRs): ` +
    `${latencies.length} holds, p50 ${q(0.5)} ms, p90 ${q(0.9)} ms, p99 ${q(0.99)} ms, max ${q(1)} ms; slowest: ${slowest.join(', ')}; load ${load()}`);
  console.log(`    (c) CPU of this process: ${((usedC.user + usedC.system) / 1e6).toFixed(1)} s (${((usedC.user + usedC.system) / (RATE * LATENCY_SECONDS)).toFixed(1)} µs per CDR)`);
  if (trace) console.log(trace.report(performance.timeOrigin + t0));
  const during = stalls.filter((x) => x.at >= t0);
  console.log(`    (c) started ${(t0 / 1000).toFixed(2)} s into the process (to match --trace-gc times); event-loop stalls > 50 ms: ${during.length ? during.map((x) => `${x.ms.toFixed(0)} ms at ${sec(x.at)}`).join(', ') : 'none'}`);
  console.log(`    GC pauses > 20 ms: ${gcs.filter((g) => g.at >= t0).map((g) => `${g.kind} ${g.ms.toFixed(0)} ms at ${sec(g.at)}`).join(', ') || 'none'}; ` +
    `all of (c): ${Object.entries(gcCount).map(([k, c]) => `${c.n} ${k} ${c.ms.toFixed(0)} ms`).join(', ')}`);
  const majors = afterMajor.filter((g) => g.at >= t0);
  const grow = majors.length >= 2 ? (majors.at(-1)!.mb - majors[0]!.mb) / ((majors.at(-1)!.at - majors[0]!.at) / 1000) : NaN;
  const young = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  console.log(`    heap after each major GC of (c): ${majors.map((g) => `${g.mb.toFixed(0)} MB (+ ${g.ab.toFixed(0)} MB array buffers) at ${sec(g.at)}`).join(', ') || 'none'}` +
    `${Number.isNaN(grow) ? '' : `; growth ${grow.toFixed(2)} MB/s`}; young generation now ${((young?.space_size ?? 0) / 2 ** 20).toFixed(0)} MB; ` +
    `max RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB; node flags: ${[...process.execArgv.filter((a) => a.startsWith('--max-') || a.startsWith('--min-') || a.includes('semi')), process.env.NODE_OPTIONS ?? ''].join(' ').trim() || 'none'}`);
}
stepTo('deleting the topics');
await admin.deleteTopics({ topics: [...PARTITIONS.map(cdrTopic), latencyTopic, `bench-acc-${suffix}`, `bench-inv-${suffix}`] }).catch(() => undefined);
await admin.disconnect();
