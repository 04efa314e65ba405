import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCdrBytes, rfc3339Bytes } from '../../../src/events/cdr-bytes.js';
import { decodeCdrFast } from '../../../src/events/cdr-fast.js';
import { cdrSchema } from '../../../src/events/cdr-schema.js';
import { decodeRecord } from '../../../src/events/decode-record.js';
import { parseRfc3339 } from '../../../src/events/timestamp.js';
import type { CdrRecord } from '../../../src/events/types.js';
import { cdrMessage, generateCdrs } from '../../integration/ingest/wire.js';

const ARRIVED = Date.UTC(2026, 10, 25, 12);
const FIELDS = ['id', 'accountId', 'direction', 'caller', 'callee', 'startedAt', 'answeredAt', 'endedAt', 'durationSec', 'disposition', 'cost', 'currency', 'phase'] as const;
type Field = (typeof FIELDS)[number];

/** The path before the bytes path, without the time checks: the record it makes, or 'rejected'. */
function objectPath(bytes: Buffer): CdrRecord | 'rejected' {
  if (!isUtf8(bytes)) return 'rejected';
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    return 'rejected';
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return 'rejected';
  const fast = decodeCdrFast(json as Record<string, unknown>);
  if (fast !== null) return fast;
  const r = cdrSchema.safeParse(json);
  return r.success ? r.data : 'rejected';
}

/** The bytes path returns a record only where the object path makes one, and then the same; decodeRecord agrees. */
function agree(bytes: Buffer): boolean {
  const fast = decodeCdrBytes(bytes);
  if (fast !== null) expect(fast).toStrictEqual(objectPath(bytes));
  expect(decodeRecord('cdrs', bytes, ARRIVED)).toStrictEqual(decodeRecord('cdrs', bytes, ARRIVED, 'object'));
  return fast !== null;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const validTime = fc
  .record({ ms: fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2099, 11, 31) }), offsetMin: fc.constantFrom(0, 60, -330, 840, -720), frac: fc.constantFrom('', '.5', '.12', '.123', '.1239', '.123456789') })
  .map(({ ms, offsetMin, frac }) => {
    const local = new Date(ms + offsetMin * 60_000).toISOString().slice(0, 19);
    if (offsetMin === 0) return `${local}${frac}Z`;
    const a = Math.abs(offsetMin);
    return `${local}${frac}${offsetMin < 0 ? '-' : '+'}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
  });
/** Times on and past every edge of the RFC 3339 rules: bad dates, hours, leap seconds, decimals, offsets, years. */
const edgyTime = fc
  .record({
    y: fc.oneof(fc.constant(2026), fc.integer({ min: 0, max: 9999 })), mo: fc.integer({ min: 0, max: 13 }), d: fc.integer({ min: 0, max: 32 }),
    h: fc.integer({ min: 0, max: 24 }), mi: fc.integer({ min: 0, max: 60 }), s: fc.integer({ min: 0, max: 61 }),
    frac: fc.constantFrom('', '.5', '.123', '.123456789', '.', '.1234567890', '.5.5'),
    sep: fc.constantFrom('T', 't', ' ', 'T', '_'), zone: fc.constantFrom('Z', 'z', '+01:00', '-05:30', '+24:00', '-00:60', '+0100', '', 'ZZ', '+01:00 ', 'Z '),
  })
  .map((t) => `${pad(t.y, 4)}-${pad(t.mo)}-${pad(t.d)}${t.sep}${pad(t.h)}:${pad(t.mi)}:${pad(t.s)}${t.frac}${t.zone}`);
const time = fc.oneof(validTime, edgyTime);

const printable = fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c));
const edgeChar = fc.constantFrom('\0', '\x1f', '\x7f', '\x80', '\xa0', 'é', '\u2028', '\ud800', '😀', '"', '\\', '/');
const idText = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^[a-z]{1,6}-\d{1,7}$/) },
  { weight: 2, arbitrary: fc.string({ unit: printable, minLength: 0, maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.oneof({ weight: 8, arbitrary: printable }, { weight: 1, arbitrary: edgeChar }), minLength: 1, maxLength: 8 }) },
  { weight: 1, arbitrary: fc.constantFrom('.', '..', '...', ' x', 'x ', ' ', 'a'.repeat(200), 'a'.repeat(201), '') },
);
const phone = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^\+[1-9]\d{6,14}$/) },
  { weight: 2, arbitrary: fc.stringMatching(/^\+?\d{0,17}$/) },
  { weight: 1, arbitrary: fc.constantFrom('+44 20 7946 0000', '0044 (0)20 7946-0000', 'tel:+1-202-555-0100', ' +442079460000', '+442079460000 ', 'anonymous', '+0442079460000', '+'.padEnd(70, '1')) },
);
const costText = fc.oneof(fc.stringMatching(/^\d{1,10}(\.\d{0,8})?$/), fc.constantFrom('.5', '-0', '-4.20', '+1.5', ' 1.5', '1.5 ', '1e3', '0.1234560', '999999999.999999', '9999999999.99', '0', '00.10', '', '1..2'));
const currencyText = fc.oneof(fc.stringMatching(/^[A-Za-z]{3}$/), fc.constantFrom('GBP', 'gbp', 'Eur', 'GB', 'GBPX', 'G1P', 'G@P', 'G[P', 'G`P', 'G{P', 'É€P'));

/** Raw JSON number texts: plain, and every form JSON.parse takes or refuses that a plain reader might misread. */
const numberText = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 86_400 * 31 + 5 }).map(String) },
  { weight: 1, arbitrary: fc.double().map((d) => JSON.stringify(d)) },
  { weight: 2, arbitrary: fc.constantFrom('0', '-0', '00', '01', '0.0', '-0.0', '300.0', '300.5', '3e2', '3E2', '3e+2', '3e-2', '1e400', '-1', '2678400', '2678401', '12345678', '99999999999999999999', '-', '1.', '.5', '+1', '0x10', 'NaN', 'Infinity', '1_0') },
);
const str = (a: fc.Arbitrary<string>) => a.map((s) => JSON.stringify(s));
/** A value's JSON text: mostly a valid one, else an edge case, null, another type, an escape, a nested value or junk. */
const valueText = (good: fc.Arbitrary<string>, valid: fc.Arbitrary<string> = good) =>
  fc.oneof(
    { weight: 120, arbitrary: valid },
    { weight: 4, arbitrary: good },
    { weight: 1, arbitrary: fc.constant('null') },
    { weight: 1, arbitrary: fc.constantFrom('true', 'false', 'nul', 'truex', '{}', '[]', '{"a":1}', '["x"]', '"\\u0041"', '"a\\"b"', '"\\/"', '"é"', '""') },
    { weight: 1, arbitrary: numberText },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)) },
  );
const goodText: Record<Field, fc.Arbitrary<string>> = {
  id: str(idText), accountId: str(idText), direction: str(fc.constantFrom('outbound', 'inbound', 'outbound', 'inbound', 'Outbound', 'inbound ', '')),
  caller: str(phone), callee: str(phone), startedAt: str(time), answeredAt: str(time), endedAt: str(time), durationSec: numberText,
  disposition: str(fc.constantFrom('answered', 'no_answer', 'busy', 'failed', 'cancelled', 'ANSWERED', 'other', 'answere', 'no_answers')),
  cost: fc.oneof({ weight: 4, arbitrary: str(costText) }, { weight: 1, arbitrary: numberText }), currency: str(currencyText),
  phase: str(fc.constantFrom('start', 'end', 'start', 'end', 'END', 'starts', '')),
};
const validText: Record<Field, fc.Arbitrary<string>> = {
  id: str(fc.stringMatching(/^[a-z]{1,6}-\d{1,7}$/)), accountId: str(fc.stringMatching(/^[A-Za-z0-9-]{1,12}$/)), direction: str(fc.constantFrom('outbound', 'inbound')),
  caller: str(fc.stringMatching(/^\+[1-9]\d{6,14}$/)), callee: str(fc.stringMatching(/^\+[1-9]\d{6,14}$/)), startedAt: str(validTime), answeredAt: str(validTime), endedAt: str(validTime),
  durationSec: fc.integer({ min: 0, max: 86_400 * 31 }).map(String), disposition: str(fc.constantFrom('answered', 'no_answer', 'busy', 'failed', 'cancelled')),
  cost: str(fc.stringMatching(/^\d{1,9}(\.\d{1,6})?$/)), currency: str(fc.stringMatching(/^[A-Za-z]{3}$/)), phase: str(fc.constantFrom('start', 'end')),
};
/** A key's JSON text: as itself, now and then with an escape that JSON.parse reads as the same key. */
const keyText = (k: string) => fc.oneof({ weight: 300, arbitrary: fc.constant(JSON.stringify(k)) }, { weight: 1, arbitrary: fc.constant(`"\\u${k.charCodeAt(0).toString(16).padStart(4, '0')}${k.slice(1)}"`) });
const unknownKey = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('__proto__', 'constructor', 'ID', 'id ', 'Id', 'callees', 'cost_', 'extra', '', 'phas'));
const ws = fc.oneof({ weight: 600, arbitrary: fc.constant('') }, { weight: 200, arbitrary: fc.stringMatching(/^[ \t\n\r]{1,3}$/) }, { weight: 1, arbitrary: fc.constantFrom('\f', '\v', '\u00a0', '\ufeff') });

/** One entry: a CDR field (present or left out) or an unknown key, as "key": value text. */
const fieldEntry = (f: Field) => fc.tuple(keyText(f), valueText(goodText[f], validText[f]));
const cdrText = fc
  .record({
    fields: fc.record(Object.fromEntries(FIELDS.map((f) => [f, fieldEntry(f)])) as Record<Field, fc.Arbitrary<[string, string]>>),
    // The required fields are mostly present, the optional ones about half of the time.
    present: fc.record(Object.fromEntries(FIELDS.map((f) => [f, fc.integer({ min: 0, max: 19 })])) as Record<Field, fc.Arbitrary<number>>),
    extras: fc.array(fc.tuple(unknownKey.map((k) => JSON.stringify(k)), valueText(fc.oneof(str(fc.string({ maxLength: 6 })), fc.constantFrom('1', '-2.5e-3', '0', 'true', 'false', 'null')))), { maxLength: 3 }),
    duplicate: fc.integer({ min: 0, max: 12 }),
    order: fc.array(fc.nat(), { minLength: 20, maxLength: 20 }),
    spaces: fc.array(ws, { minLength: 80, maxLength: 80 }),
  })
  .map(({ fields, present, extras, duplicate, order, spaces }) => {
    const required = new Set<Field>(['id', 'accountId', 'direction', 'callee', 'startedAt']);
    const entries: [string, string][] = [];
    for (const f of FIELDS) if (present[f] < (required.has(f) ? 19 : 10)) entries.push(fields[f]);
    entries.push(...extras);
    // A repeated key, with the same value or (mostly) another entry's: JSON.parse keeps the last.
    if (duplicate < entries.length && duplicate % 4 === 0) entries.push([entries[duplicate]![0], entries[(duplicate + (duplicate % 8)) % entries.length]![1]]);
    const ordered = entries.map((e, i) => [order[i % order.length]! + i / 100, e] as const).sort((a, b) => a[0] - b[0]).map(([, e]) => e);
    let s = 0;
    const w = () => spaces[s++ % spaces.length]!;
    return `${w()}{${w()}${ordered.map(([k, v]) => `${k}${w()}:${w()}${v}`).join(`${w()},${w()}`)}${w()}}${w()}`;
  });

/** The text's bytes, now and then broken: truncated, a byte replaced, inserted or removed, a UTF-8 character added. */
const mutated = fc
  .tuple(cdrText, fc.integer({ min: 0, max: 9 }), fc.nat(), fc.integer({ min: 0, max: 255 }))
  .map(([text, how, at, byte]) => {
    const b = Buffer.from(text, 'utf8');
    const i = at % (b.length + 1);
    switch (how) {
      case 0:
        return b.subarray(0, i);
      case 1: {
        const c = Buffer.from(b);
        if (i < c.length) c[i] = byte;
        return c;
      }
      case 2:
        return Buffer.concat([b.subarray(0, i), Buffer.from([byte]), b.subarray(i)]);
      case 3:
        return Buffer.concat([b.subarray(0, i), b.subarray(i + 1)]);
      case 4:
        return Buffer.concat([b.subarray(0, i), Buffer.from('é\\', 'utf8').subarray(byte % 2 === 0 ? 0 : 2), b.subarray(i)]);
      default:
        return b;
    }
  });

describe('CDR bytes path (cdr-bytes.ts) against the object path (JSON.parse, cdr-fast.ts, the zod schema)', () => {
  it('returns a record only where the object path makes one, and then the same; decodeRecord gives the same result, errors included', () => {
    let taken = 0;
    fc.assert(
      fc.property(mutated, (bytes) => {
        if (agree(bytes)) taken++;
      }),
      { numRuns: 20_000 },
    );
    expect(taken).toBeGreaterThan(2000); // not vacuous: plenty of inputs take the bytes path
  });

  it('takes the well-formed CDR in any key order, with any JSON whitespace, optional fields absent or null, unknown scalar keys', () => {
    let taken = 0;
    const wellFormed = fc
      .record({
        id: fc.stringMatching(/^[!-~][ -~]{0,30}[!-~]$/).filter((s) => !s.includes('\\') && !s.includes('"')),
        accountId: fc.stringMatching(/^[A-Za-z0-9-]{1,20}$/).filter((s) => s !== '.' && s !== '..'),
        direction: fc.constantFrom('outbound', 'inbound'), caller: fc.oneof(fc.stringMatching(/^\+[1-9]\d{6,14}$/), fc.constant(null)),
        callee: fc.stringMatching(/^\+[1-9]\d{6,14}$/), startedAt: validTime, answeredAt: fc.oneof(validTime, fc.constant(null)), endedAt: fc.oneof(validTime, fc.constant(null)),
        durationSec: fc.oneof(fc.integer({ min: 0, max: 86_400 * 31 }), fc.constant(null)), disposition: fc.constantFrom('answered', 'no_answer', 'busy', 'failed', 'cancelled', null),
        cost: fc.oneof(fc.stringMatching(/^[1-9]\d{0,8}(\.\d{1,6})?$/), fc.constant(null)), currency: fc.oneof(fc.stringMatching(/^[A-Za-z]{3}$/), fc.constant(null)),
        phase: fc.constantFrom('start', 'end'), extra: fc.oneof(fc.constant('x'), fc.constant(7.5e-3), fc.constant(true), fc.constant(null), fc.constant(-0)),
      }, { requiredKeys: ['id', 'accountId', 'direction', 'callee', 'startedAt'] })
      .chain((o) => fc.tuple(fc.constant(o), fc.shuffledSubarray(Object.keys(o), { minLength: Object.keys(o).length }), fc.constantFrom('', ' ', '\n  ', '\t', '\r\n')));
    fc.assert(
      fc.property(wellFormed, ([o, keys, w]) => {
        const text = `${w}{${keys.map((k) => `${w}${JSON.stringify(k)}${w}:${w}${JSON.stringify((o as Record<string, unknown>)[k])}`).join(`${w},`)}${w}}${w}`;
        const bytes = Buffer.from(text);
        expect(decodeCdrBytes(bytes)).not.toBeNull();
        if (agree(bytes)) taken++;
      }),
      { numRuns: 3000 },
    );
    expect(taken).toBe(3000);
  });

  it('takes every realistic CDR of the ingest benchmark', () => {
    for (const c of generateCdrs({ n: 2000, accounts: 50, startMs: Date.UTC(2026, 10, 24), seed: 5 })) {
      const bytes = cdrMessage(c).value;
      const fast = decodeCdrBytes(bytes);
      expect(fast).not.toBeNull();
      expect(fast).toStrictEqual(objectPath(bytes));
    }
  });

  it('decodes the contract example to the record the object path makes', () => {
    const text = `{ "id": "c-8f2a", "accountId": "cust-1001", "direction": "outbound",
      "caller": "+441632960001", "callee": "+88213000123",
      "startedAt": "2026-11-24T21:03:11Z", "answeredAt": "2026-11-24T21:03:15Z", "endedAt": "2026-11-24T21:09:15Z",
      "durationSec": 360, "disposition": "answered", "cost": "4.2000", "currency": "gbp", "phase": "end" }`;
    expect(decodeCdrBytes(Buffer.from(text))).toStrictEqual({
      id: 'c-8f2a', accountId: 'cust-1001', direction: 'outbound', caller: '+441632960001', callee: '+88213000123',
      startedAt: Date.UTC(2026, 10, 24, 21, 3, 11), answeredAt: Date.UTC(2026, 10, 24, 21, 3, 15), endedAt: Date.UTC(2026, 10, 24, 21, 9, 15),
      durationSec: 360, disposition: 'answered', costMicros: 4_200_000, currency: 'GBP', phase: 'end',
    });
    expect(agree(Buffer.from(text))).toBe(true);
  });

  const base = '"id":"c-1","accountId":"a-1","direction":"outbound","callee":"+442079460000","startedAt":"2026-11-24T21:03:11Z"';
  it('takes: defaults, nulls, unknown scalar keys, whitespace, a time with decimals and an offset, a message inside a larger buffer', () => {
    for (const text of [
      `{${base}}`,
      `{${base},"caller":null,"answeredAt":null,"endedAt":null,"durationSec":null,"disposition":null,"cost":null,"currency":null}`,
      `{${base},"x":"y","n":-1.5e+3,"t":true,"f":false,"z":null,"":0,"x":"again"}`,
      ` \t\r\n{ ${base.replace(/,/g, ' ,\n\t')} } \n`,
      `{${base.replace('21:03:11Z', '21:03:11.123456789+05:30')},"durationSec":0,"phase":"start","cost":"0"}`,
      `{${base},"startedAt2":"2026-11-24T21:03:60Z"}`,
    ]) {
      expect(decodeCdrBytes(Buffer.from(text)), text).not.toBeNull();
      expect(agree(Buffer.from(text)), text).toBe(true);
    }
    const big = Buffer.from(`xx{${base}}yy`);
    expect(decodeCdrBytes(big.subarray(2, big.length - 2))).toStrictEqual(objectPath(big.subarray(2, big.length - 2)));
  });

  it('leaves every unusual form to the object path, which then decides (accepting or rejecting)', () => {
    const cases: [string, string][] = [
      ['not an object', `[${base}]`],
      ['an empty object', '{}'],
      ['a missing required field', `{${base.replace('"direction":"outbound",', '')}}`],
      ['a repeated key', `{${base},"id":"c-2"}`],
      ['a repeated optional key', `{${base},"cost":"1","cost":"2"}`],
      ['an escape in a key', `{${base.replace('"id"', '"\\u0069d"')}}`],
      ['an escape in a value', `{${base.replace('"c-1"', '"c-\\u0031"')}}`],
      ['an escaped slash', `{${base.replace('"c-1"', '"c\\/1"')}}`],
      ['non-ASCII text', `{${base.replace('"a-1"', '"kundé-1"')}}`],
      ['non-ASCII whitespace', `{${base}}\u00a0`],
      ['a byte order mark', `\ufeff{${base}}`],
      ['a raw control character', `{${base.replace('"c-1"', '"c-\t1"')}}`],
      ['DEL', `{${base.replace('"c-1"', '"c-\x7f1"')}}`],
      ['a padded id', `{${base.replace('"c-1"', '" c-1"')}}`],
      ['an id of "."', `{${base.replace('"c-1"', '"."')}}`],
      ['an empty id', `{${base.replace('"c-1"', '""')}}`],
      ['an id of 201 characters', `{${base.replace('"c-1"', `"${'c'.repeat(201)}"`)}}`],
      ['a national number', `{${base.replace('"+442079460000"', '"02079460000"')}}`],
      ['a number with spaces', `{${base.replace('"+442079460000"', '"+44 20 7946 0000"')}}`],
      ['a number as a JSON number', `{${base.replace('"+442079460000"', '442079460000')}}`],
      ['a null callee', `{${base.replace('"+442079460000"', 'null')}}`],
      ['a wrong direction', `{${base.replace('"outbound"', '"Outbound"')}}`],
      ['a bad time', `{${base.replace('2026-11-24T21:03:11Z', '2026-02-30T21:03:11Z')}}`],
      ['a time without an offset', `{${base.replace('2026-11-24T21:03:11Z', '2026-11-24T21:03:11')}}`],
      ['a time as a number', `{${base},"endedAt":1764018191000}`],
      ['a fractional duration', `{${base},"durationSec":30.5}`],
      ['a duration with an exponent', `{${base},"durationSec":3e2}`],
      ['a duration of -0', `{${base},"durationSec":-0}`],
      ['a negative duration', `{${base},"durationSec":-1}`],
      ['a leading zero', `{${base},"durationSec":0300}`],
      ['a huge duration', `{${base},"durationSec":99999999999999999999}`],
      ['a duration over 31 days', `{${base},"durationSec":2678401}`],
      ['a duration as text', `{${base},"durationSec":"300"}`],
      ['a cost as a JSON number', `{${base},"cost":4.2}`],
      ['a cost with seven decimals', `{${base},"cost":"0.1234567"}`],
      ['a cost with a sign', `{${base},"cost":"-1"}`],
      ['a cost with a leading point', `{${base},"cost":".5"}`],
      ['a two-letter currency', `{${base},"currency":"GB"}`],
      ['a currency with a digit', `{${base},"currency":"G1P"}`],
      ['an unknown disposition', `{${base},"disposition":"other"}`],
      ['a null phase', `{${base},"phase":null}`],
      ['an unknown phase', `{${base},"phase":"middle"}`],
      ['true in a CDR field', `{${base},"disposition":true}`],
      ['a nested unknown value', `{${base},"x":{"a":1}}`],
      ['an array unknown value', `{${base},"x":[1]}`],
      ['a bad unknown number', `{${base},"x":01}`],
      ['a bad unknown number with a point', `{${base},"x":1.}`],
      ['a misspelt literal', `{${base},"x":tru}`],
      ['a trailing comma', `{${base},}`],
      ['a missing comma', `{${base} "x":1}`],
      ['text after the object', `{${base}}x`],
      ['a second object', `{${base}}{}`],
      ['a truncated message', `{${base}`],
      ['a truncated string', `{${base},"x":"abc`],
      ['single quotes', `{${base},'x':1}`],
    ];
    for (const [what, text] of cases) {
      expect(decodeCdrBytes(Buffer.from(text)), what).toBeNull();
      expect(agree(Buffer.from(text)), what).toBe(false);
    }
  });

  // Branch pipe10: keys are told apart by a table of (length, first byte) and a byte compare, the enumerations'
  // texts by byte compares. Every key and text one byte away from a CDR key or an enumeration's text (a byte
  // replaced by any printable one, one added anywhere, one removed) must read as the object path reads it.
  const oneByteAway = (word: string): string[] => {
    const out = new Set<string>();
    for (let i = 0; i <= word.length; i++) {
      if (i < word.length) out.add(word.slice(0, i) + word.slice(i + 1));
      for (let c = 0x20; c <= 0x7e; c++) {
        if (c === 0x22 || c === 0x5c) continue;
        const ch = String.fromCharCode(c);
        if (i < word.length) out.add(word.slice(0, i) + ch + word.slice(i + 1));
        out.add(word.slice(0, i) + ch + word.slice(i));
      }
    }
    out.delete(word);
    return [...out];
  };
  const entryOf: Record<Field, string> = {
    id: '"c-1"', accountId: '"a-1"', direction: '"outbound"', caller: '"+441632960001"', callee: '"+442079460000"',
    startedAt: '"2026-11-24T21:03:11Z"', answeredAt: '"2026-11-24T21:03:12Z"', endedAt: '"2026-11-24T21:04:11Z"', durationSec: '59',
    disposition: '"answered"', cost: '"1.5"', currency: '"GBP"', phase: '"start"',
  };
  it('reads every key one byte away from a CDR key as the object path does (an unknown key, or the other CDR key)', () => {
    let taken = 0;
    let checked = 0;
    for (const f of FIELDS) {
      // The required fields but `f`, and `f`'s value under the near key: read as `f`, it would make a record (or
      // another record) that the object path does not make.
      const others = (['id', 'accountId', 'direction', 'callee', 'startedAt'] as Field[]).filter((g) => g !== f).map((g) => `"${g}":${entryOf[g]}`);
      for (const key of oneByteAway(f)) {
        const bytes = Buffer.from(`{${[...others, `${JSON.stringify(key)}:${entryOf[f]}`].join(',')}}`);
        if (agree(bytes)) taken++;
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(19_000);
    expect(taken).toBeGreaterThan(5_000); // the optional keys' near keys are unknown keys: the record is still made
  });

  it('reads every enumeration text one byte away from a valid one as the object path does', () => {
    const texts: [Field, string][] = [
      ['direction', 'outbound'], ['direction', 'inbound'], ['disposition', 'answered'], ['disposition', 'no_answer'], ['disposition', 'busy'],
      ['disposition', 'failed'], ['disposition', 'cancelled'], ['phase', 'start'], ['phase', 'end'],
    ];
    let checked = 0;
    for (const [f, word] of texts) {
      for (const near of [word, ...oneByteAway(word)]) {
        const fields = { ...entryOf, [f]: JSON.stringify(near) };
        const bytes = Buffer.from(`{${FIELDS.map((g) => `"${g}":${fields[g]}`).join(',')}}`);
        expect(agree(bytes), near).toBe(near === word);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10_000);
  });

  it('applies the time checks of decodeRecord to its record: an absurd time and an end before the start are still rejected', () => {
    expect(decodeRecord('cdrs', Buffer.from(`{${base.replace('2026-11-24', '1999-12-31')}}`), ARRIVED)).toEqual({ ok: false, error: 'startedAt: absurd timestamp (before 2000-01-01)' });
    expect(decodeRecord('cdrs', Buffer.from(`{${base},"endedAt":"2026-11-24T21:00:00Z"}`), ARRIVED)).toEqual({ ok: false, error: 'endedAt: must not be before startedAt' });
    expect(decodeRecord('cdrs', Buffer.from(`{${base.replace('2026-11-24', '2026-11-27')}}`), ARRIVED)).toEqual({ ok: false, error: 'startedAt: absurd timestamp (more than 1 day after arrival)' });
  });

  it('copies the texts it keeps out of the message', () => {
    const bytes = Buffer.from(`{${base}}`);
    const c = decodeCdrBytes(bytes)!;
    bytes.fill(0x20);
    expect([c.id, c.accountId, c.callee]).toEqual(['c-1', 'a-1', '+442079460000']);
  });
});

describe('rfc3339Bytes', () => {
  it('is parseRfc3339 on the bytes of any printable ASCII text', () => {
    const text = fc.oneof(time, fc.string({ unit: printable, maxLength: 40 }), time.chain((t) => fc.tuple(fc.nat({ max: t.length }), printable).map(([i, c]) => t.slice(0, i) + c + t.slice(i + 1))));
    fc.assert(
      fc.property(text, (t) => {
        const b = Buffer.from(`"${t}"`, 'latin1');
        expect(rfc3339Bytes(b, 1, b.length - 1)).toStrictEqual(parseRfc3339(t) ?? NaN);
      }),
      { numRuns: 20_000 },
    );
  });
  it('gives the day of Date.UTC for every day of the years around its edges (0-1, 99-100, 1899-1901, 1999-2101, 9998-9999)', () => {
    const years = [0, 1, 99, 100, 1899, 1900, 1901, 9998, 9999];
    for (let y = 1999; y <= 2101; y++) years.push(y);
    for (const y of years) {
      for (let mo = 1; mo <= 12; mo++) {
        const days = new Date(Date.UTC(2000, mo, 0)).getUTCDate() - (mo === 2 && !((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0) ? 1 : 0);
        for (let d = 1; d <= days; d++) {
          const t = `${pad(y, 4)}-${pad(mo)}-${pad(d)}T23:59:59.999Z`;
          const b = Buffer.from(t);
          const want = parseRfc3339(t);
          expect(want).not.toBeNull();
          if (rfc3339Bytes(b, 0, b.length) !== want) expect(rfc3339Bytes(b, 0, b.length), t).toBe(want);
        }
      }
    }
  });
  it('reads years before 100 as Date.UTC does, a leap second as :59 and only the first three decimals', () => {
    for (const t of ['0050-01-01T00:00:00Z', '2016-12-31T23:59:60Z', '2026-11-24T21:03:11.9999+01:00', '2024-02-29T00:00:00-00:30', '2023-02-29T00:00:00Z']) {
      const b = Buffer.from(t);
      expect(rfc3339Bytes(b, 0, b.length)).toStrictEqual(parseRfc3339(t) ?? NaN);
    }
  });
});
