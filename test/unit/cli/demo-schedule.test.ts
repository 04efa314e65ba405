import { describe, expect, it } from 'vitest';
import { buildTimetable, parseSpeed, type DemoRecord } from '../../../src/cli/demo/schedule.js';

const day = Date.parse('2026-11-24T00:00:00Z');
const rec = (kind: DemoRecord['kind'], iso: string, n: string): DemoRecord => ({ kind, timeMs: Date.parse(iso), line: n, accountId: 'a' });

describe('the demo timetable', () => {
  const records = [
    rec('cdrs', '2026-11-24T09:00:00Z', 'c1'),
    rec('accounts', '2026-11-20T00:00:00Z', 'acc'),
    rec('invoices', '2026-11-03T00:00:00Z', 'inv-old'),
    rec('cdrs', '2026-11-24T09:00:30Z', 'c2'),
    rec('invoices', '2026-11-24T15:00:00Z', 'pay'),
    rec('cdrs', '2026-11-24T16:00:00Z', 'c3'),
  ];
  const actions = [{ at: '2026-11-24T14:00:00Z', account: 'chan-1', action: 'suspend' as const, reason: 'non_payment' as const }];

  it('sends accounts and the history before the day first, then the day in event-time order', () => {
    const { history, ticks } = buildTimetable(records, actions, day, 1440);
    expect(history.map((r) => r.line)).toEqual(['inv-old', 'acc']);
    expect(ticks.flatMap((t) => t.records.map((r) => r.line))).toEqual(['c1', 'c2', 'pay', 'c3']);
  });

  it('compresses the day by the speed: 09:00 at 1440x is 22.5 s of real time after the start', () => {
    const { ticks } = buildTimetable(records, actions, day, 1440, 250);
    const first = ticks.find((t) => t.records.some((r) => r.line === 'c1'))!;
    expect(first.atRealMs).toBeGreaterThanOrEqual(22_500);
    expect(first.atRealMs).toBeLessThanOrEqual(22_750);
    expect(ticks.map((t) => t.atRealMs)).toEqual([...ticks.map((t) => t.atRealMs)].sort((a, b) => a - b));
  });

  it('takes an operator action after what happened before it and before what happened after it, at any speed', () => {
    for (const speed of [60, 1440, Number.POSITIVE_INFINITY]) {
      const { ticks } = buildTimetable(records, actions, day, speed);
      const order = ticks.flatMap((t) => [...t.records.map((r) => r.line), ...t.actions.map((a) => a.account)]);
      expect(order).toEqual(['c1', 'c2', 'chan-1', 'pay', 'c3']);
    }
  });

  it('at speed max sends everything without waiting', () => {
    const { ticks } = buildTimetable(records, actions, day, Number.POSITIVE_INFINITY);
    expect(ticks.every((t) => t.atRealMs === 0)).toBe(true);
  });

  it('reads --speed as a positive number or max, and refuses anything else by name', () => {
    expect(parseSpeed(undefined, 1440)).toBe(1440);
    expect(parseSpeed('max', 1)).toBe(Number.POSITIVE_INFINITY);
    expect(parseSpeed('600', 1)).toBe(600);
    expect(() => parseSpeed('0', 1)).toThrow(/--speed/);
    expect(() => parseSpeed('fast', 1)).toThrow(/--speed/);
  });
});
