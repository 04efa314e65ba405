import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addDays, daysBetween, isUsableTimeZone, localDate, resolveTimeZone } from '../../../src/rules/dunning/calendar.js';
import { formatMicros } from '../../../src/domain/money.js';

describe('calendar days in the account time zone', () => {
  it('takes the local date of an instant', () => {
    expect(localDate(Date.parse('2026-10-31T23:30:00Z'), 'Europe/London')).toBe('2026-10-31'); // GMT again
    expect(localDate(Date.parse('2026-10-24T23:30:00Z'), 'Europe/London')).toBe('2026-10-25'); // still BST
    expect(localDate(Date.parse('2026-11-01T03:00:00Z'), 'America/New_York')).toBe('2026-10-31');
  });

  it('counts a DST day and a month end as one day each', () => {
    expect(daysBetween('2026-10-24', '2026-10-26')).toBe(2);
    expect(daysBetween('2026-10-31', '2026-11-01')).toBe(1);
    expect(daysBetween('2027-02-28', '2027-03-01')).toBe(1);
    expect(daysBetween('2028-02-28', '2028-03-01')).toBe(2);
  });

  it('addDays and daysBetween are inverse', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40_000 }), fc.integer({ min: -400, max: 400 }), (base, n) => {
        const d = new Date(base * 86_400_000).toISOString().slice(0, 10);
        expect(daysBetween(d, addDays(d, n))).toBe(n);
      }),
    );
  });
});

describe('money formatting', () => {
  it('formats micro-units exactly, with at least two decimals', () => {
    expect(formatMicros(120_000_000)).toBe('120.00');
    expect(formatMicros(4_990_000)).toBe('4.99');
    expect(formatMicros(1)).toBe('0.000001');
    expect(formatMicros(-2_500_000)).toBe('-2.50');
    expect(formatMicros(123_456_789_012_345_678n)).toBe('123456789012.345678');
  });
});

describe('time zones the ladder cannot use (issue 11)', () => {
  it('an unusable stored zone falls back to the default and is named, so the caller can note it', () => {
    expect(isUsableTimeZone('Mars/Olympus')).toBe(false);
    expect(isUsableTimeZone('')).toBe(false);
    expect(isUsableTimeZone('Europe/London')).toBe(true);
    expect(resolveTimeZone('Mars/Olympus', 'UTC')).toEqual({ timezone: 'UTC', unusable: 'Mars/Olympus' });
    expect(resolveTimeZone('Asia/Tokyo', 'UTC')).toEqual({ timezone: 'Asia/Tokyo', unusable: null });
    expect(resolveTimeZone(null, 'Europe/London')).toEqual({ timezone: 'Europe/London', unusable: null });
  });

  it('a zone Intl accepts but the database does not is also replaced', () => {
    expect(resolveTimeZone('Asia/Tokyo', 'UTC', false)).toEqual({ timezone: 'UTC', unusable: 'Asia/Tokyo' });
  });
});
