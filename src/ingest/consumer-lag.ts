// The consumer lag gauge (CONTRACT §7 suspensiond_consumer_lag): every few seconds, each partition's end offset
// minus the group's committed offset. Committed offsets trail the durable checkpoints, so this is the honest lag.
// Never: throws out of its timer (errors are logged), or keeps the process alive (the timer is unref'd).
import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';

export interface LagMonitor {
  start(): void;
  stop(): Promise<void>;
  sample(): Promise<void>;
}

export function createLagMonitor(kafka: Kafka, groupId: string, topics: string[], metrics: Metrics, log: Logger, everyMs = 5_000): LagMonitor {
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
