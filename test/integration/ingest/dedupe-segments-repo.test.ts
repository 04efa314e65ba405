// The dedupe segments in PostgreSQL (checkpoint-repo.ts, 0013_dedupe_segments.sql): a state write stores its
// segment in the checkpoint's transaction, a restore reads every segment in the order written, a write whose sweep
// threshold passed a segment's newest time deletes it, a whole-horizon segment replaces them all, and a new row
// (an earlier owner's row deleted) starts without them. A full write is fenced on the state offset as well as the
// effects offset.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint, saveCheckpoint, saveState, type EngineDelta } from '../../../src/ingest/checkpoint-repo.js';
import { encodeSegment, forEachPair } from '../../../src/rules/dedupe-segments.js';
import { freshDatabase, type FreshDatabase } from '../../helpers/db.js';

const shared = new Uint8Array([123, 125]);
const delta = (pairs: number[], expiredBefore = Number.NEGATIVE_INFINITY): EngineDelta => ({ shared, upserts: [], deletes: [], dedupe: encodeSegment(pairs, expiredBefore) });
const pairsOf = (segments: Uint8Array[]) => segments.map((s) => {
  const out: number[] = [];
  forEachPair(s, (k, t) => out.push(k, t));
  return out;
});

describe('dedupe segments in the checkpoint tables', () => {
  let fresh: FreshDatabase;
  beforeAll(async () => {
    fresh = await freshDatabase();
  });
  afterAll(async () => {
    await fresh.drop();
  });

  it('are written with the state, read in order, deleted once expired, replaced by a whole horizon', async () => {
    const db = fresh.db;
    const load = async () => pairsOf((await loadCheckpoint(db, 'cdrs', 3))!.dedupe);
    expect(await db.transaction((tx) => saveCheckpoint(tx, 'cdrs', 3, null, null, 10, delta([2 ** 52 + 1, 1_000, 7, 1_500.5]), 10))).toBe(true);
    expect(await db.transaction((tx) => saveState(tx, 'cdrs', 3, 10, 20, delta([])))).toBe(true);
    expect(await db.transaction((tx) => saveState(tx, 'cdrs', 3, 20, 30, delta([9, 3_000])))).toBe(true);
    expect(await load()).toEqual([[2 ** 52 + 1, 1_000, 7, 1_500.5], [9, 3_000]]);
    // a threshold past the first segment's newest time (1,500.5) deletes it, not the second
    expect(await db.transaction((tx) => saveState(tx, 'cdrs', 3, 30, 40, delta([11, 4_000], 2_000)))).toBe(true);
    expect(await load()).toEqual([[9, 3_000], [11, 4_000]]);
    // the whole horizon replaces every stored segment
    expect(await db.transaction((tx) => saveState(tx, 'cdrs', 3, 40, 50, delta([9, 3_000, 11, 4_000, 12, 4_100], Number.POSITIVE_INFINITY)))).toBe(true);
    expect(await load()).toEqual([[9, 3_000, 11, 4_000, 12, 4_100]]);
    // a write that loses the fence rolls back with its segment
    await expect(db.transaction(async (tx) => {
      if (!(await saveState(tx, 'cdrs', 3, 10, 60, delta([13, 5_000])))) throw new Error('fenced');
    })).rejects.toThrow('fenced');
    expect(await load()).toEqual([[9, 3_000, 11, 4_000, 12, 4_100]]);
    // a full write of an owner that last saw the state at 40 (and the effects offset unchanged, at 10) loses: the
    // state moved to 50 under it, and its parts and segment must not mix with the state stored there
    await expect(db.transaction(async (tx) => {
      if (!(await saveCheckpoint(tx, 'cdrs', 3, 10, 40, 45, delta([13, 5_000]), 45))) throw new Error('fenced');
    })).rejects.toThrow('fenced');
    expect(await load()).toEqual([[9, 3_000, 11, 4_000, 12, 4_100]]);
    expect(await db.transaction((tx) => saveCheckpoint(tx, 'cdrs', 3, 10, 50, 55, delta([13, 5_000]), 55))).toBe(true);
    expect((await loadCheckpoint(db, 'cdrs', 3))!).toMatchObject({ stateOffset: 55, effectsOffset: 55 });
    expect(await load()).toEqual([[9, 3_000, 11, 4_000, 12, 4_100], [13, 5_000]]);
    // a new row of the partition starts without an earlier owner's segments
    await db.query('DELETE FROM partition_checkpoints WHERE topic = $1 AND partition = $2', ['cdrs', 3]);
    expect(await db.transaction((tx) => saveCheckpoint(tx, 'cdrs', 3, null, null, 0, delta([14, 6_000]), 0))).toBe(true);
    expect(await load()).toEqual([[14, 6_000]]);
  });
});
