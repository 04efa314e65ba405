// Calendar arithmetic for the dunning ladder: local dates in an account's time zone and whole-day differences.
// Pure: never reads the clock. Days are counted on calendar dates, so a DST change (a 23h or 25h day) is one day.
// A zone Intl cannot use (a stored "Mars/Olympus") never throws out of the ladder: resolveTimeZone substitutes the
// fallback and says so, so the caller can write the audit note (issue 11: one account never stops dunning).
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The calendar date (YYYY-MM-DD) of instant `ms` in `timeZone`. */
export function localDate(ms: number, timeZone: string): string {
  const parts = formatter(timeZone).formatToParts(new Date(ms));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

function dayNumber(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return Math.round(Date.UTC(y, m - 1, d) / 86_400_000);
}

/** Whole calendar days from `from` to `to` (both YYYY-MM-DD); negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  return dayNumber(to) - dayNumber(from);
}

/** `date` plus `days` calendar days. */
export function addDays(date: string, days: number): string {
  return new Date((dayNumber(date) + days) * 86_400_000).toISOString().slice(0, 10);
}

/** True when Intl can compute local dates in `timeZone`. */
export function isUsableTimeZone(timeZone: string): boolean {
  if (timeZone === '') return false;
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

export interface ResolvedTimeZone {
  timezone: string;
  /** The account's own zone when it could not be used (the fallback was taken instead), else null. */
  unusable: string | null;
}

/**
 * The zone to count an account's days in: its own when usable (by Intl, and by the database when `databaseKnows`
 * says so), else `fallback` (DEFAULT_TIMEZONE, validated at start). `null` means the account has none: the fallback,
 * with nothing to note.
 */
export function resolveTimeZone(own: string | null, fallback: string, databaseKnows = true): ResolvedTimeZone {
  if (own === null) return { timezone: fallback, unusable: null };
  if (databaseKnows && isUsableTimeZone(own)) return { timezone: own, unusable: null };
  return { timezone: fallback, unusable: own };
}
