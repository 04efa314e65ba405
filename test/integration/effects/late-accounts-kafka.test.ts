// Acceptance (issue 11, defect 3) on the real broker: a fresh daemon (src/main.ts, the default rules, a real SMTP
// server) started on topics where 30,000 CDRs sit ahead of the account snapshots sends exactly one suspension email
// to every account it suspends, to the contact of the snapshot. 100 accounts each make 3 calls to +882 (the
// irsf-international-networks rule suspends at 3) among 297 inbound calls each (which no default rule counts). The
// snapshots of 80 of them sit on the accounts topic behind the CDRs when the daemon starts; those of the other 20
// are published only once their suspensions are stored and their emails wait, as a lagging accounts producer does.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/log.js';
import { startDaemon, type Daemon } from '../../../src/main.js';
import { freePort, ROOT } from '../../helpers/daemon.js';
import { freshDatabase, type FreshDatabase } from '../../helpers/db.js';
import { createDaemonTopics, createKafka, daemonTopicEnv, daemonTopicNames, testBrokers, uniqueName } from '../../helpers/kafka.js';
import { startSmtpServer, type TestSmtpServer } from '../../helpers/smtp.js';
import { until } from './effects-fixtures.js';

const ACCOUNTS = 100;
const LAGGING = 20;
const CDRS = 30_000;
const IRSF_PER_ACCOUNT = 3;

let fresh: FreshDatabase;
let smtp: TestSmtpServer;
let daemon: Daemon | undefined;
let dataDir: string | undefined;
const topics = daemonTopicNames();
const brokers = () => testBrokers();
const idOf = (i: number) => `late-${String(i).padStart(3, '0')}`;
const contactOf = (i: number) => `owner-${i}@late.example`;
const iso = (ms: number) => new Date(ms).toISOString();
const base = Date.now() - 2 * 3_600_000;

function snapshot(i: number): { key: string; value: string } {
  const id = idOf(i);
  return {
    key: id,
    value: JSON.stringify({
      id, type: 'customer', parentId: 'res-late', name: `Late Customer ${i}`, mainContact: { name: `Owner ${i}`, email: contactOf(i) },
      timezone: 'Europe/London', currency: 'GBP', updatedAt: iso(base),
    }),
  };
}

/** CDR number k (0-based): event times rise with k, so none is late; every 100th is one of an account's IRSF calls. */
function cdr(k: number): { key: string; value: string } {
  const i = k % ACCOUNTS;
  const round = Math.floor(k / ACCOUNTS);
  const irsf = round % 100 === 0 && round / 100 < IRSF_PER_ACCOUNT;
  const start = base + k * 100;
  const accountId = idOf(i);
  return {
    key: accountId,
    value: JSON.stringify({
      id: `c-${k}`, accountId, direction: irsf ? 'outbound' : 'inbound', caller: irsf ? '+441632960001' : '+441632961234',
      callee: irsf ? `+8821300${String(1000 + k).slice(-4)}${i}` : '+441632960001', startedAt: iso(start), answeredAt: iso(start + 1_000),
      endedAt: iso(start + 61_000), durationSec: 60, disposition: 'answered', cost: irsf ? '0.50' : '0.00', currency: 'GBP', phase: 'end',
    }),
  };
}

beforeAll(async () => {
  fresh = await freshDatabase();
  smtp = await startSmtpServer({ parse: false });
  await createDaemonTopics(brokers(), topics, { accounts: 2, cdrs: 6, status: 2 });
  const producer = createKafka(brokers()).producer({ idempotent: true });
  await producer.connect();
  for (let from = 0; from < CDRS; from += 5_000) {
    await producer.send({ topic: topics.cdrs, acks: -1, messages: Array.from({ length: 5_000 }, (_, j) => cdr(from + j)) });
  }
  await producer.send({
    topic: topics.accounts,
    acks: -1,
    messages: [
      { key: 'res-late', value: JSON.stringify({ id: 'res-late', type: 'reseller', name: 'Late Reseller', updatedAt: iso(base) }) },
      ...Array.from({ length: ACCOUNTS - LAGGING }, (_, i) => snapshot(i)),
    ],
  });
  await producer.disconnect();
}, 60_000);

afterAll(async () => {
  await daemon?.stop();
  await smtp?.close();
  await fresh?.drop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}, 30_000);

const count = async (sql: string, params: unknown[] = []) => Number((await fresh.db.query<{ n: string }>(sql, params)).rows[0]!.n);

describe('a fresh daemon on topics where 30,000 CDRs sit ahead of the account snapshots', () => {
  it('sends exactly one suspension email to every account it suspends, to the contact of its snapshot', async () => {
    dataDir = path.join(ROOT, '.tmp', uniqueName('late-accounts'));
    const config = loadConfig({
      DATABASE_URL: fresh.url, DATA_DIR: dataDir, KAFKA_BROKERS: brokers().join(','), KAFKA_GROUP_ID: uniqueName('grp'),
      ...daemonTopicEnv(topics),
      RULES_DIR: path.join(ROOT, 'rules'), HTTP_PORT: String(await freePort()), SMTP_URL: smtp.url, LOG_LEVEL: 'error',
    });
    daemon = await startDaemon(config, { logger: createLogger('error') });

    // Every account is suspended, the 20 without a snapshot included, and their emails wait for it.
    await until(async () => (await count(`SELECT count(DISTINCT account_id) AS n FROM holds WHERE reason = 'fraud'`)) === ACCOUNTS, 45_000, 'all 100 suspensions');
    const lagging = Array.from({ length: LAGGING }, (_, j) => idOf(ACCOUNTS - LAGGING + j));
    await until(
      async () => (await count(`SELECT count(*) AS n FROM outbox WHERE kind = 'email' AND account_id = ANY($1::text[]) AND waiting_for = 'account'`, [lagging])) === LAGGING,
      20_000,
      'the lagging accounts\' emails to wait for their snapshots',
    );
    const producer = createKafka(brokers()).producer({ idempotent: true });
    await producer.connect();
    await producer.send({ topic: topics.accounts, acks: -1, messages: Array.from({ length: LAGGING }, (_, j) => snapshot(ACCOUNTS - LAGGING + j)) });
    await producer.disconnect();

    await smtp.waitFor(ACCOUNTS, 20_000);
    await until(async () => (await count(`SELECT count(*) AS n FROM outbox WHERE kind = 'email' AND state <> 'done'`)) === 0, 10_000, 'every email row done');
    await new Promise((r) => setTimeout(r, 1_000)); // time for a duplicate to show, were there one

    expect(smtp.received).toHaveLength(ACCOUNTS);
    const perAccount = new Map<string, string[]>();
    for (const mail of smtp.received) {
      expect(mail.header('X-Suspensiond-Template')).toBe('suspension-fraud');
      const id = mail.header('X-Suspensiond-Account')!;
      perAccount.set(id, [...(perAccount.get(id) ?? []), ...mail.envelopeTo]);
    }
    for (let i = 0; i < ACCOUNTS; i++) expect(perAccount.get(idOf(i)), idOf(i)).toEqual([contactOf(i)]);
    // The lagging accounts' emails did wait, and were sent once their snapshots landed.
    expect(await count(`SELECT count(*) AS n FROM outbox WHERE kind = 'email' AND account_id = ANY($1::text[]) AND waits > 0 AND state = 'done'`, [lagging])).toBe(LAGGING);
    expect(await count(`SELECT count(*) AS n FROM audit WHERE kind = 'email_sent'`)).toBe(ACCOUNTS);
    expect(await count(`SELECT count(*) AS n FROM audit WHERE kind = 'email_failed'`)).toBe(0);
  }, 90_000);
});
