// The byte-level fast path of CDR decoding (issue 17): the common CDR message read straight from its bytes, without
// the UTF-8 check, the depth check, JSON.parse or the object fast path (cdr-fast.ts). It takes one flat JSON object of
// ASCII bytes only (so the message is valid UTF-8 and one level deep), string values without backslash escapes, the
// CDR's keys at most once each, plain JSON numbers, null and arbitrary JSON whitespace, and returns exactly the
// CdrRecord the object path (JSON.parse -> decodeCdrFast -> the zod schema) returns for the same bytes. On anything
// else it returns null and decode-record.ts runs that path unchanged, which decides and words any error: this path
// never rejects. test/unit/events/cdr-bytes.test.ts checks that both agree on every input.
//
// Only the four texts a record keeps (id, accountId, caller, callee) are copied out of the message, each by one
// latin1Slice (a copy, so a kept id never holds the message alive); enumerations are constants, times and the cost
// are computed from the bytes, the currency comes from a small table.
import type { CdrPhase, CdrRecord, Direction, Disposition } from './types.js';
import { MAX_ID_LENGTH } from './validate.js';

const MAX_DURATION_SEC = 86_400 * 31;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

// Bytes.
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN = 0x7b;
const CLOSE = 0x7d;

// The CDR keys, as bits of the set of keys seen.
const K_ID = 1 << 0;
const K_ACCOUNT = 1 << 1;
const K_DIRECTION = 1 << 2;
const K_CALLER = 1 << 3;
const K_CALLEE = 1 << 4;
const K_STARTED = 1 << 5;
const K_ANSWERED = 1 << 6;
const K_ENDED = 1 << 7;
const K_DURATION = 1 << 8;
const K_DISPOSITION = 1 << 9;
const K_COST = 1 << 10;
const K_CURRENCY = 1 << 11;
const K_PHASE = 1 << 12;
const K_UNKNOWN = 0;
const REQUIRED = K_ID | K_ACCOUNT | K_DIRECTION | K_CALLEE | K_STARTED;

/**
 * The text of ASCII bytes [from, to), copied. Buffer's own latin1Slice (what toString('latin1', from, to) calls after
 * its argument checks; not in @types/node) is the cheapest copy for short texts (~65 ns against ~85 ns).
 */
const text = (b: Buffer, from: number, to: number): string => (b as unknown as Latin1Slice).latin1Slice(from, to);
interface Latin1Slice {
  latin1Slice(from: number, to: number): string;
}

/** True when bytes [from, to) are printable ASCII (space to "~") without a backslash: a JSON text without escapes. */
function plainText(b: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = b[i]!;
    if (c < 0x20 || c > 0x7e || c === BACKSLASH) return false;
  }
  return true;
}

const isWs = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));

/** True when bytes [at, at + text.length) of `b` are those of `text` (ascii()). The caller has checked the length. */
function spells(b: Buffer, at: number, text: Uint8Array): boolean {
  for (let i = 0; i < text.length; i++) if (b[at + i] !== text[i]) return false;
  return true;
}

// The enumerations' texts, as bytes.
const OUTBOUND = ascii('outbound');
const INBOUND = ascii('inbound');
const ANSWERED = ascii('answered');
const NO_ANSWER = ascii('no_answer');
const BUSY = ascii('busy');
const FAILED = ascii('failed');
const CANCELLED = ascii('cancelled');
const START = ascii('start');
const END = ascii('end');

/** The CDR keys' bytes and bits; KEY_AT says which of them a key of a given length and first byte can be. */
const KEY_NAMES: readonly [string, number][] = [
  ['id', K_ID], ['accountId', K_ACCOUNT], ['direction', K_DIRECTION], ['caller', K_CALLER], ['callee', K_CALLEE],
  ['startedAt', K_STARTED], ['answeredAt', K_ANSWERED], ['endedAt', K_ENDED], ['durationSec', K_DURATION],
  ['disposition', K_DISPOSITION], ['cost', K_COST], ['currency', K_CURRENCY], ['phase', K_PHASE],
];
const KEY_BYTES: readonly Uint8Array[] = KEY_NAMES.map(([name]) => ascii(name));
/**
 * By (length << 7 | first byte): 1 + the index in KEY_NAMES of the one key of that length and first byte (0: none).
 * Two keys share a length and first byte only as "caller" and "callee" (and "durationSec"/"disposition" share a
 * length and first byte too): those slots hold the first of the pair, and keyOf tries the second on a mismatch.
 */
const KEY_AT = new Uint8Array(16 << 7);
for (let k = KEY_NAMES.length - 1; k >= 0; k--) {
  const name = KEY_NAMES[k]![0];
  KEY_AT[(name.length << 7) | name.charCodeAt(0)] = k + 1;
}

/** True when bytes [from, from + key.length) of `b` are `key`'s. The caller has checked the length. */
function sameBytes(b: Buffer, from: number, key: Uint8Array): boolean {
  for (let i = 1; i < key.length; i++) if (b[from + i] !== key[i]) return false;
  return true;
}

/**
 * The key bit of the key in bytes [from, to), K_UNKNOWN for any other key: one table read by its length and first
 * byte, then its other bytes against the one CDR key it can be (or the two: caller/callee, durationSec/disposition).
 */
function keyOf(b: Buffer, from: number, to: number): number {
  const n = to - from;
  if (n < 2 || n > 11) return K_UNKNOWN;
  const first = b[from]!;
  if (first >= 0x80) return K_UNKNOWN;
  const k = KEY_AT[(n << 7) | first]!;
  if (k === 0) return K_UNKNOWN;
  if (sameBytes(b, from, KEY_BYTES[k - 1]!)) return KEY_NAMES[k - 1]![1];
  // The second of a pair with the same length and first byte.
  const next = KEY_BYTES[k];
  if (next !== undefined && next.length === n && next[0] === first && sameBytes(b, from, next)) return KEY_NAMES[k]![1];
  return K_UNKNOWN;
}

/** Two decimal digits at `at`, or -1. */
function two(b: Buffer, at: number): number {
  const x = b[at]! - 48, y = b[at + 1]! - 48;
  return x >= 0 && x <= 9 && y >= 0 && y <= 9 ? x * 10 + y : -1;
}

/**
 * parseRfc3339 (timestamp.ts) on the text of bytes [from, to), without making the text: the same rules (a valid
 * date, hours to 23, a leap second read as :59, 1 to 9 decimals of which the first 3 count, an offset to 23:59) and
 * the same result as its Date.UTC call. NaN where parseRfc3339 gives null. The bytes are printable ASCII.
 */
export function rfc3339Bytes(b: Buffer, from: number, to: number): number {
  const n = to - from;
  if (n < 20 || b[from + 4] !== 0x2d || b[from + 7] !== 0x2d || b[from + 13] !== 0x3a || b[from + 16] !== 0x3a) return NaN;
  const sep = b[from + 10];
  if (sep !== 0x54 && sep !== 0x74 && sep !== 0x20) return NaN;
  const hi = two(b, from), lo = two(b, from + 2);
  const mo = two(b, from + 5), d = two(b, from + 8);
  const h = two(b, from + 11), mi = two(b, from + 14), sec = two(b, from + 17);
  if (hi < 0 || lo < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0) return NaN;
  const y = hi * 100 + lo;
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 60) return NaN;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  if (d > (mo === 2 && leap ? 29 : DAYS_IN_MONTH[mo - 1]!)) return NaN;
  let i = from + 19;
  let ms = 0;
  if (b[i] === 0x2e) {
    const start = ++i;
    while (i < to && b[i]! >= 48 && b[i]! <= 57) i++;
    const digits = i - start;
    if (digits < 1 || digits > 9) return NaN;
    ms = (b[start]! - 48) * 100;
    if (digits > 1) ms += (b[start + 1]! - 48) * 10;
    if (digits > 2) ms += b[start + 2]! - 48;
  }
  let offsetMin = 0;
  const z = i < to ? b[i] : -1;
  if (z === 0x5a || z === 0x7a) {
    if (i + 1 !== to) return NaN;
  } else if (z === 0x2b || z === 0x2d) {
    if (i + 6 !== to || b[i + 3] !== 0x3a) return NaN;
    const oh = two(b, i + 1), om = two(b, i + 4);
    if (oh < 0 || om < 0 || oh > 23 || om > 59) return NaN;
    offsetMin = (z === 0x2d ? -1 : 1) * (oh * 60 + om);
  } else {
    return NaN;
  }
  return utcMs(y, mo, d) + h * 3_600_000 + mi * 60_000 + Math.min(sec, 59) * 1000 + ms - offsetMin * 60_000;
}

/**
 * Date.UTC(y, mo - 1, d) for a valid date of a year 0 to 9999, by integer arithmetic (days from the civil calendar,
 * H. Hinnant's algorithm) instead of the call (~70 ns each, three per CDR). Like Date.UTC it reads a year 0 to 99 as
 * 1900 to 1999. The test holds rfc3339Bytes to parseRfc3339, which calls Date.UTC, over years 0 to 9999.
 */
function utcMs(year: number, mo: number, d: number): number {
  const y = (year <= 99 ? year + 1900 : year) - (mo <= 2 ? 1 : 0);
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return (era * 146_097 + doe - 719_468) * 86_400_000;
}

/**
 * The cost rule of both fast paths (cdr-fast.ts reads its text through this too): the bytes [from, to) as plain
 * decimal text, digits with at most 6 decimals and at most 15 significant places, -> micro-units exactly as
 * parseMoneyMicros computes them; -1 for any other form.
 */
export function costMicrosBytes(b: Buffer, from: number, to: number): number {
  const n = to - from;
  if (n === 0 || n > 22) return -1;
  let micros = 0;
  let whole = 0;
  let frac = -1;
  for (let i = from; i < to; i++) {
    const c = b[i]!;
    if (c === 0x2e) {
      if (frac >= 0 || whole === 0) return -1;
      frac = 0;
    } else if (c >= 48 && c <= 57) {
      micros = micros * 10 + (c - 48);
      if (frac >= 0) frac++;
      else whole++;
    } else return -1;
  }
  if (frac === 0 || frac > 6 || whole + 6 > 15) return -1;
  for (let f = frac < 0 ? 0 : frac; f < 6; f++) micros *= 10;
  return micros;
}

/**
 * True when bytes [from, to) are already E.164 ("+", a digit 1-9, then 6 to 14 digits: normaliseE164 returns such a
 * number as it is). Both fast paths check numbers with it (cdr-fast.ts through the text's latin1 bytes).
 */
export function e164Bytes(b: Buffer, from: number, to: number): boolean {
  const n = to - from;
  if (n < 8 || n > 16 || b[from] !== 0x2b || b[from + 1]! < 49 || b[from + 1]! > 57) return false;
  for (let i = from + 2; i < to; i++) {
    const c = b[i]!;
    if (c < 48 || c > 57) return false;
  }
  return true;
}

// Currency codes, upper-cased, by the 15-bit number of their three letters' lower-case bytes: at most 26^3 entries.
const currencies = new Map<number, string>();
function currencyBytes(b: Buffer, from: number): string {
  const key = ((b[from]! | 32) << 16) | ((b[from + 1]! | 32) << 8) | (b[from + 2]! | 32);
  let code = currencies.get(key);
  if (code === undefined) {
    code = String.fromCharCode(b[from]! & ~32, b[from + 1]! & ~32, b[from + 2]! & ~32);
    currencies.set(key, code);
  }
  return code;
}

/**
 * The end of the JSON number starting at `at` (the index after its last byte) when it is well formed by JSON's
 * grammar (-?(0|[1-9]d*)(.d+)?([eE][+-]?d+)?), else -1. Only for the values of unknown keys, which the schema ignores.
 */
function jsonNumberEnd(b: Buffer, at: number, end: number): number {
  let i = at;
  if (b[i] === 0x2d) i++;
  if (i >= end) return -1;
  if (b[i] === 0x30) {
    i++;
  } else if (b[i]! >= 0x31 && b[i]! <= 0x39) {
    while (i < end && b[i]! >= 48 && b[i]! <= 57) i++;
  } else {
    return -1;
  }
  if (i < end && b[i] === 0x2e) {
    const s = ++i;
    while (i < end && b[i]! >= 48 && b[i]! <= 57) i++;
    if (i === s) return -1;
  }
  if (i < end && (b[i] === 0x65 || b[i] === 0x45)) {
    i++;
    if (i < end && (b[i] === 0x2b || b[i] === 0x2d)) i++;
    const s = i;
    while (i < end && b[i]! >= 48 && b[i]! <= 57) i++;
    if (i === s) return -1;
  }
  return i;
}

/**
 * Bytes of a CDR message -> its CdrRecord, exactly as JSON.parse -> decodeCdrFast -> cdrSchema would make it, when
 * the message is in the common form described above; null for anything else (then the object path decides).
 */
export function decodeCdrBytes(b: Buffer): CdrRecord | null {
  const end = b.length;
  let i = 0;
  while (i < end && isWs(b[i]!)) i++;
  if (b[i] !== OPEN) return null;
  i++;
  let seen = 0;
  let id = '';
  let accountId = '';
  let direction: Direction = 'outbound';
  let caller: string | null = null;
  let callee = '';
  let startedAt = NaN;
  let answeredAt: number | null = null;
  let endedAt: number | null = null;
  let durationSec: number | null = null;
  let disposition: Disposition | null = null;
  let costMicros: number | null = null;
  let currency: string | null = null;
  let phase: CdrPhase = 'end';
  while (i < end && isWs(b[i]!)) i++;
  if (b[i] === CLOSE) return null; // {}: the required keys are missing
  for (;;) {
    // "key"
    if (b[i] !== QUOTE) return null;
    const keyFrom = ++i;
    while (i < end && b[i] !== QUOTE) i++;
    if (i >= end) return null;
    const key = keyOf(b, keyFrom, i); // a CDR key is spelt out in plain letters: no escape, no other byte
    if (key === K_UNKNOWN && !plainText(b, keyFrom, i)) return null;
    i++;
    while (i < end && isWs(b[i]!)) i++;
    if (b[i] !== COLON) return null;
    i++;
    while (i < end && isWs(b[i]!)) i++;
    if (i >= end) return null;
    if (key !== K_UNKNOWN) {
      if ((seen & key) !== 0) return null; // a repeated key: JSON.parse keeps the last, this path does not try
      seen |= key;
    }
    // The value.
    const c0 = b[i]!;
    if (c0 === QUOTE) {
      const from = ++i;
      // The first quote ends the text unless a backslash escapes it, and every reading below refuses a backslash
      // (the ids and unknown keys' texts by plainText, the others by their own grammar, which has none).
      while (i < end && b[i] !== QUOTE) i++;
      if (i >= end) return null;
      const to = i++;
      const n = to - from;
      switch (key) {
        case K_ID:
        case K_ACCOUNT: {
          // cdr-fast.ts's plainId: 1 to 200 printable characters, no space at either end, not "." or "..".
          if (n === 0 || n > MAX_ID_LENGTH || b[from] === 0x20 || b[to - 1] === 0x20 || !plainText(b, from, to)) return null;
          if (n <= 2 && b[from] === 0x2e && (n === 1 || b[from + 1] === 0x2e)) return null;
          const s = text(b, from, to);
          if (key === K_ID) id = s;
          else accountId = s;
          break;
        }
        case K_DIRECTION:
          if (n === 8 && spells(b, from, OUTBOUND)) direction = 'outbound';
          else if (n === 7 && spells(b, from, INBOUND)) direction = 'inbound';
          else return null;
          break;
        case K_CALLER:
        case K_CALLEE: {
          if (!e164Bytes(b, from, to)) return null;
          const s = text(b, from, to);
          if (key === K_CALLEE) callee = s;
          else caller = s;
          break;
        }
        case K_STARTED:
        case K_ANSWERED:
        case K_ENDED: {
          const t = rfc3339Bytes(b, from, to);
          if (Number.isNaN(t)) return null;
          if (key === K_STARTED) startedAt = t;
          else if (key === K_ANSWERED) answeredAt = t;
          else endedAt = t;
          break;
        }
        case K_DISPOSITION:
          if (n === 8 && spells(b, from, ANSWERED)) disposition = 'answered';
          else if (n === 9 && spells(b, from, NO_ANSWER)) disposition = 'no_answer';
          else if (n === 4 && spells(b, from, BUSY)) disposition = 'busy';
          else if (n === 6 && spells(b, from, FAILED)) disposition = 'failed';
          else if (n === 9 && spells(b, from, CANCELLED)) disposition = 'cancelled';
          else return null;
          break;
        case K_COST:
          costMicros = costMicrosBytes(b, from, to);
          if (costMicros < 0) return null;
          break;
        case K_CURRENCY: {
          if (n !== 3) return null;
          for (let k = from; k < to; k++) {
            const l = b[k]! | 32;
            if (l < 0x61 || l > 0x7a) return null;
          }
          currency = currencyBytes(b, from);
          break;
        }
        case K_PHASE:
          if (n === 5 && spells(b, from, START)) phase = 'start';
          else if (n === 3 && spells(b, from, END)) phase = 'end';
          else return null;
          break;
        case K_DURATION:
          return null; // a string where a number belongs
        default:
          if (!plainText(b, from, to)) return null; // an unknown key's text: ignored, as the schema ignores it
          break;
      }
    } else if (c0 === 0x6e) {
      // null: allowed where the schema's field is nullish; the required fields and phase are not.
      if (i + 4 > end || b[i + 1] !== 0x75 || b[i + 2] !== 0x6c || b[i + 3] !== 0x6c) return null;
      i += 4;
      if ((key & (REQUIRED | K_PHASE)) !== 0) return null;
      // The other fields are null already; a null keeps them so.
    } else if (c0 >= 0x30 && c0 <= 0x39) {
      if (key === K_DURATION) {
        // A plain integer of at most 7 digits without a leading zero: its value is exact and its text unambiguous.
        let v = c0 - 48;
        const from = i++;
        if (v !== 0) while (i < end && b[i]! >= 48 && b[i]! <= 57) v = v * 10 + (b[i++]! - 48);
        if (i - from > 7 || v > MAX_DURATION_SEC) return null;
        if (i < end && (b[i] === 0x2e || b[i] === 0x65 || b[i] === 0x45 || (b[i]! >= 48 && b[i]! <= 57))) return null;
        durationSec = v;
      } else if (key === K_UNKNOWN) {
        i = jsonNumberEnd(b, i, end);
        if (i < 0) return null;
      } else return null;
    } else if (c0 === 0x2d && key === K_UNKNOWN) {
      i = jsonNumberEnd(b, i, end);
      if (i < 0) return null;
    } else if (key === K_UNKNOWN && c0 === 0x74 && i + 4 <= end && b[i + 1] === 0x72 && b[i + 2] === 0x75 && b[i + 3] === 0x65) {
      i += 4;
    } else if (key === K_UNKNOWN && c0 === 0x66 && i + 5 <= end && b[i + 1] === 0x61 && b[i + 2] === 0x6c && b[i + 3] === 0x73 && b[i + 4] === 0x65) {
      i += 5;
    } else {
      return null; // an object, an array, a misspelt literal, or a type the field does not take
    }
    // "," and the next key, or "}" and nothing but whitespace after it.
    while (i < end && isWs(b[i]!)) i++;
    if (i >= end) return null;
    if (b[i] === COMMA) {
      i++;
      while (i < end && isWs(b[i]!)) i++;
      continue;
    }
    if (b[i] !== CLOSE) return null;
    i++;
    while (i < end && isWs(b[i]!)) i++;
    if (i !== end) return null;
    break;
  }
  if ((seen & REQUIRED) !== REQUIRED) return null;
  return { id, accountId, direction, caller, callee, startedAt, answeredAt, endedAt, durationSec, disposition, costMicros, currency, phase };
}
