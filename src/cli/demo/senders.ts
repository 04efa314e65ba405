// Where the demo's records go: the daemon's HTTP ingest (NDJSON, in requests of at most MAX_LINES records) or the
// Kafka input topics (keyed by account id, as CONTRACT §2 says). Both report the per-record outcomes they learn.
// Never: retries a rejected record, or prints the token.
import kafkajs from 'kafkajs';
import type { InputKind } from '../../events/decode-record.js';
import type { DemoRecord } from './schedule.js';

export interface SendOutcome {
  accepted: number;
  duplicate: number;
  rejected: number;
  /** The first few rejection reasons, for the summary. */
  reasons: string[];
}

export interface DemoSender {
  send(records: readonly DemoRecord[]): Promise<SendOutcome>;
  close(): Promise<void>;
}

const MAX_LINES = 1000;

export function httpSender(baseUrl: string, token: string): DemoSender {
  const base = baseUrl.replace(/\/+$/, '');
  return {
    async send(records) {
      const out: SendOutcome = { accepted: 0, duplicate: 0, rejected: 0, reasons: [] };
      for (const [kind, group] of groupByKind(records)) {
        for (let i = 0; i < group.length; i += MAX_LINES) {
          const body = group.slice(i, i + MAX_LINES).map((r) => r.line).join('\n') + '\n';
          const res = await fetch(`${base}/v1/events/${kind}`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson', accept: 'application/json' },
            body,
            signal: AbortSignal.timeout(120_000),
          });
          const text = await res.text();
          if (!res.ok) throw new Error(`POST /v1/events/${kind} answered ${res.status}: ${text.slice(0, 300)}`);
          tally(out, JSON.parse(text) as unknown);
        }
      }
      return out;
    },
    close: async () => {},
  };
}

export interface KafkaTopics {
  accounts: string;
  cdrs: string;
  invoices: string;
}

/** Creates the daemon's topics where they are missing: the inputs with `partitions` each, `account-status`
 *  compacted (CONTRACT §2: the latest status per account), the DLQ. For the walk-through; production creates its own. */
export async function createDemoTopics(brokers: string[], names: KafkaTopics & { status: string; dlq: string }, partitions = 6): Promise<string[]> {
  const kafka = new kafkajs.Kafka({ clientId: 'suspensiond-demo', brokers, logLevel: kafkajs.logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const wanted = [
      { topic: names.accounts, numPartitions: partitions },
      { topic: names.cdrs, numPartitions: partitions },
      { topic: names.invoices, numPartitions: partitions },
      { topic: names.status, numPartitions: partitions, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
      { topic: names.dlq, numPartitions: 1 },
    ].filter((t) => !existing.has(t.topic));
    if (wanted.length > 0) await admin.createTopics({ topics: wanted, waitForLeaders: false });
    return wanted.map((t) => t.topic);
  } finally {
    await admin.disconnect();
  }
}

export async function kafkaSender(brokers: string[], topics: KafkaTopics): Promise<DemoSender> {
  const kafka = new kafkajs.Kafka({ clientId: 'suspensiond-demo', brokers, logLevel: kafkajs.logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  return {
    async send(records) {
      // One topic at a time, in order, so an account's snapshot is on its topic before the CDRs that follow it.
      for (const [kind, group] of groupByKind(records)) {
        await producer.send({
          topic: topics[kind],
          acks: -1,
          messages: group.map((r) => ({ key: r.accountId, value: r.line })),
        });
      }
      // Kafka answers with offsets, not outcomes: the daemon decides later; everything sent counts as handed over.
      return { accepted: records.length, duplicate: 0, rejected: 0, reasons: [] };
    },
    close: () => producer.disconnect(),
  };
}

function groupByKind(records: readonly DemoRecord[]): Array<[InputKind, DemoRecord[]]> {
  // Consecutive runs of one kind, so the order across kinds is kept.
  const runs: Array<[InputKind, DemoRecord[]]> = [];
  for (const r of records) {
    const last = runs[runs.length - 1];
    if (last && last[0] === r.kind) last[1].push(r);
    else runs.push([r.kind, [r]]);
  }
  return runs;
}

function tally(out: SendOutcome, body: unknown): void {
  const results = Array.isArray(body) ? body : ((body as { results?: unknown[] } | null)?.results ?? []);
  for (const r of results as Array<{ outcome?: string; status?: string; error?: string; reason?: string }>) {
    const outcome = r.outcome ?? r.status;
    if (outcome === 'accepted' || outcome === 'ok') out.accepted++;
    else if (outcome === 'duplicate') out.duplicate++;
    else {
      out.rejected++;
      if (out.reasons.length < 5) out.reasons.push(r.error ?? r.reason ?? JSON.stringify(r));
    }
  }
}
