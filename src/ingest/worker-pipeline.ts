// Parallel partitions (issue 17): the `Pipeline` the Kafka consumer sees when INGEST_WORKERS > 0. Kafka partitions
// (every input topic) go to worker thread `partition % n`, each running an ordinary pipeline (pipeline-worker.ts);
// everything else (HTTP ingest, replay, set-up counting in http mode) stays on the main thread's `local` pipeline.
// So the consumer is unchanged, and live, replay and every worker share every line of decision and commit code.
// A batch travels as one transferred ArrayBuffer (batch-wire.ts); its answer is the BatchResult packed the same way
// (one byte per record, its results rebuilt on the main thread only when read).
//
// The threads' lifecycle (start, restart, the hung-worker watchdog) is worker-slots.ts. When a worker goes down (it
// exited, threw or hung), its pending calls fail with a CheckpointConflictError and each of its partitions is stale:
// the partition's next batch is refused the same way, so the consumer positions it at its PostgreSQL checkpoint
// again (prepare + seek) and the new worker's lane reloads it. Effects are exactly-once as after any lane reset: a
// transaction the dead worker had not committed is rolled back with its connection, one it had committed is covered
// by the checkpoint (fenced offsets).
// Never: runs decision code itself, or runs a Kafka partition on the main thread.
import type { Worker } from 'node:worker_threads';
import { packBatch, unpackResult, type WireBatchResult } from './batch-wire.js';
import type { EngineMemorySummary } from './engine-memory.js';
import { laneKey } from './lanes.js';
import type { BatchObserver, Pipeline, PipelineMemory } from './pipeline.js';
import type { TestHook } from './worker-protocol.js';
import { createWorkerSlots, type Slot, type WorkerSlotsOptions } from './worker-slots.js';
import { CheckpointConflictError, type Source } from './types.js';

export interface WorkerPipelineOptions extends WorkerSlotsOptions {
  /** The main thread's pipeline: every source that is not a Kafka partition. */
  local: Pipeline;
}

export interface WorkerPipeline extends Pipeline {
  /** Starts every worker; resolves once all are ready (a worker that cannot start fails the start). */
  start(): Promise<void>;
  /** Shutdown: each worker writes every lane's checkpoint in full and closes its pool, then is terminated. */
  close(): Promise<void>;
  /** The threads, by index (null while one is down): for tests that kill one. */
  threads(): readonly (Worker | null)[];
  /** Tests only (refused unless built with testHooks): makes worker `index` hang (TestHook). */
  testHook(index: number, hook: TestHook): void;
}

export function createWorkerPipeline(opts: WorkerPipelineOptions): WorkerPipeline {
  const { local, log } = opts;
  const observers = new Set<BatchObserver>();
  const workers = createWorkerSlots(opts);
  const { slots, call } = workers;

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
        dedupeBytes: sum((m) => m.dedupeBytes),
        accountsInMemory: sum((m) => m.accountsInMemory),
        accountsNotSpillable: sum((m) => m.accountsNotSpillable),
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

  const stale = (slot: Slot, source: Source) =>
    new CheckpointConflictError(`ingest worker ${slot.index} was replaced: ${laneKey(source)} reloads its checkpoint`, null);

  return {
    start: () => workers.start(),
    async close() {
      await workers.close();
      await local.flushAll();
    },
    threads: () => slots.map((s) => s.worker),
    testHook: (index, hook) => workers.testHook(index, hook),
    async processBatch(source, records) {
      const slot = slotOf(source);
      if (!slot) return local.processBatch(source, records);
      if (slot.stale.delete(laneKey(source))) throw stale(slot, source);
      routed(slot, source);
      const batch = packBatch(records);
      const result = unpackResult(await call<WireBatchResult>(slot, { op: 'processBatch', source, batch }, [batch]));
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
      local.setRules(next);
      workers.setRules(next);
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
