// zod field builders shared by the wire schemas and the API's schemas (src/api/schemas.ts), over the one set of
// checks in validate.ts. Every issue message is short and readable; decode-record.ts prefixes it with the field
// path ("callee: required"). Must never coerce money through binary floats.
import { z } from 'zod';
import { parseMoneyMicros } from '../domain/money.js';
import { normaliseE164 } from './phone.js';
import { parseCalendarDate, parseRfc3339 } from './timestamp.js';
import { dateRangeProblem, emailProblem, idProblem, lineProblem, MAX_EMAIL_LENGTH, multilineProblem, parseDuration, timeZoneProblem } from './validate.js';

const req = (what: string) => (iss: { input: unknown }) => (iss.input === undefined ? 'required' : `must be ${what}`);

/** Adds `check`'s reason as the issue when there is one; a refinement keeps the schema representable in OpenAPI. */
const checked = <T extends z.ZodType<string>>(schema: T, check: (v: string) => string | null) =>
  schema.superRefine((v, ctx) => {
    const why = check(v);
    if (why !== null) ctx.addIssue({ code: 'custom', message: why });
  });

/** An id (CONTRACT §2), trimmed: 1 to 200 characters of well-formed Unicode with no control characters. */
export const id = () => checked(z.string({ error: req('a string') }).trim(), idProblem);

/** A required non-empty single-line string (trimmed): well-formed, no control characters. */
export const text = (max = 200) =>
  checked(
    z
      .string({ error: req('a string') })
      .trim()
      .min(1, { error: 'must not be empty' })
      .max(max, { error: `must be at most ${max} characters` }),
    lineProblem,
  );

/** Single-line text kept as given (a name, a search text): well-formed, no control characters. */
export const line = (max: number) =>
  checked(z.string({ error: req('a string') }).max(max, { error: `must be at most ${max} characters` }), lineProblem);

/** Multi-line text (a note): well-formed, no NUL; tab, LF and CR are the only control characters kept. */
export const multiline = (max: number) =>
  checked(z.string({ error: req('a string') }).max(max, { error: `must be at most ${max} characters` }), multilineProblem);

/** One plain email address (z.email's grammar, at most 254 characters); never a list of them. */
export const email = () =>
  checked(
    z
      .string({ error: req('an email address') })
      .trim()
      .max(MAX_EMAIL_LENGTH, { error: `must be at most ${MAX_EMAIL_LENGTH} characters` }),
    emailProblem,
  );

/** `30m`, `24h`, `7d`, at most `maxMs`; the text is kept (callers convert it with durationMs). */
export const duration = (maxMs: number) =>
  checked(z.string({ error: req('a duration such as 24h') }).max(16, { error: 'must be a duration such as 24h, 30m or 7d' }), (v) => {
    const r = parseDuration(v, maxMs);
    return typeof r === 'string' ? r : null;
  });

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

/** An RFC 3339 instant with an offset, kept as text (the API's bodies); plausibility is the route's to bound. */
export const instant = () =>
  checked(z.string({ error: req('an RFC 3339 timestamp with an offset') }).max(40, { error: 'must be an RFC 3339 timestamp with an offset' }), (v) =>
    parseRfc3339(v) === null ? 'must be an RFC 3339 timestamp with an offset' : null,
  );

export const calendarDate = () =>
  z.string({ error: req('a date (YYYY-MM-DD)') }).transform((v, ctx) => {
    const d = parseCalendarDate(v);
    const why = d === null ? 'must be a date (YYYY-MM-DD)' : dateRangeProblem(d);
    if (why === null) return d!;
    ctx.addIssue({ code: 'custom', message: why });
    return z.NEVER;
  });

export const phone = () =>
  checked(
    z
      .string({ error: req('a phone number') })
      .trim()
      .min(1, { error: 'must not be empty' })
      .max(64, { error: 'must be at most 64 characters' }),
    lineProblem,
  ).transform(normaliseE164);

export const currency = () =>
  z
    .string({ error: req('an ISO 4217 currency code') })
    .regex(/^[A-Za-z]{3}$/, { error: 'must be an ISO 4217 currency code' })
    .transform((c) => c.toUpperCase());

/** An IANA time zone that Intl accepts, by name (never an offset such as +01:00). */
export const timezone = () => checked(z.string({ error: req('an IANA time zone') }).max(64, { error: 'must be an IANA time zone such as Europe/London' }), timeZoneProblem);
