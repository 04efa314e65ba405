// Kafka helpers for integration tests: the broker list from the global setup, quiet kafkajs clients,
// unique topic/group names and topic creation through the admin API.
// Never: auto-creates topics implicitly (the broker has auto.create.topics.enable=false), or reuses names
// across tests (every test makes its own with uniqueName()).
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import { inject } from 'vitest';

export interface TopicSpec {
  topic: string;
  numPartitions: number;
}

/** The broker list provided by test/global-setup.ts (`host:port[,host:port]`), as an array. */
export function testBrokers(): string[] {
  return parseBrokers(inject('kafkaBrokers'));
}

export function parseBrokers(brokers: string | string[]): string[] {
  const list = Array.isArray(brokers) ? brokers : brokers.split(',');
  return list.map((b) => b.trim()).filter((b) => b.length > 0);
}

/** A name unique to this run: `${prefix}-<time>-<random>`, valid as a Kafka topic or group id. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** A kafkajs client that logs only warnings and errors (or nothing), with short test-friendly retries. */
export function createKafka(
  brokers: string | string[],
  options: { clientId?: string; quiet?: boolean } & Partial<KafkaConfig> = {},
): Kafka {
  const { clientId, quiet, ...rest } = options;
  return new Kafka({
    clientId: clientId ?? uniqueName('test'),
    brokers: parseBrokers(brokers),
    logLevel: quiet === false ? logLevel.WARN : logLevel.NOTHING,
    connectionTimeout: 5_000,
    requestTimeout: 30_000,
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2_000 },
    ...rest,
  });
}

/**
 * Creates the topics (replication factor 1) and waits until every partition has a leader in the metadata.
 * kafkajs's own `waitForLeaders` gives up when the broker briefly answers UNKNOWN_TOPIC_OR_PARTITION for a topic
 * it has just created (a KRaft metadata-propagation race seen in CI), so the wait is our own poll.
 */
export async function createTopics(brokers: string | string[], topics: TopicSpec[], timeoutMs = 30_000): Promise<void> {
  const admin = createKafka(brokers, { clientId: 'test-admin' }).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: false,
      topics: topics.map((t) => ({ topic: t.topic, numPartitions: t.numPartitions, replicationFactor: 1 })),
    });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let lastProblem: string;
      try {
        const { topics: meta } = await admin.fetchTopicMetadata({ topics: topics.map((t) => t.topic) });
        const ready = topics.every((t) => {
          const m = meta.find((x) => x.name === t.topic);
          return m !== undefined && m.partitions.length === t.numPartitions && m.partitions.every((p) => p.leader >= 0);
        });
        if (ready) return;
        lastProblem = 'leaders not yet known';
      } catch (err) {
        lastProblem = err instanceof Error ? err.message : String(err);
      }
      if (Date.now() > deadline) {
        throw new Error(`topics ${topics.map((t) => t.topic).join(', ')} not ready after ${timeoutMs} ms: ${lastProblem}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await admin.disconnect();
  }
}

/** Deletes topics, ignoring ones that do not exist. For tests that clean up after themselves. */
export async function deleteTopics(brokers: string | string[], topics: string[]): Promise<void> {
  const admin = createKafka(brokers, { clientId: 'test-admin' }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const doomed = topics.filter((t) => existing.has(t));
    if (doomed.length > 0) await admin.deleteTopics({ topics: doomed });
  } finally {
    await admin.disconnect();
  }
}

/** The five topics a whole daemon reads and writes (CONTRACT §2), each under a name unique to this run. */
export interface DaemonTopics {
  accounts: string;
  cdrs: string;
  invoices: string;
  status: string;
  dlq: string;
}

export function daemonTopicNames(): DaemonTopics {
  return { accounts: uniqueName('accounts'), cdrs: uniqueName('cdrs'), invoices: uniqueName('invoices'), status: uniqueName('status'), dlq: uniqueName('dlq') };
}

/** Creates a daemon's five topics; a topic not named in `partitions` gets one partition. */
export async function createDaemonTopics(
  brokers: string | string[],
  topics: DaemonTopics,
  partitions: Partial<Record<keyof DaemonTopics, number>> = {},
): Promise<void> {
  const names = Object.keys(topics) as (keyof DaemonTopics)[];
  await createTopics(brokers, names.map((k) => ({ topic: topics[k], numPartitions: partitions[k] ?? 1 })));
}

/** The daemon's configuration for those topics (TOPIC_*). */
export function daemonTopicEnv(topics: DaemonTopics): Record<string, string> {
  return {
    TOPIC_ACCOUNTS: topics.accounts,
    TOPIC_CDRS: topics.cdrs,
    TOPIC_INVOICES: topics.invoices,
    TOPIC_STATUS: topics.status,
    TOPIC_DLQ: topics.dlq,
  };
}
