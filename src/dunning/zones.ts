// The time zones the database can use (pg_timezone_names, lower-cased as AT TIME ZONE matches them), read once per
// process: reading that view costs ~90 ms, too much for every sweep and invoice batch. An account whose stored zone is
// not among them, or that Intl rejects, is dunned in DEFAULT_TIMEZONE (src/rules/dunning/calendar.ts resolveTimeZone).
// A zone added to the server's tz database after the first read is treated as unusable until restart: visible (the
// audit note), never a failed sweep.
import type { Queryable } from '../store/db.js';

let zones: Promise<ReadonlySet<string>> | null = null;

export function databaseZones(q: Queryable): Promise<ReadonlySet<string>> {
  zones ??= q
    .query<{ name: string }>('SELECT DISTINCT lower(name) AS name FROM pg_timezone_names')
    .then((res) => new Set(res.rows.map((r) => r.name)) as ReadonlySet<string>)
    .catch((err: unknown) => {
      zones = null;
      throw err;
    });
  return zones;
}
