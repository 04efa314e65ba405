// The one input validation of suspensiond: what an id, a text, a time zone, a time, a duration, an email address
// and a nesting depth may be, for every path (Kafka, HTTP NDJSON and JSON arrays, PUT and the other API bodies and
// query parameters, replay and the CLI's arguments). fields.ts wraps these predicates as zod builders for the wire
// schemas and src/api/schemas.ts. Pure and cheap: at most one regular-expression test per string, no clock (callers
// pass `now`), no I/O. Each check returns null when the value is fine, else a short reason for `field: reason`.

/** CONTRACT §2: ids are 1 to 200 characters of well-formed Unicode with no control characters (nor "." or ".."). */
export const MAX_ID_LENGTH = 200;
/** JSON nesting deeper than this is rejected before any schema sees it. Real records nest two levels. */
export const MAX_JSON_DEPTH = 64;
/** The longest email address a mail system accepts (RFC 5321 path limit). */
export const MAX_EMAIL_LENGTH = 254;
/** Calendar dates (an invoice's `dueAt`) are bounded to years PostgreSQL and people both understand. */
export const EARLIEST_DATE = '1970-01-01';
export const LATEST_DATE = '2100-12-31';
/** The longest exemption an operator may grant (`exemptFor`, an exemption's `until`). */
export const MAX_EXEMPTION_MS = 366 * 86_400_000;

// Control characters (C0, DEL, C1), line and paragraph separators, and lone surrogates: never in an id or a line.
// With the `u` flag, a lone surrogate is a code point of category Cs, so one test also checks well-formed UTF-16.
const ID = /^[^\p{Cc}\p{Zl}\p{Zp}\p{Cs}]{1,200}$/u;
const LINE = /^[^\p{Cc}\p{Zl}\p{Zp}\p{Cs}]*$/u;
// Multi-line text (notes) may keep tab, LF and CR: the only control characters that mean something in a note.
const MULTILINE = /^[^\0-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\p{Zl}\p{Zp}\p{Cs}]*$/u;
const WHAT = 'control characters, line separators or unpaired surrogates';

/** Why `id` (already trimmed) is not an id, or null. */
export function idProblem(id: string): string | null {
  // "." and ".." cannot be a URL path segment (clients resolve them away), so they could never be addressed.
  if (ID.test(id)) return id.length <= 2 && (id === '.' || id === '..') ? 'must not be "." or ".."' : null;
  if (id.length === 0) return 'must not be empty';
  if (id.length > MAX_ID_LENGTH) return `must be at most ${MAX_ID_LENGTH} characters`;
  return `must not contain ${WHAT}`;
}

/** Why single-line text (a name, a tag, a search text) is not acceptable, or null. */
export function lineProblem(text: string): string | null {
  return LINE.test(text) ? null : `must not contain ${WHAT}`;
}

/** Why multi-line text (a note) is not acceptable, or null: tab, LF and CR are allowed, other controls are not. */
export function multilineProblem(text: string): string | null {
  return MULTILINE.test(text) ? null : `must not contain NUL, ${WHAT}`;
}

// An IANA name (Area/Location, or a bare name such as UTC). It excludes offsets such as "+01:00", which Intl may
// accept but PostgreSQL reads as a POSIX zone with the opposite sign.
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]{0,30}(?:\/[A-Za-z0-9_+-]{1,30}){0,2}$/;
const zones = new Map<string, boolean>();

/** Why `tz` is not a usable IANA time zone, or null. Intl's verdict is cached: constructing a formatter is slow. */
export function timeZoneProblem(tz: string): string | null {
  let ok = zones.get(tz);
  if (ok === undefined) {
    ok = ZONE_NAME.test(tz);
    if (ok) {
      try {
        new Intl.DateTimeFormat('en-GB', { timeZone: tz }).format(0);
      } catch {
        ok = false;
      }
    }
    if (zones.size < 1000) zones.set(tz, ok);
  }
  return ok ? null : 'must be an IANA time zone such as Europe/London';
}

// The address grammar of zod's z.email(): a dot-atom local part and a domain of DNS labels. It has no room for a
// second address (`,` `;` `<` `>` quotes, spaces), so one field can never name two recipients.
const EMAIL = /^(?!\.)(?!.*\.\.)[A-Za-z0-9_'+\-.]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9-]*\.)+[A-Za-z]{2,}$/;

/** Why `email` is not one plain address, or null. */
export function emailProblem(email: string): string | null {
  if (email.length > MAX_EMAIL_LENGTH) return `must be at most ${MAX_EMAIL_LENGTH} characters`;
  return EMAIL.test(email) ? null : 'must be one email address such as jo@acme.example';
}

/** A display name made safe for a mail header: every control character and line separator becomes a space. */
export function headerSafeName(name: string): string {
  return name.replace(/[\p{Cc}\p{Zl}\p{Zp}\p{Cs}]+/gu, ' ').trim();
}

/** Why a calendar date `YYYY-MM-DD` is out of the sane range, or null. */
export function dateRangeProblem(date: string): string | null {
  return date < EARLIEST_DATE || date > LATEST_DATE ? `must be between ${EARLIEST_DATE} and ${LATEST_DATE}` : null;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^([1-9]\d{0,9})(ms|s|m|h|d)$/;

/** `30m`, `24h`, `7d` -> ms, or a reason when it is not a duration or is longer than `maxMs`. */
export function parseDuration(text: string, maxMs: number): number | string {
  const m = DURATION.exec(text);
  if (!m) return 'must be a duration such as 24h, 30m or 7d';
  const ms = Number(m[1]) * UNIT_MS[m[2]!]!;
  return ms > maxMs ? `must be at most ${Math.floor(maxMs / 86_400_000)}d` : ms;
}

/**
 * True when the JSON text nests objects and arrays deeper than `max`. A cheap native count of opening brackets
 * settles almost every record (a CDR has one); only a value with more than `max` of them is scanned.
 */
export function jsonTooDeep(value: Buffer, max = MAX_JSON_DEPTH): boolean {
  let opening = 0;
  for (const bracket of [0x7b, 0x5b]) {
    for (let at = value.indexOf(bracket); at >= 0 && opening <= max; at = value.indexOf(bracket, at + 1)) opening++;
  }
  if (opening <= max) return false;
  let depth = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === 0x22) {
      for (i++; i < value.length && value[i] !== 0x22; i++) if (value[i] === 0x5c) i++;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}
