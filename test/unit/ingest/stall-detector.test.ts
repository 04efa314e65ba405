import { describe, expect, it } from 'vitest';
import { StallDetector } from '../../../src/ingest/stall-detector.js';

const MIN = 60_000;

describe('stall detector', () => {
  it('reports a partition with lag whose committed offset has not moved for the stall time', () => {
    const d = new StallDetector(5 * MIN);
    d.observe({ topic: 'cdrs', partition: 0, committed: 100, end: 500 }, 0);
    d.observe({ topic: 'cdrs', partition: 0, committed: 100, end: 600 }, 4 * MIN);
    expect(d.stalled(4 * MIN)).toEqual([]);
    d.observe({ topic: 'cdrs', partition: 0, committed: 100, end: 700 }, 5 * MIN);
    expect(d.stalled(5 * MIN)).toEqual([{ topic: 'cdrs', partition: 0, lag: 600, stalledForMs: 5 * MIN }]);
    expect(d.isStalled('cdrs', 0, 5 * MIN)).toBe(true);
  });

  it('restarts the wait whenever the committed offset moves', () => {
    const d = new StallDetector(5 * MIN);
    d.observe({ topic: 'cdrs', partition: 1, committed: 100, end: 500 }, 0);
    d.observe({ topic: 'cdrs', partition: 1, committed: 101, end: 500 }, 4 * MIN);
    expect(d.stalled(8 * MIN)).toEqual([]);
    expect(d.stalled(9 * MIN)).toHaveLength(1);
  });

  it('never reports a partition without lag, however long it stays put', () => {
    const d = new StallDetector(5 * MIN);
    d.observe({ topic: 'accounts', partition: 0, committed: 42, end: 42 }, 0);
    d.observe({ topic: 'accounts', partition: 0, committed: 42, end: 42 }, 60 * MIN);
    expect(d.stalled(60 * MIN)).toEqual([]);
    // Lag appearing later: the wait counts from the last sample that saw it caught up, not from the first sample.
    d.observe({ topic: 'accounts', partition: 0, committed: 42, end: 50 }, 61 * MIN);
    expect(d.stalled(64 * MIN)).toEqual([]);
    expect(d.stalled(65 * MIN)).toEqual([{ topic: 'accounts', partition: 0, lag: 8, stalledForMs: 5 * MIN }]);
  });

  it('clears a stall once the partition advances, and forgets a partition on request', () => {
    const d = new StallDetector(MIN);
    d.observe({ topic: 'cdrs', partition: 2, committed: 0, end: 10 }, 0);
    expect(d.isStalled('cdrs', 2, 2 * MIN)).toBe(true);
    d.observe({ topic: 'cdrs', partition: 2, committed: 5, end: 10 }, 2 * MIN);
    expect(d.isStalled('cdrs', 2, 2 * MIN)).toBe(false);
    d.forget('cdrs', 2);
    expect(d.stalled(10 * MIN)).toEqual([]);
  });
});
