// An ingest worker thread (issue 17, parallel partitions): an ordinary pipeline (create-ingest-pipeline.ts: the same
// decode, evaluate and commit code, its own engines, checkpoints and fenced offsets) on its own PostgreSQL pool, for
// the Kafka partitions the main thread routes to it (worker-pipeline.ts). It answers the main thread's calls one by
// one by id, and reports commits (outbox wake-up), rule errors, dead letters (produced by the main thread's DLQ
// producer), its memory summary, readiness and metric series, and beats a shared heartbeat counter from its event
// loop (worker-liveness.ts: a blocked loop stops it). Runs only as a worker (started through worker-boot.mjs).
// Never: talks to Kafka, answers a batch before its transaction has committed (the pipeline's own guarantee), or obeys
// a test hook unless started with testHooks (tests only).
import { parentPort, workerData } from 'node:worker_threads';
import { systemClock } from '../clock.js';
import { createLogger } from '../log.js';
import { Metrics } from '../metrics.js';
import { RuleErrors } from '../rules/rule-errors.js';
import { openDatabase } from '../store/open-database.js';
import { packResult, unpackBatch, type WireBatchResult } from './batch-wire.js';
import { createIngestPipeline } from './create-ingest-pipeline.js';
import type { Pipeline } from './pipeline.js';
import { toWire, type CallOp, type FromWorker, type ToWorker, type WorkerInit } from './worker-protocol.js';
import type { DeadLetter, DeadLetterSink } from './types.js';

const port = parentPort;
if (!port) throw new Error('pipeline-worker.ts runs only as a worker thread');
const init = workerData as WorkerInit;
const { config } = init;
const post = (m: FromWorker, transfer?: ArrayBuffer[]) => port.postMessage(m, transfer as never);
const log = createLogger(config.logLevel).child({ component: 'ingest-worker', worker: init.index });

// The heartbeat, from this thread's event loop: it stops when the loop is blocked, whatever the main thread does.
const beats = new Int32Array(init.heartbeat);
setInterval(() => Atomics.add(beats, 0, 1), init.beatMs).unref();

// Dead letters go to the main thread's producer: the batch's commit waits for the broker's ack as it does in process.
let dlqIds = 0;
const dlqWaiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
const dlq: DeadLetterSink | null = config.kafka
  ? {
      send: (letters: readonly DeadLetter[]) =>
        new Promise<void>((resolve, reject) => {
          const id = ++dlqIds;
          dlqWaiting.set(id, { resolve, reject });
          post({ type: 'dlq', id, letters: [...letters] });
        }),
    }
  : null;

// A rule that throws is recorded by the main thread's RuleErrors (log, metric, /readyz details), as in process.
const ruleErrors = new RuleErrors((e) =>
  post({ type: 'rule-error', ruleId: e.ruleId, accountId: e.accountId, cdrId: e.cdrId, phase: e.phase, at: e.at, message: e.message }),
);

const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
// Process-wide series (CPU, heap, event loop) are the main thread's: a worker's would be summed into them.
const metrics = new Metrics({ defaultMetrics: false });
const pipeline: Pipeline = createIngestPipeline(config, {
  db,
  dlq,
  rules: init.rules,
  clock: systemClock,
  metrics,
  log,
  ruleErrors,
  onCommitted: () => post({ type: 'committed' }),
  budgetBytes: init.budgetBytes,
});

const stats = () => post({ type: 'stats', memory: pipeline.memory.summary(), readiness: pipeline.memory.readiness() });
// Series snapshots are taken one after another, so the main thread receives them (pushed or asked for) in order.
let lastSeries: Promise<unknown> = Promise.resolve();
const series = () => {
  const next = lastSeries.then(() => metrics.json());
  lastSeries = next.catch(() => undefined);
  return next;
};
const statsTimer = setInterval(() => {
  stats();
  series().then(
    (m) => post({ type: 'series', metrics: m }),
    (err: unknown) => log.error({ err }, 'ingest worker could not read its metrics'),
  );
}, 1_000);
statsTimer.unref();
// Test hooks (only when started with testHooks): see TestHook in worker-protocol.ts.
let stallBatches = false;

async function run(call: CallOp): Promise<unknown> {
  switch (call.op) {
    case 'processBatch':
      // The answer goes back packed (batch-wire.ts): one byte per record instead of one object.
      return packResult(await pipeline.processBatch(call.source, unpackBatch(call.batch)));
    case 'prepare':
      return pipeline.prepare(call.source);
    case 'rebuildFrom':
      return pipeline.rebuildFrom(call.source);
    case 'flush':
      return pipeline.flush(call.source, call.full);
    case 'reset':
      return pipeline.reset(call.source);
    case 'release':
      return pipeline.release(call.source);
    case 'flushAll':
      return pipeline.flushAll();
    case 'metrics':
      return series();
    case 'close':
      // Shutdown: every lane's checkpoint written in full, then the pool closed; the main thread then terminates us.
      clearInterval(statsTimer);
      await pipeline.flushAll();
      await db.close();
      return null;
  }
}

port.on('message', (m: ToWorker) => {
  if (m.type === 'rules') {
    pipeline.setRules(m.rules);
    return;
  }
  if (m.type === 'dlq-done') {
    const w = dlqWaiting.get(m.id);
    dlqWaiting.delete(m.id);
    if (m.error === null) w?.resolve();
    else w?.reject(new Error(m.error));
    return;
  }
  if (m.type === 'test-hook') {
    if (!init.testHooks) {
      log.error({ hook: m.hook }, 'test hook refused: this worker was not started for tests');
      return;
    }
    log.warn({ hook: m.hook }, 'test hook');
    if (m.hook === 'block-loop') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
    else if (m.hook === 'stall-batches') stallBatches = true;
    else
      setImmediate(() => {
        throw new Error('test hook: uncaught error');
      });
    return;
  }
  // A stalled batch is never run nor answered (stall-batches): the main thread's call deadline must notice.
  if (stallBatches && m.op === 'processBatch') return;
  const { id } = m;
  run(m).then(
    (value) => {
      const wire = m.op === 'processBatch' ? (value as WireBatchResult) : null;
      post({ type: 'answer', id, ok: true, value }, wire ? [wire.outcomes.buffer as ArrayBuffer, ...(wire.indexes ? [wire.indexes.buffer as ArrayBuffer] : [])] : undefined);
      if (m.op === 'processBatch' || m.op === 'flush') stats();
    },
    (err: unknown) => post({ type: 'answer', id, ok: false, error: toWire(err) }),
  );
});

post({ type: 'ready' });
