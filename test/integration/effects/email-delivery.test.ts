// Emails from the outbox, through a real SMTP server (smtp-server on 127.0.0.1) parsed back with mailparser.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { createSmtpEmailSink } from '../../../src/effects/email-sinks.js';
import { claimBatch } from '../../../src/effects/outbox-sql.js';
import type { EmailSink } from '../../../src/effects/outbox-types.js';
import { withTransition } from '../../../src/store/transitions.js';
import { channel, customer, dunningActor, operatorActor, reseller, ruleActor } from '../../helpers/accounts.js';
import { freshDatabase, type FreshDatabase } from '../../helpers/db.js';
import { startSmtpServer, type TestSmtpServer } from '../../helpers/smtp.js';
import { SUPPORT, auditOf, drainAll, memoryStatusSink, metricValue, outboxRows, queueEmail, seedAccounts, testDispatcher, until } from './effects-fixtures.js';

let fresh: FreshDatabase;
let smtp: TestSmtpServer;
let sink: EmailSink;
const FROM = 'Acme Suspensions <suspensions@telecom.example>';

beforeAll(async () => {
  fresh = await freshDatabase();
  smtp = await startSmtpServer();
  sink = createSmtpEmailSink({ url: smtp.url, from: FROM });
  await seedAccounts(fresh.db, [
    reseller('res-1'),
    channel('chan-1', 'res-1'),
    customer('cust-fraud', 'chan-1', { name: 'Acme Ltd', mainContact: { name: 'Jo Bloggs', email: 'jo@acme.example' } }),
    customer('cust-unpaid', 'chan-1', { name: 'Widget & Sons', mainContact: { name: 'Sam Widget', email: 'sam@widget.example' } }),
    customer('cust-nocontact', 'chan-1', { mainContact: null }),
    customer('cust-html', 'chan-1', { name: '<script>alert(1)</script> Ltd' }),
  ]);
});
afterEach(() => {
  smtp.received.length = 0;
  smtp.refuse(0);
});
afterAll(async ({}, suite) => {
  await sink.close();
  await smtp.close();
  await fresh.drop(suite);
});

const mailTo = (address: string) => smtp.received.filter((m) => m.envelopeTo.includes(address));

function expectSuspensionFacts(body: string) {
  expect(body).toMatch(/Outbound calls: no calls can be made/);
  expect(body).toMatch(/Portal access: the account cannot log in/);
  expect(body).toMatch(/Inbound calls: you can still receive calls/);
  expect(body).toMatch(/Billing: every existing service continues to be billed/);
  expect(body).toMatch(/Connectivity services are not suspended by this.*contact our support desk/s);
  expect(body).toMatch(/Nothing is deleted/);
}

describe('suspension and activation emails reach the main contact', () => {
  it('a fraud suspension says what stops, what goes on, why, and to contact support to review the alert', async () => {
    const { dispatcher, metrics } = testDispatcher(fresh.db, { sinks: { email: sink, status: memoryStatusSink() } });
    const done = await withTransition(
      fresh.db,
      { kind: 'suspend', accountId: 'cust-fraud', actor: ruleActor('irsf-destinations'), reason: 'fraud', source: 'rule:irsf-destinations', evidence: { calls: 12 } },
      { now: new Date() },
    );
    const holdId = done.holdsPlaced[0]!.id;
    await drainAll(dispatcher);
    const [mail] = mailTo('jo@acme.example');
    expect(mail).toBeDefined();
    const p = mail!.parsed!;
    expect(p.subject).toBe('Your account Acme Ltd has been suspended: suspected fraudulent dialling');
    expect(p.to && !Array.isArray(p.to) ? p.to.value[0] : undefined).toMatchObject({ name: 'Jo Bloggs', address: 'jo@acme.example' });
    expect(p.from?.value[0]?.address).toBe('suspensions@telecom.example');
    expectSuspensionFacts(p.text!);
    expect(p.text).toMatch(/fraudulent dialling/);
    expect(p.text).toContain(`contact ${SUPPORT} so that we can review the fraud alert`);
    expect(p.text).toContain(`Reference: ${holdId}`);
    expectSuspensionFacts(String(p.html).replace(/<[^>]+>/g, ''));
    expect(p.messageId).toMatch(/^<outbox-\d+-[0-9a-f]{16}@suspensiond>$/);

    const history = await auditOf(fresh.db, 'cust-fraud');
    const sent = history.filter((h) => h.kind === 'email_sent');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.evidence).toMatchObject({ template: 'suspension-fraud', messageId: p.messageId, to: 'jo@acme.example' });
    expect(metricValue(await metrics.render(), 'suspensiond_emails_total', { template: 'suspension-fraud', outcome: 'sent' })).toBe(1);
  });

  it('a non-payment suspension states the overdue amount and due date and asks to pay the overdue invoices', async () => {
    const { dispatcher } = testDispatcher(fresh.db, { sinks: { email: sink, status: memoryStatusSink() } });
    await withTransition(
      fresh.db,
      {
        kind: 'suspend', accountId: 'cust-unpaid', actor: dunningActor('standard'), reason: 'non_payment', source: 'dunning:standard',
        evidence: { overdueMicros: 1_234_500_000, currency: 'GBP', oldestDueAt: '2026-11-01' },
      },
      { now: new Date() },
    );
    await drainAll(dispatcher);
    const [mail] = mailTo('sam@widget.example');
    const p = mail!.parsed!;
    expect(p.subject).toBe('Your account Widget & Sons has been suspended: overdue invoices');
    expectSuspensionFacts(p.text!);
    expect(p.text).toContain('The overdue balance is GBP 1,234.50.');
    expect(p.text).toContain('The oldest overdue invoice was due on 1 November 2026.');
    expect(p.text).toContain('Please pay the overdue invoices (GBP 1,234.50)');
    expect(p.html).toContain('Widget &amp; Sons');
  });

  it('an activation tells the contact that outbound calls and portal access are back', async () => {
    const { dispatcher } = testDispatcher(fresh.db, { sinks: { email: sink, status: memoryStatusSink() } });
    await withTransition(fresh.db, { kind: 'activate', accountId: 'cust-fraud', actor: operatorActor() }, { now: new Date() });
    await drainAll(dispatcher);
    const [mail] = mailTo('jo@acme.example');
    const p = mail!.parsed!;
    expect(p.subject).toBe('Your account Acme Ltd is active again');
    expect(p.text).toContain('Outbound calls and portal access are available again.');
    expect(p.text).toContain('nothing was deleted');
  });

  it.each([
    ['payment-reminder', 'Payment reminder: GBP 120.00 overdue on your account Widget & Sons', /friendly reminder/],
    ['final-notice', 'Final notice: your account Widget & Sons will be suspended unless overdue invoices are paid', /This is a final notice/],
    ['third-reminder', 'About the overdue balance on your account Widget & Sons', /Invoices on your account Widget & Sons \(cust-unpaid\) are overdue/],
  ])('the dunning stage %s arrives with its subject, amount and due date', async (template, subject, fact) => {
    const { dispatcher } = testDispatcher(fresh.db, { sinks: { email: sink } });
    await queueEmail(fresh.db, {
      accountId: 'cust-unpaid', template, to: { name: 'Sam Widget', email: 'sam@widget.example' },
      // The shape the dunning ladder writes (no account name: the dispatcher looks it up).
      data: { overdueAmount: '120.00', currency: 'GBP', dueAt: '2026-11-01', stage: template, policyId: 'standard', daysPastDue: 10 },
    });
    await drainAll(dispatcher);
    const [mail] = mailTo('sam@widget.example');
    expect(mail!.parsed!.subject).toBe(subject);
    expect(mail!.parsed!.text).toMatch(fact);
    expect(mail!.parsed!.text).toContain('GBP 120.00');
    expect(mail!.parsed!.text).toContain('1 November 2026');
    expect(mail!.parsed!.text).toContain(SUPPORT);
  });

  it('values are HTML-escaped in the HTML body and left as written in the text body', async () => {
    const { dispatcher } = testDispatcher(fresh.db, { sinks: { email: sink } });
    await queueEmail(fresh.db, { accountId: 'cust-html', template: 'payment-reminder', to: { email: 'x@html.example' }, data: { accountName: '<script>alert(1)</script> Ltd' } });
    await drainAll(dispatcher);
    const [mail] = mailTo('x@html.example');
    expect(mail!.parsed!.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; Ltd');
    expect(mail!.parsed!.html).not.toContain('<script>');
    expect(mail!.parsed!.text).toContain('<script>alert(1)</script> Ltd');
  });
});

describe('delivery guarantees', () => {
  it('an account still without a main contact when its wait is over is parked as no_recipient, and its suspension is not held up', async () => {
    const { dispatcher, metrics } = testDispatcher(fresh.db, { sinks: { email: sink }, waitForContactMs: 0 });
    const r = await withTransition(
      fresh.db,
      { kind: 'suspend', accountId: 'cust-nocontact', actor: operatorActor(), reason: 'fraud', source: 'operator:ops-1' },
      { now: new Date() },
    );
    expect(r.holdsPlaced).toHaveLength(1);
    await drainAll(dispatcher);
    expect(smtp.received).toHaveLength(0);
    const rows = await outboxRows(fresh.db, `account_id = 'cust-nocontact' AND kind = 'email'`);
    expect(rows.map((x) => x.state)).toEqual(['parked']);
    expect(rows[0]!.last_error).toMatch(/no recipient after waiting 0s: the account has no main contact yet/);
    const text = await metrics.render();
    expect(metricValue(text, 'suspensiond_emails_total', { template: 'suspension-fraud', outcome: 'no_recipient' })).toBe(1);
    expect(metricValue(text, 'suspensiond_outbox_parked_total', { kind: 'email' })).toBe(1);
    const failed = (await auditOf(fresh.db, 'cust-nocontact')).filter((a) => a.kind === 'email_failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.evidence).toMatchObject({ template: 'suspension-fraud', outcome: 'no_recipient', waitingFor: 'contact' });
  });

  it('an SMTP server that refuses at first and then accepts gets the mail after retries', async () => {
    smtp.refuse(2);
    const { dispatcher, metrics } = testDispatcher(fresh.db, { sinks: { email: sink } });
    const key = await queueEmail(fresh.db, { accountId: 'cust-unpaid', template: 'payment-reminder', to: { email: 'retry@widget.example' } });
    dispatcher.start();
    try {
      await smtp.waitFor(1);
    } finally {
      await dispatcher.stop();
    }
    expect(smtp.refusedCount()).toBeGreaterThanOrEqual(2);
    expect(mailTo('retry@widget.example')).toHaveLength(1);
    const [row] = await outboxRows(fresh.db, `dedupe_key = '${key}'`);
    expect(row).toMatchObject({ state: 'done', attempts: 3 });
    expect(metricValue(await metrics.render(), 'suspensiond_emails_total', { template: 'payment-reminder', outcome: 'sent' })).toBe(1);
  });

  it('a mail that keeps failing is parked after maxAttempts, shows in the history, and lets the next mail go', async () => {
    smtp.refuse(1_000);
    const { dispatcher, metrics } = testDispatcher(fresh.db, { sinks: { email: sink }, maxAttempts: 3 });
    const first = await queueEmail(fresh.db, { accountId: 'cust-html', template: 'final-notice', to: { email: 'park@html.example' } });
    const second = await queueEmail(fresh.db, { accountId: 'cust-html', template: 'activation', to: { email: 'park@html.example' } });
    dispatcher.start();
    try {
      await until(async () => (await outboxRows(fresh.db, `dedupe_key = '${first}'`))[0]?.state === 'parked', 20_000, 'parked');
      // While the first is failing, the second (same account) must not overtake it.
      expect(smtp.received).toHaveLength(0);
      smtp.refuse(0);
      await smtp.waitFor(1);
    } finally {
      await dispatcher.stop();
    }
    expect(smtp.received[0]!.parsed!.subject).toMatch(/is active again/);
    expect((await outboxRows(fresh.db, `dedupe_key = '${second}'`))[0]!.state).toBe('done');
    const failed = (await auditOf(fresh.db, 'cust-html')).filter((a) => a.kind === 'email_failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.evidence).toMatchObject({ template: 'final-notice', attempts: 3 });
    expect(String(failed[0]!.evidence!.error)).toMatch(/451/);
    expect(metricValue(await metrics.render(), 'suspensiond_emails_total', { template: 'final-notice', outcome: 'failed' })).toBe(1);
  });

  it('a crash between claiming a row and sending it leads to a delivery once the lease runs out', async () => {
    const clock = new ManualClock(new Date(Date.now() + 1_000));
    const key = await queueEmail(fresh.db, { accountId: 'cust-fraud', template: 'suspension-fraud', to: { email: 'crash@acme.example' } });
    // The "crashed" dispatcher claimed the row and died before sending: nothing left but its lease.
    const claimed = await claimBatch(fresh.db, { kind: 'email', now: clock.now(), limit: 100, leaseMs: 60_000, dispatcherId: 'crashed' });
    expect(claimed.map((r) => r.dedupeKey)).toContain(key);
    const { dispatcher } = testDispatcher(fresh.db, { sinks: { email: sink }, clock, leaseMs: 60_000, sendTimeoutMs: 5_000 });
    await drainAll(dispatcher);
    expect(mailTo('crash@acme.example')).toHaveLength(0); // the lease still protects the row
    clock.advance(61_000);
    await drainAll(dispatcher);
    expect(mailTo('crash@acme.example')).toHaveLength(1);
    expect((await outboxRows(fresh.db, `dedupe_key = '${key}'`))[0]).toMatchObject({ state: 'done', attempts: 2 });
  });

  it('a crash after sending but before recording leads to a second delivery with the same Message-ID, never none', async () => {
    const clock = new ManualClock(new Date(Date.now() + 1_000));
    await queueEmail(fresh.db, { accountId: 'cust-unpaid', template: 'final-notice', to: { email: 'twice@widget.example' } });
    // The first dispatcher sends, then hangs forever (as a process frozen or killed right after the SMTP reply).
    const hanging: EmailSink = { send: async (m) => { await sink.send(m); await new Promise(() => undefined); }, close: async () => {} };
    const first = testDispatcher(fresh.db, { sinks: { email: hanging }, clock, leaseMs: 60_000, sendTimeoutMs: 50_000 }).dispatcher;
    void first.drainOnce();
    await smtp.waitFor(1);
    clock.advance(61_000);
    const { dispatcher } = testDispatcher(fresh.db, { sinks: { email: sink }, clock, leaseMs: 60_000, sendTimeoutMs: 5_000 });
    await drainAll(dispatcher);
    const mails = mailTo('twice@widget.example');
    expect(mails).toHaveLength(2);
    expect(mails[0]!.messageId).toBe(mails[1]!.messageId);
  });
});
