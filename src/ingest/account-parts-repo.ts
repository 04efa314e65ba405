// Reads back the stored engine parts of spilled accounts (issue 17): one query for the accounts of a batch whose
// state the memory budget had dropped from memory (engine-memory.ts). The parts are those the checkpoint writes
// (checkpoint-repo.ts, engine_account_state). Never: writes.
import type { Queryable } from '../store/db.js';

/** The stored parts of `ids` in the partition; an id without a stored part is absent from the result. */
export async function loadAccountParts(q: Queryable, topic: string, partition: number, ids: readonly string[]): Promise<[string, Uint8Array][]> {
  if (ids.length === 0) return [];
  const res = await q.query<{ account_id: string; state: Uint8Array }>(
    'SELECT account_id, state FROM engine_account_state WHERE topic = $1 AND partition = $2 AND account_id = ANY($3::text[])',
    [topic, partition, ids],
  );
  return res.rows.map((r) => [r.account_id, r.state]);
}
