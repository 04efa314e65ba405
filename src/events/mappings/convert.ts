// Value conversions for source mappings: time formats to RFC 3339 (UTC), durations to seconds, money to a decimal
// string in major units (never through binary floating point). Pure: no clock; time zones through Intl only.
// Each function returns the converted value or a string starting with "must" that says what was expected.
import type { FieldSpec } from './mapping-schema.js';
import { parseRfc3339 } from '../timestamp.js';

const DEC = /^-?\d+(\.\d+)?$/;

function tzOffsetMs(zone: string, utcMs: number): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(utcMs));
  const n = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  return Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second')) - Math.floor(utcMs / 1000) * 1000;
}

/** "2013-03-04 13:11:18[.123]" (or with a T) in `zone` -> epoch ms. A time skipped by a DST change moves forward. */
export function localToEpochMs(text: string, zone: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?$/.exec(text.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return null;
  const frac = m[7] ? Math.round(Number(m[7]) * 1000) : 0;
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  let guess = wall - tzOffsetMs(zone, wall);
  guess = wall - tzOffsetMs(zone, guess);
  return guess + frac;
}

export function toTime(raw: unknown, spec: FieldSpec): string | null | `must ${string}` {
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : null;
  if (text === null) return 'must be a time';
  let ms: number | null;
  switch (spec.time ?? 'rfc3339') {
    case 'epoch_s':
      if (!DEC.test(text)) return 'must be epoch seconds';
      ms = Math.round(Number(text) * 1000);
      break;
    case 'epoch_ms':
      if (!/^\d+$/.test(text)) return 'must be epoch milliseconds';
      ms = Number(text);
      break;
    case 'epoch_us':
      if (!/^\d+$/.test(text)) return 'must be epoch microseconds';
      ms = Math.floor(Number(text) / 1000);
      break;
    case 'rfc3339':
      ms = parseRfc3339(text);
      if (ms === null) return 'must be an RFC 3339 time with an offset';
      break;
    case 'local':
      ms = localToEpochMs(text, spec.zone!);
      if (ms === null) return `must be a local time YYYY-MM-DD HH:MM:SS (${spec.zone})`;
      break;
  }
  if (ms === 0) return null;
  return new Date(ms).toISOString();
}

const GO_UNITS: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/** Seconds. `go_duration`: "1m25s", "1.5h", "500ms"; a bare number is seconds (as CGRateS reads ExternalCDR Usage). */
export function toSeconds(raw: unknown, unit: NonNullable<FieldSpec['unit']>): number | `must ${string}` {
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
  if (unit === 'go_duration' && !DEC.test(text)) {
    const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
    let total = 0;
    let at = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      total += Number(m[1]) * GO_UNITS[m[2]!]!;
      at = re.lastIndex;
    }
    if (at === 0 || at !== text.length) return 'must be a duration such as 1m25s';
    return Math.round(total * 1000) / 1000;
  }
  if (!DEC.test(text) || text.startsWith('-')) return 'must be a non-negative number';
  const div = { s: 1, go_duration: 1, ms: 1e3, us: 1e6, ns: 1e9 }[unit];
  return Math.round((Number(text) / div) * 1000) / 1000;
}

/** A decimal string in major units. `minor` shifts the decimal point by `digits` places in text, not in floats. */
export function toMoney(raw: unknown, spec: FieldSpec): string | `must ${string}` {
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
  if (!DEC.test(text) || text.startsWith('-')) return 'must be a non-negative decimal';
  if (spec.money !== 'minor') return text;
  const digits = spec.digits ?? 2;
  const [int, frac = ''] = text.split('.');
  const padded = int!.padStart(digits + 1, '0');
  const major = padded.slice(0, padded.length - digits);
  const minor = padded.slice(padded.length - digits) + frac;
  return minor === '' ? major : `${major}.${minor}`;
}
