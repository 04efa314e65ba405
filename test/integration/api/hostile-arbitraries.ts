// fast-check arbitraries for the fuzz suite: hostile text (NUL, lone surrogates, line separators, escapes, quotes),
// any JSON value, deep nesting, and records of the three topics whose fields are each valid, hostile or omitted.
// Generated account ids start with `fza-` and parent ids with `fzp-`, so a fuzzed snapshot never names another
// fuzzed snapshot as its parent (the tree-shape refusal of a known parent is tested by name elsewhere).
import fc from 'fast-check';

const HOSTILE = ['\u0000', '\ud800', '\udfff', '\r', '\n', '\t', '\u2028', '\u0085', '\u001b', '\u202e', '"', '\\', '%', '/', '.', "'", '<', '>', ';', ',', '@', ' ', '😀', '\uffff', '\u00e9'];
const char = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 4, arbitrary: fc.constantFrom(...'abcXYZ019-_:'.split('')) },
);
/** Short strings of any code units, hostile ones often. */
export const text = fc.string({ unit: char, maxLength: 12 });

const nest = (depth: number, leaf: unknown): unknown => {
  let v: unknown = leaf;
  for (let i = 0; i < depth; i++) v = i % 2 === 0 ? [v] : { k: v };
  return v;
};
/** Any JSON value, sometimes nested deeper than the decoder allows. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  text,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(text, { maxLength: 3 }),
  fc.dictionary(text, text, { maxKeys: 2 }),
  fc.integer({ min: 1, max: 120 }).map((d) => nest(d, 'x')),
);

const either = <T>(valid: fc.Arbitrary<T>) => fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: text }, { weight: 1, arbitrary: anyJson });

const NOW = Date.now();
export const time = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: NOW - 3_600_000, max: NOW }).map((ms) => new Date(ms).toISOString()) },
  { weight: 1, arbitrary: fc.constantFrom('9999-12-31T00:00:00Z', '0000-01-01T00:00:00Z', '2026-02-30T00:00:00Z', '2026-11-24T10:00:00', '1999-12-31T23:59:59Z') },
  { weight: 1, arbitrary: anyJson },
);
const id = (prefix: string) => fc.oneof({ weight: 4, arbitrary: text.map((s) => `${prefix}${s}`) }, { weight: 1, arbitrary: anyJson });
const email = either(fc.constantFrom('jo@acme.example', 'a<b>;c@example.com', 'evil,victim@example.com', 'x@y', `${'a'.repeat(300)}@x.example`));
const money = either(fc.oneof(fc.constantFrom('4.2', '0.000001', '120.00', '1e3', '-1', '0.1234567'), fc.double()));
const currency = either(fc.constantFrom('GBP', 'usd', 'EURO'));

const accountRecord = fc.record(
  {
    id: id('fza-'),
    type: either(fc.constantFrom('reseller', 'channel', 'customer')),
    parentId: fc.oneof(id('fzp-'), fc.constant(null)),
    name: either(text),
    mainContact: either(fc.record({ name: either(text), email }, { requiredKeys: ['email'] })),
    timezone: either(fc.constantFrom('Europe/London', 'UTC', 'Mars/Olympus', '+01:00', 'Etc/GMT+5')),
    currency,
    tags: either(fc.array(text, { maxLength: 3 })),
    closed: either(fc.boolean()),
    updatedAt: time,
  },
  { requiredKeys: [] },
);
const cdrRecord = fc.record(
  {
    id: id('fzc-'),
    accountId: either(fc.constantFrom('u1', 'u2', 'u4', 'fza-1')),
    direction: either(fc.constantFrom('outbound', 'inbound')),
    caller: either(fc.constantFrom('+441632960001', '0044 20 7946 0000')),
    callee: either(fc.constantFrom('+88213000123', '+442079460000', '999', 'tel:+1-202-555-0100')),
    startedAt: time,
    answeredAt: time,
    endedAt: time,
    durationSec: either(fc.integer({ min: -10, max: 3_000_000 })),
    disposition: either(fc.constantFrom('answered', 'no_answer', 'busy', 'failed', 'cancelled')),
    cost: money,
    currency,
    phase: either(fc.constantFrom('start', 'end')),
  },
  { requiredKeys: [] },
);
const invoiceRecord = fc.record(
  {
    id: id('fzi-'),
    type: either(fc.constantFrom('issued', 'overdue', 'payment', 'paid', 'voided')),
    invoiceId: id('fzinv-'),
    accountId: either(fc.constantFrom('u1', 'u3', 'fza-2')),
    currency,
    total: money,
    outstanding: money,
    dueAt: either(fc.constantFrom('2026-11-01', '0000-01-01', '9999-12-31', '2026-02-30')),
    occurredAt: time,
  },
  { requiredKeys: [] },
);

export type Topic = 'accounts' | 'cdrs' | 'invoices';
export const RECORDS: Record<Topic, fc.Arbitrary<unknown>> = {
  accounts: fc.oneof({ weight: 6, arbitrary: accountRecord }, { weight: 1, arbitrary: anyJson }),
  cdrs: fc.oneof({ weight: 6, arbitrary: cdrRecord }, { weight: 1, arbitrary: anyJson }),
  invoices: fc.oneof({ weight: 6, arbitrary: invoiceRecord }, { weight: 1, arbitrary: anyJson }),
};

/** Byte sequences that are not UTF-8 (and, when `controls`, raw control bytes that JSON forbids in a string). */
const BAD_BYTES = [[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf4, 0x90, 0x80, 0x80]];
const RAW_CONTROLS = [[0x00], [0x0d], [0x1b]];

/**
 * One record as bytes: its JSON, sometimes with raw bytes planted inside its first string. `controls` adds raw
 * control bytes (never LF), which only NDJSON and single bodies can carry without breaking the whole body.
 */
export const recordBytes = (topic: Topic, controls: boolean) =>
  fc.tuple(RECORDS[topic], fc.nat({ max: 9 }), fc.constantFrom(...(controls ? [...BAD_BYTES, ...RAW_CONTROLS] : BAD_BYTES))).map(([value, roll, bad]) => {
    const json = Buffer.from(JSON.stringify(value) ?? 'null', 'utf8');
    const quote = json.indexOf(0x22);
    if (roll > 0 || quote < 0) return json;
    return Buffer.concat([json.subarray(0, quote + 1), Buffer.from(bad), json.subarray(quote + 1)]);
  });

/** encodeURIComponent, except that a lone surrogate (which has no UTF-8) is sent as the bytes ED A0 80 anyway. */
export const enc = (s: string) => [...s].map((cp) => (cp.length === 1 && cp >= '\ud800' && cp <= '\udfff' ? '%ED%A0%80' : encodeURIComponent(cp))).join('');

/** Cases per input path: 2,000 in CI; FUZZ_CASES=... for a longer local run. */
export const CASES = Number(process.env.FUZZ_CASES ?? 2_000);
