// zod field builders shared by the wire schemas. Every issue message is short and readable; decode-record.ts
// prefixes it with the field path ("callee: required"). Must never coerce money through binary floats.
import { z } from 'zod';
import { parseMoneyMicros } from '../domain/money.js';
import { normaliseE164 } from './phone.js';
import { parseCalendarDate, parseRfc3339 } from './timestamp.js';

const req = (what: string) => (iss: { input: unknown }) => (iss.input === undefined ? 'required' : `must be ${what}`);

/** A required non-empty string (trimmed). */
export const text = (max = 200) =>
  z
    .string({ error: req('a string') })
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(max, { error: `must be at most ${max} characters` });

/** Optional and nullable: absent and null both become null. */
export const optional = <T extends z.ZodType>(schema: T) =>
  schema.nullish().transform((v) => (v === undefined ? null : v) as z.output<T> | null);

export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: req(`one of ${values.join(', ')}`) });

/** Money in major units (decimal string or JSON number, <= 6 decimals) -> micro-units, never negative. */
export const money = () =>
  z.union([z.string(), z.number()], { error: req('a non-negative decimal') }).transform((v, ctx) => {
    const r = parseMoneyMicros(v);
    if (typeof r === 'number' && r >= 0) return r;
    const why =
      r === 'too_precise'
        ? 'must have at most 6 decimals'
        : r === 'too_large'
          ? 'must be a non-negative decimal within range'
          : 'must be a non-negative decimal';
    ctx.addIssue({ code: 'custom', message: why });
    return z.NEVER;
  });

/** RFC 3339 with an offset -> epoch ms. Plausibility against arrival is checked by the decoder. */
export const timestamp = () =>
  z.string({ error: req('an RFC 3339 timestamp with an offset') }).transform((v, ctx) => {
    const ms = parseRfc3339(v);
    if (ms !== null) return ms;
    ctx.addIssue({ code: 'custom', message: 'must be an RFC 3339 timestamp with an offset' });
    return z.NEVER;
  });

export const calendarDate = () =>
  z.string({ error: req('a date (YYYY-MM-DD)') }).transform((v, ctx) => {
    const d = parseCalendarDate(v);
    if (d !== null) return d;
    ctx.addIssue({ code: 'custom', message: 'must be a date (YYYY-MM-DD)' });
    return z.NEVER;
  });

export const phone = () =>
  z
    .string({ error: req('a phone number') })
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(64, { error: 'must be at most 64 characters' })
    .transform(normaliseE164);

export const currency = () =>
  z
    .string({ error: req('an ISO 4217 currency code') })
    .regex(/^[A-Za-z]{3}$/, { error: 'must be an ISO 4217 currency code' })
    .transform((c) => c.toUpperCase());

const zones = new Map<string, boolean>();
/** An IANA time zone; validity is cached because Intl construction is slow. */
export const timezone = () =>
  z.string({ error: req('an IANA time zone') }).refine(
    (tz) => {
      let ok = zones.get(tz);
      if (ok === undefined) {
        try {
          new Intl.DateTimeFormat('en-GB', { timeZone: tz });
          ok = true;
        } catch {
          ok = false;
        }
        if (zones.size < 1000) zones.set(tz, ok);
      }
      return ok;
    },
    { error: 'must be an IANA time zone such as Europe/London' },
  );
