import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decimalToMicros, formatAmount, formatDate, formatPeopleMicros as formatMicros } from '../../../src/effects/email-format.js';

describe('money in emails', () => {
  it('formats micro-units with at least two decimals and thousands separators', () => {
    expect(formatMicros(120_000_000n)).toBe('120.00');
    expect(formatMicros(4_200_000n)).toBe('4.20');
    expect(formatMicros(1_234_567_890_000n)).toBe('1,234,567.89');
    expect(formatMicros(1_234_567n)).toBe('1.234567');
    expect(formatMicros(-5_500_000n)).toBe('-5.50');
    expect(formatMicros(0n)).toBe('0.00');
  });

  it('reads decimal strings exactly, up to six decimals', () => {
    expect(decimalToMicros('120.5')).toBe(120_500_000n);
    expect(decimalToMicros('0.000001')).toBe(1n);
    expect(decimalToMicros('-3')).toBe(-3_000_000n);
    expect(decimalToMicros('1.2345678')).toBeNull();
    expect(decimalToMicros('abc')).toBeNull();
  });

  it('round-trips any micro-unit amount through its decimal text', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), (m) => decimalToMicros(formatMicros(m).replace(/,/g, '')) === m),
    );
  });

  it('takes micro-units as a number or an integer string, and major units as a decimal, with the currency', () => {
    expect(formatAmount({ micros: 120_000_000 }, 'GBP')).toBe('GBP 120.00');
    expect(formatAmount({ micros: '99990000000000000001' }, 'EUR')).toBe('EUR 99,990,000,000,000.000001');
    expect(formatAmount({ decimal: '7.5' }, null)).toBe('7.50');
    expect(formatAmount({ decimal: 'n/a' }, 'GBP')).toBe('n/a');
    expect(formatAmount({}, 'GBP')).toBeNull();
  });
});

describe('dates in emails', () => {
  it('shows a calendar date as a date, whatever the time zone', () => {
    expect(formatDate('2026-11-01', 'Pacific/Auckland')).toBe('1 November 2026');
  });

  it('shows an instant in the account time zone, with the zone', () => {
    expect(formatDate('2026-11-24T21:09:16Z', 'UTC')).toBe('24 November 2026 at 21:09 UTC');
    expect(formatDate('2026-07-24T21:09:16Z', 'Europe/London')).toBe('24 July 2026 at 22:09 BST');
  });

  it('returns text it cannot read as it is, and nothing for nothing', () => {
    expect(formatDate('soon', 'UTC')).toBe('soon');
    expect(formatDate(undefined, 'UTC')).toBeNull();
  });
});
