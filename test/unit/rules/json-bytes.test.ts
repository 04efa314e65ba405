// JsonBytes writes what TextEncoder(JSON.stringify(v)) writes, and an account part's binary encoding is byte for
// byte what it was when its header went through JSON.stringify (the stored format must not move: stored parts are
// read back by every later build).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AccountPart, decodeAccountPart, encodeAccountPart } from '../../../src/rules/engine-snapshot.js';
import { JsonBytes } from '../../../src/rules/json-bytes.js';

const utf8 = new TextEncoder();
const reference = (v: unknown) => utf8.encode(JSON.stringify(v));

/** The encoder as it was before JsonBytes (header by JSON.stringify), kept here as the oracle. */
function encodeBefore(part: AccountPart): Uint8Array {
  const [maxT, ids, tm, next, rules, conc, logs, dd, rg, sp] = part;
  const header: unknown[] = [maxT, ids, next, rules, conc, tm ? tm.length : -1, logs.map(([g, rows]) => [g, rows.length]), dd.length];
  if (rg) header.push(rg.length);
  if (sp) header.push(sp);
  const head = utf8.encode(JSON.stringify(header));
  const numbers = (tm ? tm.length : 0) + logs.reduce((n, [, rows]) => n + rows.length, 0) + dd.length + (rg ? rg.length : 0);
  const at = (5 + head.length + 7) & ~7;
  const out = new Uint8Array(at + numbers * 8);
  const view = new DataView(out.buffer);
  out[0] = 1;
  view.setUint32(1, head.length, true);
  out.set(head, 5);
  const f = new Float64Array(out.buffer, at, numbers);
  let k = 0;
  if (tm) (f.set(tm, k), (k += tm.length));
  for (const [, rows] of logs) (f.set(rows, k), (k += rows.length));
  f.set(dd, k);
  if (rg) f.set(rg, k + dd.length);
  return out;
}

// numbers JSON.stringify writes in every way: whole (small, times, past 1e15 and 2^53), fractions, -0, NaN, infinities
const edge = fc.constantFrom(0, -0, 1, -1, 9, 10, 99, 100, 1e15 - 1, 1e15, -1e15 + 1, -1e15, 2 ** 53 - 1, 2 ** 53, 2 ** 56 + 8, 2 ** 60, 1e21, 1e-7, 0.1, -2.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.MAX_VALUE, Number.MIN_VALUE);
const num = fc.oneof(edge, fc.integer({ min: -2_000_000_000, max: 2_000_000_000 }), fc.double(), fc.integer({ min: 1_700_000_000_000, max: 1_900_000_000_000 }), fc.maxSafeInteger());
// ids: plain ASCII, ASCII with quotes, backslashes and control characters, any UTF-16 (lone surrogates too)
const str = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('', '"', '\\', '\u001f', 'cdr-1\u0000', 'é', '\ud800', 'a\udc00b'));
const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, num, str, fc.constant(null), fc.array(tie('v'), { maxLength: 6 }), fc.constant(undefined).map(() => [undefined]), fc.record({ a: num, b: str })),
})).v;

describe('JsonBytes', () => {
  it('writes the bytes TextEncoder(JSON.stringify(v)) writes, for arbitrary values', () => {
    const w = new JsonBytes();
    fc.assert(fc.property(json, (v) => {
      w.reset().value(v);
      expect([...w.bytes()]).toEqual([...reference(v)]);
    }), { numRuns: 3000 });
  });

  it('writes every edge number and a long text past its first buffer', () => {
    const w = new JsonBytes();
    for (const x of [0, -0, 7, -7, 1e15 - 1, -(1e15 - 1), 1e15, 2 ** 53 + 2, 1e21, 0.5, Number.NaN]) {
      w.reset().number(x);
      expect(new TextDecoder().decode(w.bytes())).toBe(JSON.stringify(x));
    }
    const long = Array.from({ length: 500 }, (_, i) => [`id-${i}`, 1_795_000_000_000 + i, i / 7]);
    w.reset().value(long);
    expect([...w.bytes()]).toEqual([...reference(long)]);
  });
});

const rows = fc.array(num, { maxLength: 12 });
const part: fc.Arbitrary<AccountPart> = fc.tuple(
  num, fc.option(fc.array(str, { maxLength: 8 })), fc.option(rows), fc.integer({ min: 0, max: 7 }),
  fc.array(fc.tuple(fc.nat(40), fc.tuple(num, num, num, fc.option(num), fc.option(num))), { maxLength: 3 }),
  fc.array(fc.tuple(fc.nat(40), fc.tuple(rows, rows, rows, rows)), { maxLength: 3 }),
  fc.array(fc.tuple(fc.nat(10), rows), { maxLength: 4 }), rows, fc.option(rows), fc.constantFrom(undefined, 1),
).map(([maxT, ids, tm, next, rules, conc, logs, dd, rg, sp]) => {
  const p: AccountPart = [maxT, ids, tm, next, rules, conc, logs, dd];
  if (rg !== null || sp) p.push(rg ?? []);
  if (sp) p.push(1);
  return p;
});

describe('account part encoding', () => {
  it('is byte for byte the encoding of the header by JSON.stringify, and decodes back', () => {
    fc.assert(fc.property(part, (p) => {
      const now = encodeAccountPart(p);
      expect([...now]).toEqual([...encodeBefore(p)]);
      expect(encodeAccountPart(decodeAccountPart(now))).toEqual(now);
    }), { numRuns: 500 });
  });
});
