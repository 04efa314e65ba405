import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatMicros, parseMoneyMicros } from '../../../src/domain/money.js';

describe('money parsing into micro-units', () => {
  it('parses decimal strings exactly, with up to six decimals', () => {
    expect(parseMoneyMicros('4.2000')).toBe(4_200_000);
    expect(parseMoneyMicros('0.000001')).toBe(1);
    expect(parseMoneyMicros('120.00')).toBe(120_000_000);
    expect(parseMoneyMicros('7')).toBe(7_000_000);
    expect(parseMoneyMicros('.5')).toBe(500_000);
    expect(parseMoneyMicros('-0.5')).toBe(-500_000);
    expect(parseMoneyMicros(' 3.14 ')).toBe(3_140_000);
  });

  it('adds 0.1 and 0.2 without binary float drift', () => {
    const a = parseMoneyMicros('0.1') as number;
    const b = parseMoneyMicros('0.2') as number;
    expect(a + b).toBe(parseMoneyMicros('0.3'));
    expect(formatMicros(a + b)).toBe('0.30');
  });

  it('takes JSON numbers by their decimal text, so 0.1 is exactly 100000 micro-units', () => {
    expect(parseMoneyMicros(0.1)).toBe(100_000);
    expect(parseMoneyMicros(4.2)).toBe(4_200_000);
    expect(parseMoneyMicros(1.005)).toBe(1_005_000);
    expect(parseMoneyMicros(123456.123456)).toBe(123_456_123_456);
  });

  it('rejects a seventh significant decimal, in a string or a number', () => {
    expect(parseMoneyMicros('1.1234567')).toBe('too_precise');
    expect(parseMoneyMicros(1.1234567)).toBe('too_precise');
    expect(parseMoneyMicros(1e-7)).toBe('too_precise');
  });

  it('accepts trailing zeros beyond six decimals because they carry no value', () => {
    expect(parseMoneyMicros('1.50000000')).toBe(1_500_000);
  });

  it('rejects non-decimals and amounts beyond the safe integer range', () => {
    for (const bad of ['', 'abc', '1,50', '1e3', '0x10', '1.2.3', '+-1']) expect(parseMoneyMicros(bad)).toBe('not_decimal');
    expect(parseMoneyMicros(Number.NaN)).toBe('not_decimal');
    expect(parseMoneyMicros('99999999999.000000')).toBe('too_large');
    expect(parseMoneyMicros(1e21)).toBe('too_large');
  });

  it('round-trips any micro-unit amount through its decimal text', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9_000_000_000_000 }), (micros) => {
        expect(parseMoneyMicros(formatMicros(micros))).toBe(micros);
      }),
    );
  });

  it('sums parsed amounts exactly, as integer arithmetic on the decimal digits would', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10_000_000_000 }), { maxLength: 50 }), (amounts) => {
        const texts = amounts.map((a) => formatMicros(a));
        const sum = texts.reduce((s, t) => s + (parseMoneyMicros(t) as number), 0);
        expect(sum).toBe(amounts.reduce((s, a) => s + a, 0));
      }),
    );
  });
});
