// The dispatcher's lifecycle and its status path with a fake broker: idempotent start/stop, notify() latency,
// retries with backoff, parking with an entry in the account's history, and the pending gauge.
import { expect, it } from 'vitest';
import { insertOutbox } from '../../../src/store/outbox-repo.js';
import { databaseForFile } from '../../helpers/db.js';
import { auditOf, drainAll, memoryEmailSink, memoryStatusSink, metricValue, outboxRows, queueEmail, testDispatcher, until } from './effects-fixtures.js';

const fresh = databaseForFile();

async function queueStatus(accountId: string, version: number): Promise<void> {
  await insertOutbox(
    fresh.db,
    [{ accountId, kind: 'status', dedupeKey: `status:${accountId}:${version}`, payload: { accountId, status: 'suspended', version } }],
    new Date().toISOString(),
  );
}

it('start and stop are safe to call twice, and a stopped dispatcher can start again', async () => {
  const status = memoryStatusSink();
  const { dispatcher } = testDispatcher(fresh.db, { sinks: { status, email: memoryEmailSink() } });
  dispatcher.start();
  dispatcher.start();
  await Promise.all([dispatcher.stop(), dispatcher.stop()]);
  await dispatcher.stop();
  await queueStatus('life-1', 1);
  dispatcher.start();
  try {
    await until(() => status.published.length === 1, 5_000, 'the status after restart');
  } finally {
    await dispatcher.stop();
  }
});

it('notify() delivers at once even with a long poll interval', async () => {
  const status = memoryStatusSink();
  const { dispatcher } = testDispatcher(fresh.db, { sinks: { status, email: memoryEmailSink() }, pollIntervalMs: 60_000 });
  dispatcher.start();
  try {
    await new Promise((r) => setTimeout(r, 200)); // let the first (empty) pass go to sleep
    await queueStatus('life-2', 1);
    const t0 = Date.now();
    dispatcher.notify();
    await until(() => status.published.some((m) => m.accountId === 'life-2'), 5_000, 'the notified status');
    expect(Date.now() - t0).toBeLessThan(2_000);
  } finally {
    await dispatcher.stop();
  }
});

it('stop({ flushMs }) sends what is due before it returns', async () => {
  const status = memoryStatusSink();
  const { dispatcher } = testDispatcher(fresh.db, { sinks: { status, email: memoryEmailSink() }, pollIntervalMs: 60_000 });
  dispatcher.start();
  await new Promise((r) => setTimeout(r, 200));
  await queueStatus('life-flush', 1);
  await dispatcher.stop({ flushMs: 5_000 });
  expect(status.published.map((m) => m.accountId)).toContain('life-flush');
});

it('a broker failure is retried with backoff and the versions of one account still go out in order', async () => {
  const status = memoryStatusSink();
  status.failNext = 2;
  const { dispatcher } = testDispatcher(fresh.db, { sinks: { status, email: memoryEmailSink() } });
  await queueStatus('life-3', 1);
  await queueStatus('life-3', 2);
  await queueStatus('life-3', 3);
  dispatcher.start();
  try {
    await until(() => status.published.filter((m) => m.accountId === 'life-3').length === 3, 10_000, 'three statuses');
  } finally {
    await dispatcher.stop();
  }
  expect(status.published.filter((m) => m.accountId === 'life-3').map((m) => (m.value as { version: number }).version)).toEqual([1, 2, 3]);
  const rows = await outboxRows(fresh.db, `account_id = 'life-3'`);
  expect(rows.map((r) => [r.state, r.attempts])).toEqual([['done', 3], ['done', 1], ['done', 1]]);
});

it('a status that keeps failing is parked after maxAttempts, counted as not pending, and shown in the history', async () => {
  const status = memoryStatusSink();
  status.failNext = Number.POSITIVE_INFINITY;
  const { dispatcher, metrics } = testDispatcher(fresh.db, { sinks: { status, email: memoryEmailSink() }, maxAttempts: 3 });
  await queueStatus('life-4', 1);
  await dispatcher.refreshPending();
  expect(metricValue(await metrics.render(), 'suspensiond_outbox_pending', { kind: 'status' })).toBe(1);
  dispatcher.start();
  try {
    await until(async () => (await outboxRows(fresh.db, `account_id = 'life-4'`))[0]?.state === 'parked', 10_000, 'parked');
  } finally {
    await dispatcher.stop();
  }
  const [row] = await outboxRows(fresh.db, `account_id = 'life-4'`);
  expect(row).toMatchObject({ attempts: 3, last_error: 'Error: broker unavailable (test)' });
  const history = await auditOf(fresh.db, 'life-4');
  expect(history).toHaveLength(1);
  expect(history[0]).toMatchObject({ kind: 'alert', actor: 'system' });
  expect(history[0]!.evidence).toMatchObject({ effect: 'status', version: 1, attempts: 3 });
  await dispatcher.refreshPending();
  expect(metricValue(await metrics.render(), 'suspensiond_outbox_pending', { kind: 'status' })).toBe(0);
});

it('an email payload that can never be sent is parked at once rather than retried', async () => {
  const email = memoryEmailSink();
  const { dispatcher } = testDispatcher(fresh.db, { sinks: { email } });
  await insertOutbox(fresh.db, [{ accountId: 'life-5', kind: 'email', dedupeKey: 'broken-email', payload: { nonsense: true } }], new Date().toISOString());
  await drainAll(dispatcher);
  const [row] = await outboxRows(fresh.db, `account_id = 'life-5'`);
  expect(row).toMatchObject({ state: 'parked', attempts: 1 });
  expect(row!.last_error).toMatch(/email payload is invalid: template/);
  expect(email.sent).toHaveLength(0);
  expect((await auditOf(fresh.db, 'life-5'))[0]).toMatchObject({ kind: 'email_failed' });
});

it('every email carries a stable Message-ID and headers naming the account, the template and the outbox row', async () => {
  const email = memoryEmailSink();
  const { dispatcher } = testDispatcher(fresh.db, { sinks: { email } });
  const key = await queueEmail(fresh.db, { accountId: 'life-6', template: 'activation' });
  await drainAll(dispatcher);
  const [row] = await outboxRows(fresh.db, `dedupe_key = '${key}'`);
  expect(email.sent).toHaveLength(1);
  expect(email.sent[0]!.messageId).toMatch(new RegExp(`^<outbox-${row!.id}-[0-9a-f]{16}@suspensiond>$`));
  expect(email.sent[0]!.headers).toEqual({ 'X-Suspensiond-Account': 'life-6', 'X-Suspensiond-Template': 'activation', 'X-Suspensiond-Outbox': String(row!.id) });
});
