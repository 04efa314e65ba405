// Replay's dunning sweeps, only at the times a stage can fall due (issue 13). Days past due are counted on local
// calendar dates, so between invoice events (which evaluate their account at once) the ladder can only move when a
// local date changes: at midnight in some account's time zone. The live daemon sweeps at the schedule's fire times,
// so replay sweeps at the first fire time at or after each local midnight of each zone in use, and nowhere else: the
// same decisions, at the same times, as sweeping at every fire time, for a cost that follows the days and zones, not
// the 96 fire times a day. (An account snapshot can move the ladder too, when a tag takes the account out of its
// policy, but ingest evaluates the account with the snapshot, as it does with an invoice event.) Never starts a
// timer; pure apart from node-cron's matcher.
import { sweepTimesBetween } from './cron-times.js';
import { addDays, isUsableTimeZone, localDate } from '../rules/dunning/calendar.js';

/** The instant local date `date` begins in `timeZone` (searching the hours around UTC midnight; DST-safe). */
export function localMidnight(date: string, timeZone: string): number {
  const utc = Date.parse(`${date}T00:00:00Z`);
  // Offsets run from UTC-12 to UTC+14: the start of the local date lies within 14 h before to 12 h after UTC midnight.
  let lo = utc - 15 * 3_600_000;
  let hi = utc + 13 * 3_600_000;
  while (hi - lo > 60_000) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (localDate(mid, timeZone) >= date) hi = mid;
    else lo = mid;
  }
  return hi - (hi % 60_000);
}

/**
 * Sweep times t with fromMs < t <= toMs: for each local midnight in `zones` (unusable ones dropped; the caller puts
 * the default among them), the first fire time of `schedule` at or after it. Sorted, without repeats.
 */
export function replaySweepTimes(schedule: string, fromMs: number, toMs: number, zones: Iterable<string>, scheduleTimezone = 'UTC'): number[] {
  const out = new Set<number>();
  const firstFrom = (t: number) => sweepTimesBetween(schedule, t - 1, toMs, scheduleTimezone).next();
  for (const zone of new Set(zones)) {
    if (!isUsableTimeZone(zone)) continue;
    for (let date = addDays(localDate(fromMs, zone), 1); ; date = addDays(date, 1)) {
      const midnight = localMidnight(date, zone);
      if (midnight > toMs) break;
      const next = firstFrom(midnight);
      if (!next.done && next.value > fromMs) out.add(next.value);
    }
  }
  return [...out].sort((a, b) => a - b);
}
