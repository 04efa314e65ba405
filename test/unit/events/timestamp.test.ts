import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { absurdTime, parseCalendarDate, parseRfc3339 } from '../../../src/events/timestamp.js';

describe('RFC 3339 timestamps', () => {
  it('parses Z and numeric offsets to the same instant', () => {
    expect(parseRfc3339('2026-11-24T21:03:11Z')).toBe(Date.UTC(2026, 10, 24, 21, 3, 11));
    expect(parseRfc3339('2026-11-24T22:03:11+01:00')).toBe(Date.UTC(2026, 10, 24, 21, 3, 11));
    expect(parseRfc3339('2026-11-24T15:33:11-05:30')).toBe(Date.UTC(2026, 10, 24, 21, 3, 11));
  });
  it('keeps milliseconds from fractional seconds of any length', () => {
    expect(parseRfc3339('2026-11-24T21:03:11.5Z')).toBe(Date.UTC(2026, 10, 24, 21, 3, 11, 500));
    expect(parseRfc3339('2026-11-24T21:03:11.123456789+00:00')).toBe(Date.UTC(2026, 10, 24, 21, 3, 11, 123));
  });
  it('rejects times without an offset, impossible dates and other shapes', () => {
    for (const bad of ['2026-11-24T21:03:11', '2026-02-30T00:00:00Z', '2026-13-01T00:00:00Z', '2026-11-24T24:00:00Z',
      '2026-11-24T21:03:11+0100', '24/11/2026 21:03', '2026-11-24', '', '2026-11-24T21:03:11.Z']) {
      expect(parseRfc3339(bad), bad).toBeNull();
    }
    expect(parseRfc3339('2024-02-29T00:00:00Z')).not.toBeNull();
    expect(parseRfc3339('2025-02-29T00:00:00Z')).toBeNull();
  });
  it('agrees with Date.parse on every valid UTC instant', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true }), (d) => {
        expect(parseRfc3339(d.toISOString())).toBe(d.getTime());
      }),
    );
  });
  it('reads calendar dates, and the date part of a timestamp', () => {
    expect(parseCalendarDate('2026-11-01')).toBe('2026-11-01');
    expect(parseCalendarDate('2026-11-01T00:00:00Z')).toBe('2026-11-01');
    expect(parseCalendarDate('2026-11-31')).toBeNull();
  });
  it('calls times before 2000 or more than a day after arrival absurd', () => {
    const arrived = Date.UTC(2026, 10, 24);
    expect(absurdTime(Date.UTC(1999, 11, 31), arrived)).toBe('before 2000-01-01');
    expect(absurdTime(arrived + 86_400_001, arrived)).toBe('more than 1 day after arrival');
    expect(absurdTime(arrived + 3_600_000, arrived)).toBeNull();
  });
});
