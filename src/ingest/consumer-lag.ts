// The consumer lag gauge (CONTRACT §7 suspensiond_consumer_lag): every few seconds, each partition's end offset
// minus the group's committed offset. Committed offsets trail the durable checkpoints, so this is the honest lag.
// Each sample also feeds the stall detector (stall-detector.ts), whose verdict goes to the
// suspensiond_partition_stalled gauge here and to /readyz through the consumer's readiness.
// Never: throws out of its timer (errors are logged), or keeps the process alive (the timer is unref'd).
import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { StallDetector } from './stall-detector.js';

export interface LagMonitor {
  start(): void;
  stop(): Promise<void>;
  sample(): Promise<void>;
}

export interface StallWatch {
  detector: StallDetector;
  /** The injected clock, in epoch ms. */
  now: () => number;
}

export function createLagMonitor(kafka: Kafka, groupId: string, topics: string[], metrics: Metrics, log: Logger, everyMs = 5_000, stall?: StallWatch): LagMonitor {
  let admin: Admin | null = null;
  let timer: NodeJS.Timeout | null = null;
  let running = false;
  const sample = async () => {
    if (!admin) {
      admin = kafka.admin();
      await admin.connect();
    }
    const committed = await admin.fetchOffsets({ groupId, topics });
    for (const t of committed) {
      const ends = await admin.fetchTopicOffsets(t.topic);
      const byPartition = new Map(t.partitions.map((p) => [p.partition, Number(p.offset)]));
      for (const e of ends) {
        const c = byPartition.get(e.partition) ?? -1;
        const low = Number(e.low);
        const pos = c < 0 ? low : c;
        metrics.setConsumerLag(t.topic, e.partition, Math.max(0, Number(e.high) - pos));
        if (stall) {
          const now = stall.now();
          stall.detector.observe({ topic: t.topic, partition: e.partition, committed: pos, end: Number(e.high) }, now);
          metrics.setPartitionStalled(t.topic, e.partition, stall.detector.isStalled(t.topic, e.partition, now));
        }
      }
    }
  };
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await sample();
    } catch (err) {
      log.debug({ err }, 'consumer lag sample failed');
    } finally {
      running = false;
    }
  };
  return {
    start() {
      if (timer) return;
      timer = setInterval(() => void tick(), everyMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      const a = admin;
      admin = null;
      if (a) await a.disconnect().catch(() => undefined);
    },
    sample,
  };
}
