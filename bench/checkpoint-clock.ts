// The end-to-end benches' clock (bench/ingest.ts, bench/ingest-profile.ts): waits until the pipeline has checkpointed
// `n` records of `topic`, and gives the seconds it took, timed from the first durable checkpoint (the group join
// excluded, as the bare consumer's clock starts at its first batch) and scaled by the records after it.
import type { Pipeline } from '../src/ingest/pipeline.js';
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

/**
 * The end of the input: once the pipeline has applied all `n` records of `topic` (offsets 0 to n - 1 over its
 * partitions; a fresh topic), each partition's deferred checkpoint is written at once, by the call the consumer's
 * flush timer makes every 2 s (`Pipeline.flush`). Without it the clock above waited for that timer: a batch without
 * effects defers its checkpoint up to 2 s (the daemon's behaviour, unchanged), so each run's end fell 0-2 s after
 * its last record, ~1 s on average, which is not throughput (bench/README.md, branch `pipe10`). The bare consumer's
 * clock stops at its last message. END_FLUSH=0 in the benches keeps the old end. Returns the removal.
 */
export function flushWhenConsumed(pipeline: Pick<Pipeline, 'observe' | 'flush'>, topic: string, n: number): () => void {
  const next = new Map<number, number>();
  let total = 0;
  let done = false;
  return pipeline.observe((source, records) => {
    if (done || source.topicName !== topic || typeof source.partition !== 'number' || records.length === 0) return;
    const last = records[records.length - 1]!.offset;
    if (last === undefined) return;
    const before = next.get(source.partition) ?? 0;
    if (last + 1 <= before) return;
    total += last + 1 - before;
    next.set(source.partition, last + 1);
    if (total < n) return;
    done = true;
    for (const partition of next.keys()) void pipeline.flush({ kind: source.kind, topicName: topic, partition }).catch(() => undefined);
  });
}
