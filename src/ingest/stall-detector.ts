// Stalled partitions (issue 11): a partition whose committed offset has not moved for `stallAfterMs` while records
// wait behind it. Fed by the lag monitor's samples (committed offset and end offset per partition) with the time of
// each sample from the injected clock; answers which partitions are stalled and since when. A partition with no
// lag is never stalled (nothing to do is not a stall), and any move of its committed offset restarts the wait.
// Pure: no I/O, no clock of its own. Never: decides what to do about a stall (readiness, metrics and alerts do).

export interface PartitionSample {
  topic: string;
  partition: number;
  /** The group's committed offset (the durable checkpoint the consumer committed). */
  committed: number;
  /** The partition's end offset (high watermark). */
  end: number;
}

export interface Stall {
  topic: string;
  partition: number;
  lag: number;
  /** How long the committed offset has not moved while there was lag. */
  stalledForMs: number;
}

interface Watch {
  committed: number;
  lag: number;
  /** When the committed offset last moved, or the lag was last zero. */
  sinceMs: number;
}

export class StallDetector {
  private readonly watches = new Map<string, Watch & { topic: string; partition: number }>();

  constructor(private readonly stallAfterMs: number) {}

  observe(sample: PartitionSample, nowMs: number): void {
    const key = `${sample.topic}:${sample.partition}`;
    const lag = Math.max(0, sample.end - sample.committed);
    const w = this.watches.get(key);
    if (!w || w.committed !== sample.committed || lag === 0) {
      this.watches.set(key, { topic: sample.topic, partition: sample.partition, committed: sample.committed, lag, sinceMs: nowMs });
    } else {
      w.lag = lag;
    }
  }

  /** Forgets partitions no longer sampled (a topic removed from the subscription). */
  forget(topic: string, partition: number): void {
    this.watches.delete(`${topic}:${partition}`);
  }

  isStalled(topic: string, partition: number, nowMs: number): boolean {
    const w = this.watches.get(`${topic}:${partition}`);
    return w !== undefined && w.lag > 0 && nowMs - w.sinceMs >= this.stallAfterMs;
  }

  stalled(nowMs: number): Stall[] {
    const out: Stall[] = [];
    for (const w of this.watches.values()) {
      if (w.lag > 0 && nowMs - w.sinceMs >= this.stallAfterMs) out.push({ topic: w.topic, partition: w.partition, lag: w.lag, stalledForMs: nowMs - w.sinceMs });
    }
    return out.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
  }
}
