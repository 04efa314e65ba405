// Call set-ups where the switch's CDRs come by Kafka (AUTHORIZE_COUNTS_SETUP=kafka): the set-up's `phase: start`
// CDR is produced to the cdrs topic keyed by the account id, as the switch's own records are (CONTRACT §2), so the
// replica that owns the account's partition counts it in that partition's engine, in order with the account's other
// CDRs, and a replay of the topic counts it again the same way. (Counting it in memory without the topic would make
// the engine's state depend on something its checkpoint cannot replay.)
// - The partition is owned here: the answer waits (at most `waitMs`) for this replica's pipeline to commit the
//   record, then carries what it did (a hold placed: deny). Prevention, at the cost of a produce and a fetch.
// - Owned elsewhere, or not committed in time: the answer comes from the status view; the owner counts the set-up
//   moments later, so the hold stops the account's next call. Detection, one call later.
// Records are marked with the header `x-suspensiond-setup: 1` so the pipeline's observer can find them.
// Never: counts a set-up itself, or waits longer than `waitMs`.
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import { GenerationalMap } from '../generational-map.js';
import type { Pipeline } from './pipeline.js';
import { countedOf, setupCdrJson, type SetupCounted, type SetupIngest } from './setup-ingest.js';

export const SETUP_HEADER = 'x-suspensiond-setup';
const RECENT_MAX = 10_000;

export interface KafkaSetupOptions {
  kafka: Kafka;
  /** The cdrs topic (TOPIC_CDRS). */
  topic: string;
  pipeline: Pipeline;
  /** How long an answer waits for the owner here to commit the set-up (default 2,000 ms). */
  waitMs?: number;
}

export interface KafkaSetupIngest {
  count: SetupIngest;
  disconnect(): Promise<void>;
}

const PENDING: SetupCounted = Object.freeze({ outcome: 'accepted', decisions: [], accountHolds: [] }) as SetupCounted;

export function createKafkaSetupIngest(opts: KafkaSetupOptions): KafkaSetupIngest {
  const waitMs = opts.waitMs ?? 2_000;
  const producer: Producer = opts.kafka.producer({ idempotent: true, maxInFlightRequests: 5, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  let connected: Promise<void> | null = null;
  const connect = () => (connected ??= producer.connect().catch((err: unknown) => {
    connected = null;
    throw err;
  }));
  // What this replica's pipeline did with each set-up record it committed, by partition:offset (bounded, oldest out:
  // at least the last RECENT_MAX).
  const recent = new GenerationalMap<string, SetupCounted>(2 * RECENT_MAX);
  const waiters = new Map<string, (r: SetupCounted) => void>();

  // Set-ups of this replica produced and not yet answered: while there are none, batches are not looked at (the
  // Kafka hot path pays one comparison per batch).
  let inFlight = 0;

  opts.pipeline.observe((source, records, result) => {
    if (inFlight === 0 || source.kind !== 'cdrs' || source.topicName !== opts.topic || typeof source.partition !== 'number') return;
    for (const r of result.results) {
      const raw = records[r.index]!;
      if (raw.headers?.[SETUP_HEADER] !== '1' || raw.offset === undefined) continue;
      const accountId = raw.key?.toString() ?? '';
      const counted = countedOf(result, r.index, accountId);
      const key = `${source.partition}:${raw.offset}`;
      const waiter = waiters.get(key);
      if (waiter) waiter(counted);
      recent.set(key, counted);
    }
  });

  const owned = (partition: number) => opts.pipeline.sources().some((s) => s.kind === 'cdrs' && s.topicName === opts.topic && s.partition === partition);

  const count: SetupIngest = async (call) => {
    inFlight++;
    try {
      return await produceAndWait(call);
    } finally {
      inFlight--;
    }
  };

  const produceAndWait: SetupIngest = async (call) => {
    await connect();
    const [meta] = await producer.send({
      topic: opts.topic,
      acks: -1,
      messages: [{ key: call.accountId, value: setupCdrJson(call), headers: { [SETUP_HEADER]: '1' } }],
    });
    if (!meta || meta.baseOffset === undefined) return PENDING;
    const key = `${meta.partition}:${meta.baseOffset}`;
    const done = recent.get(key);
    if (done) return done;
    if (!owned(meta.partition)) return PENDING;
    return new Promise<SetupCounted>((resolve) => {
      const timer = setTimeout(() => {
        waiters.delete(key);
        resolve(PENDING);
      }, waitMs);
      timer.unref();
      waiters.set(key, (r) => {
        clearTimeout(timer);
        waiters.delete(key);
        resolve(r);
      });
    });
  };

  return {
    count,
    async disconnect() {
      if (connected) await producer.disconnect();
      connected = null;
    },
  };
}
