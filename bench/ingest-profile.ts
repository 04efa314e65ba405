// Where an end-to-end CDR's CPU goes (issue 17): produces CDRS (default 200,000) CDRs of bench/ingest.ts to a new
// 6-partition topic, runs a bare kafkajs consumer over them (the ratio's baseline), then the pipeline end to end
// (createKafkaIngest, as bench/ingest.ts (b) and (b')) with RULES=shipped|none (default both, one after the other)
// under V8's CPU profiler, and prints per phase: wall CDR/s and ratio to bare, this process's CPU per CDR, the
// PostgreSQL backends' CPU per CDR (bench/pg-cpu.ts) and the process's profile split by part (µs per CDR):
// kafkajs (fetch, protocol decode), JSON decode + validation, engine, pipeline plumbing, checkpoint, pg client,
// metrics, logging, GC. A sample goes to the innermost frame of a known part (src/rules/* is the engine even when
// called from src/ingest). PROFILE_DIR keeps the .cpuprofile files (open them in Chrome DevTools).
// ENGINE=fused profiles the fused engine (default classic).
// Run: KAFKA_BROKERS=127.0.0.1:9092 DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/ingest-profile.ts
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadavg } from 'node:os';
import { PerformanceObserver, constants as perfConstants } from 'node:perf_hooks';
import { Kafka, logLevel } from 'kafkajs';
import { systemClock } from '../src/clock.js';
import { tuneGarbageCollector } from '../src/gc-tuning.js';
import { createIngestEffects } from '../src/ingest/effects.js';
import { createKafkaIngest } from '../src/ingest/kafka-consumer.js';
import { createPipeline } from '../src/ingest/pipeline.js';
import { createLogger } from '../src/log.js';
import { Metrics } from '../src/metrics.js';
import { createEngineOf, type EngineKind } from '../src/rules/engine-choice.js';
import type { RuleSet } from '../src/rules/types.js';
import { loadRules } from '../src/rules-dir.js';
import { createPgDatabase } from '../src/store/pg-database.js';
import { endOfInput, secondsToCheckpoint } from './checkpoint-clock.js';
import { freshDb } from './fresh-db.js';
import { cdrMessage, generateCdrs } from '../test/integration/ingest/wire.js';
import { pgCpu } from './pg-cpu.js';

// The daemon's collector settings (`suspensiond run` sets them too); PRETENURING=1 keeps V8's default.
if (process.env.PRETENURING !== '1') tuneGarbageCollector();
const N = Number(process.env.CDRS ?? 200_000);
const PHASES = (process.env.RULES ?? 'shipped,none').split(',');
/** `ENGINE=fused`: the fused engine (FRAUD_ENGINE), as bench/ingest.ts. */
const ENGINE: EngineKind = process.env.ENGINE === 'fused' ? 'fused' : 'classic';
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const suffix = `${Date.now().toString(36)}-${process.pid}`;
const kafka = () => new Kafka({ clientId: `prof-${suffix}`, brokers, logLevel: logLevel.NOTHING });
const log = createLogger('silent');
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');

interface Node { id: number; callFrame: { functionName: string; url: string }; children?: number[] }
interface Profile { nodes: Node[]; samples: number[]; timeDeltas: number[] }

/** The part a frame belongs to, or null (builtins, node internals: the caller's part). */
function partOf(f: Node['callFrame']): string | null {
  const { url, functionName: fn } = f;
  if (fn === '(garbage collector)') return 'GC';
  if (fn === '(program)' || fn === '(idle)') return 'V8/libuv (program)';
  if (url.includes('/src/rules/')) return 'engine (src/rules)';
  if (url.includes('/src/events/')) return fn === 'decodeRecord' ? 'decode: UTF-8/depth checks + JSON.parse' : 'decode: CDR validation (src/events)';
  if (url.includes('/src/ingest/checkpoint-repo') || url.includes('/src/ingest/partition-checkpoint')) return 'checkpoint (encode, SQL build)';
  if (url.includes('/src/ingest/')) return 'pipeline plumbing (src/ingest)';
  if (url.includes('/src/metrics') || url.includes('/prom-client/')) return 'metrics';
  if (url.includes('/src/log') || url.includes('/pino')) return 'logging';
  if (url.includes('/node_modules/pg') || url.includes('/pg-protocol/') || url.includes('/src/store/')) return 'pg client';
  if (url.includes('/kafkajs/')) return 'kafkajs (fetch, protocol decode)';
  if (url.includes('/bench/')) return 'bench harness';
  if (url.includes('/libphonenumber')) return 'engine (src/rules)';
  return null;
}

function breakdown(p: Profile): Map<string, number> {
  const parent = new Map<number, Node>();
  const byId = new Map<number, Node>();
  for (const n of p.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n);
  }
  const memo = new Map<number, string>();
  const part = (id: number): string => {
    const hit = memo.get(id);
    if (hit) return hit;
    let n: Node | undefined = byId.get(id);
    let out = 'other (node internals, timers)';
    while (n) {
      const k = partOf(n.callFrame);
      if (k) {
        out = k;
        break;
      }
      n = parent.get(n.id);
    }
    memo.set(id, out);
    return out;
  };
  const us = new Map<string, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const k = part(p.samples[i]!);
    us.set(k, (us.get(k) ?? 0) + (p.timeDeltas[i + 1] ?? p.timeDeltas[i] ?? 0));
  }
  return us;
}

async function bare(topic: string): Promise<{ seconds: number; cpuUs: number }> {
  const c = kafka().consumer({ groupId: `prof-bare-${suffix}`, maxBytesPerPartition: 2 * 1024 * 1024 });
  await c.connect();
  await c.subscribe({ topic, fromBeginning: true });
  let n = 0;
  let t0 = 0;
  let cpu = process.cpuUsage();
  const seconds = await new Promise<number>((resolve) => {
    void c.run({
      partitionsConsumedConcurrently: 3,
      eachBatch: async ({ batch }) => {
        if (t0 === 0) {
          t0 = performance.now();
          cpu = process.cpuUsage();
        }
        n += batch.messages.length;
        if (n >= N) resolve((performance.now() - t0) / 1000);
      },
    });
  });
  const used = process.cpuUsage(cpu);
  await c.disconnect();
  return { seconds, cpuUs: used.user + used.system };
}

async function endToEnd(topic: string, rules: RuleSet, label: string, bareS: number): Promise<void> {
  const name = `prof_ingest_${label}_${suffix}`.replace(/-/g, '_');
  const dbi = await freshDb(serverUrl, name);
  const db = createPgDatabase(dbi.url, { max: 6 });
  const metrics = new Metrics({ defaultMetrics: false });
  const inner = createPipeline({
    db, effects: createIngestEffects({ defaultTimezone: 'UTC' }), dlq: null,
    createEngine: (fraud) => createEngineOf(ENGINE, fraud, { allowedLatenessMs: 300_000, defaultTimezone: 'UTC' }, (why) => console.log(`fraud engine fallback: ${why}`)),
    rules, enforce: true, defaultTimezone: 'UTC', clock: systemClock, metrics, log, checkpointIntervalMs: 2_000, stateIntervalMs: 30_000,
    // STATE_MAX_ACCOUNTS: the daemon's ENGINE_STATE_MAX_ACCOUNTS (default 2,500), to see what the state writes cost.
    ...(process.env.STATE_MAX_ACCOUNTS ? { stateMaxAccounts: Number(process.env.STATE_MAX_ACCOUNTS) } : {}),
    // STATE_MIN_SPACING_MS: the pipeline's stateMinSpacingMs (default 1,000; 0: main before the spacing).
    ...(process.env.STATE_MIN_SPACING_MS ? { stateMinSpacingMs: Number(process.env.STATE_MIN_SPACING_MS) } : {}),
  });
  // The clock from the first batch to the end of the input (checkpoint-clock.ts; END_FLUSH=0: the old one).
  const end = process.env.END_FLUSH === '0' ? null : endOfInput(inner, topic, N);
  const pipeline = end?.pipeline ?? inner;
  const ingest = createKafkaIngest({
    kafka, groupId: `prof-e2e-${label}-${suffix}`, topics: { accounts: `prof-acc-${suffix}`, cdrs: topic, invoices: `prof-inv-${suffix}` },
    pipeline, log, metrics, flushIntervalMs: 2_000,
    ...(process.env.INGEST_CHUNK ? { chunkSize: Number(process.env.INGEST_CHUNK) } : {}),
    ...(process.env.INGEST_FETCH_KB ? { maxBytesPerPartition: Number(process.env.INGEST_FETCH_KB) * 1024 } : {}),
  });
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  const pgc = pgCpu(name);
  // The collector's pauses on the main thread during the phase, by kind (scavenges follow what is allocated and
  // survives; Mark-Compacts what reaches the old space).
  const gc = { minor: { n: 0, ms: 0 }, major: { n: 0, ms: 0 } };
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as unknown as { detail: { kind: number } }).detail.kind;
      const c = kind === perfConstants.NODE_PERFORMANCE_GC_MINOR ? gc.minor : kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR ? gc.major : null;
      if (c) {
        c.n++;
        c.ms += e.duration;
      }
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  const t = performance.now();
  const cpu = process.cpuUsage();
  await session.post('Profiler.start');
  // HEAP_SAMPLE=file: what survives a scavenge during the phase, by allocating stack (bench/heap-sample-top.ts);
  // with HEAP_ALL=1 everything allocated (what a scavenge frees too): the allocation rate by site.
  if (process.env.HEAP_SAMPLE) await session.post('HeapProfiler.startSampling', { samplingInterval: 16_384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: process.env.HEAP_ALL === '1' });
  await ingest.start();
  const seconds = await secondsToCheckpoint(db, topic, N, t, end?.firstBatchAt);
  end?.stop();
  const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
  if (process.env.HEAP_SAMPLE) writeFileSync(`${process.env.HEAP_SAMPLE}-${label}`, JSON.stringify((await session.post('HeapProfiler.stopSampling')).profile));
  const used = process.cpuUsage(cpu);
  const pgS = pgc.stop();
  gcObserver.disconnect();
  session.disconnect();
  if (process.env.PROFILE_DIR) writeFileSync(`${process.env.PROFILE_DIR}/ingest-${label}.cpuprofile`, JSON.stringify(profile));
  const cpuUs = used.user + used.system;
  const parts = breakdown(profile);
  const sampled = [...parts.values()].reduce((a, b) => a + b, 0);
  console.log(`(${label}) ${rules.fraud.length} rules: ${Math.round(N / seconds).toLocaleString('en-GB')} CDR/s, ratio to bare ${(bareS / seconds).toFixed(2)}; ` +
    `process CPU ${(cpuUs / N).toFixed(1)} µs per CDR; PostgreSQL backends ${pgS === null ? 'n/a' : `${((pgS * 1e6) / N).toFixed(1)} µs per CDR`}; load ${load()}`);
  console.log(`  GC pauses: ${gc.minor.n} scavenges ${gc.minor.ms.toFixed(0)} ms, ${gc.major.n} Mark-Compacts ${gc.major.ms.toFixed(0)} ms`);
  // Parts scaled to the process CPU (the profile's wall samples include time waiting for a core, and idle).
  const idle = parts.get('V8/libuv (program)') ?? 0;
  for (const [k, v] of [...parts].sort((a, b) => b[1] - a[1])) {
    console.log(`  ${k.padEnd(44)} ${((v / sampled) * 100).toFixed(1).padStart(5)} % of samples  ${k === 'V8/libuv (program)' ? '' : `${(((v / (sampled - idle)) * cpuUs) / N).toFixed(2)} µs per CDR`}`);
  }
  await ingest.stop();
  await db.close();
  await dbi.drop();
}

const admin = kafka().admin();
await admin.connect();
const topic = `prof-cdrs-${suffix}`;
await admin.createTopics({ waitForLeaders: true, topics: [
  { topic, numPartitions: 6 }, { topic: `prof-acc-${suffix}`, numPartitions: 1 }, { topic: `prof-inv-${suffix}`, numPartitions: 1 },
] });
const rules = await loadRules(process.env.RULES_DIR ?? 'rules');
/** `ACCOUNTS`: accounts the CDRs are spread over, as bench/ingest.ts (default 20,000). */
const cdrs = generateCdrs({ n: N, accounts: Number(process.env.ACCOUNTS ?? 20_000), startMs: Date.now() - 12 * 3_600_000, seed: 1, stepMs: 40 }).map(cdrMessage);
const producer = kafka().producer({ idempotent: true, maxInFlightRequests: 5 });
await producer.connect();
for (let i = 0; i < cdrs.length; i += 2000) await producer.send({ topic, acks: -1, messages: cdrs.slice(i, i + 2000) });
await producer.disconnect();
const b = await bare(topic);
console.log(`bare kafkajs consumer: ${Math.round(N / b.seconds).toLocaleString('en-GB')} msg/s, process CPU ${(b.cpuUs / N).toFixed(1)} µs per message; load ${load()}`);
for (const phase of PHASES) await endToEnd(topic, phase === 'none' ? { ...rules, fraud: [] } : rules, phase, b.seconds);
await admin.deleteTopics({ topics: [topic, `prof-acc-${suffix}`, `prof-inv-${suffix}`], timeout: 30_000 }).catch(() => undefined);
await admin.disconnect();
// kafkajs may keep a socket or timer of a stopped consumer alive for a while: the figures are printed, so leave.
process.exit(0);
