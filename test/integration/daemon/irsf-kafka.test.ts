// Kafka end to end through the composed daemon (src/main.ts, the default rules): a blatant revenue-share burst,
// 30 answered calls to +882/+883 numbers within 5 minutes from one customer, suspends that customer for fraud
// within 2 s of the last CDR being produced, and the hold's evidence names the rule. The status goes out on the
// status topic with outbound calls blocked.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/log.js';
import { startDaemon, type Daemon } from '../../../src/main.js';
import { freePort, ROOT, waitFor200 } from '../../helpers/daemon.js';
import { freshDatabase, type FreshDatabase } from '../../helpers/db.js';
import { createDaemonTopics, createKafka, daemonTopicEnv, daemonTopicNames, testBrokers, uniqueName } from '../../helpers/kafka.js';

let fresh: FreshDatabase;
let daemon: Daemon;
let dataDir: string | undefined;
const topics = daemonTopicNames();

beforeAll(async () => {
  fresh = await freshDatabase();
  const brokers = testBrokers();
  await createDaemonTopics(brokers, topics, { accounts: 2, cdrs: 6, invoices: 2, status: 2 });
  dataDir = path.join(ROOT, '.tmp', uniqueName('irsf-data'));
  const config = loadConfig({
    DATABASE_URL: fresh.url,
    DATA_DIR: dataDir,
    KAFKA_BROKERS: brokers.join(','),
    KAFKA_GROUP_ID: uniqueName('grp'),
    ...daemonTopicEnv(topics),
    RULES_DIR: path.join(ROOT, 'rules'),
    HTTP_PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
  });
  daemon = await startDaemon(config, { logger: createLogger('warn') });
  // Wait until the consumer group has its partitions (readiness says so).
  await waitFor200(`${daemon.url}/readyz`, 60_000);
}, 120_000);

afterAll(async () => {
  await daemon?.stop();
  await fresh?.drop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('an IRSF burst on the cdrs topic', () => {
  it('suspends the customer for fraud within 2 s of the last CDR, with the rule in the evidence, and publishes the status', async () => {
    const brokers = testBrokers();
    const kafka = createKafka(brokers);
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    await producer.send({
      topic: topics.accounts,
      acks: -1,
      messages: [
        { key: 'res-irsf', value: JSON.stringify({ id: 'res-irsf', type: 'reseller', updatedAt: iso(now - 3_600_000) }) },
        { key: 'cust-irsf', value: JSON.stringify({ id: 'cust-irsf', type: 'customer', parentId: 'res-irsf', name: 'Target Ltd', mainContact: { email: 'ops@target.example' }, timezone: 'Europe/London', updatedAt: iso(now - 3_600_000) }) },
      ],
    });
    // Give the accounts a moment so the burst is judged with the account known (an unknown account counts too).
    await new Promise((r) => setTimeout(r, 500));

    const statusConsumer = kafka.consumer({ groupId: uniqueName('status-reader') });
    await statusConsumer.connect();
    await statusConsumer.subscribe({ topic: topics.status, fromBeginning: true });
    const statuses: Record<string, unknown>[] = [];
    await statusConsumer.run({ eachMessage: async ({ message }) => void statuses.push(JSON.parse(message.value!.toString())) });

    const burst = Array.from({ length: 30 }, (_, i) => {
      const start = now - 290_000 + i * 9_000;
      return {
        key: 'cust-irsf',
        value: JSON.stringify({
          id: `irsf-${i}`, accountId: 'cust-irsf', direction: 'outbound', caller: '+441632960001',
          callee: `${i % 2 ? '+882' : '+883'}1300${String(1000 + i)}`, startedAt: iso(start), answeredAt: iso(start + 1_000),
          endedAt: iso(start + 8_000), durationSec: 7, disposition: 'answered', cost: '0.90', currency: 'GBP', phase: 'end',
        }),
      };
    });
    await producer.send({ topic: topics.cdrs, acks: -1, messages: burst });
    const producedAt = Date.now();

    let hold: { source: string; evidence: { rule?: string } } | undefined;
    let committedAt = 0;
    while (!hold) {
      const { rows } = await fresh.db.query<{ source: string; evidence: { rule?: string } }>(
        `SELECT source, evidence FROM holds WHERE account_id = 'cust-irsf' AND reason = 'fraud'`,
      );
      if (rows.length > 0) {
        hold = rows[0];
        committedAt = Date.now();
      } else if (Date.now() - producedAt > 10_000) throw new Error('no fraud hold within 10 s');
      else await new Promise((r) => setTimeout(r, 25));
    }
    expect(committedAt - producedAt).toBeLessThan(2_000);
    expect(hold.source).toMatch(/^rule:/);
    expect(hold.evidence.rule).toBe(hold.source.slice('rule:'.length));

    const deadline = Date.now() + 10_000;
    while (!statuses.some((s) => s.accountId === 'cust-irsf' && s.status === 'suspended')) {
      if (Date.now() > deadline) throw new Error(`no suspended status published: ${JSON.stringify(statuses)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(statuses.find((s) => s.accountId === 'cust-irsf' && s.status === 'suspended')).toMatchObject({
      outboundCalls: 'blocked', portalAccess: 'blocked', inboundCalls: 'allowed', billing: 'continues',
    });
    await statusConsumer.disconnect();
    await producer.disconnect();
  }, 60_000);
});
