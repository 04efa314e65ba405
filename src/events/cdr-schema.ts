// The CDR wire schema (CONTRACT §2 CDR) -> CdrRecord. Owns field rules only; time plausibility against arrival is
// checked by decode-record.ts. Unknown fields are ignored (billing platforms add their own).
// Hot path (50k CDR/s): the object schema checks only JSON types; one transform does every conversion by hand,
// because chained zod refinements and pipes cost about 1 µs per field.
// cdr-fast.ts decodes the common well-formed CDR by hand and falls back to this schema: a rule changed here must
// be changed (or left to this schema) there too; test/unit/events/cdr-fast.test.ts fails on any disagreement.
import { z } from 'zod';
import { parseMoneyMicros } from '../domain/money.js';
import { normaliseE164 } from './phone.js';
import { parseRfc3339 } from './timestamp.js';
import type { CdrRecord } from './types.js';
import { idProblem, lineProblem } from './validate.js';

const req = (what: string) => (iss: { input: unknown }) => (iss.input === undefined ? 'required' : `must be ${what}`);
const str = () => z.string({ error: req('a string') });
const TS = 'must be an RFC 3339 timestamp with an offset';
const DISPOSITIONS = ['answered', 'no_answer', 'busy', 'failed', 'cancelled'] as const;
const MAX_DURATION_SEC = 86_400 * 31;

export const cdrSchema = z
  .object({
    id: str(),
    accountId: str(),
    direction: z.enum(['outbound', 'inbound'], { error: req('one of outbound, inbound') }),
    caller: str().nullish(),
    callee: str(),
    startedAt: z.string({ error: req(TS.slice(8)) }),
    answeredAt: z.string({ error: TS }).nullish(),
    endedAt: z.string({ error: TS }).nullish(),
    durationSec: z.number({ error: 'must be a non-negative number' }).nullish(),
    disposition: z.enum(DISPOSITIONS, { error: `must be one of ${DISPOSITIONS.join(', ')}` }).nullish(),
    cost: z.union([z.string(), z.number()], { error: 'must be a non-negative decimal' }).nullish(),
    currency: z.string({ error: 'must be an ISO 4217 currency code' }).nullish(),
    phase: z.enum(['start', 'end'], { error: 'must be one of start, end' }).optional(),
  })
  .transform((c, ctx): CdrRecord => {
    const fail = (path: string, message: string): never => {
      ctx.addIssue({ code: 'custom', path: [path], message });
      return z.NEVER as never;
    };
    // One regular-expression test per string (validate.ts): ids and numbers never carry control characters.
    const id = c.id.trim();
    const badId = idProblem(id);
    if (badId !== null) return fail('id', badId);
    const accountId = c.accountId.trim();
    const badAccount = idProblem(accountId);
    if (badAccount !== null) return fail('accountId', badAccount);
    const callee = c.callee.trim();
    if (callee === '' || callee.length > 64) return fail('callee', callee === '' ? 'must not be empty' : 'must be at most 64 characters');
    const badCallee = lineProblem(callee);
    if (badCallee !== null) return fail('callee', badCallee);
    let caller: string | null = null;
    if (c.caller != null) {
      caller = c.caller.trim();
      if (caller === '' || caller.length > 64) return fail('caller', caller === '' ? 'must not be empty' : 'must be at most 64 characters');
      const badCaller = lineProblem(caller);
      if (badCaller !== null) return fail('caller', badCaller);
      caller = normaliseE164(caller);
    }
    const startedAt = parseRfc3339(c.startedAt);
    if (startedAt === null) return fail('startedAt', TS);
    const answeredAt = c.answeredAt == null ? null : parseRfc3339(c.answeredAt);
    if (answeredAt === null && c.answeredAt != null) return fail('answeredAt', TS);
    const endedAt = c.endedAt == null ? null : parseRfc3339(c.endedAt);
    if (endedAt === null && c.endedAt != null) return fail('endedAt', TS);
    const durationSec = c.durationSec ?? null;
    if (durationSec !== null && !(durationSec >= 0 && durationSec <= MAX_DURATION_SEC))
      return fail('durationSec', durationSec < 0 ? 'must be a non-negative number' : 'must be at most 31 days');
    let costMicros: number | null = null;
    if (c.cost != null) {
      const m = parseMoneyMicros(c.cost);
      if (typeof m !== 'number' || m < 0) return fail('cost', m === 'too_precise' ? 'must have at most 6 decimals' : 'must be a non-negative decimal');
      costMicros = m;
    }
    let currency: string | null = null;
    if (c.currency != null) {
      if (!/^[A-Za-z]{3}$/.test(c.currency)) return fail('currency', 'must be an ISO 4217 currency code');
      currency = c.currency.toUpperCase();
    }
    return {
      id,
      accountId,
      direction: c.direction,
      caller,
      callee: normaliseE164(callee),
      startedAt,
      answeredAt,
      endedAt,
      durationSec,
      disposition: c.disposition ?? null,
      costMicros,
      currency,
      phase: c.phase ?? 'end',
    };
  });
