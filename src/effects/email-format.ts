// Formats money and dates for people, in emails. Pure. Money is handled as integer micro-units (bigint) and
// decimal strings, never binary floating point; a value that does not parse is returned as given, never invented.
import { formatMicros, parseMoneyMicros } from '../domain/money.js';
/** A decimal string in major units ("120.5", "-3.000001") to micro-units; null when it is not one. */
export function decimalToMicros(text: string): bigint | null {
  const micros = parseMoneyMicros(text);
  return typeof micros === 'number' ? BigInt(micros) : null;
}

/** Micro-units for people: "1,234.50" (thousands separators; at least two decimals). */
export function formatPeopleMicros(micros: bigint): string {
  return formatMicros(micros, { grouping: true });
}

/** "GBP 120.00" from micro-units (a safe integer, or an integer string) or a decimal string in major units. */
export function formatAmount(value: { micros?: unknown; decimal?: unknown }, currency: string | null): string | null {
  let micros: bigint | null = null;
  const m = value.micros;
  if (typeof m === 'bigint') micros = m;
  else if (typeof m === 'number' && Number.isSafeInteger(m)) micros = BigInt(m);
  else if (typeof m === 'string' && /^-?\d+$/.test(m)) micros = BigInt(m);
  if (micros === null && (typeof value.decimal === 'string' || typeof value.decimal === 'number')) {
    micros = decimalToMicros(String(value.decimal));
    if (micros === null) return String(value.decimal);
  }
  if (micros === null) return null;
  return currency ? `${currency} ${formatPeopleMicros(micros)}` : formatPeopleMicros(micros);
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** "1 November 2026" for a calendar date; "24 November 2026 at 21:09 GMT" for an instant, in `timeZone`. */
export function formatDate(value: unknown, timeZone: string): string | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  if (typeof value === 'string' && DATE_ONLY.test(value)) {
    const d = new Date(`${value}T00:00:00Z`);
    if (Number.isNaN(d.getTime())) return value;
    return new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'UTC' }).format(d);
  }
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return new Intl.DateTimeFormat('en-GB', {
    day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone, timeZoneName: 'short',
  }).format(d);
}

export function safeTimeZone(tz: unknown, fallback: string): string {
  if (typeof tz !== 'string' || tz === '') return fallback;
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: tz });
    return tz;
  } catch {
    return fallback;
  }
}
