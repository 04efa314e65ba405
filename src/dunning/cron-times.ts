// The cron schedule's fire times by event time, for replay: the same matcher node-cron uses live (a stopped task's
// match()), walked minute by minute (and by second for 6-field expressions). Never starts a timer.
import cron from 'node-cron';

/** Fire times t (epoch ms) with fromMs < t <= toMs, in order. `timezone` is the one the live scheduler uses. */
export function* sweepTimesBetween(schedule: string, fromMs: number, toMs: number, timezone = 'UTC'): Generator<number> {
  if (!cron.validate(schedule)) throw new Error(`invalid cron expression: ${schedule}`);
  const seconds = cron.parse(schedule).second;
  const task = cron.createTask(schedule, () => undefined, { timezone });
  try {
    let minute = Math.floor(fromMs / 60_000) * 60_000;
    for (; minute <= toMs; minute += 60_000) {
      for (const s of seconds) {
        const t = minute + s * 1000;
        if (t > fromMs && t <= toMs && task.match(new Date(t))) yield t;
      }
    }
  } finally {
    void task.destroy();
  }
}
