import { describe, expect, it } from 'vitest';
import { PartitionCheckpoint, type CheckpointTuning } from '../../../src/ingest/partition-checkpoint.js';
import { CheckpointConflictError } from '../../../src/ingest/types.js';
import { CountingParts, FakeCheckpointStore } from './fake-checkpoint-store.js';

const tuning: CheckpointTuning = { checkpointIntervalMs: 2_000, checkpointMaxRecords: 1_000, stateIntervalMs: 30_000, stateMaxRecords: 10_000, stateMaxAccounts: 3 };
const ROW = { topic: 'cdrs', partition: 0 };

function partition(store: FakeCheckpointStore, o: { kind?: 'kafka' | 'http' | 'replay'; row?: typeof ROW | null; random?: () => number; tuning?: CheckpointTuning } = {}) {
  const clock = { ms: 1_000_000 };
  let engine: CountingParts | null = null;
  const failures: unknown[] = [];
  const cp = new PartitionCheckpoint<CountingParts, 'tx'>({
    row: o.row === undefined ? ROW : o.row,
    kind: o.kind ?? 'kafka',
    store,
    createEngine: () => (engine = new CountingParts()),
    queue: { run: (w) => w() },
    tuning: o.tuning ?? tuning,
    now: () => clock.ms,
    random: o.random ?? (() => 0),
    onStateWriteFailed: (err) => failures.push(err),
  });
  /** Applies one batch of CDRs for `accounts` up to offset `next`, writing what is due, as the pipeline does. */
  const batch = async (next: number, accounts: string[], hasEffects = false) => {
    await cp.load();
    for (const a of accounts) engine!.add(a);
    cp.advance(next, accounts.length);
    const write = cp.writeDue(next, accounts.length, hasEffects);
    if (write === 'full') await cp.settle();
    await store.transaction((tx) => cp.write(tx, write, next));
    cp.committed(write, next);
    cp.afterBatch();
    return write;
  };
  return { cp, clock, batch, failures, engine: () => engine! };
}

describe('partition checkpoint', () => {
  it('starts unloaded, loads live with no offsets, and makes its first write a full one', async () => {
    const store = new FakeCheckpointStore();
    const p = partition(store);
    expect(p.cp.mode).toBe('unloaded');
    await p.cp.load();
    expect(p.cp.mode).toBe('live');
    expect(p.cp.applied).toBeNull();
    expect(p.cp.durableOffset()).toBeNull();
    expect(await p.batch(10, ['a', 'b'], true)).toBe('full');
    expect(store.row('cdrs', 0)).toMatchObject({ stateOffset: 10, effectsOffset: 10 });
    expect(p.cp.durableOffset()).toBe(10);
  });

  it('moves only the effects offset with effects, and defers a batch without them until the interval', async () => {
    const store = new FakeCheckpointStore();
    const p = partition(store);
    await p.batch(10, ['a'], true);
    expect(await p.batch(20, ['a'], true)).toBe('effects');
    expect(store.row('cdrs', 0)).toMatchObject({ stateOffset: 10, effectsOffset: 20 });
    expect(await p.batch(30, ['a'])).toBe('none');
    expect(p.cp.durableOffset()).toBe(20);
    p.clock.ms += 2_000;
    expect(await p.batch(40, ['a'])).toBe('effects');
    expect(p.cp.durableOffset()).toBe(40);
  });

  it('writes the engine state in the background when due, and the state offset follows when it lands', async () => {
    const store = new FakeCheckpointStore();
    const p = partition(store);
    await p.batch(10, ['a'], true);
    p.clock.ms += 30_000;
    await p.batch(20, ['a', 'b'], true);
    await p.cp.settle();
    expect(store.row('cdrs', 0)).toMatchObject({ stateOffset: 20, effectsOffset: 20 });
    expect(store.row('cdrs', 0)!.accounts.get('a')).toEqual(new Uint8Array([2]));
    expect(p.cp.durableOffset()).toBe(20);
  });

  it('writes the engine state early once the change set reaches stateMaxAccounts accounts, not before', async () => {
    const store = new FakeCheckpointStore();
    const p = partition(store);
    await p.batch(10, ['a'], true);
    await p.batch(20, ['a', 'b'], true);
    await p.cp.settle();
    expect(store.row('cdrs', 0)).toMatchObject({ stateOffset: 10 });
    await p.batch(30, ['c'], true);
    await p.cp.settle();
    expect(store.row('cdrs', 0)).toMatchObject({ stateOffset: 30, effectsOffset: 30 });
    expect([...store.row('cdrs', 0)!.accounts.keys()].sort()).toEqual(['a', 'b', 'c']);
  });

  it('with stateMinSpacingMs, a write for the account count alone waits that long after the previous write; other triggers do not', async () => {
    const store = new FakeCheckpointStore();
    const p = partition(store, { tuning: { ...tuning, stateMinSpacingMs: 1_000 } });
    await p.batch(10, ['a'], true);
    await p.batch(20, ['a', 'b', 'c'], true);
    await p.cp.settle();
    // three changed accounts, but 0 ms since the first write: not yet
    expect(store.row('cdrs', 0)).toMatchObject({ stateOffset: 10, effectsOffset: 20 });
    p.clock.ms += 999;
    await p.batch(30, ['d'], true);
    await p.cp.settle();
    expect(store.row('cdrs', 0)).toMatchObject({ stateOffset: 10, effectsOffset: 30 });
    p.clock.ms += 1;
    await p.batch(40, ['e'], true);
    await p.cp.settle();
    expect(store.row('cdrs', 0)).toMatchObject({ stateOffset: 40, effectsOffset: 40 });
    expect([...store.row('cdrs', 0)!.accounts.keys()].sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    // the memory budget's request is not held back by the spacing
    await p.batch(50, ['f'], true);
    p.cp.requestStateWrite();
    await p.batch(60, ['f'], true);
    await p.cp.settle();
    expect(store.row('cdrs', 0)).toMatchObject({ stateOffset: 60 });
  });

  it('scales stateMaxAccounts by a share in (0.5, 1] drawn at each write, so partitions growing alike drift apart', async () => {
    const store = new FakeCheckpointStore();
    const draws = [0, 0.9, 0];
    // First full write: the interval's jitter draws 0, the bound's share 1 - 0.9 / 2 = 0.55 (1.65 of 3 accounts).
    const p = partition(store, { random: () => draws.shift() ?? 0 });
    await p.batch(10, ['a'], true);
    await p.batch(20, ['a'], true);
    await p.cp.settle();
    expect(store.row('cdrs', 0)).toMatchObject({ stateOffset: 10 });
    await p.batch(30, ['b'], true);
    await p.cp.settle();
    // Two changed accounts reached 0.55 x 3: written; the next round draws 0 again (share 1: three accounts).
    expect(store.row('cdrs', 0)).toMatchObject({ stateOffset: 30 });
    await p.batch(40, ['c', 'd'], true);
    await p.cp.settle();
    expect(store.row('cdrs', 0)).toMatchObject({ stateOffset: 30 });
    await p.batch(50, ['e'], true);
    await p.cp.settle();
    expect(store.row('cdrs', 0)).toMatchObject({ stateOffset: 50 });
  });

  it('rebuilds after a crash with the state behind the effects offset, then goes live past it', async () => {
    const store = new FakeCheckpointStore();
    const first = partition(store);
    await first.batch(10, ['a'], true);
    await first.batch(25, ['a', 'a'], true);
    // A new owner: the stored state is at 10, the effects at 25.
    const next = partition(store);
    await next.cp.load();
    expect(next.cp.mode).toBe('rebuilding');
    expect(next.cp.rebuildUntil).toBe(25);
    expect(next.cp.applied).toBe(10);
    expect(next.engine().counts.get('a')).toBe(1);
    next.cp.advance(20, 1);
    expect(next.cp.mode).toBe('rebuilding');
    next.cp.advance(25, 1);
    expect(next.cp.mode).toBe('live');
    expect(next.cp.rebuildUntil).toBeNull();
  });

  it('goes to failed when a background state write fails, and reloads from the store on the next load', async () => {
    const store = new FakeCheckpointStore();
    const p = partition(store);
    await p.batch(10, ['a'], true);
    store.failNextState = true;
    p.clock.ms += 30_000;
    await p.batch(20, ['a'], true);
    await p.cp.settle();
    expect(p.cp.mode).toBe('failed');
    expect(p.failures).toHaveLength(1);
    // Nothing consistent to flush while failed.
    expect(await p.cp.flush(true)).toBe(20);
    await p.cp.load();
    expect(p.cp.mode).toBe('rebuilding');
    expect(p.cp.applied).toBe(10);
  });

  it('refuses to write over another owner (a fenced write throws a checkpoint conflict)', async () => {
    const store = new FakeCheckpointStore();
    const p = partition(store);
    await p.batch(10, ['a'], true);
    store.row('cdrs', 0)!.effectsOffset = 50;
    await expect(p.batch(20, ['a'], true)).rejects.toBeInstanceOf(CheckpointConflictError);
    expect(store.row('cdrs', 0)).toMatchObject({ stateOffset: 10, effectsOffset: 50 });
  });

  it("fences a stale owner's full write on the state offset too, so two owners' parts never mix under one offset", async () => {
    // The rebalance race: the new owner's background state write moves only the state offset; the old owner's flush
    // on revocation, fenced on the effects offset alone, landed after it and stored its parts over the new owner's,
    // under the new owner's dedupe keys of records past the stored offset (rebalance.test.ts undercounted).
    const store = new FakeCheckpointStore();
    const old = partition(store);
    expect(await old.batch(10, ['a', 'b'], true)).toBe('full');
    expect(await old.batch(20, ['a'])).toBe('none');
    const next = partition(store);
    await next.cp.load();
    expect(next.cp.applied).toBe(10);
    // three changed accounts make a state write due (stateMaxAccounts); no effects are due
    expect(await next.batch(20, ['a', 'b', 'c'])).toBe('none');
    await next.cp.settle();
    expect(store.row('cdrs', 0)).toMatchObject({ stateOffset: 20, effectsOffset: 10 });
    await expect(old.cp.flush(true)).rejects.toBeInstanceOf(CheckpointConflictError);
    expect(old.cp.mode).toBe('unloaded');
    const row = store.row('cdrs', 0)!;
    expect(row).toMatchObject({ stateOffset: 20, effectsOffset: 10 });
    expect([...row.accounts].map(([id, p]) => [id, p[0]])).toEqual([['a', 2], ['b', 2], ['c', 1]]);
  });

  it('stores the state on the next write after the rules change, and a full flush leaves nothing to rebuild', async () => {
    const store = new FakeCheckpointStore();
    const p = partition(store);
    await p.batch(10, ['a'], true);
    await p.batch(15, ['b']);
    p.cp.rulesChanged();
    await p.batch(20, ['c'], true);
    await p.cp.settle();
    expect(store.row('cdrs', 0)).toMatchObject({ stateOffset: 20 });
    await p.batch(30, ['d']);
    expect(await p.cp.flush(true)).toBe(30);
    expect(store.row('cdrs', 0)).toMatchObject({ stateOffset: 30, effectsOffset: 30 });
  });

  it('counts HTTP records from 0 and writes every batch in full; a lane without a row writes nothing', async () => {
    const store = new FakeCheckpointStore();
    const http = partition(store, { kind: 'http', row: { topic: 'cdrs', partition: -1 } });
    await http.cp.load();
    expect(http.cp.applied).toBe(0);
    expect(await http.batch(3, ['a', 'b', 'c'])).toBe('full');
    expect(await http.batch(5, ['a', 'b'])).toBe('full');
    expect(store.row('cdrs', -1)).toMatchObject({ stateOffset: 5, effectsOffset: 5 });
    const replay = partition(store, { kind: 'replay', row: null });
    await replay.cp.load();
    expect(await replay.batch(0, ['a'])).toBe('none');
    expect(replay.engine().dirtyAccounts()).toEqual([]);
    expect(store.rows.size).toBe(1);
  });
});
