// The one decoder of input message values (Kafka, HTTP ingest, replay): bytes -> a trusted record, or a readable
// error naming the failing field path ("callee: required"). Hot path: no logging, no I/O, no clock.
import { isUtf8 } from 'node:buffer';
import type { z } from 'zod';
import { accountSchema, toAccountRecord } from './account-schema.js';
import { decodeCdrBytes } from './cdr-bytes.js';
import { decodeCdrFast } from './cdr-fast.js';
import { cdrSchema } from './cdr-schema.js';
import { invoiceEventSchema } from './invoice-schema.js';
import { absurdTime } from './timestamp.js';
import { jsonTooDeep, MAX_JSON_DEPTH } from './validate.js';
import type { AccountRecord, CdrRecord, InvoiceEventRecord } from './types.js';

export type InputKind = 'accounts' | 'cdrs' | 'invoices';
export const INPUT_KINDS: readonly InputKind[] = ['accounts', 'cdrs', 'invoices'];

/** Values above this are dead-lettered unread: a real record is well under 2 KB. */
export const MAX_VALUE_BYTES = 64 * 1024;

export type DecodedRecord =
  | { kind: 'accounts'; value: AccountRecord }
  | { kind: 'cdrs'; value: CdrRecord }
  | { kind: 'invoices'; value: InvoiceEventRecord };

export type DecodeResult = { ok: true; record: DecodedRecord } | { ok: false; error: string };

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'value: invalid';
  const path = issue.path.length > 0 ? issue.path.map(String).join('.') : 'value';
  return `${path}: ${issue.message}`;
}

function checkTimes(obj: Record<string, unknown>, fields: readonly string[], arrivedAtMs: number): string | null {
  for (const f of fields) {
    const v = obj[f];
    if (typeof v !== 'number') continue;
    const why = absurdTime(v, arrivedAtMs);
    if (why) return `${f}: absurd timestamp (${why})`;
  }
  return null;
}

/** A CDR's times against its arrival and each other: applied to the record of every CDR path alike. */
function cdrChecked(c: CdrRecord, arrivedAtMs: number): DecodedRecord | string {
  // checkTimes' checks, field by field in its order (no array of names and keyed reads per CDR on the hot path).
  const bad = timeError('startedAt', c.startedAt, arrivedAtMs) ?? timeError('answeredAt', c.answeredAt, arrivedAtMs) ?? timeError('endedAt', c.endedAt, arrivedAtMs);
  if (bad) return bad;
  if (c.endedAt !== null && c.endedAt < c.startedAt) return 'endedAt: must not be before startedAt';
  return { kind: 'cdrs', value: c };
}

function timeError(field: string, v: number | null, arrivedAtMs: number): string | null {
  if (typeof v !== 'number') return null;
  const why = absurdTime(v, arrivedAtMs);
  return why ? `${field}: absurd timestamp (${why})` : null;
}

/**
 * Which CDR fast paths decodeRecord tries: `true` both (the bytes path of cdr-bytes.ts, then the object path of
 * cdr-fast.ts), `'object'` only the object path, `false` neither (the zod schema alone). Anything but `true` is only
 * for tests and bench/decode.ts, to hold the paths against each other.
 */
export type CdrFastPaths = boolean | 'object';

/** Bytes -> record. `arrivedAtMs` bounds how far in the future an event time may lie. */
export function decodeRecord(kind: InputKind, value: Buffer | null, arrivedAtMs: number, cdrFastPath: CdrFastPaths = true): DecodeResult {
  const d = decodeValue(kind, value, arrivedAtMs, cdrFastPath);
  return typeof d === 'string' ? { ok: false, error: d } : { ok: true, record: d };
}

/**
 * decodeRecord's verdict without its wrapper: the record, or the error text (a string: no record is one). The
 * ingest's decode step (decode-step.ts) takes this, so a record costs one result object there, not two.
 */
export function decodeValue(kind: InputKind, value: Buffer | null, arrivedAtMs: number, cdrFastPath: CdrFastPaths = true): DecodedRecord | string {
  if (value === null || value.length === 0) return 'value: required (empty message)';
  if (value.length > MAX_VALUE_BYTES) return `value: too large (${value.length} bytes, limit ${MAX_VALUE_BYTES})`;
  if (kind === 'cdrs' && cdrFastPath === true) {
    // The common CDR straight from its bytes (ASCII only, so valid UTF-8 and one level deep); anything else, and
    // every verdict of rejection, is the path below.
    const c = decodeCdrBytes(value);
    if (c !== null) return cdrChecked(c, arrivedAtMs);
  }
  if (!isUtf8(value)) return 'value: not valid UTF-8';
  if (jsonTooDeep(value)) return `value: nested deeper than ${MAX_JSON_DEPTH} levels`;
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch (err) {
    return `value: invalid JSON (${(err as Error).message})`;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return 'value: must be a JSON object';
  switch (kind) {
    case 'cdrs': {
      // The hand-written fast path takes the common well-formed record; anything else gets the zod path's verdict.
      let c = cdrFastPath !== false ? decodeCdrFast(json as Record<string, unknown>) : null;
      if (c === null) {
        const r = cdrSchema.safeParse(json);
        if (!r.success) return firstIssue(r.error);
        c = r.data;
      }
      return cdrChecked(c, arrivedAtMs);
    }
    case 'invoices': {
      const r = invoiceEventSchema.safeParse(json);
      if (!r.success) return firstIssue(r.error);
      const bad = checkTimes(r.data as unknown as Record<string, unknown>, ['occurredAt'], arrivedAtMs);
      if (bad) return bad;
      return { kind, value: r.data };
    }
    case 'accounts': {
      const r = accountSchema.safeParse(json);
      if (!r.success) return firstIssue(r.error);
      if (r.data.updatedAt !== null) {
        const bad = checkTimes(r.data as unknown as Record<string, unknown>, ['updatedAt'], arrivedAtMs);
        if (bad) return bad;
      }
      return { kind, value: toAccountRecord(r.data, arrivedAtMs) };
    }
  }
}
