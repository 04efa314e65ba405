// When the main thread calls an ingest worker hung (src/ingest/worker-liveness.ts): a start that never finishes, a
// heartbeat that stopped, or a call left unanswered past its deadline; and never a worker that keeps beating and
// answering, however long it has run.
import { describe, expect, it } from 'vitest';
import { hungReason, livenessPeriods, startDeadlineMs } from '../../../src/ingest/worker-liveness.js';

const limits = { hungAfterMs: 30_000, callDeadlineMs: 300_000, startDeadlineMs: 300_000 };
const up = (over: { now: number; beatSeenAt?: number; oldestCall?: { op: string; since: number } | null }) => ({
  state: 'up' as const,
  startedAt: 0,
  beatSeenAt: over.beatSeenAt ?? over.now,
  oldestCall: over.oldestCall ?? null,
  now: over.now,
});

describe('ingest worker liveness', () => {
  it('a worker that beats and answers is alive, however long it has been up', () => {
    expect(hungReason(up({ now: 86_400_000, beatSeenAt: 86_399_000, oldestCall: { op: 'processBatch', since: 86_390_000 } }), limits)).toBeNull();
    expect(hungReason(up({ now: 30_000, beatSeenAt: 0 }), limits)).toBeNull();
  });

  it('a heartbeat silent past INGEST_WORKER_HUNG_AFTER means a blocked event loop', () => {
    expect(hungReason(up({ now: 30_001, beatSeenAt: 0 }), limits)).toBe('hung: no heartbeat for 30.0 s');
  });

  it('a call unanswered past INGEST_WORKER_CALL_DEADLINE means work that never ends, though the loop still beats', () => {
    const call = { op: 'processBatch', since: 1_000 };
    expect(hungReason(up({ now: 301_000, oldestCall: call }), limits)).toBeNull();
    expect(hungReason(up({ now: 301_001, oldestCall: call }), limits)).toBe('hung: a processBatch call unanswered for 300.0 s');
  });

  it('a worker that is not ready within the start deadline hangs in its start; heartbeats are not judged before it is ready', () => {
    const starting = { state: 'starting' as const, startedAt: 5_000, beatSeenAt: 5_000, oldestCall: null };
    expect(hungReason({ ...starting, now: 305_000 }, limits)).toBeNull();
    expect(hungReason({ ...starting, now: 305_001 }, limits)).toBe('hung: not ready after 300.0 s');
  });

  it('the start deadline is the call deadline, but never under a minute (a start compiles modules; a loaded machine is slow)', () => {
    expect(startDeadlineMs(300_000)).toBe(300_000);
    expect(startDeadlineMs(5_000)).toBe(60_000);
  });

  it('beats and looks often enough to see a hang within about a quarter of the limit, and never busy-loops', () => {
    expect(livenessPeriods(limits)).toEqual({ beatMs: 1_000, checkMs: 1_000 });
    expect(livenessPeriods({ hungAfterMs: 2_000, callDeadlineMs: 4_000, startDeadlineMs: 60_000 })).toEqual({ beatMs: 400, checkMs: 500 });
    expect(livenessPeriods({ hungAfterMs: 500, callDeadlineMs: 1_000, startDeadlineMs: 60_000 })).toEqual({ beatMs: 100, checkMs: 125 });
  });
});
