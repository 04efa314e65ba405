// Status messages on the real broker, through the idempotent producer, and the isolation of status from email.
import { createServer, type Server, type Socket } from 'node:net';
import type { Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSmtpEmailSink } from '../../../src/effects/email-sinks.js';
import { createKafkaStatusSink } from '../../../src/effects/kafka-status-sink.js';
import type { StatusSink } from '../../../src/effects/outbox-types.js';
import { withTransition } from '../../../src/store/transitions.js';
import { channel, customer, operatorActor, reseller, ruleActor } from '../../helpers/accounts.js';
import { freshDatabase, type FreshDatabase } from '../../helpers/db.js';
import { createKafka, createTopics, deleteTopics, testBrokers, uniqueName } from '../../helpers/kafka.js';
import { drainAll, memoryEmailSink, outboxRows, quietLogger, seedAccounts, testDispatcher, until } from './effects-fixtures.js';

interface Status {
  accountId: string;
  type: string;
  status: string;
  inheritedFrom: string[];
  outboundCalls: string;
  portalAccess: string;
  inboundCalls: string;
  billing: string;
  version: number;
}

let fresh: FreshDatabase;
let topic: string;
let sink: StatusSink;
let consumer: Consumer;
const received: { key: string; value: Status }[] = [];
const CUSTOMERS = Array.from({ length: 50 }, (_, i) => `k-cust-${String(i).padStart(2, '0')}`);

beforeAll(async () => {
  fresh = await freshDatabase();
  topic = uniqueName('account-status');
  await createTopics(testBrokers(), [{ topic, numPartitions: 3 }]);
  sink = createKafkaStatusSink({ brokers: testBrokers(), topic, logger: quietLogger() });
  consumer = createKafka(testBrokers()).consumer({ groupId: uniqueName('status-reader') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      received.push({ key: message.key!.toString(), value: JSON.parse(message.value!.toString()) as Status });
    },
  });
  await seedAccounts(fresh.db, [
    reseller('k-res'),
    channel('k-chan', 'k-res', { mainContact: null }),
    ...CUSTOMERS.map((id) => customer(id, 'k-chan')),
    channel('k-iso-chan', 'k-res'),
    customer('k-iso-cust', 'k-iso-chan', { mainContact: { name: 'Iso', email: 'iso@dead.example' } }),
  ]);
});
afterAll(async ({}, suite) => {
  await consumer?.disconnect();
  await sink?.close();
  await deleteTopics(testBrokers(), [topic]).catch(() => undefined);
  await fresh?.drop(suite);
});

const forAccounts = (ids: Set<string>) => received.filter((m) => ids.has(m.key));

describe('status messages on the real broker', () => {
  it('suspending a channel with 50 customers publishes 51 statuses; activating it publishes 51 more with higher versions', async () => {
    const ids = new Set(['k-chan', ...CUSTOMERS]);
    const { dispatcher } = testDispatcher(fresh.db, { sinks: { status: sink, email: memoryEmailSink() } });
    dispatcher.start();
    try {
      await withTransition(fresh.db, { kind: 'suspend', accountId: 'k-chan', actor: operatorActor(), reason: 'non_payment', source: 'operator:ops-1' }, { now: new Date() });
      dispatcher.notify();
      await until(() => forAccounts(ids).length >= 51, 30_000, '51 status messages');
      const suspended = forAccounts(ids);
      expect(suspended).toHaveLength(51);
      expect(new Set(suspended.map((m) => m.key))).toEqual(ids);
      for (const { key, value } of suspended) {
        expect(value).toMatchObject({ accountId: key, status: 'suspended', outboundCalls: 'blocked', portalAccess: 'blocked', inboundCalls: 'allowed', billing: 'continues' });
        expect(value.inheritedFrom).toEqual(key === 'k-chan' ? [] : ['k-chan']);
      }
      const before = new Map(suspended.map((m) => [m.key, m.value.version]));

      await withTransition(fresh.db, { kind: 'activate', accountId: 'k-chan', actor: operatorActor() }, { now: new Date() });
      dispatcher.notify();
      await until(() => forAccounts(ids).length >= 102, 30_000, '102 status messages');
      const activated = forAccounts(ids).slice(51);
      expect(activated).toHaveLength(51);
      for (const { key, value } of activated) {
        expect(value).toMatchObject({ status: 'active', outboundCalls: 'allowed', inboundCalls: 'allowed', billing: 'continues', inheritedFrom: [] });
        expect(value.version).toBeGreaterThan(before.get(key)!);
      }
      expect(await outboxRows(fresh.db, `kind = 'status' AND state <> 'done'`)).toEqual([]);
    } finally {
      await dispatcher.stop();
    }
  });
});

describe('isolation', () => {
  let blackhole: Server;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    // A "dead" mail server that accepts connections and never says a word.
    blackhole = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', () => r()));
  });
  afterAll(async () => {
    sockets.forEach((s) => s.destroy());
    await new Promise((r) => blackhole.close(r));
  });

  it('mail to a dead SMTP server never holds up a suspension, and the status still goes out', async () => {
    const port = (blackhole.address() as { port: number }).port;
    const deadMail = createSmtpEmailSink({ url: `smtp://127.0.0.1:${port}`, from: 'x@y.example', greetingTimeoutMs: 4_000 });
    const { dispatcher } = testDispatcher(fresh.db, { sinks: { status: sink, email: deadMail }, sendTimeoutMs: 5_000, leaseMs: 30_000 });
    dispatcher.start();
    try {
      const started = Date.now();
      const result = await withTransition(
        fresh.db,
        { kind: 'suspend', accountId: 'k-iso-cust', actor: ruleActor('irsf-destinations'), reason: 'fraud', source: 'rule:irsf-destinations' },
        { now: new Date() },
      );
      expect(result.holdsPlaced).toHaveLength(1);
      expect(Date.now() - started).toBeLessThan(2_000);
      dispatcher.notify();
      await until(() => received.some((m) => m.key === 'k-iso-cust' && m.value.status === 'suspended'), 10_000, 'the status message');
      // The status went out while the mail was still stuck in the dead server's greeting.
      await until(() => sockets.length > 0, 3_000, 'the mail connection');
      const [stuck] = await outboxRows(fresh.db, `account_id = 'k-iso-cust' AND kind = 'email'`);
      expect(stuck).toMatchObject({ state: 'pending', last_error: null });
    } finally {
      await dispatcher.stop();
      await deadMail.close();
    }
    // The failed attempt is recorded and the row waits for its retry: at least once, later.
    const [mail] = await outboxRows(fresh.db, `account_id = 'k-iso-cust' AND kind = 'email'`);
    expect(mail).toMatchObject({ state: 'pending' });
    expect(mail!.last_error).toMatch(/greeting|timeout|did not finish/i);
  }, 60_000);

  it('without Kafka, status rows are marked skipped instead of piling up', async () => {
    await withTransition(fresh.db, { kind: 'suspend', accountId: 'k-iso-chan', actor: operatorActor(), reason: 'fraud', source: 'operator:ops-1' }, { now: new Date() });
    const { dispatcher, metrics } = testDispatcher(fresh.db, { sinks: { email: memoryEmailSink() } });
    await drainAll(dispatcher);
    const rows = await outboxRows(fresh.db, `kind = 'status' AND account_id IN ('k-iso-chan', 'k-iso-cust')`);
    expect(rows.filter((r) => r.state === 'pending')).toEqual([]);
    expect(rows.some((r) => r.state === 'skipped')).toBe(true);
    expect(await metrics.render()).toMatch(/suspensiond_outbox_pending\{kind="status"\} 0/);
  });
});
