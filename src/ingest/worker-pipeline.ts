// Parallel partitions (issue 17): the `Pipeline` the Kafka consumer sees when INGEST_WORKERS > 0. Kafka partitions
// (every input topic) go to worker thread `partition % n`, each running an ordinary pipeline (pipeline-worker.ts);
// everything else (HTTP ingest, replay, set-up counting in http mode) stays on the main thread's `local` pipeline.
// So the consumer is unchanged, and live, replay and every worker share every line of decision and commit code.
// A batch travels as one transferred ArrayBuffer (batch-wire.ts); its answer is the small BatchResult.
//
// A worker's states: starting -> up (it said ready) -> down (it exited or threw: logged, counted in
// suspensiond_ingest_worker_restarts_total, named on /readyz) -> starting again after a backoff (0.5 s doubling to
// 30 s) -> ... -> closed (stop). When a worker goes down, its pending calls are rejected with a
// CheckpointConflictError and each of its partitions is marked stale: the partition's next batch is refused the
// same way, so the consumer positions it at its PostgreSQL checkpoint again (prepare + seek) and the new worker's
// lane reloads it. Effects are exactly-once as after any lane reset: a transaction the dead worker had not committed
// is rolled back with its connection, one it had committed is covered by the checkpoint (fenced offsets).
// Never: runs decision code itself, or lets a worker's death pass silently.
import { Worker } from 'node:worker_threads';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { Metrics, MetricsJson } from '../metrics.js';
import type { RuleErrors } from '../rules/rule-errors.js';
import type { RuleSet } from '../rules/types.js';
import { packBatch } from './batch-wire.js';
import type { EngineMemorySummary } from './engine-memory.js';
import { laneKey } from './lanes.js';
import type { BatchObserver, Pipeline, PipelineMemory } from './pipeline.js';
import { fromWire, type CallOp, type FromWorker, type ToWorker, type WorkerInit, type WorkerStats } from './worker-protocol.js';
import { CheckpointConflictError, type BatchResult, type DeadLetterSink, type Source } from './types.js';

export interface WorkerPipelineOptions {
  count: number;
  /** The main thread's pipeline: every source that is not a Kafka partition. */
  local: Pipeline;
  config: Config;
  rules: RuleSet;
  /** Each worker's share of the engines' memory budget (null: none). */
  budgetBytes: number | null;
  /** The main thread's DLQ producer: workers' dead letters are produced here. */
  dlq: DeadLetterSink | null;
  ruleErrors: RuleErrors;
  onCommitted: () => void;
  metrics: Metrics;
  log: Logger;
  /** First restart delay after a worker exits (doubling to 30 s; default 500 ms). */
  restartDelayMs?: number;
}

export interface WorkerPipeline extends Pipeline {
  /** Starts every worker; resolves once all are ready (a worker that cannot start fails the start). */
  start(): Promise<void>;
  /** Shutdown: each worker writes every lane's checkpoint in full and closes its pool, then is terminated. */
  close(): Promise<void>;
  /** The threads, by index (null while one is down): for tests that kill one. */
  threads(): readonly (Worker | null)[];
}

type SlotState = 'idle' | 'starting' | 'up' | 'down' | 'closed';

interface Slot {
  index: number;
  state: SlotState;
  worker: Worker | null;
  ready: Promise<void>;
  pending: Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>;
  /** Sources routed here since this worker started (sources(), and which to mark stale if it dies). */
  sources: Map<string, Source>;
  /** Sources whose worker died since their last prepare: their next batch is refused so the consumer seeks. */
  stale: Set<string>;
  stats: WorkerStats | null;
  why: string;
  lastError: string | null;
  delayMs: number;
}

const BOOT = new URL('./worker-boot.mjs', import.meta.url);
// Under tsx (npm start, the tests) this module is .ts, and so is the worker's entry; in dist/ both are .js.
const ENTRY = new URL(`./pipeline-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href;
const METRICS_TIMEOUT_MS = 2_000;

export function createWorkerPipeline(opts: WorkerPipelineOptions): WorkerPipeline {
  const { local, log } = opts;
  const baseDelay = opts.restartDelayMs ?? 500;
  let rules = opts.rules;
  let closing = false;
  let ids = 0;
  const observers = new Set<BatchObserver>();
  const slots: Slot[] = Array.from({ length: opts.count }, (_, index) => ({
    index,
    state: 'idle',
    worker: null,
    ready: Promise.resolve(),
    pending: new Map(),
    sources: new Map(),
    stale: new Set(),
    stats: null,
    why: 'not started',
    lastError: null,
    delayMs: baseDelay,
  }));
  const publishUp = () => opts.metrics.setIngestWorkersUp(slots.filter((s) => s.state === 'up').length);

  function spawn(slot: Slot): void {
    const init: WorkerInit = { entry: ENTRY, index: slot.index, config: opts.config, rules, budgetBytes: opts.budgetBytes };
    const worker = new Worker(BOOT, { workerData: init, name: `ingest-${slot.index}` });
    slot.worker = worker;
    slot.state = 'starting';
    slot.why = slot.why === 'not started' ? 'starting' : `restarting after ${slot.why}`;
    slot.lastError = null;
    let ready!: () => void;
    let failed!: (e: Error) => void;
    slot.ready = new Promise<void>((resolve, reject) => {
      ready = resolve;
      failed = reject;
    });
    slot.ready.catch(() => undefined);
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'ready') {
        if (slot.worker !== worker) return;
        if (slot.why !== 'starting') log.info({ worker: slot.index }, 'ingest worker restarted');
        slot.state = 'up';
        slot.why = 'up';
        publishUp();
        ready();
        // A worker that stays up a minute starts its next restart from the first delay again.
        setTimeout(() => void (slot.worker === worker && (slot.delayMs = baseDelay)), 60_000).unref();
      } else onMessage(slot, worker, m);
    });
    worker.on('error', (err) => {
      slot.lastError = err.message;
      log.error({ err, worker: slot.index }, 'ingest worker threw (uncaught)');
    });
    worker.on('exit', (code) => {
      if (slot.worker !== worker) return;
      slot.worker = null;
      slot.stats = null;
      const why = `exit code ${code}${slot.lastError ? ` (${slot.lastError})` : ''}`;
      const gone = new CheckpointConflictError(`ingest worker ${slot.index} stopped (${why}): its partitions reload their checkpoints`, null);
      for (const p of slot.pending.values()) p.reject(gone);
      slot.pending.clear();
      for (const key of slot.sources.keys()) slot.stale.add(key);
      slot.sources.clear();
      failed(gone);
      slot.state = closing ? 'closed' : 'down';
      publishUp();
      if (closing) return;
      slot.why = why;
      opts.metrics.ingestWorkerRestarted();
      log.error({ worker: slot.index, code, error: slot.lastError, restartInMs: slot.delayMs }, 'ingest worker stopped; its partitions reload their checkpoints in a new one');
      const t = setTimeout(() => void (closing || spawn(slot)), slot.delayMs);
      t.unref();
      slot.delayMs = Math.min(30_000, slot.delayMs * 2);
    });
  }

  function onMessage(slot: Slot, worker: Worker, m: FromWorker): void {
    switch (m.type) {
      case 'answer': {
        const p = slot.pending.get(m.id);
        slot.pending.delete(m.id);
        if (m.ok) p?.resolve(m.value);
        else p?.reject(fromWire(m.error));
        return;
      }
      case 'committed':
        opts.onCommitted();
        return;
      case 'rule-error':
        opts.ruleErrors.record({ ruleId: m.ruleId, accountId: m.accountId, cdrId: m.cdrId, phase: m.phase, at: m.at, message: m.message, error: new Error(m.message) });
        return;
      case 'dlq': {
        // Structured clone turned the Buffers into Uint8Arrays: wrap them again (no copy).
        const letters = m.letters.map((l) => ({ ...l, key: l.key && Buffer.from(l.key.buffer, l.key.byteOffset, l.key.byteLength), value: l.value && Buffer.from(l.value.buffer, l.value.byteOffset, l.value.byteLength) }));
        const done = (error: string | null) => void (slot.worker === worker && worker.postMessage({ type: 'dlq-done', id: m.id, error } satisfies ToWorker));
        if (!opts.dlq) done(null);
        else opts.dlq.send(letters).then(() => done(null), (err: unknown) => done(err instanceof Error ? err.message : String(err)));
        return;
      }
      case 'stats':
        slot.stats = { memory: m.memory, readiness: m.readiness };
        return;
      case 'ready':
        return;
    }
  }

  async function call<T>(slot: Slot, op: CallOp, transfer: ArrayBuffer[] = []): Promise<T> {
    await slot.ready;
    const worker = slot.worker;
    if (!worker || slot.state !== 'up') throw new Error(`ingest worker ${slot.index} is not running (${slot.why})`);
    const id = ++ids;
    return new Promise<T>((resolve, reject) => {
      slot.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ type: 'call', id, ...op } satisfies ToWorker, transfer as never);
    });
  }

  const slotOf = (source: Source): Slot | null => (typeof source.partition === 'number' ? slots[source.partition % slots.length]! : null);

  /** Routed to a worker: remembered there, so its death marks the partition stale. */
  const routed = (slot: Slot, source: Source) => slot.sources.set(laneKey(source), source);

  const memory: PipelineMemory = {
    summary: () => {
      const all: EngineMemorySummary[] = [local.memory.summary(), ...slots.flatMap((s) => (s.stats ? [s.stats.memory] : []))];
      const budgets = all.flatMap((m) => (m.budgetBytes === null ? [] : [m.budgetBytes]));
      const sum = (f: (m: EngineMemorySummary) => number) => all.reduce((n, m) => n + f(m), 0);
      return {
        budgetBytes: budgets.length === 0 ? null : budgets.reduce((a, b) => a + b, 0),
        estimatedBytes: sum((m) => m.estimatedBytes),
        accountsInMemory: sum((m) => m.accountsInMemory),
        accountsSpilled: sum((m) => m.accountsSpilled),
        underPressure: all.some((m) => m.underPressure),
        spills: sum((m) => m.spills),
        loads: sum((m) => m.loads),
        loadFailures: sum((m) => m.loadFailures),
      };
    },
    readiness: () => {
      const reasons = [...local.memory.readiness().reasons];
      for (const s of slots) {
        if (s.state !== 'up') reasons.push(`ingest worker ${s.index}: ${s.why}`);
        else if (s.stats && !s.stats.readiness.ready) reasons.push(...s.stats.readiness.reasons.map((r) => `ingest worker ${s.index}: ${r}`));
      }
      return { ready: reasons.length === 0, reasons };
    },
  };

  // /metrics: each worker's series, summed with the main thread's. A worker busy past the timeout gives its last
  // series (a sum that dipped would read as a counter reset); a worker that died is left out until it is back (its
  // counters start again from zero: a reset, as after a process restart).
  for (const slot of slots) {
    let last: MetricsJson = [];
    opts.metrics.addSource(async () => {
      if (slot.state !== 'up') return (last = []);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<MetricsJson>((resolve) => (timer = setTimeout(() => resolve(last), METRICS_TIMEOUT_MS)));
      try {
        return (last = await Promise.race([call<MetricsJson>(slot, { op: 'metrics' }), timeout]));
      } finally {
        clearTimeout(timer);
      }
    });
  }

  const stale = (slot: Slot, source: Source) =>
    new CheckpointConflictError(`ingest worker ${slot.index} was replaced: ${laneKey(source)} reloads its checkpoint`, null);

  return {
    async start() {
      for (const slot of slots) if (slot.state === 'idle') spawn(slot);
      await Promise.all(slots.map((s) => s.ready));
      log.info({ workers: slots.length }, 'ingest workers ready');
    },
    async close() {
      closing = true;
      await Promise.all(
        slots.map(async (slot) => {
          const worker = slot.worker;
          if (!worker) return;
          if (slot.state === 'up') await call(slot, { op: 'close' }).catch((err: unknown) => log.error({ err, worker: slot.index }, 'ingest worker failed to flush on stop'));
          await worker.terminate();
        }),
      );
      await local.flushAll();
    },
    threads: () => slots.map((s) => s.worker),

    async processBatch(source, records) {
      const slot = slotOf(source);
      if (!slot) return local.processBatch(source, records);
      if (slot.stale.delete(laneKey(source))) throw stale(slot, source);
      routed(slot, source);
      const batch = packBatch(records);
      const result = await call<BatchResult>(slot, { op: 'processBatch', source, batch }, [batch]);
      for (const fn of observers) {
        try {
          fn(source, records, result);
        } catch (err) {
          log.error({ err, topic: source.topicName, partition: source.partition }, 'batch observer failed');
        }
      }
      return result;
    },
    async prepare(source) {
      const slot = slotOf(source);
      if (!slot) return local.prepare(source);
      slot.stale.delete(laneKey(source));
      routed(slot, source);
      return call<number | null>(slot, { op: 'prepare', source });
    },
    async rebuildFrom(source) {
      const slot = slotOf(source);
      if (!slot) return local.rebuildFrom(source);
      routed(slot, source);
      return call<number | null>(slot, { op: 'rebuildFrom', source });
    },
    async flush(source, full = false) {
      const slot = slotOf(source);
      if (!slot) return local.flush(source, full);
      // A stale partition has nothing to write: its lane died with the worker.
      if (slot.stale.has(laneKey(source))) return null;
      return call<number | null>(slot, { op: 'flush', source, full });
    },
    async flushAll() {
      await Promise.all([local.flushAll(), ...slots.filter((s) => s.state === 'up').map((s) => call(s, { op: 'flushAll' }))]);
    },
    async release(source) {
      const slot = slotOf(source);
      if (!slot) return local.release(source);
      const key = laneKey(source);
      slot.stale.delete(key);
      const had = slot.sources.delete(key);
      if (had && slot.state === 'up') await call(slot, { op: 'release', source });
    },
    async reset(source) {
      const slot = slotOf(source);
      if (!slot) return local.reset(source);
      if (slot.state === 'up') await call(slot, { op: 'reset', source });
    },
    setRules(next) {
      rules = next;
      local.setRules(next);
      // A starting worker gets them too: messages wait in its port until it listens.
      for (const s of slots) s.worker?.postMessage({ type: 'rules', rules: next } satisfies ToWorker);
    },
    engineOf: (source) => (slotOf(source) ? null : local.engineOf(source)),
    observe(fn) {
      observers.add(fn);
      const off = local.observe(fn);
      return () => {
        observers.delete(fn);
        off();
      };
    },
    sources: () => [...local.sources(), ...slots.flatMap((s) => [...s.sources.values()])],
    memory,
  };
}
