import { describe, expect, it } from 'vitest';
import { localMidnight, replaySweepTimes } from '../../../src/dunning/replay-sweeps.js';
import { sweepTimesBetween } from '../../../src/dunning/cron-times.js';

const iso = (ms: number) => new Date(ms).toISOString();

describe('replay sweeps only when a stage can fall due', () => {
  it('finds the start of a local date, across DST changes', () => {
    expect(iso(localMidnight('2026-10-23', 'Europe/London'))).toBe('2026-10-22T23:00:00.000Z'); // BST
    expect(iso(localMidnight('2026-10-26', 'Europe/London'))).toBe('2026-10-26T00:00:00.000Z'); // GMT
    expect(iso(localMidnight('2026-11-04', 'Asia/Tokyo'))).toBe('2026-11-03T15:00:00.000Z');
    expect(iso(localMidnight('2026-03-08', 'America/New_York'))).toBe('2026-03-08T05:00:00.000Z');
  });

  it('sweeps at the first fire time after each local midnight of each zone in use, and nowhere else', () => {
    const from = Date.parse('2026-10-21T09:00:00Z');
    const to = Date.parse('2026-10-24T09:00:00Z');
    const times = replaySweepTimes('*/15 * * * *', from, to, ['UTC', 'Asia/Tokyo', 'Mars/Olympus', 'UTC']).map(iso);
    expect(times).toEqual([
      '2026-10-21T15:00:00.000Z', '2026-10-22T00:00:00.000Z',
      '2026-10-22T15:00:00.000Z', '2026-10-23T00:00:00.000Z',
      '2026-10-23T15:00:00.000Z', '2026-10-24T00:00:00.000Z',
    ]);
    // An hourly schedule at minute 7 sweeps 7 minutes after each midnight.
    expect(replaySweepTimes('7 * * * *', from, to, ['UTC']).map(iso)).toEqual(['2026-10-22T00:07:00.000Z', '2026-10-23T00:07:00.000Z', '2026-10-24T00:07:00.000Z']);
  });

  it('an 80-day file costs one sweep a day per distinct local midnight instead of 96 a day', () => {
    const from = Date.parse('2026-01-01T00:00:00Z');
    const to = from + 80 * 86_400_000;
    expect([...sweepTimesBetween('*/15 * * * *', from, from + 86_400_000)]).toHaveLength(96);
    expect(replaySweepTimes('*/15 * * * *', from, to, ['UTC', 'Europe/London'])).toHaveLength(80); // London is on UTC until 29 March
    expect(replaySweepTimes('*/15 * * * *', from, to, ['UTC', 'Asia/Tokyo'])).toHaveLength(160);
  });
});
