// Is an ingest worker hung? (issue 17, parallel partitions.) A worker that exits is noticed by its 'exit' event; one
// whose event loop is blocked, or that never answers a call (a PostgreSQL call that never returns), sends no event at
// all, and its partitions would silently stop being evaluated. So each worker bumps a shared heartbeat counter from
// its event loop (pipeline-worker.ts), and the main thread's watchdog (worker-slots.ts) judges each worker here:
// - starting: not ready within the start deadline (it hangs in its start);
// - up: its heartbeat has not moved for hungAfterMs (its loop is blocked), or its oldest unanswered call is older
//   than the call deadline (its loop runs, but the call's work never ends).
// The counter lives in shared memory, written by the worker's own timer: a main thread that was itself busy reads a
// moved counter when it looks again, so its own pauses never make a worker look hung.
// Pure: no clock, no threads (times are passed in). Never: decides what happens to a hung worker.

export interface LivenessLimits {
  /** A worker whose heartbeat has not moved this long is hung (INGEST_WORKER_HUNG_AFTER). */
  hungAfterMs: number;
  /** A call unanswered this long means the worker is hung (INGEST_WORKER_CALL_DEADLINE). */
  callDeadlineMs: number;
  /** A worker not ready this long after it was started is hung (startDeadlineMs()). */
  startDeadlineMs: number;
}

/**
 * The start deadline: the call deadline, but never under a minute. Starting loads and compiles modules (no database
 * work: the pool connects lazily), which on a loaded machine can take seconds; a short call deadline must not make
 * every start look hung.
 */
export function startDeadlineMs(callDeadlineMs: number): number {
  return Math.max(callDeadlineMs, 60_000);
}

export interface LivenessView {
  state: 'starting' | 'up';
  now: number;
  /** When the worker was started (spawned). */
  startedAt: number;
  /** When the watchdog last saw its heartbeat counter move (or the worker became ready). */
  beatSeenAt: number;
  /** The oldest call not yet answered, if any. */
  oldestCall: { op: string; since: number } | null;
}

/** How often a worker beats and the watchdog looks: often enough that a hung worker is seen within ~1.25 limits. */
export function livenessPeriods(limits: LivenessLimits): { beatMs: number; checkMs: number } {
  return {
    beatMs: Math.max(50, Math.min(1_000, Math.floor(limits.hungAfterMs / 5))),
    checkMs: Math.max(50, Math.min(1_000, Math.floor(Math.min(limits.hungAfterMs, limits.callDeadlineMs) / 4))),
  };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Why the worker is hung, or null while it is alive. */
export function hungReason(view: LivenessView, limits: LivenessLimits): string | null {
  if (view.state === 'starting') {
    const waited = view.now - view.startedAt;
    return waited > limits.startDeadlineMs ? `hung: not ready after ${seconds(waited)}` : null;
  }
  const silent = view.now - view.beatSeenAt;
  if (silent > limits.hungAfterMs) return `hung: no heartbeat for ${seconds(silent)}`;
  if (view.oldestCall) {
    const waited = view.now - view.oldestCall.since;
    if (waited > limits.callDeadlineMs) return `hung: a ${view.oldestCall.op} call unanswered for ${seconds(waited)}`;
  }
  return null;
}
