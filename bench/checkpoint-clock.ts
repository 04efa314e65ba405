// The end-to-end benches' clock (bench/ingest.ts, bench/ingest-profile.ts): waits until the pipeline has checkpointed
// `n` records of `topic`, and gives the seconds it took, timed from the first durable checkpoint (the group join
// excluded, as the bare consumer's clock starts at its first batch) and scaled by the records after it.
import type { Queryable } from '../src/store/db.js';

export async function secondsToCheckpoint(db: Queryable, topic: string, n: number, startedAt: number): Promise<number> {
  let first: { t: number; n: number } | null = null;
  for (;;) {
    const r = await db.query<{ n: string | null }>('SELECT sum(greatest(effects_offset, next_offset))::text AS n FROM partition_checkpoints WHERE topic = $1', [topic]);
    const done = Number(r.rows[0]?.n ?? 0);
    if (done > 0 && !first) first = { t: performance.now(), n: done };
    if (done >= n) break;
    await new Promise((res) => setTimeout(res, 50));
  }
  return ((performance.now() - (first?.t ?? startedAt)) / 1000) * (n / Math.max(1, n - (first?.n ?? 0)));
}
