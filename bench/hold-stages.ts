// Where a hold's time goes, for ingest.ts's decision-latency run (c) on the main thread: each hold's time from
// produce to committed cut into the stages it passed, so the slow ones can be read stage by stage. It wraps, from
// the outside and without changing them, the Kafka client (kafkajs's instrumentation events: when each fetch was
// sent and answered, when each partition's batch reached eachBatch), the pipeline (when the chunk holding the CDR
// was handed to processBatch; when a deferred-checkpoint flush held the partition's lane) and the database (the
// profile queries and the commit transaction of that call, attributed to it through AsyncLocalStorage).
// The stages of one hold, all wall-clock ms (the Kafka timestamp is the producer's clock, on this machine):
//   wait for fetch  produce -> the fetch request that carried it was sent (kafkajs fetches again only when every
//                   batch of its last fetch is processed: this is the previous fetch's batches)
//   fetch           -> the answer arrived (a long poll that returns as soon as there are bytes: minBytes 1)
//   queued          -> its partition's batch reached eachBatch (behind other partitions' batches of that fetch,
//                   partitionsConsumedConcurrently at a time)
//   before chunk    -> processBatch was called with the chunk holding the CDR (earlier chunks of a big batch)
//   lane            -> part of the next stage spent waiting for a flush of the same lane (checkpoint timer)
//   evaluate        -> the batch's commit transaction began: lane wait, profile query, decode, engine, slices
//   commit          -> the transaction committed (hold, outbox, checkpoint; pool wait included)
// GC and stall columns: the collector's pauses and the event-loop stalls (> 20 ms) inside the hold's interval.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Kafka } from 'kafkajs';
import type { Pipeline } from '../src/ingest/pipeline.js';
import type { Metrics } from '../src/metrics.js';
import type { Database, Queryable } from '../src/store/db.js';

interface Call {
  partition: number;
  calledAt: number;
  queries: number;
  tx: { start: number; end: number; queries: number }[];
  decided: number[];
}

interface Hold {
  ms: number;
  stages: Record<Stage, number>;
  gcMs: number;
  stallMs: number;
  committedAt: number;
  /** Statements of the commit transaction, BEGIN and COMMIT included. */
  commitQueries: number;
}

export const STAGES = ['wait for fetch', 'fetch', 'queued', 'before chunk', 'lane', 'evaluate', 'commit', 'after'] as const;
type Stage = (typeof STAGES)[number];

const nowMs = () => performance.timeOrigin + performance.now();

export class HoldStages {
  private readonly als = new AsyncLocalStorage<Call>();
  private fetchStart = 0;
  private lastFetch = { start: 0, end: 0 };
  /** Per partition, the batches kafkajs handed over lately: offsets and when. */
  private readonly batches = new Map<number, { first: number; last: number; fetchStart: number; fetchEnd: number; startedAt: number }[]>();
  private readonly flushes = new Map<number, { start: number; end: number }[]>();
  readonly holds: Hold[] = [];
  /** GC pauses and stalls of the run, wall-clock ms (ingest.ts fills them). */
  readonly gcs: { at: number; ms: number }[] = [];
  readonly stalls: { at: number; ms: number }[] = [];
  readonly fetches: number[] = [];

  kafka(make: () => Kafka): () => Kafka {
    return () => {
      const k = make();
      const consumer = k.consumer.bind(k);
      k.consumer = (config) => {
        const c = consumer(config);
        c.on(c.events.FETCH_START, () => void (this.fetchStart = nowMs()));
        c.on(c.events.FETCH, () => {
          this.lastFetch = { start: this.fetchStart, end: nowMs() };
          this.fetches.push(this.lastFetch.end - this.lastFetch.start);
        });
        c.on(c.events.START_BATCH_PROCESS, (e) => {
          const list = this.batches.get(e.payload.partition) ?? [];
          list.push({ first: Number(e.payload.firstOffset), last: Number(e.payload.lastOffset), fetchStart: this.lastFetch.start, fetchEnd: this.lastFetch.end, startedAt: nowMs() });
          if (list.length > 20) list.shift();
          this.batches.set(e.payload.partition, list);
        });
        return c;
      };
      return k;
    };
  }

  db(db: Database): Database {
    const als = this.als;
    const wrapped: Database = Object.create(db) as Database;
    wrapped.query = (text, params) => {
      const call = als.getStore();
      if (call) call.queries++;
      return db.query(text, params);
    };
    wrapped.transaction = async <T>(fn: (tx: Queryable) => Promise<T>): Promise<T> => {
      const call = als.getStore();
      const t = { start: nowMs(), end: 0, queries: 2 };
      try {
        return await db.transaction((tx) => {
          const counted: Queryable = Object.create(tx) as Queryable;
          counted.query = (text, params) => {
            t.queries++;
            return tx.query(text, params);
          };
          return fn(counted);
        });
      } finally {
        t.end = nowMs();
        call?.tx.push(t);
      }
    };
    return wrapped;
  }

  metrics(m: Metrics): void {
    m.observeDecisionLatency = () => void this.als.getStore()?.decided.push(nowMs());
  }

  pipeline(p: Pipeline): Pipeline {
    const wrapped: Pipeline = Object.create(p) as Pipeline;
    wrapped.processBatch = (source, records) => {
      const call: Call = { partition: source.partition as number, calledAt: nowMs(), queries: 0, tx: [], decided: [] };
      return this.als.run(call, async () => {
        const result = await p.processBatch(source, records);
        let k = 0;
        for (const d of result.decisions ?? []) {
          if (d.action !== 'suspend') continue;
          const committedAt = call.decided[k++] ?? nowMs();
          this.hold(call, records[d.index]!.arrivedAtMs, Number(records[d.index]!.offset ?? -1), committedAt);
        }
        return result;
      });
    };
    wrapped.flush = async (source, full) => {
      const f = { start: nowMs(), end: 0 };
      try {
        return await p.flush(source, full);
      } finally {
        f.end = nowMs();
        const list = this.flushes.get(source.partition as number) ?? [];
        list.push(f);
        if (list.length > 20) list.shift();
        this.flushes.set(source.partition as number, list);
      }
    };
    return wrapped;
  }

  private hold(call: Call, producedAt: number, offset: number, committedAt: number): void {
    const batch = (this.batches.get(call.partition) ?? []).findLast((b) => b.first <= offset && offset <= b.last);
    const tx = call.tx.filter((t) => t.end <= committedAt + 1).at(-1);
    const fetchStart = batch?.fetchStart ?? producedAt;
    const fetchEnd = batch?.fetchEnd ?? producedAt;
    const started = batch?.startedAt ?? call.calledAt;
    const txStart = tx?.start ?? committedAt;
    const txEnd = tx?.end ?? committedAt;
    const flush = (this.flushes.get(call.partition) ?? []).find((f) => f.start <= call.calledAt + 1 && f.end > call.calledAt);
    const lane = flush ? Math.min(flush.end, txStart) - call.calledAt : 0;
    const clamp = (x: number) => Math.max(0, x);
    const stages: Record<Stage, number> = {
      'wait for fetch': clamp(fetchStart - producedAt),
      fetch: clamp(fetchEnd - Math.max(fetchStart, producedAt)),
      queued: clamp(started - fetchEnd),
      'before chunk': clamp(call.calledAt - started),
      lane: clamp(lane),
      evaluate: clamp(txStart - call.calledAt - clamp(lane)),
      commit: clamp(txEnd - txStart),
      after: clamp(committedAt - txEnd),
    };
    const within = (xs: { at: number; ms: number }[]) => xs.reduce((s, x) => s + clamp(Math.min(x.at + x.ms, committedAt) - Math.max(x.at, producedAt)), 0);
    this.holds.push({ ms: committedAt - producedAt, stages, gcMs: within(this.gcs), stallMs: within(this.stalls), committedAt, commitQueries: tx?.queries ?? 0 });
  }

  /**
   * Mean of each stage over the holds produced from `t0` on (epoch ms; earlier ones are the warm-up's), the slowest
   * 10% and the slowest 1%, and the slowest holds one by one.
   */
  report(t0: number): string {
    const hs = this.holds.filter((h) => h.committedAt - h.ms >= t0).sort((a, b) => a.ms - b.ms);
    if (hs.length === 0) return '    stages: no holds traced';
    const mean = (xs: Hold[], f: (h: Hold) => number) => (xs.length ? xs.reduce((s, h) => s + f(h), 0) / xs.length : 0);
    const groups: [string, Hold[]][] = [
      ['all', hs], ['slowest 10%', hs.slice(Math.floor(hs.length * 0.9))], ['slowest 1%', hs.slice(Math.floor(hs.length * 0.99))],
    ];
    const cols = [...STAGES, 'GC in it', 'stalls in it'];
    const row = (f: (h: Hold) => number[]) => (xs: Hold[]) => f(xs[0]!).map((_, i) => mean(xs, (h) => f(h)[i]!).toFixed(0));
    const vals = row((h) => [h.ms, ...STAGES.map((s) => h.stages[s]), h.gcMs, h.stallMs]);
    const lines = [`    stages, mean ms (hold | ${cols.join(' | ')}):`];
    for (const [name, xs] of groups) lines.push(`      ${name} (${xs.length}): ${vals(xs).join(' | ')}`);
    const f = [...this.fetches].sort((a, b) => a - b);
    lines.push(`      fetches: ${f.length}, duration p50 ${f[Math.floor(f.length / 2)]?.toFixed(0)} ms, p99 ${f[Math.floor(f.length * 0.99)]?.toFixed(0)} ms; ` +
      `statements per commit transaction: mean ${mean(hs, (h) => h.commitQueries).toFixed(1)}`);
    for (const h of hs.slice(-5).reverse()) {
      lines.push(`      ${h.ms.toFixed(0)} ms at +${((h.committedAt - t0) / 1000).toFixed(1)} s: ${STAGES.map((s) => `${s} ${h.stages[s].toFixed(0)}`).join(', ')}; GC ${h.gcMs.toFixed(0)}, stalls ${h.stallMs.toFixed(0)}`);
    }
    return lines.join('\n');
  }
}
