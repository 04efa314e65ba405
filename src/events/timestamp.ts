// RFC 3339 timestamps with an offset (CONTRACT §2) -> epoch milliseconds. Hand-rolled because Date.parse accepts
// impossible dates (2026-02-30) and offset-less local times; this must reject both. Never reads the clock.
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Earliest plausible event time: 2000-01-01T00:00:00Z. */
export const EARLIEST_EVENT_MS = Date.UTC(2000, 0, 1);
/**
 * Latest plausible event time: 2100-01-01T00:00:00Z. Live input is bounded tighter by its arrival (below); this
 * bounds replay, where a line's arrival is its own event time, so one line dated 9999 cannot stretch the run.
 */
export const LATEST_EVENT_MS = Date.UTC(2100, 0, 1);
/** How far past its arrival an event time may lie (clock skew) before it is absurd. */
export const MAX_FUTURE_MS = 86_400_000;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function validDate(y: number, mo: number, d: number): boolean {
  if (mo < 1 || mo > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= (mo === 2 && leap ? 29 : DAYS_IN_MONTH[mo - 1]!);
}

function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** Epoch ms, or null when the text is not an RFC 3339 timestamp with an offset. Char-code parsing: hot path. */
export function parseRfc3339(s: string): number | null {
  if (s.length < 20 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return null;
  const sep = s[10];
  if (sep !== 'T' && sep !== 't' && sep !== ' ') return null;
  const y = digits(s, 0, 4), mo = digits(s, 5, 2), d = digits(s, 8, 2);
  const h = digits(s, 11, 2), mi = digits(s, 14, 2), sec = digits(s, 17, 2);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0) return null;
  if (!validDate(y, mo, d) || h > 23 || mi > 59 || sec > 60) return null;
  let i = 19;
  let ms = 0;
  if (s[i] === '.') {
    const from = ++i;
    while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
    const n = i - from;
    if (n < 1 || n > 9) return null;
    ms = digits(s.slice(from, Math.min(i, from + 3)).padEnd(3, '0'), 0, 3);
  }
  let offsetMin = 0;
  const z = s[i];
  if (z === 'Z' || z === 'z') {
    if (i + 1 !== s.length) return null;
  } else if (z === '+' || z === '-') {
    if (i + 6 !== s.length || s.charCodeAt(i + 3) !== 58) return null;
    const oh = digits(s, i + 1, 2), om = digits(s, i + 4, 2);
    if (oh < 0 || om < 0 || oh > 23 || om > 59) return null;
    offsetMin = (z === '-' ? -1 : 1) * (oh * 60 + om);
  } else {
    return null;
  }
  return Date.UTC(y, mo - 1, d, h, mi, Math.min(sec, 59), ms) - offsetMin * 60_000;
}

/** A calendar date "YYYY-MM-DD" (also the date part of an RFC 3339 timestamp), or null. */
export function parseCalendarDate(text: string): string | null {
  const head = text.length > 10 && parseRfc3339(text) !== null ? text.slice(0, 10) : text;
  const m = DATE.exec(head);
  if (!m || !validDate(+m[1]!, +m[2]!, +m[3]!)) return null;
  return head;
}

/** Why an event time is absurd relative to its arrival, or null when it is plausible. */
export function absurdTime(ms: number, arrivedAtMs: number): string | null {
  if (ms < EARLIEST_EVENT_MS) return 'before 2000-01-01';
  if (ms > LATEST_EVENT_MS) return 'after 2100-01-01';
  if (ms > arrivedAtMs + MAX_FUTURE_MS) return 'more than 1 day after arrival';
  return null;
}
