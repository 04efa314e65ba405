import { describe, expect, it } from 'vitest';
import { sweepTimesBetween } from '../../../src/dunning/cron-times.js';

const iso = (ms: number) => new Date(ms).toISOString();

describe('the sweep schedule by event time (for replay)', () => {
  it('yields the default schedule every 15 minutes, start exclusive, end inclusive', () => {
    const times = [...sweepTimesBetween('*/15 * * * *', Date.parse('2026-11-01T00:00:00Z'), Date.parse('2026-11-01T01:00:00Z'))].map(iso);
    expect(times).toEqual(['2026-11-01T00:15:00.000Z', '2026-11-01T00:30:00.000Z', '2026-11-01T00:45:00.000Z', '2026-11-01T01:00:00.000Z']);
  });

  it('yields 2,880 sweeps in a 30-day month', () => {
    let n = 0;
    for (const _ of sweepTimesBetween('*/15 * * * *', Date.parse('2026-11-01T00:00:00Z'), Date.parse('2026-12-01T00:00:00Z'))) n += 1;
    expect(n).toBe(2880);
  });

  it('reads the expression in the given time zone, across a DST change', () => {
    const times = [...sweepTimesBetween('0 2 * * *', Date.parse('2026-10-24T00:00:00Z'), Date.parse('2026-10-27T00:00:00Z'), 'Europe/London')].map(iso);
    expect(times).toEqual(['2026-10-24T01:00:00.000Z', '2026-10-25T02:00:00.000Z', '2026-10-26T02:00:00.000Z']);
  });

  it('supports a seconds field', () => {
    const times = [...sweepTimesBetween('30 * * * * *', Date.parse('2026-11-01T00:00:00Z'), Date.parse('2026-11-01T00:02:00Z'))].map(iso);
    expect(times).toEqual(['2026-11-01T00:00:30.000Z', '2026-11-01T00:01:30.000Z']);
  });

  it('rejects an invalid expression', () => {
    expect(() => [...sweepTimesBetween('every minute', 0, 60_000)]).toThrow(/invalid cron/);
  });
});
