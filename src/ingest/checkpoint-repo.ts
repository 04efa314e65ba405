// partition_checkpoints (0002_ingest.sql): the next offset to apply per input partition, and the fraud engine state
// after everything before it. Writes are conditional on the offset the writer loaded, which fences a stale owner
// (a consumer that lost its partition in a rebalance but is still finishing a batch). Never: commits Kafka offsets.
import type { Queryable } from '../store/db.js';

export interface Checkpoint {
  nextOffset: number;
  state: Uint8Array | null;
}

export async function loadCheckpoint(q: Queryable, topic: string, partition: number): Promise<Checkpoint | null> {
  const res = await q.query<{ next_offset: string | number; state: Uint8Array | null }>(
    'SELECT next_offset, state FROM partition_checkpoints WHERE topic = $1 AND partition = $2',
    [topic, partition],
  );
  const row = res.rows[0];
  return row ? { nextOffset: Number(row.next_offset), state: row.state } : null;
}

/**
 * Writes the checkpoint if the stored one is still `expected` (null: none yet). Returns false when another writer
 * got there first, in which case the caller's transaction must roll back.
 */
export async function saveCheckpoint(
  q: Queryable,
  topic: string,
  partition: number,
  expected: number | null,
  next: Checkpoint,
): Promise<boolean> {
  const state = next.state === null ? null : Buffer.from(next.state.buffer, next.state.byteOffset, next.state.byteLength);
  if (expected === null) {
    const res = await q.query(
      `INSERT INTO partition_checkpoints (topic, partition, next_offset, state, updated_at)
       VALUES ($1, $2, $3, $4, now()) ON CONFLICT (topic, partition) DO NOTHING`,
      [topic, partition, next.nextOffset, state],
    );
    return res.rowCount === 1;
  }
  const res = await q.query(
    `UPDATE partition_checkpoints SET next_offset = $4, state = $5, updated_at = now()
      WHERE topic = $1 AND partition = $2 AND next_offset = $3`,
    [topic, partition, expected, next.nextOffset, state],
  );
  return res.rowCount === 1;
}
