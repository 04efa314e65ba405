// The end-to-end benches' clock (bench/ingest.ts, bench/ingest-profile.ts): waits until the pipeline has checkpointed
// `n` records of `topic`, and gives the seconds it took, timed from the first durable checkpoint (the group join
// excluded, as the bare consumer's clock starts at its first batch) and scaled by the records after it.
import type { Pipeline } from '../src/ingest/pipeline.js';
import type { Queryable } from '../src/store/db.js';

export async function secondsToCheckpoint(db: Queryable, topic: string, n: number, startedAt: number, firstBatchAt?: () => number | null): Promise<number> {
  let first: { t: number; n: number } | null = null;
  for (;;) {
    const r = await db.query<{ n: string | null }>('SELECT sum(greatest(effects_offset, next_offset))::text AS n FROM partition_checkpoints WHERE topic = $1', [topic]);
    const done = Number(r.rows[0]?.n ?? 0);
    if (done > 0 && !first) first = { t: performance.now(), n: done };
    if (done >= n) break;
    await new Promise((res) => setTimeout(res, 50));
  }
  // From the pipeline's first batch (endOfInput), unscaled: the first durable checkpoint of a run without effects
  // comes on the flush timer, 2 s in, when a 300,000-CDR run may be nearly done, and scaling by the records after it
  // then gave absurd rates (4.9M CDR/s) once the end no longer waited for the timer too.
  const from = firstBatchAt?.();
  if (from != null) return (performance.now() - from) / 1000;
  return ((performance.now() - (first?.t ?? startedAt)) / 1000) * (n / Math.max(1, n - (first?.n ?? 0)));
}

/**
 * The clock of (b) and (b') since branch pipe10, like the bare consumer's (first batch to last message): it starts
 * at the pipeline's first batch (`firstBatchAt`, read by secondsToCheckpoint), and at the end of the input -- once
 * the pipeline has applied all `n` records of `topic` (offsets 0 to n - 1 over its partitions; a fresh topic) --
 * each partition's deferred checkpoint is written at once, by the call the consumer's flush timer makes every 2 s
 * (`Pipeline.flush`). Before, the clock ran from the first durable checkpoint (scaled) to the timer's tick after the
 * last record: a batch without effects defers its checkpoint up to 2 s (the daemon's behaviour, unchanged), so each
 * run's end fell 0-2 s after its last record, ~1 s on average, which is not throughput. END_FLUSH=0 in the benches
 * keeps the old clock. Give the consumer `pipeline` (it times the first batch); `stop` removes the observer.
 */
export function endOfInput(inner: Pipeline, topic: string, n: number): { pipeline: Pipeline; firstBatchAt: () => number | null; stop: () => void } {
  let first: number | null = null;
  const pipeline = Object.assign(Object.create(inner) as Pipeline, {
    processBatch: (source: Parameters<Pipeline['processBatch']>[0], records: Parameters<Pipeline['processBatch']>[1]) => {
      first ??= performance.now();
      return inner.processBatch(source, records);
    },
  });
  const next = new Map<number, number>();
  let total = 0;
  let done = false;
  const stop = inner.observe((source, records) => {
    if (done || source.topicName !== topic || typeof source.partition !== 'number' || records.length === 0) return;
    const last = records[records.length - 1]!.offset;
    if (last === undefined) return;
    const before = next.get(source.partition) ?? 0;
    if (last + 1 <= before) return;
    total += last + 1 - before;
    next.set(source.partition, last + 1);
    if (total < n) return;
    done = true;
    for (const partition of next.keys()) void inner.flush({ kind: source.kind, topicName: topic, partition }).catch(() => undefined);
  });
  return { pipeline, firstBatchAt: () => first, stop };
}
