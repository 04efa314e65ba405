// The fast path of CDR decoding (issue 17): hand-written checks for the common, well-formed CDR (CONTRACT §2) in
// place of the zod schema (cdr-schema.ts). It returns exactly the CdrRecord the zod path would, or null on anything
// unusual: a wrong JSON type, a broken rule, or a value it does not handle itself (non-ASCII or padded text, a money
// form other than plain digits). The caller then runs the zod path, whose error names the field; so the fast path
// never rejects and never words an error. test/unit/events/cdr-fast.test.ts checks that both agree on every input.
import { costMicrosBytes, e164Bytes } from './cdr-bytes.js';
import { parseRfc3339 } from './timestamp.js';
import type { CdrPhase, CdrRecord, Direction, Disposition } from './types.js';
import { MAX_ID_LENGTH } from './validate.js';

const MAX_DURATION_SEC = 86_400 * 31;
const MAX_NUMBER_LENGTH = 64;

/**
 * True when `s` is 1 to `max` printable ASCII characters (space to "~") that neither start nor end with a space:
 * then trim() keeps it whole and it has no control character, separator or lone surrogate (validate.ts's rules).
 */
function plainAscii(s: unknown, max: number): s is string {
  if (typeof s !== 'string') return false;
  const n = s.length;
  if (n === 0 || n > max || s.charCodeAt(0) === 32 || s.charCodeAt(n - 1) === 32) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 || c > 126) return false;
  }
  return true;
}

/** An id as plain ASCII; "." and ".." are refused by validate.ts, so they are left to the zod path. */
const plainId = (s: unknown): s is string => plainAscii(s, MAX_ID_LENGTH) && s !== '.' && s !== '..';

/** True when the ASCII text `s` is already E.164: cdr-bytes.ts's e164Bytes, the one copy of the rule, on its bytes. */
const isE164 = (s: string): boolean => e164Bytes(Buffer.from(s, 'latin1'), 0, s.length);

/** An optional RFC 3339 time: undefined/null -> null, a valid text -> epoch ms, anything else -> NaN (doubt). */
function optionalTime(v: unknown): number | null {
  if (v == null) return null;
  return typeof v === 'string' ? (parseRfc3339(v) ?? NaN) : NaN;
}

/**
 * A cost of plain decimal text, digits with at most 6 decimals and at most 15 significant places in all, ->
 * micro-units exactly as parseMoneyMicros computes them; -1 for every other form (signs, spaces, exponents, JSON
 * numbers), which the zod path then decides. The digits are read by cdr-bytes.ts's costMicrosBytes, the one copy of
 * this rule; only ASCII text reaches it, so its latin1 bytes are its characters.
 */
function plainCostMicros(v: unknown): number {
  if (typeof v !== 'string') return -1;
  const n = v.length;
  if (n === 0 || n > 22) return -1;
  for (let i = 0; i < n; i++) if (v.charCodeAt(i) > 127) return -1;
  return costMicrosBytes(Buffer.from(v, 'latin1'), 0, n);
}

function disposition(v: unknown): Disposition | null | undefined {
  if (v == null) return null;
  return v === 'answered' || v === 'no_answer' || v === 'busy' || v === 'failed' || v === 'cancelled' ? v : undefined;
}

/** A parsed JSON object -> its CdrRecord when it is well formed in the common way, else null (use the zod path). */
export function decodeCdrFast(o: Record<string, unknown>): CdrRecord | null {
  const { id, accountId, direction, caller, callee, startedAt: started, durationSec, cost, currency, phase } = o;
  if (!plainId(id) || !plainId(accountId)) return null;
  if (direction !== 'outbound' && direction !== 'inbound') return null;
  if (!plainAscii(callee, MAX_NUMBER_LENGTH) || !isE164(callee)) return null;
  if (caller != null && (!plainAscii(caller, MAX_NUMBER_LENGTH) || !isE164(caller))) return null;
  if (typeof started !== 'string') return null;
  const startedAt = parseRfc3339(started);
  if (startedAt === null) return null;
  const answeredAt = optionalTime(o.answeredAt);
  const endedAt = optionalTime(o.endedAt);
  if (Number.isNaN(answeredAt) || Number.isNaN(endedAt)) return null;
  if (durationSec != null && !(typeof durationSec === 'number' && durationSec >= 0 && durationSec <= MAX_DURATION_SEC)) return null;
  let costMicros: number | null = null;
  if (cost != null) {
    costMicros = plainCostMicros(cost);
    if (costMicros < 0) return null;
  }
  let currencyCode: string | null = null;
  if (currency != null) {
    if (typeof currency !== 'string' || currency.length !== 3) return null;
    for (let i = 0; i < 3; i++) {
      const c = currency.charCodeAt(i) | 32; // lower case of a letter
      if (c < 97 || c > 122) return null;
    }
    currencyCode = currency.toUpperCase();
  }
  const disp = disposition(o.disposition);
  if (disp === undefined) return null;
  if (phase !== undefined && phase !== 'start' && phase !== 'end') return null;
  return {
    id,
    accountId,
    direction: direction as Direction,
    caller: (caller as string | null | undefined) ?? null,
    callee,
    startedAt,
    answeredAt,
    endedAt,
    durationSec: (durationSec as number | null | undefined) ?? null,
    disposition: disp,
    costMicros,
    currency: currencyCode,
    phase: (phase as CdrPhase | undefined) ?? 'end',
  };
}
