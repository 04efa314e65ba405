// The traffic of ingest.ts's decision-latency run (c), in a process of its own so that building and sending it does
// not hold the measured pipeline's event loop (in the same process, generating each second's 5,000 CDRs was a
// 50-120 ms stall at the top of every second, right when the previous second's hold was being decided). From
// START (epoch ms): RATE CDR/s of ordinary traffic for LATENCY_SECONDS, sent in 10 parts a second, each generated
// just before it is sent; every second one fresh account dials an IRSF burst (3 calls to +882, in the last part).
// Run by ingest.ts: TOPIC, RATE, LATENCY_SECONDS, START, KAFKA_BROKERS.
import { Kafka, logLevel } from 'kafkajs';
import { cdr } from '../test/helpers/traffic.js';
import { cdrMessage, generateCdrs } from '../test/integration/ingest/wire.js';

const topic = process.env.TOPIC!;
const RATE = Number(process.env.RATE ?? 5_000);
const SECONDS = Number(process.env.LATENCY_SECONDS ?? 20);
const start = Number(process.env.START);
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

const producer = new Kafka({ clientId: `bench-latency-producer-${process.pid}`, brokers, logLevel: logLevel.NOTHING }).producer({ idempotent: true });
await producer.connect();
const sleepUntil = async (t: number) => {
  const wait = t - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
};
await sleepUntil(start);
for (let sec = 0; sec < SECONDS; sec++) {
  const tick = start + sec * 1000;
  // The same CDRs as generateCdrs({ n: RATE - 3, seed: 100 + sec }) in one go, a tenth at a time.
  const ordinary = generateCdrs({ n: RATE - 3, accounts: 20_000, startMs: tick - 600_000, seed: 100 + sec, stepMs: 0, prefix: `lat${sec}` });
  for (let k = 0; k < 10; k++) {
    const part = ordinary.slice((k * ordinary.length) / 10, ((k + 1) * ordinary.length) / 10).map(cdrMessage);
    if (k === 9) {
      for (let i = 0; i < 3; i++) {
        part.push(cdrMessage(cdr({ id: `irsf-${sec}-${i}`, accountId: `victim-${sec}`, callee: `+88213000${100 + i}`, startedAt: tick - 120_000 + i * 1000, durationSec: 30 })));
      }
    }
    await producer.send({ topic, acks: -1, messages: part });
    await sleepUntil(tick + (k + 1) * 100);
  }
}
await producer.disconnect();
