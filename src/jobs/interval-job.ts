// Every periodic job of the daemon runs through here: no overlap (a tick is skipped while the previous one runs),
// jitter, errors caught and logged (never thrown into a timer), timers unref'd so they never keep the process alive.
import type { Logger } from '../log.js';

export interface IntervalJob {
  start(): void;
  /** Stops the timer and waits for a running tick to finish. Idempotent. */
  stop(): Promise<void>;
  /** Runs one tick now (skipped if one is running). */
  runNow(): Promise<void>;
}

export function intervalJob(
  name: string,
  everyMs: number,
  tick: () => Promise<void>,
  deps: { logger: Logger; jitterRatio?: number },
): IntervalJob {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = true;
  const jitter = deps.jitterRatio ?? 0.1;

  const runNow = async (): Promise<void> => {
    if (running) return;
    running = (async () => {
      try {
        await tick();
      } catch (err) {
        deps.logger.error({ err, job: name }, 'job failed');
      } finally {
        running = undefined;
      }
    })();
    await running;
  };

  const schedule = () => {
    if (stopped) return;
    const delay = everyMs * (1 - jitter + Math.random() * 2 * jitter);
    timer = setTimeout(() => {
      void runNow().finally(schedule);
    }, delay);
    timer.unref();
  };

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      schedule();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      if (running) await running;
    },
    runNow,
  };
}
