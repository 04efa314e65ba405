// The traffic of ingest.ts's decision-latency run (c), in a process of its own so that building and sending it does
// not hold the measured pipeline's event loop (in the same process, generating each second's 5,000 CDRs was a
// 50-120 ms stall at the top of every second, right when the previous second's hold was being decided). From
// START (epoch ms): RATE CDR/s of ordinary traffic for LATENCY_SECONDS, sent in 10 parts a second, each generated
// just before it is sent; every second ATTACKS fresh accounts (default 1) each dial an IRSF burst (3 calls to +882),
// spread over the parts: with 1, in the last part (the traffic of every run before 30 November, 07:00 UTC); with 10,
// one in each part, so the holds sample every phase of the consumer's fetch cycle. The ordinary traffic is
// RATE - 3 x ATTACKS CDR/s, so the total stays RATE.
// Run by ingest.ts: TOPIC, RATE, LATENCY_SECONDS, START, KAFKA_BROKERS, ATTACKS.
import { Kafka, logLevel } from 'kafkajs';
import { cdr } from '../test/helpers/traffic.js';
import { cdrMessage, generateCdrs } from '../test/integration/ingest/wire.js';

const topic = process.env.TOPIC!;
const RATE = Number(process.env.RATE ?? 5_000);
const SECONDS = Number(process.env.LATENCY_SECONDS ?? 20);
const start = Number(process.env.START);
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const ATTACKS = Number(process.env.ATTACKS ?? 1);
/** The part (0-9) of a second that attack j of ATTACKS goes in: the last part first, then spread back over the second. */
const partOf = (j: number) => 9 - Math.floor((j * 10) / ATTACKS);

const producer = new Kafka({ clientId: `bench-latency-producer-${process.pid}`, brokers, logLevel: logLevel.NOTHING }).producer({ idempotent: true });
await producer.connect();
const sleepUntil = async (t: number) => {
  const wait = t - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
};
await sleepUntil(start);
for (let sec = 0; sec < SECONDS; sec++) {
  const tick = start + sec * 1000;
  // The same CDRs as generateCdrs({ n: RATE - 3 x ATTACKS, seed: 100 + sec }) in one go, a tenth at a time.
  const ordinary = generateCdrs({ n: RATE - 3 * ATTACKS, accounts: 20_000, startMs: tick - 600_000, seed: 100 + sec, stepMs: 0, prefix: `lat${sec}` });
  for (let k = 0; k < 10; k++) {
    const part = ordinary.slice((k * ordinary.length) / 10, ((k + 1) * ordinary.length) / 10).map(cdrMessage);
    for (let j = 0; j < ATTACKS; j++) {
      if (partOf(j) !== k) continue;
      // Attack 0 keeps the names of the single-attack traffic, so ATTACKS=1 sends the same CDRs as before.
      const name = j === 0 ? `${sec}` : `${sec}-${j}`;
      for (let i = 0; i < 3; i++) {
        part.push(cdrMessage(cdr({ id: `irsf-${name}-${i}`, accountId: `victim-${name}`, callee: `+88213000${100 + i}`, startedAt: tick - 120_000 + i * 1000, durationSec: 30 })));
      }
    }
    await producer.send({ topic, acks: -1, messages: part });
    await sleepUntil(tick + (k + 1) * 100);
  }
}
await producer.disconnect();
