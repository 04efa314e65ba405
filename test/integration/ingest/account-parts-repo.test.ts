// Reading spilled accounts' parts back (account-parts-repo.ts) on PostgreSQL: at the state offset the lane holds,
// the parts and heads come back; once another owner has stored the state past that offset, the read is a checkpoint
// conflict, not a part newer than the lane's dedupe horizon (which would count the records in between twice).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAccountHeads, loadAccountParts } from '../../../src/ingest/account-parts-repo.js';
import { saveCheckpoint, saveState, type EngineDelta } from '../../../src/ingest/checkpoint-repo.js';
import { CheckpointConflictError } from '../../../src/ingest/types.js';
import { freshDatabase, type FreshDatabase } from '../../helpers/db.js';

const part = (maxT: number, n: number) => new TextEncoder().encode(`[${maxT},${n}]`);
const delta = (upserts: [string, Uint8Array][]): EngineDelta => ({ shared: new Uint8Array([1]), upserts, deletes: [], dedupe: null });

describe('account parts read back at a state offset', () => {
  let fresh: FreshDatabase;
  beforeAll(async () => {
    fresh = await freshDatabase();
  });
  afterAll(async () => {
    await fresh.drop();
  });

  it('returns the parts stored at the offset, and a conflict once the stored state moved past it', async () => {
    const db = fresh.db;
    await expect(loadAccountParts(db, 'cdrs', 4, ['a'], 0)).rejects.toBeInstanceOf(CheckpointConflictError);
    expect(await db.transaction((tx) => saveCheckpoint(tx, 'cdrs', 4, null, null, 10, delta([['a', part(1_000, 1)], ['b', part(2_000, 1)]]), 10))).toBe(true);
    const text = (rows: [string, Uint8Array][]) => rows.map(([id, p]) => [id, new TextDecoder().decode(p)]).sort();
    expect(text(await loadAccountParts(db, 'cdrs', 4, ['a', 'zz'], 10))).toEqual([['a', '[1000,1]']]);
    expect(text(await loadAccountParts(db, 'cdrs', 4, null, 10))).toEqual([['a', '[1000,1]'], ['b', '[2000,1]']]);
    expect(await loadAccountParts(db, 'cdrs', 4, ['zz'], 10)).toEqual([]);
    expect((await loadAccountHeads(db, 'cdrs', 4, 10)).sort()).toEqual([['a', 1_000], ['b', 2_000]]);
    // another owner stores its state at 20 (the effects offset stays at 10)
    expect(await db.transaction((tx) => saveState(tx, 'cdrs', 4, 10, 20, delta([['a', part(3_000, 2)]])))).toBe(true);
    await expect(loadAccountParts(db, 'cdrs', 4, ['a'], 10)).rejects.toThrow(/moved under us \(stored at 20, loaded at 10/);
    await expect(loadAccountParts(db, 'cdrs', 4, null, 10)).rejects.toBeInstanceOf(CheckpointConflictError);
    await expect(loadAccountHeads(db, 'cdrs', 4, 10)).rejects.toBeInstanceOf(CheckpointConflictError);
    expect(text(await loadAccountParts(db, 'cdrs', 4, ['a'], 20))).toEqual([['a', '[3000,2]']]);
    // unchecked (a write's own transaction, which holds the row): whatever is stored
    expect(text(await loadAccountParts(db, 'cdrs', 4, ['a']))).toEqual([['a', '[3000,2]']]);
  });
});
