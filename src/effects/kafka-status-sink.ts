// Publishes status messages to the status topic (CONTRACT §2): key = accountId, value = the stored JSON as is.
// An idempotent producer (acks from all in-sync replicas, one request in flight) keeps each partition in outbox
// order and stops a retried request from writing a message twice. A failed producer is dropped and rebuilt on the
// next publish, so it starts with a fresh producer id. Never creates topics.
import { Kafka, logLevel, Partitioners, type KafkaConfig, type Producer } from 'kafkajs';
import type { Logger } from '../log.js';
import type { StatusSink } from './outbox-types.js';

export interface KafkaStatusSinkOptions {
  brokers: string[];
  topic: string;
  logger: Logger;
  clientId?: string;
  ssl?: boolean;
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string } | undefined;
  /** Kept well under the outbox send timeout, so kafkajs gives up before the lease could run out. */
  requestTimeoutMs?: number;
}

export function createKafkaStatusSink(opts: KafkaStatusSinkOptions): StatusSink {
  const log = opts.logger.child({ component: 'status-producer' });
  const config: KafkaConfig = {
    clientId: opts.clientId ?? 'suspensiond-status',
    brokers: opts.brokers,
    ssl: opts.ssl ?? false,
    connectionTimeout: 3_000,
    requestTimeout: opts.requestTimeoutMs ?? 10_000,
    retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 3_000 },
    logLevel: logLevel.WARN,
    logCreator: () => ({ level, log: entry }) => {
      const { message, ...rest } = entry;
      if (level <= logLevel.ERROR) log.error(rest, message);
      else log.warn(rest, message);
    },
  };
  if (opts.sasl) config.sasl = opts.sasl as KafkaConfig['sasl'];
  const kafka = new Kafka(config);
  let producer: Producer | undefined;
  let connecting: Promise<Producer> | undefined;

  const connected = (): Promise<Producer> => {
    if (producer) return Promise.resolve(producer);
    connecting ??= (async () => {
      const p = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
      try {
        await p.connect();
      } catch (err) {
        await p.disconnect().catch(() => undefined);
        throw err;
      }
      producer = p;
      return p;
    })().finally(() => {
      connecting = undefined;
    });
    return connecting;
  };

  const drop = async (): Promise<void> => {
    const p = producer;
    producer = undefined;
    await p?.disconnect().catch((err: unknown) => log.warn({ err }, 'status producer disconnect failed'));
  };

  return {
    async publish(messages) {
      if (messages.length === 0) return;
      const p = await connected();
      try {
        await p.send({
          topic: opts.topic,
          acks: -1,
          messages: messages.map((m) => ({ key: m.accountId, value: JSON.stringify(m.value) })),
        });
      } catch (err) {
        await drop();
        throw err;
      }
    },
    async close() {
      await drop();
    },
  };
}
