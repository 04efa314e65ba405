// kafka-ready.mjs HOST:PORT — exits 0 when the broker answers a metadata request (describeCluster), 1 otherwise.
// Used by scripts/kafka-broker.sh to wait for readiness. Never creates topics or changes broker state.
import kafkajs from 'kafkajs';

const { Kafka, logLevel } = kafkajs;
const broker = process.argv[2] ?? '127.0.0.1:9092';
const kafka = new Kafka({
  clientId: 'kafka-ready',
  brokers: [broker],
  logLevel: logLevel.NOTHING,
  connectionTimeout: 2000,
  requestTimeout: 5000,
  retry: { retries: 0 },
});
const admin = kafka.admin();
try {
  await admin.connect();
  const cluster = await admin.describeCluster();
  if (cluster.brokers.length === 0 || cluster.controller === null) throw new Error('no controller yet');
  await admin.disconnect();
  process.exit(0);
} catch (err) {
  process.stderr.write(`not ready: ${err instanceof Error ? err.message : String(err)}\n`);
  await admin.disconnect().catch(() => {});
  process.exit(1);
}
