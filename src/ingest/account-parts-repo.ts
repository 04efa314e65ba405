// Reads back the stored engine parts of spilled accounts (issue 17): one query for the accounts of a batch whose
// state the memory budget had dropped from memory (engine-memory.ts); and, when a partition's engine is restored,
// every stored account's id and latest event time without its part (they all start spilled). The parts are those
// the checkpoint writes (checkpoint-repo.ts, engine_account_state). Never: writes.
import { partMaxT } from '../rules/engine-spill.js';
import type { Queryable } from '../store/db.js';

/** The stored parts of `ids` in the partition (null: all of them); an id without a stored part is absent. */
export async function loadAccountParts(q: Queryable, topic: string, partition: number, ids: readonly string[] | null): Promise<[string, Uint8Array][]> {
  if (ids !== null && ids.length === 0) return [];
  const res = await q.query<{ account_id: string; state: Uint8Array }>(
    ids === null
      ? 'SELECT account_id, state FROM engine_account_state WHERE topic = $1 AND partition = $2'
      : 'SELECT account_id, state FROM engine_account_state WHERE topic = $1 AND partition = $2 AND account_id = ANY($3::text[])',
    ids === null ? [topic, partition] : [topic, partition, ids],
  );
  return res.rows.map((r) => [r.account_id, r.state]);
}

/** Every stored account of the partition with its latest event time, read from the head of its part. */
export async function loadAccountHeads(q: Queryable, topic: string, partition: number): Promise<[string, number][]> {
  const res = await q.query<{ account_id: string; head: Uint8Array }>(
    'SELECT account_id, substring(state from 1 for 40) AS head FROM engine_account_state WHERE topic = $1 AND partition = $2',
    [topic, partition],
  );
  return res.rows.map((r) => [r.account_id, partMaxT(r.head)]);
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
