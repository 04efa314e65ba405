// The proof with a real Prometheus (Debian's package): a running daemon on real PostgreSQL, Kafka and SMTP gets
// traffic that causes suspensions, dunning and emails; Prometheus scrapes it; then every query of every dashboard
// panel must parse and return data, and /metrics must show every CONTRACT §7 metric.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboards } from '../../../scripts/build-dashboards.js';
import { freePort, runCli, waitFor200, ROOT, type RunningCli } from '../../helpers/daemon.js';
import { freshDatabase, type FreshDatabase } from '../../helpers/db.js';
import { createDaemonTopics, createKafka, daemonTopicEnv, daemonTopicNames, testBrokers, uniqueName } from '../../helpers/kafka.js';
import { startSmtpServer, type TestSmtpServer } from '../../helpers/smtp.js';

let fresh: FreshDatabase;
let smtp: TestSmtpServer;
let daemon: RunningCli;
let prometheus: ChildProcess | undefined;
let promUrl = '';
let base = '';
let token = '';
const tmp = mkdtempSync(path.join(os.tmpdir(), 'suspensiond-prom-'));
const topics = daemonTopicNames();

const iso = (ms: number) => new Date(ms).toISOString();

async function promQuery(expr: string): Promise<{ status: string; data: { resultType: string; result: unknown[] }; error?: string }> {
  const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  return (await res.json()) as never;
}

beforeAll(async () => {
  fresh = await freshDatabase();
  smtp = await startSmtpServer({ parse: false });
  const brokers = testBrokers();
  await createDaemonTopics(brokers, topics, { accounts: 2, cdrs: 3, invoices: 2, status: 2 });

  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const env = {
    DATABASE_URL: fresh.url,
    DATA_DIR: path.join(tmp, 'data'),
    KAFKA_BROKERS: brokers.join(','),
    KAFKA_GROUP_ID: uniqueName('grp'),
    ...daemonTopicEnv(topics),
    SMTP_URL: smtp.url,
    HTTP_PORT: String(port),
    DUNNING_SCHEDULE: '*/2 * * * * *',
    LOG_LEVEL: 'warn',
  };
  const tok = runCli(['tokens', 'create', '--role', 'operator', '--label', 'prom-test'], env);
  expect((await tok.exited).code).toBe(0);
  token = /sd_[A-Za-z0-9_-]+/.exec(tok.stdout())![0];

  daemon = runCli(['run'], env);
  await waitFor200(`${base}/readyz`, 60_000);

  const promPort = await freePort();
  promUrl = `http://127.0.0.1:${promPort}`;
  const cfg = path.join(tmp, 'prometheus.yml');
  writeFileSync(
    cfg,
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      'scrape_configs:',
      '  - job_name: suspensiond',
      `    static_configs: [{ targets: ['127.0.0.1:${port}'] }]`,
      '',
    ].join('\n'),
  );
  prometheus = spawn(
    'prometheus',
    [`--config.file=${cfg}`, `--storage.tsdb.path=${path.join(tmp, 'tsdb')}`, `--web.listen-address=127.0.0.1:${promPort}`],
    { stdio: 'ignore' },
  );
  prometheus.on('error', (err) => {
    throw new Error(`cannot start prometheus (apt-get install prometheus): ${err.message}`);
  });
  await waitFor200(`${promUrl}/-/ready`, 30_000);
}, 180_000);

afterAll(async () => {
  prometheus?.kill('SIGTERM');
  if (daemon) {
    daemon.child.kill('SIGTERM');
    await daemon.exited;
  }
  await smtp?.close();
  await fresh?.drop();
  rmSync(tmp, { recursive: true, force: true });
});

describe('metrics against a real Prometheus', () => {
  it('traffic that suspends accounts makes every dashboard query return data, and /metrics shows every contract metric', async () => {
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const now = Date.now();
    // The tree: a reseller, a channel and two customers with main contacts.
    const accounts = [
      { id: 'res-p', type: 'reseller', name: 'Reseller P', updatedAt: iso(now - 60_000) },
      { id: 'chan-p', type: 'channel', parentId: 'res-p', name: 'Channel P', updatedAt: iso(now - 60_000) },
      { id: 'cust-fraud', type: 'customer', parentId: 'chan-p', name: 'Fraud Victim Ltd', mainContact: { name: 'Vic', email: 'vic@victim.example' }, updatedAt: iso(now - 60_000), timezone: 'Europe/London', currency: 'GBP' },
      { id: 'cust-late', type: 'customer', parentId: 'chan-p', name: 'Late Payer Ltd', mainContact: { name: 'Lou', email: 'lou@late.example' }, updatedAt: iso(now - 60_000), timezone: 'Europe/London', currency: 'GBP' },
      { id: 'cust-dialler', type: 'customer', parentId: 'res-p', name: 'Dialler Ltd', mainContact: { name: 'Dee', email: 'dee@dialler.example' }, updatedAt: iso(now - 60_000), timezone: 'Europe/London', currency: 'GBP' },
    ];
    const kafka = createKafka(testBrokers());
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: topics.accounts, messages: accounts.map((a) => ({ key: a.id, value: JSON.stringify(a) })) });

    // An IRSF burst on Kafka: 30 answered calls to +882/+883 within 5 minutes.
    const cdrs = Array.from({ length: 30 }, (_, i) => ({
      id: `prom-c-${i}`, accountId: 'cust-fraud', direction: 'outbound', caller: '+441632960001',
      callee: i % 2 ? `+88213000${100 + i}` : `+88300000${100 + i}`,
      startedAt: iso(now - 240_000 + i * 5_000), answeredAt: iso(now - 240_000 + i * 5_000 + 2_000),
      endedAt: iso(now - 240_000 + i * 5_000 + 60_000), durationSec: 58, disposition: 'answered', cost: '1.50', currency: 'GBP', phase: 'end',
    }));
    await producer.send({ topic: topics.cdrs, messages: cdrs.map((c) => ({ key: c.accountId, value: JSON.stringify(c) })) });
    // A dialler's burst of 70 short domestic calls in 4 minutes: the review-mode call-burst rule opens a decision.
    const burst = Array.from({ length: 70 }, (_, i) => ({
      id: `prom-b-${i}`, accountId: 'cust-dialler', direction: 'outbound', caller: '+441134960000',
      callee: `+4411349${String(60100 + i)}`, startedAt: iso(now - 240_000 + i * 3_000),
      endedAt: iso(now - 240_000 + i * 3_000 + 20_000), durationSec: 0, disposition: 'no_answer', cost: '0', currency: 'GBP', phase: 'end',
    }));
    await producer.send({ topic: topics.cdrs, messages: burst.map((c) => ({ key: c.accountId, value: JSON.stringify(c) })) });
    // Poison: a dead letter.
    await producer.send({ topic: topics.cdrs, messages: [{ key: 'cust-fraud', value: '{not json' }] });
    // An invoice 20 days overdue: the dunning ladder reaches suspension at the next sweep.
    const due = new Date(now - 20 * 86_400_000).toISOString().slice(0, 10);
    await producer.send({
      topic: topics.invoices,
      messages: [{ key: 'cust-late', value: JSON.stringify({ id: 'prom-inv-1', type: 'overdue', invoiceId: 'INV-P-1', accountId: 'cust-late', currency: 'GBP', total: '120.00', outstanding: '120.00', dueAt: due, occurredAt: iso(now - 10 * 86_400_000) }) }],
    });
    await producer.disconnect();

    // An operator suspension through the API, and a rules reload by SIGHUP.
    const sus = await fetch(`${base}/v1/accounts/chan-p/suspend`, { method: 'POST', headers: auth, body: JSON.stringify({ reason: 'fraud', note: 'prometheus test' }) });
    expect([200, 404]).toContain(sus.status);
    daemon.child.kill('SIGHUP');

    // Wait until the suspensions are visible, then for Prometheus to have several scrapes of them.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const res = await fetch(`${base}/v1/accounts/cust-fraud`, { headers: auth });
      const body = res.status === 200 ? ((await res.json()) as { holds?: { reason: string }[] }) : {};
      const late = await fetch(`${base}/v1/accounts/cust-late`, { headers: auth });
      const lateBody = late.status === 200 ? ((await late.json()) as { holds?: { reason: string }[] }) : {};
      if (body.holds?.some((h) => h.reason === 'fraud') && lateBody.holds?.some((h) => h.reason === 'non_payment') && smtp.received.length >= 2) break;
      if (Date.now() > deadline) throw new Error(`suspensions not visible: ${JSON.stringify({ body, lateBody, mails: smtp.received.length })}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    await new Promise((r) => setTimeout(r, 8_000));

    const metricsText = await (await fetch(`${base}/metrics`)).text();
    const nonZero = (name: string, labels = '') =>
      metricsText.split('\n').some((l) => l.startsWith(name) && l.includes(labels) && !l.startsWith('#') && Number(l.split(' ').pop()) > 0);
    expect(nonZero('suspensiond_events_total', 'outcome="accepted"')).toBe(true);
    expect(nonZero('suspensiond_events_total', 'outcome="rejected"')).toBe(true);
    expect(nonZero('suspensiond_rule_hits_total', 'level="suspend"')).toBe(true);
    expect(nonZero('suspensiond_decisions_total', 'source="rule"')).toBe(true);
    expect(nonZero('suspensiond_decisions_total', 'source="dunning"')).toBe(true);
    expect(nonZero('suspensiond_accounts_suspended', 'reason="fraud"')).toBe(true);
    expect(nonZero('suspensiond_accounts_suspended', 'reason="non_payment"')).toBe(true);
    expect(nonZero('suspensiond_decision_latency_seconds_count')).toBe(true);
    expect(metricsText).toMatch(/^suspensiond_consumer_lag\{topic="[^"]+",partition="\d+"\} \d+/m);
    expect(nonZero('suspensiond_emails_total', 'outcome="sent"')).toBe(true);
    expect(metricsText).toMatch(/^suspensiond_outbox_pending\{kind="(status|email)"\} \d+/m);
    expect(nonZero('suspensiond_dunning_overdue_accounts')).toBe(true);
    expect(nonZero('suspensiond_dunning_sweep_duration_seconds_count')).toBe(true);
    expect(nonZero('suspensiond_rules_reloads_total', 'outcome="success"')).toBe(true);
    expect(metricsText).toContain('process_cpu_user_seconds_total');
    expect(metricsText).not.toMatch(/cust-fraud|cust-late|chan-p/);

    for (const d of dashboards) {
      for (const p of d.panels) {
        for (const t of p.targets) {
          const res = await promQuery(t.expr);
          expect(res.status, `${d.uid} / ${p.title}: ${t.expr} -> ${res.error ?? ''}`).toBe('success');
          expect(res.data.result.length, `${d.uid} / ${p.title}: ${t.expr} returned no data`).toBeGreaterThan(0);
        }
      }
    }
  }, 150_000);
});

void ROOT;
