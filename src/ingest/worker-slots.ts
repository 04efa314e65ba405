// The ingest worker threads' lifecycle (issue 17, parallel partitions), one slot per worker index: start, the calls
// to a worker and their answers, its side channels (commits, rule errors, dead letters, stats, metric series), the
// watchdog, and what happens when a worker stops. worker-pipeline.ts routes partitions to these slots.
//
// A slot's states: idle -> starting -> up (it said ready) -> down (it exited, threw, or was found hung and
// terminated: logged, counted in suspensiond_ingest_worker_restarts_total{reason}, named on /readyz) -> starting
// again after a backoff (0.5 s doubling to 30 s) -> ... -> closed (stop). Hung: the watchdog judges every worker
// about once a second (worker-liveness.ts): a heartbeat that stopped (a blocked event loop), a call unanswered past
// its deadline (work that never ends, such as a PostgreSQL call that never returns), or a start that never ends
// (within the call deadline, and at least a minute).
// When a worker goes down, its pending calls are rejected with a CheckpointConflictError, each of its partitions is
// marked stale (worker-pipeline.ts refuses its next batch the same way), and its counters are carried over
// (carried-series.ts). A hung worker's thread is terminated, which closes its connections: a transaction it had not
// committed is rolled back.
// Never: runs decision code itself, or lets a worker's death or hang pass silently.
import { Worker } from 'node:worker_threads';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { IngestWorkerRestartReason, Metrics, MetricsJson } from '../metrics.js';
import type { RuleErrors } from '../rules/rule-errors.js';
import type { RuleSet } from '../rules/types.js';
import { CarriedSeries } from './carried-series.js';
import { hungReason, livenessPeriods, startDeadlineMs, type LivenessLimits } from './worker-liveness.js';
import { fromWire, type CallOp, type FromWorker, type TestHook, type ToWorker, type WorkerInit, type WorkerStats } from './worker-protocol.js';
import { CheckpointConflictError, type DeadLetterSink, type Source } from './types.js';

export interface WorkerSlotsOptions {
  count: number;
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
  /** First restart delay after a worker stops (doubling to 30 s; default 500 ms). */
  restartDelayMs?: number;
  /** Tests only: workers obey test hooks. The daemon never sets it. */
  testHooks?: boolean;
}

export type SlotState = 'idle' | 'starting' | 'up' | 'down' | 'closed';

interface PendingCall {
  op: CallOp['op'];
  /** performance.now() when it was sent. */
  since: number;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

export interface Slot {
  index: number;
  state: SlotState;
  worker: Worker | null;
  ready: Promise<void>;
  /** Rejects `ready` of the worker starting (a worker that dies before it is ready fails its start). */
  failStart: (e: Error) => void;
  /** In the order sent: the first is the oldest (the watchdog's call deadline). */
  pending: Map<number, PendingCall>;
  /** Sources routed here since this worker started (sources(), and which to mark stale if it dies). */
  sources: Map<string, Source>;
  /** Sources whose worker died since their last prepare: their next batch is refused so the consumer seeks. */
  stale: Set<string>;
  stats: WorkerStats | null;
  why: string;
  lastError: string | null;
  delayMs: number;
  /** The current worker's heartbeat counter (shared memory), its last value seen, and when (performance.now()). */
  beats: Int32Array;
  beatSeen: number;
  beatSeenAt: number;
  startedAt: number;
  /** Its metric series, carried over across restarts. */
  series: CarriedSeries;
}

export interface WorkerSlots {
  readonly slots: readonly Slot[];
  /** Starts every idle worker and the watchdog; resolves once all are ready (a worker that cannot start fails it). */
  start(): Promise<void>;
  /** Each worker up writes every lane's checkpoint in full and closes its pool, then every thread is terminated. */
  close(): Promise<void>;
  call<T>(slot: Slot, op: CallOp, transfer?: ArrayBuffer[]): Promise<T>;
  setRules(next: RuleSet): void;
  testHook(index: number, hook: TestHook): void;
}

const BOOT = new URL('./worker-boot.mjs', import.meta.url);
// Under tsx (npm start, the tests) this module is .ts, and so is the worker's entry; in dist/ both are .js.
const ENTRY = new URL(`./pipeline-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href;
const METRICS_TIMEOUT_MS = 2_000;

export function createWorkerSlots(opts: WorkerSlotsOptions): WorkerSlots {
  const { log } = opts;
  const baseDelay = opts.restartDelayMs ?? 500;
  const { ingestWorkerHungAfterMs: hungAfterMs, ingestWorkerCallDeadlineMs: callDeadlineMs } = opts.config;
  const limits: LivenessLimits = { hungAfterMs, callDeadlineMs, startDeadlineMs: startDeadlineMs(callDeadlineMs) };
  const periods = livenessPeriods(limits);
  let watchdog: NodeJS.Timeout | null = null;
  let lastWatch = 0;
  let rules = opts.rules;
  let closing = false;
  let ids = 0;
  const slots: Slot[] = Array.from({ length: opts.count }, (_, index) => ({
    index,
    state: 'idle',
    worker: null,
    ready: Promise.resolve(),
    failStart: () => undefined,
    pending: new Map(),
    sources: new Map(),
    stale: new Set(),
    stats: null,
    why: 'not started',
    lastError: null,
    delayMs: baseDelay,
    beats: new Int32Array(1),
    beatSeen: 0,
    beatSeenAt: 0,
    startedAt: 0,
    series: new CarriedSeries(),
  }));
  const publishUp = () => opts.metrics.setIngestWorkersUp(slots.filter((s) => s.state === 'up').length);

  function spawn(slot: Slot): void {
    const heartbeat = new SharedArrayBuffer(4);
    const init: WorkerInit = { entry: ENTRY, index: slot.index, config: opts.config, rules, budgetBytes: opts.budgetBytes, heartbeat, beatMs: periods.beatMs, testHooks: opts.testHooks === true };
    const worker = new Worker(BOOT, { workerData: init, name: `ingest-${slot.index}` });
    slot.worker = worker;
    slot.state = 'starting';
    slot.why = slot.why === 'not started' ? 'starting' : `restarting after ${slot.why}`;
    slot.lastError = null;
    slot.beats = new Int32Array(heartbeat);
    slot.beatSeen = 0;
    slot.startedAt = slot.beatSeenAt = performance.now();
    let ready!: () => void;
    slot.ready = new Promise<void>((resolve, reject) => {
      ready = resolve;
      slot.failStart = reject;
    });
    slot.ready.catch(() => undefined);
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'ready') {
        if (slot.worker !== worker) return;
        if (slot.why !== 'starting') log.info({ worker: slot.index }, 'ingest worker restarted');
        slot.state = 'up';
        slot.why = 'up';
        slot.beatSeenAt = performance.now();
        publishUp();
        ready();
        // A worker that stays up a minute starts its next restart from the first delay again.
        setTimeout(() => void (slot.worker === worker && (slot.delayMs = baseDelay)), 60_000).unref();
      } else onMessage(slot, worker, m);
    });
    worker.on('error', (err) => {
      if (slot.worker !== worker) return;
      slot.lastError = err.message;
      log.error({ err, worker: slot.index }, 'ingest worker threw (uncaught)');
    });
    worker.on('exit', (code) => {
      if (slot.worker !== worker) return;
      const reason = slot.lastError ? 'error' : 'exit';
      down(slot, reason, `exit code ${code}${slot.lastError ? ` (${slot.lastError})` : ''}`, { code, error: slot.lastError });
    });
  }

  /** The slot's worker is gone (exited, threw, or found hung): its calls and partitions fail over; a new one follows. */
  function down(slot: Slot, reason: IngestWorkerRestartReason, why: string, detail: Record<string, unknown>): void {
    slot.worker = null;
    slot.stats = null;
    slot.series.carry();
    const gone = new CheckpointConflictError(`ingest worker ${slot.index} stopped (${why}): its partitions reload their checkpoints`, null);
    for (const p of slot.pending.values()) p.reject(gone);
    slot.pending.clear();
    for (const key of slot.sources.keys()) slot.stale.add(key);
    slot.sources.clear();
    slot.failStart(gone);
    slot.state = closing ? 'closed' : 'down';
    publishUp();
    if (closing) return;
    slot.why = why;
    opts.metrics.ingestWorkerRestarted(reason);
    log.error({ worker: slot.index, reason, ...detail, restartInMs: slot.delayMs }, 'ingest worker stopped; its partitions reload their checkpoints in a new one');
    const t = setTimeout(() => void (closing || spawn(slot)), slot.delayMs);
    t.unref();
    slot.delayMs = Math.min(30_000, slot.delayMs * 2);
  }

  /**
   * The watchdog: a worker starting too long, or up with a silent heartbeat or an overdue call, is terminated. A tick
   * that comes late means this thread was itself held up: answers may be waiting in the ports, so it judges nothing
   * until they have been read (the next tick).
   */
  function watch(): void {
    const now = performance.now();
    const late = now - lastWatch > 3 * periods.checkMs;
    lastWatch = now;
    if (late) return;
    for (const slot of slots) {
      const worker = slot.worker;
      if (!worker || (slot.state !== 'starting' && slot.state !== 'up')) continue;
      const beat = Atomics.load(slot.beats, 0);
      if (beat !== slot.beatSeen) {
        slot.beatSeen = beat;
        slot.beatSeenAt = now;
      }
      const oldest = slot.pending.values().next();
      const why = hungReason(
        { state: slot.state, now, startedAt: slot.startedAt, beatSeenAt: slot.beatSeenAt, oldestCall: oldest.done ? null : { op: oldest.value.op, since: oldest.value.since } },
        limits,
      );
      if (why === null) continue;
      if (closing) log.error({ worker: slot.index, why }, 'ingest worker hung while stopping: terminated');
      // Detached first, so the thread's own exit (whenever terminate() gets it) is not counted a second time.
      down(slot, 'hung', `${why}; terminated`, { hung: why });
      worker.terminate().then(
        () => log.warn({ worker: slot.index }, 'hung ingest worker thread ended'),
        (err: unknown) => log.error({ err, worker: slot.index }, 'hung ingest worker thread could not be terminated'),
      );
    }
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
        if (slot.worker === worker) slot.stats = { memory: m.memory, readiness: m.readiness };
        return;
      case 'series':
        if (slot.worker === worker) slot.series.seen(m.metrics);
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
      slot.pending.set(id, { op: op.op, since: performance.now(), resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ type: 'call', id, ...op } satisfies ToWorker, transfer as never);
    });
  }

  // /metrics: each worker's series, summed with the main thread's, on top of what the slot's earlier workers counted
  // (carried-series.ts), so a summed counter never goes down across a restart. A worker busy past the timeout, or
  // one that is down, gives its last series (a sum that dipped would read as a counter reset).
  for (const slot of slots) {
    opts.metrics.addSource(async () => {
      const worker = slot.worker;
      if (slot.state !== 'up' || !worker) return slot.series.render();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), METRICS_TIMEOUT_MS)));
      try {
        const fresh = await Promise.race([call<MetricsJson>(slot, { op: 'metrics' }), timeout]);
        if (fresh && slot.worker === worker) slot.series.seen(fresh);
      } catch {
        // Gone while asked: its last series was carried over.
      } finally {
        clearTimeout(timer);
      }
      return slot.series.render();
    });
  }

  return {
    slots,
    async start() {
      for (const slot of slots) if (slot.state === 'idle') spawn(slot);
      lastWatch = performance.now();
      watchdog ??= setInterval(watch, periods.checkMs);
      watchdog.unref();
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
      if (watchdog) clearInterval(watchdog);
    },
    call,
    setRules(next) {
      rules = next;
      // A starting worker gets them too: messages wait in its port until it listens.
      for (const s of slots) s.worker?.postMessage({ type: 'rules', rules: next } satisfies ToWorker);
    },
    testHook(index, hook) {
      if (opts.testHooks !== true) throw new Error('test hooks are off: only tests build the worker pipeline with testHooks');
      slots[index]?.worker?.postMessage({ type: 'test-hook', hook } satisfies ToWorker);
    },
  };
}
