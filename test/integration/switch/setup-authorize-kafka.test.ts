// Prevention with Kafka CDRs (AUTHORIZE_COUNTS_SETUP=kafka, the default with Kafka), on the real broker and
// PostgreSQL: the set-up is produced to the cdrs topic keyed by the account, so the owner of the account's partition
// counts it in order with the switch's own records. On the replica that owns the partition the answer waits for the
// commit: the crossing set-up is denied with its rule, its hold committed. A replica that does not own the partition
// produces the record (key, header) and answers at once from its status view.
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../../src/api/tokens.js';
import { createKafkaSetupIngest, SETUP_HEADER } from '../../../src/ingest/kafka-setup.js';
import type { Pipeline } from '../../../src/ingest/pipeline.js';
import type { Daemon } from '../../../src/main.js';
import { insertAccounts } from '../api/api-fixture.js';
import { startSwitchDaemon } from './switch-daemon.js';
import { waitFor200 } from '../../helpers/daemon.js';
import { freshDatabase, type FreshDatabase } from '../../helpers/db.js';
import { createDaemonTopics, createKafka, daemonTopicEnv, daemonTopicNames, testBrokers, uniqueName } from '../../helpers/kafka.js';

let fresh: FreshDatabase;
let daemon: Daemon;
let work = '';
let token = '';
const topics = daemonTopicNames();
const PREMIUM = '+449098790001';
const T0 = Date.now() - 30 * 60_000;
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

async function authorize(body: Record<string, unknown>) {
  const res = await fetch(`${daemon.url}/v1/authorize`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  return (await res.json()) as { allow: boolean; reason: string; holds: { id: string; source: string }[]; counted?: boolean; rule?: string };
}

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'suspensiond-setup-kafka-'));
  fresh = await freshDatabase();
  const brokers = testBrokers();
  await createDaemonTopics(brokers, topics, { cdrs: 3 });
  await insertAccounts(fresh.db, [['r1', 'reseller', null], ['cust-k', 'customer', 'r1']]);
  token = (await createToken(fresh.db, { role: 'authorize' })).token;
  daemon = await startSwitchDaemon(fresh.url, path.join(work, 'data'), {
    KAFKA_BROKERS: brokers.join(','),
    KAFKA_GROUP_ID: uniqueName('grp'),
    ...daemonTopicEnv(topics),
  });
  await waitFor200(`${daemon.url}/readyz`, 60_000);
}, 120_000);

afterAll(async () => {
  await daemon?.stop();
  await fresh?.drop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('set-ups counted by the owner of the account partition (Kafka)', () => {
  it('the owner here: the crossing set-up is denied with the rule and its hold committed; the end record on the topic does not count again', async () => {
    const producer = createKafka(testBrokers()).producer({ idempotent: true });
    await producer.connect();
    try {
      expect(await authorize({ account: 'cust-k', callee: PREMIUM, callId: 'k-1', startedAt: at(0) })).toMatchObject({ allow: true, counted: true });
      // The switch's own end record of call 1, on the topic, keyed by the account (CONTRACT §2).
      const end = { id: 'k-1', accountId: 'cust-k', direction: 'outbound', callee: PREMIUM, startedAt: at(0), endedAt: at(1), durationSec: 55, disposition: 'answered', phase: 'end' };
      await producer.send({ topic: topics.cdrs, acks: -1, messages: [{ key: 'cust-k', value: JSON.stringify(end) }] });
      expect(await authorize({ account: 'cust-k', callee: PREMIUM, callId: 'k-2', startedAt: at(2) })).toMatchObject({ allow: true, counted: true });
      expect(await authorize({ account: 'cust-k', callee: PREMIUM, callId: 'k-2', startedAt: at(2) })).toMatchObject({ allow: true, counted: true });
      // Call 2 ends too, so premium-rate-parallel (two at once) does not fire as well.
      const end2 = { ...end, id: 'k-2', startedAt: at(2), endedAt: at(2.9) };
      await producer.send({ topic: topics.cdrs, acks: -1, messages: [{ key: 'cust-k', value: JSON.stringify(end2) }] });
      const third = await authorize({ account: 'cust-k', callee: PREMIUM, callId: 'k-3', startedAt: at(3) });
      const holds = (await fresh.db.query<{ id: string; source: string }>(`SELECT id, source FROM holds WHERE account_id = 'cust-k'`)).rows;
      expect(third).toMatchObject({ allow: false, counted: true, rule: 'premium-rate-numbers', reason: 'suspended: fraud hold by rule:premium-rate-numbers' });
      expect(holds).toEqual([{ id: third.holds[0]!.id, source: 'rule:premium-rate-numbers' }]);
    } finally {
      await producer.disconnect();
    }
  }, 60_000);

  it('not the owner: the set-up is produced keyed by the account, marked, and answered at once', async () => {
    const pipeline = { observe: () => () => undefined, sources: () => [] } as unknown as Pipeline;
    const kafka = createKafka(testBrokers());
    const setup = createKafkaSetupIngest({ kafka, topic: topics.cdrs, pipeline });
    const t0 = Date.now();
    const counted = await setup.count({ callId: 'elsewhere-1', accountId: 'cust-far', callee: PREMIUM, startedAt: Date.parse(at(4)) });
    expect(counted).toEqual({ outcome: 'accepted', decisions: [], accountHolds: [] });
    expect(Date.now() - t0).toBeLessThan(2_000);
    await setup.disconnect();

    const consumer = kafka.consumer({ groupId: uniqueName('reader') });
    await consumer.connect();
    await consumer.subscribe({ topic: topics.cdrs, fromBeginning: true });
    const found = await new Promise<{ key: string; value: Record<string, unknown>; header: string }>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          const value = JSON.parse(message.value!.toString()) as Record<string, unknown>;
          if (value.id === 'elsewhere-1') resolve({ key: message.key!.toString(), value, header: String(message.headers?.[SETUP_HEADER]) });
        },
      });
    });
    await consumer.disconnect();
    expect(found).toEqual({ key: 'cust-far', header: '1', value: { id: 'elsewhere-1', accountId: 'cust-far', direction: 'outbound', callee: PREMIUM, startedAt: at(4), phase: 'start' } });
  }, 60_000);
});
