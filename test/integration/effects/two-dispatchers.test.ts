// Two dispatcher processes on one real PostgreSQL share 10,000 outbox rows: each row's effect happens exactly once,
// and each account's rows go out in order.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freshDatabase, type FreshDatabase } from '../../helpers/db.js';
import { startSmtpServer, type TestSmtpServer } from '../../helpers/smtp.js';
import { until } from './effects-fixtures.js';

const ACCOUNTS = 1_000;
const STATUS_PER_ACCOUNT = 8;
const EMAILS_PER_ACCOUNT = 2;
const TOTAL = ACCOUNTS * (STATUS_PER_ACCOUNT + EMAILS_PER_ACCOUNT);
const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'dispatcher-process.ts');

let fresh: FreshDatabase;
let smtp: TestSmtpServer;
const children: ChildProcess[] = [];

beforeAll(async () => {
  fresh = await freshDatabase();
  smtp = await startSmtpServer({ parse: false });
  await fresh.db.query(`CREATE TABLE test_deliveries (seq bigserial PRIMARY KEY, dedupe_key text NOT NULL, account_id text NOT NULL, worker text NOT NULL)`);
  // Rows as the store writes them, interleaved across accounts the way concurrent transitions would be.
  await fresh.db.query(
    `INSERT INTO outbox (account_id, kind, payload, dedupe_key)
     SELECT 'acc-' || a, k.kind,
            CASE WHEN k.kind = 'status'
                 THEN jsonb_build_object('accountId', 'acc-' || a, 'status', 'suspended', 'version', n)
                 ELSE jsonb_build_object('template', 'payment-reminder', 'accountId', 'acc-' || a,
                        'to', jsonb_build_object('name', 'Contact ' || a, 'email', 'acc-' || a || '@example.test'),
                        'data', jsonb_build_object('overdueMicros', 5000000 * n, 'currency', 'GBP')) END,
            k.kind || ':acc-' || a || ':' || n
       FROM generate_series(1, $3::int) n,
            generate_series(1, $1::int) a,
            (VALUES ('status'), ('email')) AS k(kind)
      WHERE (k.kind = 'status') OR n <= $2::int
      ORDER BY n, a, k.kind DESC`,
    [ACCOUNTS, EMAILS_PER_ACCOUNT, STATUS_PER_ACCOUNT],
  );
});
afterAll(async ({}, suite) => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await smtp?.close();
  await fresh?.drop(suite);
});

function startWorker(name: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, fresh.url, smtp.url, name], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${name} exited early with ${code}`)));
    child.stdout!.on('data', (b: Buffer) => {
      if (b.toString().includes('ready')) resolve(child);
    });
  });
}

it('two dispatcher processes share 10,000 rows and each row takes effect exactly once, in order per account', async () => {
  const { rows: [count] } = await fresh.db.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox');
  expect(count!.n).toBe(TOTAL);
  const started = Date.now();
  const workers = await Promise.all([startWorker('w1'), startWorker('w2')]);
  await until(async () => {
    const r = await fresh.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE state <> 'done'`);
    return r.rows[0]!.n === 0;
  }, 240_000, 'all rows done');
  const elapsedMs = Date.now() - started;
  await Promise.all(workers.map((w) => new Promise((r) => { w.once('exit', r); w.kill('SIGTERM'); })));

  // Status: exactly one delivery per row, both workers took part, and per account the versions went out in order.
  const deliveries = await fresh.db.query<{ dedupe_key: string; account_id: string; worker: string }>('SELECT dedupe_key, account_id, worker FROM test_deliveries ORDER BY seq');
  const statusKeys = deliveries.rows.map((d) => d.dedupe_key);
  expect(statusKeys).toHaveLength(ACCOUNTS * STATUS_PER_ACCOUNT);
  expect(new Set(statusKeys).size).toBe(ACCOUNTS * STATUS_PER_ACCOUNT);
  const byWorker = new Map<string, number>();
  for (const d of deliveries.rows) byWorker.set(d.worker, (byWorker.get(d.worker) ?? 0) + 1);
  expect([...byWorker.keys()].sort()).toEqual(['w1', 'w2']);
  const lastVersion = new Map<string, number>();
  for (const d of deliveries.rows) {
    const v = Number(d.dedupe_key.split(':').pop());
    expect(v).toBe((lastVersion.get(d.account_id) ?? 0) + 1);
    lastVersion.set(d.account_id, v);
  }

  // Email: exactly one SMTP delivery per row (counted by Message-ID at the server).
  const messageIds = smtp.received.map((m) => m.messageId);
  expect(messageIds).toHaveLength(ACCOUNTS * EMAILS_PER_ACCOUNT);
  expect(new Set(messageIds).size).toBe(ACCOUNTS * EMAILS_PER_ACCOUNT);
  const { rows: [sent] } = await fresh.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit WHERE kind = 'email_sent'`);
  expect(sent!.n).toBe(ACCOUNTS * EMAILS_PER_ACCOUNT);
  console.info(`two dispatchers drained ${TOTAL} rows in ${elapsedMs} ms; status split ${JSON.stringify(Object.fromEntries(byWorker))}`);
}, 300_000);
