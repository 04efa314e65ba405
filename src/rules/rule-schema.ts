// zod schemas of one `fraud:` and one `dunning:` entry (CONTRACT §3), strict: unknown fields are rejected. The
// schemas check one entry at a time; rule-file.ts maps issue paths to file lines, load-rules.ts checks ids across
// files. Pure: no I/O. Thresholds of the money measures (`cost`, `call_cost`) become micro-units without floats.
import { z } from 'zod';
import { ACCOUNT_TYPES } from '../domain/types.js';
import { parseDuration, parseHours, parseRuleAmount, WEEKDAYS } from './durations.js';
import type { Measure } from './types.js';

export const MEASURES: readonly Measure[] = [
  'calls', 'cost', 'minutes', 'distinct_callees', 'calls_to_one_callee', 'range_scan',
  'concurrent_calls', 'call_duration', 'call_cost', 'callbacks', 'distinct_callers',
];
export const WINDOWLESS_MEASURES: readonly Measure[] = ['concurrent_calls', 'call_duration', 'call_cost'];
export const MONEY_MEASURES: readonly Measure[] = ['cost', 'call_cost'];
/** libphonenumber-js types, lower-cased. `fixed_line_or_mobile` numbers also match `fixed_line` and `mobile`. */
export const NUMBER_TYPES = [
  'premium_rate', 'toll_free', 'shared_cost', 'voip', 'personal_number', 'pager', 'uan', 'voicemail',
  'fixed_line', 'mobile', 'fixed_line_or_mobile', 'unknown',
] as const;
export const DISPOSITIONS = ['answered', 'no_answer', 'busy', 'failed', 'cancelled'] as const;

const oneOf = <const T extends readonly [string, ...string[]]>(values: T, what: string) =>
  z.enum(values, { error: (iss) => `unknown ${what} ${JSON.stringify(iss.input)} (expected one of ${values.join(', ')})` });

const ruleId = z
  .string({ error: 'must be a string' })
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be lowercase letters, digits and dashes');
const duration = z
  .string({ error: 'must be a duration like 30s, 10m, 1h, 24h or 3d' })
  .refine((v) => parseDuration(v) !== null, 'must be a duration like 30s, 10m, 1h, 24h or 3d');
/** A level: a number >= 0, or for the money measures a decimal string such as "5.00". */
const threshold = z.union([z.number(), z.string()], { error: 'must be a number >= 0' }).refine(
  (v) => (typeof v === 'number' ? Number.isFinite(v) && v >= 0 : parseRuleAmount(v) !== null),
  'must be a number >= 0',
);
const money = z
  .union([z.string(), z.number()], { error: 'must be an amount such as "5.00"' })
  .refine((v) => parseRuleAmount(v) !== null, 'must be an amount >= 0 with at most 6 decimals, such as "5.00"');
const strings = z.array(z.string({ error: 'must be a string' }).min(1), { error: 'must be a list' }).min(1, 'must not be empty');
const anyNone = (item: z.ZodType<string>) =>
  z.strictObject({ any: z.array(item).min(1).optional(), none: z.array(item).min(1).optional() }, { error: 'must be { any: [...] } or { none: [...] }' });
const country = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 code such as GB');
const prefixes = z.array(z.string({ error: 'must be a string such as "+882"' }).regex(/^\+?\d{1,15}$/, 'must be digits with an optional leading +, such as "+882"')).min(1);

export const appliesToSchema = z.strictObject(
  { accountTypes: z.array(oneOf(ACCOUNT_TYPES as unknown as ['reseller', 'channel', 'customer'], 'account type')).min(1).optional(), tags: anyNone(z.string().min(1)).optional() },
  { error: 'must be a mapping' },
);

export const matchSchema = z.strictObject(
  {
    direction: oneOf(['outbound', 'inbound'], 'direction').optional(),
    calleePrefixes: prefixes.optional(),
    callerPrefixes: prefixes.optional(),
    callerCountries: anyNone(country).optional(),
    numberTypes: z.array(oneOf(NUMBER_TYPES, 'number type')).min(1).optional(),
    countries: anyNone(country).optional(),
    hours: z.string({ error: 'must be "HH:MM-HH:MM"' }).refine((v) => parseHours(v) !== null, 'must be "HH:MM-HH:MM" with different ends').optional(),
    days: z.array(oneOf(WEEKDAYS, 'day')).min(1).optional(),
    dispositions: z.array(oneOf(DISPOSITIONS, 'disposition')).min(1).optional(),
  },
  { error: 'must be a mapping' },
);

export const fraudRuleSchema = z
  .strictObject(
    {
      id: ruleId,
      description: z.string().optional(),
      mode: oneOf(['enforce', 'review', 'monitor'], 'mode').optional(),
      appliesTo: appliesToSchema.optional(),
      match: matchSchema.optional(),
      measure: z.string({ error: 'must be a measure name' }).refine((v) => (MEASURES as string[]).includes(v), {
        error: (iss) => `unknown measure ${JSON.stringify(iss.input)}`,
      }),
      window: duration.optional(),
      rangeDigits: z.number().int('must be a whole number').min(1).max(6).optional(),
      warn: threshold.optional(),
      suspend: threshold.optional(),
      baseline: z.strictObject({ factor: z.number().positive('must be > 0'), minimum: threshold, by: oneOf(['period', 'hour_of_week'], 'baseline kind').optional() }).optional(),
      shortCall: duration.optional(),
      cooldown: duration.optional(),
      releaseAfter: duration.optional(),
    },
    { error: 'must be a mapping' },
  )
  .superRefine((r, ctx) => {
    const windowless = (WINDOWLESS_MEASURES as string[]).includes(r.measure);
    if (!(MEASURES as string[]).includes(r.measure)) return;
    if (windowless && r.window !== undefined) ctx.addIssue({ code: 'custom', path: ['window'], message: `measure ${r.measure} takes no window` });
    if (!windowless && r.window === undefined) ctx.addIssue({ code: 'custom', path: ['measure'], message: `measure ${r.measure} needs a window` });
    if (r.shortCall !== undefined && r.measure !== 'callbacks') ctx.addIssue({ code: 'custom', path: ['shortCall'], message: 'only callbacks takes shortCall' });
    if (r.rangeDigits !== undefined && r.measure !== 'range_scan') ctx.addIssue({ code: 'custom', path: ['rangeDigits'], message: 'only range_scan takes rangeDigits' });
    if (r.suspend === undefined && r.baseline === undefined) ctx.addIssue({ code: 'custom', path: ['suspend'], message: 'suspend is required (or a baseline)' });
    const money = (MONEY_MEASURES as string[]).includes(r.measure);
    for (const key of ['warn', 'suspend'] as const) {
      const v = r[key];
      if (typeof v === 'string' && !money) ctx.addIssue({ code: 'custom', path: [key], message: `must be a number for measure ${r.measure}` });
    }
    if (r.baseline && typeof r.baseline.minimum === 'string' && !money) ctx.addIssue({ code: 'custom', path: ['baseline', 'minimum'], message: `must be a number for measure ${r.measure}` });
  });
export type RawFraudRule = z.infer<typeof fraudRuleSchema>;

const stageSchema = z
  .strictObject(
    {
      after: z.string({ error: 'must be whole days such as 3d' }).regex(/^\d{1,4}d$/, 'must be whole days such as 3d'),
      email: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be a template name such as payment-reminder').optional(),
      suspend: z.boolean({ error: 'must be true or false' }).optional(),
    },
    { error: 'must be a mapping' },
  )
  .refine((s) => s.email !== undefined || s.suspend === true, { message: 'a stage needs email or suspend: true' });

export const dunningPolicySchema = z
  .strictObject(
    {
      id: ruleId,
      description: z.string().optional(),
      appliesTo: appliesToSchema.optional(),
      minOverdue: money.optional(),
      graceDays: z.number({ error: 'must be a number' }).int('must be a whole number').min(0, 'must be >= 0').optional(),
      countDisputed: z.boolean({ error: 'must be true or false' }).optional(),
      stages: z.array(stageSchema, { error: 'must be a list' }).min(1, 'must not be empty'),
      reactivateOnPayment: z.boolean({ error: 'must be true or false' }).optional(),
      reactivateWhen: z.enum(['below_suspend_stage', 'balance_cleared'], { error: 'must be below_suspend_stage or balance_cleared' }).optional(),
    },
    { error: 'must be a mapping' },
  )
  .superRefine((p, ctx) => {
    for (let i = 1; i < p.stages.length; i++) {
      if (parseInt(p.stages[i]!.after, 10) < parseInt(p.stages[i - 1]!.after, 10)) {
        ctx.addIssue({ code: 'custom', path: ['stages', i, 'after'], message: 'stages must be in ascending order of after' });
      }
    }
  });
export type RawDunningPolicy = z.infer<typeof dunningPolicySchema>;

/** A `numberOverrides` entry (docs/rules.md). */
export const numberOverrideSchema = z
  .strictObject(
    {
      prefix: z.string({ error: 'must be a string such as "+44845"' }).regex(/^\+?\d{1,15}$/, 'must be digits with an optional leading +, such as "+44845"'),
      length: z.number({ error: 'must be a whole number of digits' }).int('must be a whole number of digits').min(1).max(15).optional(),
      type: oneOf(NUMBER_TYPES, 'number type').optional(),
      country: z.string().regex(/^([A-Z]{2}|none)$/, 'must be an ISO 3166 alpha-2 code such as GB, or none').optional(),
    },
    { error: 'must be a mapping such as { prefix: "+44845", type: shared_cost }' },
  )
  .refine((o) => o.type !== undefined || o.country !== undefined, { message: 'an override needs type or country' });
export type RawNumberOverride = z.infer<typeof numberOverrideSchema>;

export const ruleFileSchema = z.strictObject(
  {
    fraud: z.array(z.unknown(), { error: 'must be a list' }).nullable().optional(),
    dunning: z.array(z.unknown(), { error: 'must be a list' }).nullable().optional(),
    numberOverrides: z.array(z.unknown(), { error: 'must be a list' }).nullable().optional(),
  },
  { error: 'a rule file must be a mapping with fraud:, dunning: and/or numberOverrides: lists' },
);
