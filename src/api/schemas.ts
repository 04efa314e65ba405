// The zod schemas of the HTTP API: requests (strict: unknown fields are rejected) and responses. Routes validate
// with them and /openapi.json is generated from them, so the document can never drift from the code. Every input
// field is built from src/events/fields.ts, the same validation the topics and replay get (src/events/validate.ts).
import { z } from 'zod';
import { duration, email, id, instant as instantText, line, multiline, text, timezone } from '../events/fields.js';
import { MAX_EXEMPTION_MS } from '../events/validate.js';

/** Account, hold, decision and exemption ids: the wire's grammar (CONTRACT §2), so every stored id is addressable. */
export const idSchema = id();

/** `30m`, `24h`, `7d`, `90s`, `500ms`; at most 366 days. */
export const durationSchema = duration(MAX_EXEMPTION_MS);

export const reasonSchema = z.enum(['fraud', 'non_payment']);
export const accountTypeSchema = z.enum(['reseller', 'channel', 'customer']);
export const noteSchema = multiline(2000);
/** An RFC 3339 instant with an offset; routes bound it (updatedAt: not in the future; until: within 366 days). */
const instant = instantText();
const cursorSchema = z.string().max(200).regex(/^[A-Za-z0-9_-]+$/, 'must be a cursor returned by a previous page');

export const idParams = z.strictObject({ id: idSchema });

export const listAccountsQuery = z.strictObject({
  type: accountTypeSchema.optional(),
  status: z.enum(['active', 'suspended']).optional(),
  parent: idSchema.optional(),
  q: line(100).pipe(z.string().min(1, 'must not be empty')).optional(),
  cursor: cursorSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export const pageQuery = z.strictObject({
  cursor: cursorSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const decisionsQuery = pageQuery.extend({
  state: z.enum(['pending', 'approved', 'rejected']).default('pending'),
});

/** A display name goes into a mail header: no CR, LF, NEL or line separator, even once JSON escapes are decoded. */
export const contactSchema = z.strictObject({ name: line(200).optional(), email: email() });

export const accountBody = z.strictObject({
  id: idSchema.optional(),
  type: accountTypeSchema,
  parentId: idSchema.nullable().optional(),
  name: line(200).nullable().optional(),
  mainContact: contactSchema.nullable().optional(),
  timezone: timezone().nullable().optional(),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code').nullable().optional(),
  tags: z.array(text(64)).max(50).optional(),
  closed: z.boolean().optional(),
  updatedAt: instant.optional(),
});

export const suspendBody = z.strictObject({ reason: reasonSchema, note: noteSchema.optional() });

export const activateBody = z.strictObject({
  reason: reasonSchema.optional(),
  note: noteSchema.optional(),
  exemptFor: durationSchema.optional(),
});

export const exemptionBody = z.strictObject({
  reason: reasonSchema.optional(),
  rules: z.array(idSchema).min(1).max(50).optional(),
  until: instant,
  note: noteSchema,
});

export const approveBody = z.strictObject({ note: noteSchema.optional() });
export const rejectBody = z.strictObject({ note: noteSchema.optional(), exemptFor: durationSchema.optional() });

// ---- responses ----

export const holdOut = z.object({
  id: z.string(),
  reason: reasonSchema,
  source: z.string(),
  since: z.string(),
  note: z.string().nullable(),
  evidence: z.record(z.string(), z.unknown()),
  expiresAt: z.string().nullable(),
});

export const accountOut = z.object({
  id: z.string(),
  type: accountTypeSchema,
  parentId: z.string().nullable(),
  name: z.string().nullable(),
  mainContact: z.object({ name: z.string().optional(), email: z.string() }).nullable(),
  timezone: z.string().nullable(),
  currency: z.string().nullable(),
  tags: z.array(z.string()),
  closed: z.boolean(),
  updatedAt: z.string(),
  status: z.enum(['active', 'suspended']),
});

export const accountDetailOut = accountOut.extend({
  holds: z.array(holdOut),
  inheritedFrom: z.array(z.string()),
  outboundCalls: z.enum(['allowed', 'blocked']),
  portalAccess: z.enum(['allowed', 'blocked']),
  inboundCalls: z.literal('allowed'),
  billing: z.literal('continues'),
});

export const accountPage = z.object({ items: z.array(accountOut), nextCursor: z.string().nullable() });

export const transitionOut = accountDetailOut.extend({
  changed: z.boolean(),
  decisionsOpened: z.array(z.string()),
  holdsLifted: z.array(z.string()),
  holdsPlaced: z.array(z.string()),
  exemptionsCreated: z.array(z.string()),
});

export const auditOut = z.object({
  id: z.number(),
  kind: z.string(),
  actor: z.string(),
  at: z.string(),
  holdId: z.string().nullable(),
  decisionId: z.string().nullable(),
  reason: z.string().nullable(),
  note: z.string().nullable(),
  evidence: z.record(z.string(), z.unknown()).nullable(),
});
export const auditPage = z.object({ items: z.array(auditOut), nextCursor: z.string().nullable() });

export const exemptionOut = z.object({
  id: z.string(),
  accountId: z.string(),
  reason: reasonSchema.nullable(),
  rules: z.array(z.string()).nullable(),
  until: z.string(),
  note: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
});

export const decisionOut = z.object({
  id: z.string(),
  accountId: z.string(),
  reason: reasonSchema,
  source: z.string(),
  evidence: z.record(z.string(), z.unknown()),
  note: z.string().nullable(),
  state: z.enum(['pending', 'approved', 'rejected']),
  createdAt: z.string(),
  decidedAt: z.string().nullable(),
  decidedBy: z.string().nullable(),
});
export const decisionPage = z.object({ items: z.array(decisionOut), nextCursor: z.string().nullable() });

export const deadLetterOut = z.object({
  id: z.string(),
  topic: z.string().nullable(),
  partition: z.number().nullable(),
  offset: z.string().nullable(),
  key: z.string().nullable(),
  value: z.string().nullable(),
  valueEncoding: z.enum(['utf8', 'base64']),
  headers: z.unknown(),
  error: z.string().nullable(),
  receivedAt: z.string().nullable(),
});
export const deadLetterPage = z.object({ items: z.array(deadLetterOut), nextCursor: z.string().nullable() });

export const rulesOut = z.object({
  version: z.string().nullable(),
  loadedAt: z.string().nullable(),
  fraud: z.array(z.record(z.string(), z.unknown())),
  dunning: z.array(z.record(z.string(), z.unknown())),
});

export const ingestResultOut = z.object({
  accepted: z.number(),
  duplicate: z.number(),
  rejected: z.number(),
  results: z.array(
    z.object({ index: z.number(), outcome: z.enum(['accepted', 'duplicate', 'rejected']), error: z.string().optional() }),
  ),
});

// `details` (an addition to CONTRACT §4): what does not make the process unready but must not be silent, such as
// per-rule evaluation errors (`ruleErrors`).
export const readyOut = z.object({ ready: z.boolean(), reasons: z.array(z.string()), details: z.record(z.string(), z.unknown()).optional() });
export const healthOut = z.object({ status: z.literal('ok') });
export const emptyOut = z.object({});

export const problemOut = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number(),
  detail: z.string(),
  instance: z.string().optional(),
  field: z.string().optional(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});
