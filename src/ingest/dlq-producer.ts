// The DLQ producer: dead letters to the DLQ topic with their original key and value bytes and the x-* headers.
// Idempotent, acks -1, so a letter the broker acknowledged survives a broker failover. Requests are split to stay
// under the broker's request limit (a near-1 MB letter goes alone). A single letter the broker still refuses as too
// large (message.max.bytes) is produced without its value, with `x-value-omitted`; dead_letters keeps the bytes.
// Never: alters the bytes it does produce.
import { Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import type { DeadLetter, DeadLetterSink } from './types.js';

/** Keep each produce request well under the broker's default 1 MB message batch limit. */
const MAX_REQUEST_BYTES = 800_000;

export interface DlqProducer extends DeadLetterSink {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
}

export function createDlqProducer(kafka: Kafka, topic: string): DlqProducer {
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  let connected: Promise<void> | null = null;
  const connect = () => (connected ??= producer.connect().catch((err) => {
    connected = null;
    throw err;
  }));
  const sendChunk = async (messages: Message[]): Promise<void> => {
    try {
      await producer.send({ topic, acks: -1, messages });
    } catch (err) {
      if ((err as { type?: string }).type !== 'MESSAGE_TOO_LARGE' || messages.length !== 1) throw err;
      const one = messages[0]!;
      const headers = { ...one.headers, 'x-value-omitted': 'larger than the DLQ topic accepts; kept in dead_letters' };
      await producer.send({ topic, acks: -1, messages: [{ key: one.key ?? null, value: null, headers }] });
    }
  };
  return {
    connect,
    async send(letters: readonly DeadLetter[]): Promise<void> {
      if (letters.length === 0) return;
      await connect();
      const chunks: Message[][] = [[]];
      let bytes = 0;
      for (const l of letters) {
        const size = (l.value?.length ?? 0) + (l.key?.length ?? 0) + 512;
        const current = chunks[chunks.length - 1]!;
        if (current.length > 0 && (bytes + size > MAX_REQUEST_BYTES || current.length >= 1000)) {
          chunks.push([]);
          bytes = 0;
        }
        chunks[chunks.length - 1]!.push({ key: l.key, value: l.value, headers: l.headers });
        bytes += size;
      }
      for (const chunk of chunks) await sendChunk(chunk);
    },
    async disconnect(): Promise<void> {
      if (connected) await producer.disconnect();
      connected = null;
    },
  };
}
