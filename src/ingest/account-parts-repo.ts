// Reads back the stored engine parts of spilled accounts (issue 17): one query for the accounts of a batch whose
// state the memory budget had dropped from memory (engine-memory.ts); and, when a partition's engine is restored,
// every stored account's id and latest event time without its part (they all start spilled). The parts are those
// the checkpoint writes (checkpoint-repo.ts, engine_account_state). A lane reads them at the state offset it holds,
// checked in the same statement. Never: writes.
import { partMaxT } from '../rules/engine-spill.js';
import type { Queryable } from '../store/db.js';
import { CheckpointConflictError } from './types.js';

/**
 * The stored parts of `ids` in the partition (null: all of them); an id without a stored part is absent. With
 * `stateOffset` (a lane reading outside its own writes), they are read in one statement with the checkpoint row and
 * must be the state stored at that offset: if the row's state offset moved (another owner stored its state since the
 * lane loaded it), this throws a CheckpointConflictError. Parts carry no dedupe keys (the horizon is stored as
 * segments, read with the row), so a part newer than the lane's horizon would count its records twice.
 */
export async function loadAccountParts(q: Queryable, topic: string, partition: number, ids: readonly string[] | null, stateOffset?: number): Promise<[string, Uint8Array][]> {
  if (ids !== null && ids.length === 0) return [];
  if (stateOffset === undefined) {
    const res = await q.query<{ account_id: string; state: Uint8Array }>(
      ids === null
        ? 'SELECT account_id, state FROM engine_account_state WHERE topic = $1 AND partition = $2'
        : 'SELECT account_id, state FROM engine_account_state WHERE topic = $1 AND partition = $2 AND account_id = ANY($3::text[])',
      ids === null ? [topic, partition] : [topic, partition, ids],
    );
    return res.rows.map((r) => [r.account_id, r.state]);
  }
  const res = await q.query<{ next_offset: string | number; account_id: string | null; state: Uint8Array | null }>(
    `SELECT c.next_offset, a.account_id, a.state
       FROM partition_checkpoints c
       LEFT JOIN engine_account_state a ON a.topic = c.topic AND a.partition = c.partition${ids === null ? '' : ' AND a.account_id = ANY($3::text[])'}
      WHERE c.topic = $1 AND c.partition = $2`,
    ids === null ? [topic, partition] : [topic, partition, ids],
  );
  atOffset(res.rows, topic, partition, stateOffset);
  return res.rows.flatMap((r) => (r.account_id === null ? [] : [[r.account_id, r.state!] as [string, Uint8Array]]));
}

/**
 * Every stored account of the partition with its latest event time, read from the head of its part; with
 * `stateOffset`, as loadAccountParts says.
 */
export async function loadAccountHeads(q: Queryable, topic: string, partition: number, stateOffset?: number): Promise<[string, number][]> {
  if (stateOffset === undefined) {
    const res = await q.query<{ account_id: string; head: Uint8Array }>(
      'SELECT account_id, substring(state from 1 for 40) AS head FROM engine_account_state WHERE topic = $1 AND partition = $2',
      [topic, partition],
    );
    return res.rows.map((r) => [r.account_id, partMaxT(r.head)]);
  }
  const res = await q.query<{ next_offset: string | number; account_id: string | null; head: Uint8Array | null }>(
    `SELECT c.next_offset, a.account_id, substring(a.state from 1 for 40) AS head
       FROM partition_checkpoints c
       LEFT JOIN engine_account_state a ON a.topic = c.topic AND a.partition = c.partition
      WHERE c.topic = $1 AND c.partition = $2`,
    [topic, partition],
  );
  atOffset(res.rows, topic, partition, stateOffset);
  return res.rows.flatMap((r) => (r.account_id === null ? [] : [[r.account_id, partMaxT(r.head!)] as [string, number]]));
}

function atOffset(rows: readonly { next_offset: string | number }[], topic: string, partition: number, stateOffset: number): void {
  const stored = rows[0] === undefined ? null : Number(rows[0].next_offset);
  if (stored !== stateOffset) {
    throw new CheckpointConflictError(`engine state of ${topic}:${partition} moved under us (stored at ${stored ?? 'no row'}, loaded at ${stateOffset}: another owner?)`, null);
  }
}

/** Rewrites stored parts (a rule change carried them to the new rules), in the caller's transaction. */
export async function saveAccountParts(q: Queryable, topic: string, partition: number, parts: readonly [string, Uint8Array][]): Promise<void> {
  if (parts.length === 0) return;
  await q.query(
    `UPDATE engine_account_state s SET state = decode(u.part, 'base64')
       FROM unnest($3::text[], $4::text[]) AS u(id, part)
      WHERE s.topic = $1 AND s.partition = $2 AND s.account_id = u.id`,
    [topic, partition, parts.map(([id]) => id), parts.map(([, p]) => Buffer.from(p.buffer, p.byteOffset, p.byteLength).toString('base64'))],
  );
}
