// The Kafka runtime of the pipeline: one consumer group on the accounts, cdrs and invoices topics. Per partition
// the durable truth is the PostgreSQL checkpoint, not the Kafka committed offset: on the first batch after an
// assignment the partition is positioned at its checkpoint (seek), messages the checkpoint covers are skipped, and
// Kafka offsets are committed only up to durable checkpoints (for lag and quick restarts). After a checkpoint
// conflict the partition seeks to the checkpoint its lane reloaded at, at once; a batch fetched before that and
// already queued behind the lane is refused by the pipeline, so no record between the two is skipped.
// Outages: a failing batch pauses its partition (nothing committed), retries with backoff and resumes from the
// checkpoint; kafkajs reconnects to the broker itself; a crash it will not restart rebuilds the consumer.
// A partition that has lag but whose committed offset has not moved for `stallAfterMs` is reported on /readyz and
// in suspensiond_partition_stalled (stall-detector.ts, fed by the lag monitor).
// Never: commits an offset beyond a durable checkpoint, or lets bad input stop consumption (the pipeline
// dead-letters it; only a retryable error -- database or broker unavailable -- pauses a partition).
import type { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import type { InputKind } from '../events/decode-record.js';
import type { Logger } from '../log.js';
import { createLagMonitor, type LagMonitor } from './consumer-lag.js';
import { isRetryableIngestError } from './error-kinds.js';
import type { Pipeline } from './pipeline.js';
import { StallDetector } from './stall-detector.js';
import { CheckpointConflictError, type Headers, type RawRecord, type Source } from './types.js';

export interface KafkaIngestOptions {
  /** A factory, so a crashed consumer can be rebuilt on a fresh client. */
  kafka: () => Kafka;
  groupId: string;
  topics: { accounts: string; cdrs: string; invoices: string };
  pipeline: Pipeline;
  log: Logger;
  metrics: Parameters<typeof createLagMonitor>[3];
  /**
   * Partitions processed at once (their lanes are independent). Default 16: every partition a member usually owns.
   * kafkajs fetches again only when every batch of its last fetch is done, so with fewer the batches of one fetch
   * went in rounds, and a CDR that just missed a fetch waited for all the rounds (bench/README.md, Ingest, "Decision
   * latency at 5,000 CDR/s: where a hold's time goes").
   */
  concurrency?: number;
  /** How often deferred checkpoints are written and committed. Default 2 s. */
  flushIntervalMs?: number;
  /** Records per pipeline call inside one fetched batch (heartbeats in between). Default 2000. */
  chunkSize?: number;
  /** The most bytes one fetch returns per partition. Default 2 MB. */
  maxBytesPerPartition?: number;
  lagIntervalMs?: number;
  /** Group session timeout: how long a dead member holds its partitions. Default 30 s (kafkajs). */
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** A partition with lag whose committed offset has not moved for this long is stalled (STALL_AFTER). Default 5 min. */
  stallAfterMs?: number;
  /** The injected clock, in epoch ms (stall times). Default Date.now. */
  now?: () => number;
}

export interface KafkaIngest {
  start(): Promise<void>;
  stop(): Promise<void>;
  readiness(): { ready: boolean; reasons: string[] };
  /** Crashes kafkajs reported, and how many of them rebuilt the consumer. */
  stats(): { crashes: number; rebuilds: number; pausedBatches: number };
}

/** The headers of every message without any: one frozen object (kafkajs gives each message an empty one). */
const NO_HEADERS: Headers = Object.freeze({}) as Headers;

function headersOf(h: IHeaders | undefined): Headers | undefined {
  if (!h) return undefined;
  let out: Headers | null = null;
  // for-in over own keys: the usual message has no headers, and this allocates nothing for it.
  for (const k in h) {
    if (!Object.hasOwn(h, k)) continue;
    const v = h[k];
    if (v === undefined) continue;
    (out ??= {})[k] = Array.isArray(v) ? v.map(String).join(',') : Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
  }
  return out ?? NO_HEADERS;
}

function toRaw(m: KafkaMessage, nowMs: number): RawRecord {
  // Arrival is the broker's timestamp (produce time), so decision latency includes time spent queued in Kafka.
  const ts = Number(m.timestamp);
  return { offset: Number(m.offset), key: m.key, value: m.value, headers: headersOf(m.headers), arrivedAtMs: ts > 0 && ts <= nowMs ? ts : nowMs };
}

export function createKafkaIngest(opts: KafkaIngestOptions): KafkaIngest {
  const kindOf = new Map<string, InputKind>([
    [opts.topics.accounts, 'accounts'],
    [opts.topics.cdrs, 'cdrs'],
    [opts.topics.invoices, 'invoices'],
  ]);
  const topics = [...kindOf.keys()];
  const chunkSize = opts.chunkSize ?? 2000;
  const log = opts.log.child({ component: 'kafka-ingest' });
  /** Partitions positioned at their checkpoint since their assignment. */
  const positioned = new Set<string>();
  /** Kafka partitions this member works on: `${topic}:${partition}` -> source. */
  const owned = new Map<string, Source>();
  const committed = new Map<string, number>();
  const reasons = new Map<string, string>([['kafka', 'kafka: joining the consumer group']]);
  const backoff = new Map<string, number>();
  const inFlight = new Set<Promise<unknown>>();
  let consumer: Consumer | null = null;
  let lag: LagMonitor | null = null;
  let flushTimer: NodeJS.Timeout | null = null;
  let retrying: Promise<void> | null = null;
  let cancelRetry: (() => void) | null = null;
  let state: 'idle' | 'running' | 'stopping' | 'stopped' = 'idle';
  const counters = { crashes: 0, rebuilds: 0, pausedBatches: 0 };
  const stalls = new StallDetector(opts.stallAfterMs ?? 300_000);
  const now = opts.now ?? Date.now;

  const sourceOf = (topic: string, partition: number): Source => ({ kind: kindOf.get(topic)!, topicName: topic, partition });

  /** Per partition, the last offset commit asked for: each waits for the one before, so offsets only move on. */
  const committing = new Map<string, Promise<void>>();
  /** Per partition, the newest offset a batch asked to commit. */
  const wanted = new Map<string, number>();

  /**
   * Commits `durable` after the partition's earlier commits. The batch path does not wait for it (the committed
   * offset is for lag and quick restarts; the checkpoint is the truth): a broker round trip per batch that placed a
   * hold held kafkajs's next fetch, and so every partition's next CDRs.
   */
  function commit(c: Consumer, source: Source, durable: number | null): Promise<void> {
    const key = `${source.topicName}:${source.partition}`;
    if (durable === null) return Promise.resolve();
    // Each queued commit sends the newest offset asked for when its turn comes, so commits queued behind a slow
    // broker cost one round trip in all, not one each (commitNow skips an offset already committed).
    wanted.set(key, durable);
    const run = (committing.get(key) ?? Promise.resolve()).then(() => commitNow(c, source, wanted.get(key) ?? durable));
    committing.set(key, run);
    inFlight.add(run);
    void run.finally(() => {
      inFlight.delete(run);
      if (committing.get(key) === run) committing.delete(key);
    });
    return run;
  }

  async function commitNow(c: Consumer, source: Source, durable: number): Promise<void> {
    const key = `${source.topicName}:${source.partition}`;
    if (committed.get(key) === durable) return;
    try {
      await c.commitOffsets([{ topic: source.topicName, partition: source.partition as number, offset: String(durable) }]);
      committed.set(key, durable);
    } catch (err) {
      log.debug({ err, topic: source.topicName, partition: source.partition }, 'offset commit failed (rebalance?)');
    }
  }

  /**
   * A failed batch or checkpoint: the lane's in-memory state is gone and kafkajs's position may be ahead of the
   * checkpoint, with nothing left to fetch that would trigger a seek. So: pause the partition, and retry with
   * backoff to load the checkpoint, seek to it, and resume.
   */
  function pauseAndRetry(c: Consumer, source: Source, err: unknown): void {
    const key = `${source.topicName}:${source.partition}`;
    const tp = { topic: source.topicName, partitions: [source.partition as number] };
    counters.pausedBatches++;
    const message = err instanceof Error ? err.message : String(err);
    const code = (err as { code?: string }).code;
    // The pipeline isolates record-level failures itself: what reaches here is a dependency outage (retryable), or
    // a failure of the batch's own bookkeeping, which the stall detector makes visible if it persists.
    const what = isRetryableIngestError(err) ? 'database or broker unavailable' : 'batch failed';
    reasons.set(key, `${what} on ${key}: ${code && !message.includes(code) ? `${code} ` : ''}${message}`);
    log.error({ err, topic: source.topicName, partition: source.partition }, `${what}: partition paused`);
    positioned.delete(key);
    c.pause([tp]);
    const retry = () => {
      const delay = Math.min(30_000, (backoff.get(key) ?? 250) * 2);
      backoff.set(key, delay);
      const t = setTimeout(() => {
        if (state !== 'running' || consumer !== c) return;
        void opts.pipeline.prepare(source).then(
          (next) => {
            c.seek({ topic: source.topicName, partition: source.partition as number, offset: String(next ?? 0) });
            positioned.add(key);
            c.resume([tp]);
            reasons.delete(key);
            log.info({ topic: source.topicName, partition: source.partition, offset: next }, 'partition resumed from its checkpoint');
          },
          (e: unknown) => {
            reasons.set(key, `database unavailable on ${key}: ${e instanceof Error ? e.message : String(e)}`);
            retry();
          },
        );
      }, delay);
      t.unref();
    };
    retry();
  }

  async function eachBatch(c: Consumer, p: EachBatchPayload): Promise<void> {
    const { batch } = p;
    const source = sourceOf(batch.topic, batch.partition);
    const key = `${batch.topic}:${batch.partition}`;
    if (batch.messages.length === 0 || !p.isRunning() || p.isStale() || state !== 'running') return;
    reasons.delete('kafka');
    owned.set(key, source);
    try {
      if (!positioned.has(key)) {
        const next = await opts.pipeline.prepare(source);
        positioned.add(key);
        if (next !== null && Number(batch.firstOffset()) !== next) {
          log.info({ topic: batch.topic, partition: batch.partition, from: batch.firstOffset(), to: next }, 'seeking to checkpoint');
          c.seek({ topic: batch.topic, partition: batch.partition, offset: String(next) });
          return;
        }
      }
      for (let i = 0; i < batch.messages.length; i += chunkSize) {
        if (!p.isRunning() || p.isStale()) return;
        const arrivedBy = Date.now();
        const end = Math.min(batch.messages.length, i + chunkSize);
        const raw: RawRecord[] = new Array(end - i);
        for (let k = i; k < end; k++) raw[k - i] = toRaw(batch.messages[k]!, arrivedBy);
        const res = await opts.pipeline.processBatch(source, raw);
        p.resolveOffset(batch.messages[end - 1]!.offset);
        void commit(c, source, res.durableOffset);
        await p.heartbeat();
      }
      backoff.delete(key);
    } catch (err) {
      if (err instanceof CheckpointConflictError) {
        log.warn({ topic: batch.topic, partition: batch.partition }, err.message);
        positioned.delete(key);
        // Seek to the reloaded checkpoint now rather than on the next batch, which may not come: kafkajs has
        // fetched past the records the lane must apply again. The seek marks batches fetched before it stale; any
        // already queued behind the lane are refused by it (pipeline.ts). The next batch positions again.
        // (Not for a partition revoked meanwhile: that would load a lane nobody releases.)
        if (!owned.has(key)) return;
        try {
          const next = await opts.pipeline.prepare(source);
          if (next !== null && p.isRunning() && state === 'running') c.seek({ topic: batch.topic, partition: batch.partition, offset: String(next) });
        } catch (e) {
          pauseAndRetry(c, source, e);
        }
        return;
      }
      pauseAndRetry(c, source, err);
    }
  }

  /** The timer writes deferred effects checkpoints (and the engine state when due); `full` at stop writes the state. */
  async function flushOwned(c: Consumer, full = false): Promise<void> {
    for (const source of owned.values()) {
      try {
        await commit(c, source, await opts.pipeline.flush(source, full));
      } catch (err) {
        pauseAndRetry(c, source, err);
      }
    }
  }

  async function onAssignment(c: Consumer, assigned: Record<string, number[]>): Promise<void> {
    const now = new Set(Object.entries(assigned).flatMap(([t, ps]) => ps.map((p) => `${t}:${p}`)));
    for (const [key, source] of [...owned]) {
      if (now.has(key)) continue;
      // Revoked: write what we have (fenced if the new owner already moved on) and drop the engine.
      owned.delete(key);
      positioned.delete(key);
      committed.delete(key);
      wanted.delete(key);
      await opts.pipeline.release(source).catch((err) => log.warn({ err, key }, 'flush on revocation failed'));
    }
    for (const key of now) positioned.delete(key);
    // A partition whose engine state is behind its effects offset (the last owner crashed) is fetched from the
    // state offset now, so its engine is rebuilt and stored even if no new record arrives (the committed offset is
    // the effects offset, which would fetch nothing). The first batch still checks where it starts (eachBatch).
    for (const [topic, partitions] of Object.entries(assigned)) {
      for (const partition of partitions) {
        const source = sourceOf(topic, partition);
        if (source.kind !== 'cdrs' || state !== 'running') continue;
        try {
          const from = await opts.pipeline.rebuildFrom(source);
          if (from !== null) {
            log.info({ topic, partition, from }, 'rebuilding the engine state from the state offset');
            c.seek({ topic, partition, offset: String(from) });
          }
        } catch (err) {
          log.warn({ err, topic, partition }, 'could not load the checkpoint on assignment; the first batch will');
        }
      }
    }
  }

  async function build(): Promise<void> {
    const c = opts.kafka().consumer({
      groupId: opts.groupId,
      allowAutoTopicCreation: false,
      maxBytesPerPartition: opts.maxBytesPerPartition ?? 2 * 1024 * 1024,
      ...(opts.sessionTimeoutMs ? { sessionTimeout: opts.sessionTimeoutMs } : {}),
      ...(opts.heartbeatIntervalMs ? { heartbeatInterval: opts.heartbeatIntervalMs } : {}),
    });
    consumer = c;
    c.on(c.events.GROUP_JOIN, (e) => {
      reasons.delete('kafka');
      const track = onAssignment(c, e.payload.memberAssignment);
      inFlight.add(track);
      void track.finally(() => inFlight.delete(track));
    });
    c.on(c.events.CRASH, (e) => {
      const { error, restart } = e.payload;
      counters.crashes++;
      reasons.set('kafka', `kafka consumer crashed: ${error.message}`);
      log.error({ err: error, restart }, 'kafka consumer crashed');
      if (!restart && state === 'running' && consumer === c) {
        consumer = null;
        counters.rebuilds++;
        void c.disconnect().catch(() => undefined).then(() => (state === 'running' ? build() : undefined)).catch((err) => log.error({ err }, 'rebuilding the consumer failed'));
      }
    });
    c.on(c.events.DISCONNECT, () => {
      if (state === 'running') reasons.set('kafka', 'kafka: disconnected from the broker');
    });
    await c.connect();
    await c.subscribe({ topics, fromBeginning: true });
    // Stopped while connecting: leave instead of joining the group with nobody to flush our partitions.
    if (state !== 'running') {
      if (consumer === c) consumer = null;
      await c.disconnect().catch(() => undefined);
      return;
    }
    await c.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: opts.concurrency ?? 16,
      eachBatch: (p) => {
        const run = eachBatch(c, p);
        inFlight.add(run);
        return run.finally(() => inFlight.delete(run));
      },
    });
  }

  return {
    async start() {
      if (state !== 'idle') return;
      state = 'running';
      // A broker that is down at start must not stop the daemon: the first attempt is awaited (so a reachable
      // broker behaves as before), later ones run in the background with backoff; /readyz says why meanwhile.
      const attempt = async (n: number): Promise<boolean> => {
        try {
          await build();
          return true;
        } catch (err) {
          const c = consumer;
          consumer = null;
          await c?.disconnect().catch(() => undefined);
          const delay = Math.min(30_000, 1_000 * 2 ** Math.min(n, 5));
          reasons.set('kafka', `kafka: cannot connect to the broker (${(err as Error).message}); retrying in ${Math.round(delay / 1000)}s`);
          log.error({ err, attempt: n }, 'kafka consumer could not connect; retrying');
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, delay);
            t.unref();
            cancelRetry = () => {
              clearTimeout(t);
              resolve();
            };
          });
          cancelRetry = null;
          return false;
        }
      };
      if (!(await attempt(0))) {
        retrying = (async () => {
          for (let n = 1; state === 'running'; n++) if (await attempt(n)) break;
        })().catch((err: unknown) => log.error({ err }, 'kafka consumer start failed'));
      }
      const k = opts.kafka();
      lag = createLagMonitor(k, opts.groupId, topics, opts.metrics, log, opts.lagIntervalMs, { detector: stalls, now });
      lag.start();
      flushTimer = setInterval(() => {
        if (consumer && state === 'running') void flushOwned(consumer);
      }, opts.flushIntervalMs ?? 2_000);
      flushTimer.unref();
    },
    async stop() {
      if (state !== 'running') return;
      state = 'stopping';
      if (flushTimer) clearInterval(flushTimer);
      // A connection still being retried ends first, so no consumer is left behind in the group.
      cancelRetry?.();
      // A connection attempt still in flight leaves by itself when it finishes (see build); wait only briefly.
      await Promise.race([retrying, new Promise((r) => setTimeout(r, 1_000).unref())]);
      const c = consumer;
      // Stop taking batches, finish the ones in hand, checkpoint and commit while still a group member, then leave.
      if (c) c.pause(topics.map((topic) => ({ topic })));
      await Promise.allSettled([...inFlight]);
      if (c) await flushOwned(c, true);
      await lag?.stop();
      if (c) {
        await c.stop().catch(() => undefined);
        await c.disconnect().catch(() => undefined);
      }
      consumer = null;
      state = 'stopped';
    },
    stats: () => ({ ...counters }),
    readiness() {
      const list = [...reasons.values()];
      // The gauge covers every partition of the group; readiness names the stalled ones this member owns.
      for (const s of stalls.stalled(now())) {
        if (!owned.has(`${s.topic}:${s.partition}`)) continue;
        list.push(`partition ${s.topic}:${s.partition} stalled: ${s.lag} records of lag and no progress for ${Math.round(s.stalledForMs / 1000)}s`);
      }
      return { ready: list.length === 0 && state === 'running', reasons: state === 'running' ? list : [`kafka ingest ${state}`] };
    },
  };
}
