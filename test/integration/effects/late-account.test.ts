// Emails that wait for their facts (issue 11, defect 3), on real PostgreSQL and a real SMTP server: a suspension of
// an account whose snapshot has not arrived yet goes out, once, to the contact of the snapshot when it lands, within
// seconds; an account that never gets a contact is parked when the wait runs out, visibly; and neither holds up
// status messages or other accounts' emails.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSmtpEmailSink } from '../../../src/effects/email-sinks.js';
import type { EmailSink } from '../../../src/effects/outbox-types.js';
import { syncAccounts } from '../../../src/store/account-moves.js';
import type { Database } from '../../../src/store/db.js';
import { withTransition } from '../../../src/store/transitions.js';
import { customer, reseller, ruleActor } from '../../helpers/accounts.js';
import { freshDatabase, type FreshDatabase } from '../../helpers/db.js';
import { startSmtpServer, type TestSmtpServer } from '../../helpers/smtp.js';
import { auditOf, memoryStatusSink, metricValue, outboxRows, queueEmail, seedAccounts, testDispatcher, until } from './effects-fixtures.js';

let fresh: FreshDatabase;
let smtp: TestSmtpServer;
let sink: EmailSink;

beforeAll(async () => {
  fresh = await freshDatabase();
  smtp = await startSmtpServer();
  sink = createSmtpEmailSink({ url: smtp.url, from: 'suspensions@telecom.example' });
  await seedAccounts(fresh.db, [
    reseller('res-late'),
    customer('cust-known', 'res-late', { name: 'Known Ltd', mainContact: { name: 'Kim Known', email: 'kim@known.example' } }),
    customer('cust-silent', 'res-late', { name: 'Silent Ltd', mainContact: null }),
  ]);
});
afterEach(() => {
  smtp.received.length = 0;
});
afterAll(async ({}, suite) => {
  await sink.close();
  await smtp.close();
  await fresh.drop(suite);
});

const mailTo = (address: string) => smtp.received.filter((m) => m.envelopeTo.includes(address));

/** What the fraud path does for a CDR that got ahead of its account: a placeholder row, then the hold. */
async function suspendUnknownAccount(db: Database, accountId: string): Promise<void> {
  await db.query(`INSERT INTO accounts (id, type, parent_id, updated_at) VALUES ($1, 'customer', NULL, 'epoch') ON CONFLICT (id) DO NOTHING`, [accountId]);
  await withTransition(
    db,
    { kind: 'suspend', accountId, actor: ruleActor('irsf-international-networks'), reason: 'fraud', source: 'rule:irsf-international-networks', evidence: { calls: 3 } },
    { now: new Date() },
  );
}

/** An unlabelled gauge's value in the Prometheus text. */
const gauge = (text: string, name: string) => Number(text.split('\n').find((l) => l.startsWith(`${name} `))?.split(' ')[1] ?? NaN);

const waitingFor = async (db: Database, accountId: string) =>
  (await db.query<{ waiting_for: string | null; waits: number }>(`SELECT waiting_for, waits FROM outbox WHERE account_id = $1 AND kind = 'email' AND state = 'pending' ORDER BY id LIMIT 1`, [accountId])).rows[0];

describe('an email whose account arrives after its suspension', () => {
  it('waits, leaves status messages and other accounts alone, and goes out once to the snapshot contact within seconds of it landing', async () => {
    const status = memoryStatusSink();
    // A backoff of minutes: only the snapshot's wake-up can explain a delivery within seconds.
    const { dispatcher, metrics } = testDispatcher(fresh.db, { sinks: { email: sink, status }, backoff: { baseMs: 120_000, maxMs: 600_000, jitter: 0 } });
    dispatcher.start();
    try {
      await suspendUnknownAccount(fresh.db, 'cust-late');
      // A later email of the same account must keep its place behind the suspension.
      await queueEmail(fresh.db, { accountId: 'cust-late', template: 'payment-reminder', to: null, data: { overdueAmount: '12.00', currency: 'GBP' } });
      await until(async () => (await waitingFor(fresh.db, 'cust-late'))?.waiting_for === 'account', 10_000, 'the email to wait for its account');

      // Its status went out while the email waits.
      await until(() => status.published.some((m) => m.accountId === 'cust-late'), 10_000, 'the status message');
      // Another account's email is not held up behind it.
      await queueEmail(fresh.db, { accountId: 'cust-known', template: 'payment-reminder', to: null });
      await smtp.waitFor(1, 10_000);
      expect(mailTo('kim@known.example')).toHaveLength(1);
      expect(smtp.received).toHaveLength(1);
      await until(async () => (await outboxRows(fresh.db, `account_id = 'cust-known' AND state = 'pending'`)).length === 0, 10_000, 'the other email recorded');

      await dispatcher.refreshPending();
      const gauges = await metrics.render();
      // The suspension waits and the reminder queues behind it: both are waiting, neither counts as an undrained outbox.
      expect(gauge(gauges, 'suspensiond_emails_waiting_for_contact')).toBe(2);
      expect(metricValue(gauges, 'suspensiond_outbox_pending', { kind: 'email' })).toBe(0);

      const landed = Date.now();
      await fresh.db.transaction((tx) =>
        syncAccounts(tx, [customer('cust-late', 'res-late', { name: 'Late Arrivals Ltd', mainContact: { name: 'Lee Late', email: 'lee@late.example' }, updatedAt: new Date().toISOString() })], new Date().toISOString()),
      );
      await until(() => mailTo('lee@late.example').length >= 2, 10_000, 'both emails of the late account');
      expect(Date.now() - landed).toBeLessThan(5_000);
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      await dispatcher.stop();
    }
    const late = mailTo('lee@late.example');
    expect(late).toHaveLength(2);
    expect(late[0]!.parsed!.subject).toBe('Your account Late Arrivals Ltd has been suspended: suspected fraudulent dialling');
    expect(late[0]!.parsed!.text).toContain('Lee Late');
    expect(late[1]!.parsed!.subject).toMatch(/^Payment reminder/);
    const sent = (await auditOf(fresh.db, 'cust-late')).filter((a) => a.kind === 'email_sent');
    expect(sent.map((a) => a.evidence?.to)).toEqual(['lee@late.example', 'lee@late.example']);
    expect((await outboxRows(fresh.db, `account_id = 'cust-late' AND kind = 'email'`)).map((r) => [r.state, r.attempts])).toEqual([['done', 1], ['done', 1]]);
    expect(metricValue(await metrics.render(), 'suspensiond_emails_total', { template: 'suspension-fraud', outcome: 'sent' })).toBe(1);
  }, 30_000);

  it('an account without a main contact is waited for, then parked when the wait runs out, visibly', async () => {
    const { dispatcher, metrics } = testDispatcher(fresh.db, { sinks: { email: sink, status: memoryStatusSink() }, waitForContactMs: 600 });
    dispatcher.start();
    try {
      await withTransition(
        fresh.db,
        { kind: 'suspend', accountId: 'cust-silent', actor: ruleActor('irsf-international-networks'), reason: 'fraud', source: 'rule:irsf-international-networks' },
        { now: new Date() },
      );
      await until(async () => ((await waitingFor(fresh.db, 'cust-silent'))?.waits ?? 0) >= 2, 10_000, 'retries while waiting');
      expect((await waitingFor(fresh.db, 'cust-silent'))?.waiting_for).toBe('contact');
      await until(async () => (await outboxRows(fresh.db, `account_id = 'cust-silent' AND kind = 'email'`))[0]?.state === 'parked', 10_000, 'the row to be parked');
    } finally {
      await dispatcher.stop();
    }
    expect(smtp.received).toHaveLength(0);
    const [row] = await outboxRows(fresh.db, `account_id = 'cust-silent' AND kind = 'email'`);
    expect(row!.last_error).toBe('no recipient after waiting 1s: the account has no main contact yet');
    // Waiting spent none of its delivery attempts: only the claim that parked it counts.
    expect(row!.attempts).toBe(1);
    const failed = (await auditOf(fresh.db, 'cust-silent')).filter((a) => a.kind === 'email_failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.note).toMatch(/not sent: the account has no main contact yet after waiting .*; parked/);
    expect(failed[0]!.evidence).toMatchObject({ template: 'suspension-fraud', outcome: 'no_recipient', waitingFor: 'contact' });
    const text = await metrics.render();
    expect(metricValue(text, 'suspensiond_emails_total', { template: 'suspension-fraud', outcome: 'no_recipient' })).toBe(1);
    expect(metricValue(text, 'suspensiond_outbox_parked_total', { kind: 'email' })).toBe(1);
    await dispatcher.refreshPending();
    expect(gauge(await metrics.render(), 'suspensiond_emails_waiting_for_contact')).toBe(0);
  }, 30_000);

  it('a row written before recipients were resolved at send time is still sent to the recipient it carries', async () => {
    const { dispatcher } = testDispatcher(fresh.db, { sinks: { email: sink } });
    await queueEmail(fresh.db, { accountId: 'cust-known', template: 'activation', to: { name: 'Old Contact', email: 'old@known.example' } });
    dispatcher.start();
    try {
      await smtp.waitFor(1, 10_000);
    } finally {
      await dispatcher.stop();
    }
    expect(mailTo('old@known.example')).toHaveLength(1);
    expect(mailTo('old@known.example')[0]!.parsed!.subject).toBe('Your account Known Ltd is active again');
  });
});
