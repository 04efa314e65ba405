import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCdrFast } from '../../../src/events/cdr-fast.js';
import { cdrSchema } from '../../../src/events/cdr-schema.js';
import { decodeRecord } from '../../../src/events/decode-record.js';
import { cdrMessage, generateCdrs } from '../../integration/ingest/wire.js';

const ARRIVED = Date.UTC(2026, 10, 25, 12);
const FIELDS = ['id', 'accountId', 'direction', 'caller', 'callee', 'startedAt', 'answeredAt', 'endedAt', 'durationSec', 'disposition', 'cost', 'currency', 'phase'] as const;

// Characters that break rules or sit on their edges: NUL and other controls, lone surrogates, separators,
// Unicode spaces that trim() removes, "." (ids), "+" and digits (numbers), non-ASCII letters.
const hostileChar = fc.oneof(
  fc.constantFrom('\0', '\x1f', '\x7f', '\x85', '\ud800', '\udfff', '\u2028', '\u2029', '\u00a0', '\ufeff', '\u3000', ' ', '\t', '\n', '.', '+', '-', '0', '7', 'é', '😀', 'Z', 'z'),
  fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
);
const hostile = fc.string({ unit: hostileChar, maxLength: 12 });
const anyString = fc.oneof(hostile, fc.string({ unit: 'binary', maxLength: 30 }), fc.string({ maxLength: 210, minLength: 190 }));
/** The field's value: mostly a plausible one, else absent, null, a hostile string or any JSON value. */
const field = (good: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { weight: 12, arbitrary: good },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: anyString },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  );

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const time = fc
  .record({
    y: fc.oneof(fc.constant(2026), fc.integer({ min: 1990, max: 2110 })), mo: fc.integer({ min: 0, max: 13 }), d: fc.integer({ min: 0, max: 32 }),
    h: fc.integer({ min: 0, max: 24 }), mi: fc.integer({ min: 0, max: 60 }), s: fc.integer({ min: 0, max: 61 }),
    frac: fc.constantFrom('', '.5', '.123', '.123456789', '.', '.1234567890'),
    sep: fc.constantFrom('T', 't', ' ', 'T', 'T'), zone: fc.constantFrom('Z', 'z', '+01:00', '-05:30', '+24:00', '+0100', ''),
  })
  .map((t) => `${pad(t.y, 4)}-${pad(t.mo)}-${pad(t.d)}${t.sep}${pad(t.h)}:${pad(t.mi)}:${pad(t.s)}${t.frac}${t.zone}`);
// Near-ASCII text: the edges of the fast path's printable-ASCII check (US, space, "~", DEL, C1, NBSP).
const nearAscii = fc.string({ unit: fc.integer({ min: 0x1e, max: 0xa1 }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 6 });
const idText = fc.oneof(fc.stringMatching(/^[a-z]{1,4}-\d{1,6}$/), nearAscii, fc.constantFrom('.', '..', ' x', 'x ', 'x\u00a0', 'ä-1', 'a'.repeat(200), 'a'.repeat(201)), hostile);
const number = fc.oneof(
  fc.stringMatching(/^\+[1-9]\d{6,14}$/),
  fc.stringMatching(/^\+?\d{0,17}$/),
  fc.constantFrom('+44 20 7946 0000', '0044 (0)20 7946-0000', 'tel:+1-202-555-0100', ' +442079460000', '+442079460000 ', '+44\u00a020', 'anonymous', '+'.padEnd(70, '1')),
);
const cost = fc.oneof(
  fc.stringMatching(/^\d{1,10}(\.\d{0,8})?$/),
  fc.constantFrom('.5', '-0', '-4.20', '+1.5', ' 1.5', '1.5 ', '1e3', '0.1234560', '999999999.999999', '9999999999.99', '0', '00.10', ''),
  fc.double({ noNaN: false }),
  fc.integer({ min: -10, max: 10_000_000 }),
);
const duration = fc.oneof(fc.integer({ min: -5, max: 3_000_000 }), fc.double(), fc.constantFrom(-0, 0, 86_400 * 31, 86_400 * 31 + 0.5));
const currency = fc.oneof(fc.constantFrom('GBP', 'gbp', 'Eur', 'GB', 'GBPX', 'G1P', 'G@P', 'G[P', 'É€P'), fc.stringMatching(/^[A-Za-z]{3}$/));

const wellFormed = {
  id: idText, accountId: idText, direction: fc.constantFrom('outbound', 'inbound', 'Outbound', ''), caller: number, callee: number,
  startedAt: time, answeredAt: time, endedAt: time, durationSec: duration,
  disposition: fc.constantFrom('answered', 'no_answer', 'busy', 'failed', 'cancelled', 'ANSWERED', 'other'),
  cost, currency, phase: fc.constantFrom('start', 'end', 'END'),
};
/** Any mix of field values: mostly plausible, often one or more wrong. */
const mixedInput = fc
  .record({
    ...Object.fromEntries(FIELDS.map((f) => [f, field(wellFormed[f])])),
    extra: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
  })
  .map(({ extra, ...fields }) => {
    const o: Record<string, unknown> = { ...(extra as Record<string, unknown>) };
    for (const f of FIELDS) if ((fields as Record<string, unknown>)[f] !== undefined) o[f] = (fields as Record<string, unknown>)[f];
    return o;
  });

const validTime = fc
  .record({ ms: fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2099, 11, 31) }), offsetMin: fc.constantFrom(0, 60, -330, 840, -720), frac: fc.constantFrom('', '.5', '.123', '.123456789') })
  .map(({ ms, offsetMin, frac }) => {
    const local = new Date(ms + offsetMin * 60_000).toISOString().slice(0, 19);
    if (offsetMin === 0) return `${local}${frac}Z`;
    const a = Math.abs(offsetMin);
    return `${local}${frac}${offsetMin < 0 ? '-' : '+'}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
  });
// Printable ASCII with now and then a character just outside it (US, DEL, C1, NBSP): the fast path's boundary.
const edgyId = fc.string({
  unit: fc.oneof({ weight: 15, arbitrary: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)) }, { weight: 1, arbitrary: fc.constantFrom('\x1f', '\x7f', '\x80', '\x9f', '\xa0', ' ') }),
  minLength: 1,
  maxLength: 8,
});
const validCdr = fc.record(
  {
    id: fc.oneof(fc.stringMatching(/^[!-~][ -~]{0,30}[!-~]$/), edgyId), accountId: fc.stringMatching(/^[A-Za-z0-9-]{1,20}$/), direction: fc.constantFrom('outbound', 'inbound'),
    caller: fc.oneof(fc.stringMatching(/^\+[1-9]\d{6,14}$/), fc.constant(null)), callee: fc.stringMatching(/^\+[1-9]\d{6,14}$/),
    startedAt: validTime, answeredAt: fc.oneof(validTime, fc.constant(null)), endedAt: fc.oneof(validTime, fc.constant(null)),
    durationSec: fc.oneof(fc.integer({ min: 0, max: 86_400 * 31 }), fc.double({ min: 0, max: 86_400 * 31, noNaN: true }), fc.constant(null)),
    disposition: fc.constantFrom('answered', 'no_answer', 'busy', 'failed', 'cancelled', null),
    cost: fc.oneof(fc.stringMatching(/^\d{1,9}(\.\d{1,6})?$/), fc.constant(null)), currency: fc.oneof(fc.stringMatching(/^[A-Za-z]{3}$/), fc.constant(null)),
    phase: fc.constantFrom('start', 'end'),
  },
  { requiredKeys: ['id', 'accountId', 'direction', 'callee', 'startedAt'] },
);
/** A valid CDR with up to two fields changed to an edge value, an omission, null, a hostile string or any JSON. */
const perturbedInput = fc
  .tuple(validCdr, fc.array(fc.constantFrom(...FIELDS).chain((f) => field(wellFormed[f]).map((v) => [f, v] as const)), { maxLength: 2 }))
  .map(([base, changes]) => {
    const o: Record<string, unknown> = { ...base };
    for (const [f, v] of changes) if (v === undefined) delete o[f]; else o[f] = v;
    return o;
  });
const cdrInput = fc.oneof(perturbedInput, mixedInput);

describe('CDR fast path against the zod schema', () => {
  it('returns a record only where the zod schema accepts, and then the same record', () => {
    let taken = 0;
    fc.assert(
      fc.property(cdrInput, (input) => {
        const fast = decodeCdrFast(input);
        if (fast === null) return;
        taken++;
        const zod = cdrSchema.safeParse(input);
        expect(zod.success).toBe(true);
        expect(fast).toStrictEqual(zod.data);
      }),
      { numRuns: 5000 },
    );
    expect(taken).toBeGreaterThan(1000); // the property is not vacuous: plenty of inputs take the fast path
  });

  it('makes decodeRecord give the same result as the zod path alone, errors included, for every input', () => {
    fc.assert(
      fc.property(cdrInput, (input) => {
        const bytes = Buffer.from(JSON.stringify(input));
        expect(decodeRecord('cdrs', bytes, ARRIVED)).toStrictEqual(decodeRecord('cdrs', bytes, ARRIVED, false));
      }),
      { numRuns: 5000 },
    );
  });

  it('takes every realistic CDR of the ingest benchmark and decodes it as the zod path does', () => {
    for (const c of generateCdrs({ n: 2000, accounts: 50, startMs: Date.UTC(2026, 10, 24), seed: 3 })) {
      const input = JSON.parse(cdrMessage(c).value.toString('utf8')) as Record<string, unknown>;
      const fast = decodeCdrFast(input);
      expect(fast).not.toBeNull();
      expect(fast).toStrictEqual(cdrSchema.parse(input));
    }
  });

  it('leaves unusual but valid values to the zod path, which accepts them', () => {
    const base = { id: 'c-1', accountId: 'a-1', direction: 'outbound', callee: '+442079460000', startedAt: '2026-11-24T21:03:11Z' };
    for (const over of [{ id: ' c-1 ' }, { accountId: 'kundé-7' }, { callee: '020 7946 0000' }, { caller: 'tel:+1-202-555-0100' }, { cost: 4.2 }, { cost: '.5' }, { cost: ' 1.5' }]) {
      const input = { ...base, ...over };
      expect(decodeCdrFast(input)).toBeNull();
      expect(decodeRecord('cdrs', Buffer.from(JSON.stringify(input)), ARRIVED).ok).toBe(true);
    }
  });
});
