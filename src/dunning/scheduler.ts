// The dunning sweep's schedule: node-cron fires DUNNING_SCHEDULE; each tick sweeps at the clock's now under the
// PostgreSQL lease (one replica at a time). A tick that finds the previous sweep still running is skipped, never
// overlapped. Timers are unref'd; errors are caught and logged; start() and stop() are idempotent.
import cron, { type ScheduledTask } from 'node-cron';
import type { Clock } from '../clock.js';
import { createSweeper, type SweepDeps, type SweepReport } from './sweep.js';

export interface DunningSchedulerDeps extends SweepDeps {
  clock: Clock;
  schedule: string;
  /** Time zone the cron expression is read in (default UTC; replay's sweepTimesBetween must use the same). */
  timezone?: string;
}

export interface DunningScheduler {
  start(): void;
  /** Stops the schedule and waits for a running sweep to finish. */
  stop(): Promise<void>;
  /** One sweep now (tests, replay, operators). Resolves with null when a sweep was already running. */
  sweepOnce(now?: number): Promise<SweepReport | null>;
  running(): boolean;
  /** For /readyz: the last failed sweep, until a later one runs clean. */
  readiness(): { ready: boolean; reasons: string[] };
}

export function createDunningScheduler(deps: DunningSchedulerDeps): DunningScheduler {
  if (!cron.validate(deps.schedule)) throw new Error(`DUNNING_SCHEDULE: invalid cron expression ${JSON.stringify(deps.schedule)}`);
  const sweeper = createSweeper(deps);
  let task: ScheduledTask | null = null;
  let current: Promise<SweepReport | null> | null = null;

  function sweepOnce(now?: number): Promise<SweepReport | null> {
    if (current) {
      deps.logger.warn('dunning sweep still running; tick skipped');
      return Promise.resolve(null);
    }
    const at = now ?? deps.clock.now().getTime();
    const run = sweeper.sweepOnce(at).catch((err: unknown) => {
      deps.logger.error({ err }, 'dunning sweep failed');
      return null;
    });
    current = run.finally(() => {
      current = null;
    });
    return current;
  }

  return {
    start() {
      if (task) return;
      task = cron.schedule(deps.schedule, () => void sweepOnce(), { name: 'dunning-sweep', timezone: deps.timezone ?? 'UTC', noOverlap: true });
      task.unref();
    },
    async stop() {
      const t = task;
      task = null;
      if (t) await t.destroy();
      if (current) await current;
    },
    sweepOnce,
    running: () => current !== null,
    readiness() {
      const f = sweeper.health().lastFailure;
      if (!f) return { ready: true, reasons: [] };
      return { ready: false, reasons: [`dunning sweep at ${f.at} failed (${f.part === 'scan' ? 'nobody was dunned' : 'some accounts were not dunned'}): ${f.error}`] };
    },
  };
}
