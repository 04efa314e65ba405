// Proves kafkajs 2.2.4 works against the real Kafka 4.x broker the global setup provides: admin topic
// creation, idempotent produce with acks=-1, consumer-group consumption with committed offsets that a restarted
// consumer resumes from, and end offsets through admin.fetchTopicOffsets. Creates only uniquely named topics.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Consumer, EachMessagePayload, Kafka } from 'kafkajs';
import { createKafka, createTopics, deleteTopics, testBrokers, uniqueName } from '../helpers/kafka.js';

interface Seen {
  partition: number;
  offset: string;
  key: string;
}

/** Runs a consumer in `groupId` until `count` messages arrived, commits them, and disconnects. */
async function consumeExactly(kafka: Kafka, topic: string, groupId: string, count: number): Promise<Seen[]> {
  const consumer: Consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  const seen: Seen[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`saw ${seen.length}/${count} messages in 60s`)), 60_000);
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }: EachMessagePayload) => {
            seen.push({ partition, offset: message.offset, key: message.key?.toString() ?? '' });
            await consumer.commitOffsets([
              { topic, partition, offset: (BigInt(message.offset) + 1n).toString() },
            ]);
            if (seen.length >= count) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

describe('kafkajs 2.2.4 against the Kafka 4.x test broker', () => {
  const brokers = testBrokers();
  const kafka = createKafka(brokers);
  const topic = uniqueName('broker-test');
  const groupId = uniqueName('broker-test-group');
  const keys = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `acct-${from + i}`);

  async function produce(messageKeys: string[]): Promise<void> {
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      await producer.send({
        topic,
        acks: -1,
        messages: messageKeys.map((key) => ({ key, value: JSON.stringify({ key }) })),
      });
    } finally {
      await producer.disconnect();
    }
  }

  beforeAll(async () => {
    await createTopics(brokers, [{ topic, numPartitions: 6 }]);
  });

  afterAll(async () => {
    await deleteTopics(brokers, [topic]);
  });

  it('creates a topic with six partitions through the admin API', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(topics[0]?.partitions).toHaveLength(6);
      expect(topics[0]?.partitions.every((p) => p.leader === 1)).toBe(true);
    } finally {
      await admin.disconnect();
    }
  });

  it('consumes every produced message once, and a restarted group member resumes after the committed offset', async () => {
    await produce(keys(0, 60));
    const first = await consumeExactly(kafka, topic, groupId, 60);
    expect(new Set(first.map((m) => m.key))).toEqual(new Set(keys(0, 60)));

    await produce(keys(60, 90));
    const second = await consumeExactly(kafka, topic, groupId, 30);
    // Only the new messages: nothing before the committed offsets is delivered again.
    expect(second.map((m) => m.key).sort()).toEqual(keys(60, 90).sort());

    const admin = kafka.admin();
    await admin.connect();
    try {
      const ends = await admin.fetchTopicOffsets(topic);
      expect(ends).toHaveLength(6);
      const total = ends.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
      expect(total).toBe(90);
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const byPartition = new Map(committed!.partitions.map((p) => [p.partition, p.offset]));
      for (const end of ends) {
        // Partitions that got no message have no commit (-1); the others are committed up to the end.
        const expected = end.high === '0' ? '-1' : end.high;
        expect(byPartition.get(end.partition)).toBe(expected);
      }
    } finally {
      await admin.disconnect();
    }
  });

  it('spreads keyed messages over the partitions with the default partitioner', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const ends = await admin.fetchTopicOffsets(topic);
      const used = ends.filter((p) => Number(p.high) > 0).length;
      expect(used).toBeGreaterThanOrEqual(4);
    } finally {
      await admin.disconnect();
    }
  });
});
