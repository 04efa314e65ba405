// The messages between the main thread and an ingest worker (worker-pipeline.ts <-> pipeline-worker.ts), and the
// error they carry across. A call has an id and gets one answer with the same id; the other messages are one-way
// side channels (commits that wake the outbox, rule errors, dead letters to the main thread's DLQ producer, the
// worker's memory, readiness and metric series). Liveness is not a message: the worker bumps a shared heartbeat
// counter (WorkerInit.heartbeat), which a blocked loop stops. Types and two small pure helpers only. Never: carries a Buffer by clone on the
// hot path (a batch is one transferred ArrayBuffer: batch-wire.ts).
import type { Config } from '../config.js';
import type { MetricsJson } from '../metrics.js';
import type { RuleSet } from '../rules/types.js';
import { DbError } from '../store/errors.js';
import type { EngineMemorySummary } from './engine-memory.js';
import { CheckpointConflictError, type DeadLetter, type Source } from './types.js';

/** What a worker is started with (workerData): it opens its own pool and builds an ordinary pipeline. */
export interface WorkerInit {
  /** The module to run (pipeline-worker.ts or .js), for the boot file (worker-boot.mjs). */
  entry: string;
  index: number;
  config: Config;
  rules: RuleSet;
  /** This worker's share of the engines' memory budget (null: none). */
  budgetBytes: number | null;
  /** An Int32Array's memory: the worker adds 1 to element 0 every beatMs from its event loop (worker-liveness.ts). */
  heartbeat: SharedArrayBuffer;
  beatMs: number;
  /** Whether the worker obeys test-hook messages (only tests start workers with it; the daemon never does). */
  testHooks: boolean;
}

/**
 * Test hooks (integration tests only, see WorkerInit.testHooks): `block-loop` blocks the worker's event loop for
 * good (Atomics.wait); `stall-batches` leaves every later batch unanswered while the loop runs on; `throw` throws an
 * uncaught error on the worker's loop.
 */
export type TestHook = 'block-loop' | 'stall-batches' | 'throw';

export type CallOp =
  | { op: 'processBatch'; source: Source; batch: ArrayBuffer }
  | { op: 'prepare' | 'rebuildFrom' | 'reset' | 'release'; source: Source }
  | { op: 'flush'; source: Source; full: boolean }
  | { op: 'flushAll' | 'metrics' | 'close' };

export type ToWorker =
  | ({ type: 'call'; id: number } & CallOp)
  | { type: 'rules'; rules: RuleSet }
  | { type: 'dlq-done'; id: number; error: string | null }
  | { type: 'test-hook'; hook: TestHook };

export interface WireError {
  name: string;
  message: string;
  stack?: string | undefined;
  /** Set on a CheckpointConflictError. */
  resumeAt?: number | null;
  /** Set on a DbError (and its kinds): the consumer tells an outage (retryable) from a failed batch by them. */
  db?: { code: string | undefined; retryable: boolean };
}

export interface WorkerStats {
  memory: EngineMemorySummary;
  readiness: { ready: boolean; reasons: string[] };
}

export type FromWorker =
  | { type: 'ready' }
  | { type: 'answer'; id: number; ok: true; value: unknown }
  | { type: 'answer'; id: number; ok: false; error: WireError }
  | { type: 'committed' }
  | { type: 'rule-error'; ruleId: string; accountId: string; cdrId: string; phase: 'start' | 'end'; at: number; message: string }
  | { type: 'dlq'; id: number; letters: DeadLetter[] }
  | ({ type: 'stats' } & WorkerStats)
  /** The worker's metric series, sent every second: the main thread keeps the last for a restart (carried-series.ts). */
  | { type: 'series'; metrics: MetricsJson };

export function toWire(err: unknown): WireError {
  if (err instanceof CheckpointConflictError) return { name: err.name, message: err.message, stack: err.stack, resumeAt: err.resumeAt };
  if (err instanceof DbError) return { name: err.name, message: err.message, stack: err.stack, db: { code: err.code, retryable: err.retryable } };
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { name: 'Error', message: String(err) };
}

/**
 * The error again on the main thread: a checkpoint conflict keeps its type (the consumer seeks back on it), a
 * database error its code and retryability (an outage is reported as one).
 */
export function fromWire(w: WireError): Error {
  const err =
    w.name === 'CheckpointConflictError'
      ? new CheckpointConflictError(w.message, w.resumeAt ?? null)
      : w.db
        ? new DbError(w.message, { code: w.db.code, retryable: w.db.retryable })
        : new Error(w.message);
  if (!(err instanceof CheckpointConflictError)) err.name = w.name;
  if (w.stack) err.stack = w.stack;
  return err;
}
