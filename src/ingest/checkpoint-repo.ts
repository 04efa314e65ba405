// partition_checkpoints (0002_ingest.sql, 0006_engine_state.sql, 0008_effects_offset.sql), per input partition:
// the state offset (column `next_offset`), where the stored fraud engine state is exact (its shared part in the row,
// its per-account parts in engine_account_state, its dedupe horizon in engine_dedupe_segments, 0013), and the effects offset (`effects_offset`), before which every
// record's effects are durable. In code they are `stateOffset` and `effectsOffset` (partition-checkpoint.ts). Three writes, each
// in the caller's transaction:
// - saveCheckpoint: both offsets and the engine delta (the changed accounts' parts, one set-based upsert, and the
//   forgotten ones, one delete; the dedupe keys added since the last write, one row, and the expired segments, one
//   delete);
// - saveEffectsOffset: the effects offset only (one row update);
// - saveState: the engine delta and the state offset only, leaving the effects offset alone, so it can run beside
//   the lane's effects writes; the row is updated last, so its lock is held only at the end.
// saveEffectsOffset is conditional on the effects offset the writer last saw, saveState on the state offset, and
// saveCheckpoint on both: each fences a stale owner (a consumer that lost its partition in a rebalance but is still
// finishing a batch). saveCheckpoint needs both because it stores the state: fenced on the effects offset alone, a
// stale owner's full write could land after the new owner's background state write (which leaves the effects
// offset alone), and the stored state would mix two owners' account parts under one offset, with the new owner's
// dedupe segment holding keys of records past it: a restore then judged those records duplicates, and an account
// whose part the stale owner wrote lost their counts (rebalance.test.ts, found 30 November).
// Never: commits Kafka offsets, commits or rolls back the transaction itself.
import type { DedupeSegment } from '../rules/dedupe-segments.js';
import type { Database, Queryable } from '../store/db.js';
import type { CheckpointStore } from './partition-checkpoint.js';

export interface Checkpoint {
  /** Where the stored engine state is exact: the next offset to feed the engine. */
  stateOffset: number;
  /** The stored effects offset: the effects of every record before it are durable. May be behind stateOffset. */
  effectsOffset: number;
  /** The engine's shared part, or null (no engine, or a legacy whole snapshot that 0006 cleared). */
  shared: Uint8Array | null;
  /** The engine's account parts (empty without `shared`). */
  accounts: [string, Uint8Array][];
  /** The engine's dedupe segments in the order written (empty without `shared`). */
  dedupe: Uint8Array[];
}

/** What changed in the engine since the previous checkpoint. */
export interface EngineDelta {
  shared: Uint8Array;
  upserts: [string, Uint8Array][];
  deletes: string[];
  /** The dedupe keys added since the last write, and which stored segments expired (null: an engine without). */
  dedupe: DedupeSegment | null;
}

/** `withParts` false: the row and shared part only (the memory budget reads the account parts lazily). */
export async function loadCheckpoint(q: Queryable, topic: string, partition: number, withParts = true): Promise<Checkpoint | null> {
  // One query, so one snapshot: the checkpoint row with its account parts and its dedupe segments aggregated (read
  // apart, a state write committing in between would give segments ahead of the row's offset: keys of records the
  // restored engine has not seen, which it would then judge duplicates).
  const res = await q.query<{ next_offset: string | number; effects_offset: string | number | null; engine_shared: Uint8Array | null; ids: string[] | null; parts: Uint8Array[] | null; segs: Uint8Array[] | null }>(
    `SELECT c.next_offset, c.effects_offset, c.engine_shared, s.ids, s.parts, d.segs
       FROM partition_checkpoints c
       LEFT JOIN LATERAL (
         SELECT array_agg(a.account_id) AS ids, array_agg(a.state) AS parts
           FROM engine_account_state a WHERE a.topic = c.topic AND a.partition = c.partition
       ) s ON c.engine_shared IS NOT NULL AND $3::boolean
       LEFT JOIN LATERAL (
         SELECT array_agg(g.pairs ORDER BY g.seq) AS segs
           FROM engine_dedupe_segments g WHERE g.topic = c.topic AND g.partition = c.partition
       ) d ON c.engine_shared IS NOT NULL
      WHERE c.topic = $1 AND c.partition = $2`,
    [topic, partition, withParts],
  );
  const row = res.rows[0];
  if (!row) return null;
  const accounts: [string, Uint8Array][] = [];
  if (row.engine_shared && row.ids) row.ids.forEach((id, i) => accounts.push([id, row.parts![i]!]));
  const dedupe = row.engine_shared && row.segs ? row.segs : [];
  const stateOffset = Number(row.next_offset);
  return { stateOffset, effectsOffset: Number(row.effects_offset ?? stateOffset), shared: row.engine_shared, accounts, dedupe };
}

const buf = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

/**
 * Writes both offsets and the engine delta if the stored effects offset is still `expected` and the stored state
 * offset still `expectedState` (both null: no row yet). Returns false when another writer got there first, in which
 * case the caller's transaction must roll back. With `expected` null, account parts left by an earlier owner of the
 * (deleted) row are cleared first.
 */
export async function saveCheckpoint(
  q: Queryable,
  topic: string,
  partition: number,
  expected: number | null,
  expectedState: number | null,
  stateOffset: number,
  delta: EngineDelta | null,
  effectsOffset: number = stateOffset,
): Promise<boolean> {
  const shared = delta ? buf(delta.shared) : null;
  if (expected === null) {
    const res = await q.query(
      `INSERT INTO partition_checkpoints (topic, partition, next_offset, effects_offset, state, engine_shared, updated_at)
       VALUES ($1, $2, $3, $4, NULL, $5, now()) ON CONFLICT (topic, partition) DO NOTHING`,
      [topic, partition, stateOffset, effectsOffset, shared],
    );
    if (res.rowCount !== 1) return false;
    await q.query('DELETE FROM engine_account_state WHERE topic = $1 AND partition = $2', [topic, partition]);
    await q.query('DELETE FROM engine_dedupe_segments WHERE topic = $1 AND partition = $2', [topic, partition]);
  } else {
    if (expectedState === null) throw new Error(`checkpoint of ${topic}:${partition}: an effects offset to fence on but no state offset`);
    // The row lock taken here also serialises two writers of the same partition's account parts.
    const res = await q.query(
      `UPDATE partition_checkpoints SET next_offset = $4, effects_offset = $5, state = NULL, engine_shared = $6, updated_at = now()
        WHERE topic = $1 AND partition = $2 AND effects_offset = $3 AND next_offset = $7`,
      [topic, partition, expected, stateOffset, effectsOffset, shared, expectedState],
    );
    if (res.rowCount !== 1) return false;
  }
  if (delta) await writeDelta(q, topic, partition, delta);
  return true;
}

/** Moves only the effects offset, if it is still `expected`. Returns false when another writer got there first. */
export async function saveEffectsOffset(q: Queryable, topic: string, partition: number, expected: number, effectsOffset: number): Promise<boolean> {
  const res = await q.query(
    `UPDATE partition_checkpoints SET effects_offset = $4, updated_at = now()
      WHERE topic = $1 AND partition = $2 AND effects_offset = $3`,
    [topic, partition, expected, effectsOffset],
  );
  return res.rowCount === 1;
}

/**
 * Writes the engine delta and moves the state offset from `expectedState` to `stateOffset`, leaving the effects
 * offset alone. Returns false when the stored state offset moved meanwhile (another owner); the caller rolls back.
 */
export async function saveState(q: Queryable, topic: string, partition: number, expectedState: number, stateOffset: number, delta: EngineDelta): Promise<boolean> {
  await writeDelta(q, topic, partition, delta);
  const res = await q.query(
    `UPDATE partition_checkpoints SET next_offset = $4, state = NULL, engine_shared = $5, updated_at = now()
      WHERE topic = $1 AND partition = $2 AND next_offset = $3`,
    [topic, partition, expectedState, stateOffset, buf(delta.shared)],
  );
  return res.rowCount === 1;
}

/** Account parts per upsert statement: a large delta goes in several, so the event loop runs between them. */
const PARTS_PER_STATEMENT = 500;

/**
 * The parts of one upsert as it sends them: their bytes one after another in one buffer (a bytea parameter, which
 * node-postgres sends as binary) with each part's 1-based start and its length, which the statement cuts out with
 * substring. Until branch `lat4` each part went as base64 text in a text array: per account a base64 string of ~1.3x
 * the part and its escaped copy in the array literal, short-lived garbage of several hundred KB per statement that
 * the state writes added to the young generation (bench/README.md, Ingest, branch `lat3`). Stored bytes unchanged;
 * node-postgres and PGlite both take a Buffer parameter as bytea.
 */
function packedParts(parts: readonly (readonly [string, Uint8Array])[]): { ids: string[]; starts: number[]; lengths: number[]; bytes: Buffer } {
  let total = 0;
  for (const [, p] of parts) total += p.byteLength;
  const bytes = Buffer.allocUnsafe(total);
  const ids: string[] = new Array(parts.length);
  const starts: number[] = new Array(parts.length);
  const lengths: number[] = new Array(parts.length);
  let at = 0;
  for (let i = 0; i < parts.length; i++) {
    const [id, p] = parts[i]!;
    bytes.set(p, at);
    ids[i] = id;
    starts[i] = at + 1;
    lengths[i] = p.byteLength;
    at += p.byteLength;
  }
  return { ids, starts, lengths, bytes };
}

async function writeDelta(q: Queryable, topic: string, partition: number, delta: EngineDelta): Promise<void> {
  for (let i = 0; i < delta.upserts.length; i += PARTS_PER_STATEMENT) {
    const chunk = packedParts(delta.upserts.slice(i, i + PARTS_PER_STATEMENT));
    await q.query(
      `INSERT INTO engine_account_state (topic, partition, account_id, state)
       SELECT $1, $2, u.id, substring($6::bytea FROM u.start FOR u.len) FROM unnest($3::text[], $4::int[], $5::int[]) AS u(id, start, len)
       ON CONFLICT (topic, partition, account_id) DO UPDATE SET state = EXCLUDED.state`,
      [topic, partition, chunk.ids, chunk.starts, chunk.lengths, chunk.bytes],
    );
  }
  if (delta.deletes.length > 0) {
    await q.query('DELETE FROM engine_account_state WHERE topic = $1 AND partition = $2 AND account_id = ANY($3::text[])', [topic, partition, delta.deletes]);
  }
  const seg = delta.dedupe;
  if (seg === null) return;
  if (seg.expiredBefore === Number.POSITIVE_INFINITY) {
    await q.query('DELETE FROM engine_dedupe_segments WHERE topic = $1 AND partition = $2', [topic, partition]);
  } else if (Number.isFinite(seg.expiredBefore)) {
    await q.query('DELETE FROM engine_dedupe_segments WHERE topic = $1 AND partition = $2 AND newest < $3', [topic, partition, seg.expiredBefore]);
  }
  if (seg.pairs.byteLength > 0) {
    await q.query('INSERT INTO engine_dedupe_segments (topic, partition, newest, pairs) VALUES ($1, $2, $3, $4)', [topic, partition, seg.newest, buf(seg.pairs)]);
  }
}

/** The checkpoint store of partition-checkpoint.ts over the database. */
export function pgCheckpointStore(db: Database): CheckpointStore<Queryable> {
  return {
    transaction: (fn) => db.transaction(fn),
    load: (topic, partition, withParts) => loadCheckpoint(db, topic, partition, withParts),
    saveCheckpoint,
    saveEffectsOffset,
    saveState,
  };
}
