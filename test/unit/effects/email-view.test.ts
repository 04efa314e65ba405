import { describe, expect, it } from 'vitest';
import { buildEmailView } from '../../../src/effects/email-view.js';

const opts = { supportContact: 'support@telecom.example' };

describe('the values an email template is filled from', () => {
  it('reads a suspension intent: account, contact, reason, hold and placement time', () => {
    const view = buildEmailView(
      {
        template: 'suspension-fraud', accountId: 'cust-1', to: { name: 'Jo', email: 'jo@acme.example' },
        data: { accountId: 'cust-1', accountName: 'Acme Ltd', reason: 'fraud', holdId: 'h-1', source: 'rule:irsf', since: '2026-11-24T21:09:16Z', evidence: { calls: 12 }, inheritedFrom: [] },
      },
      opts,
    );
    expect(view).toMatchObject({
      accountName: 'Acme Ltd', contactName: 'Jo', contactEmail: 'jo@acme.example', reason: 'fraud', isFraud: true, isNonPayment: false,
      holdId: 'h-1', placedAt: '24 November 2026 at 21:09 UTC', stillSuspended: false, supportContact: 'support@telecom.example', calls: 12,
    });
    expect(view.reasonText).toMatch(/fraudulent dialling/);
  });

  it('finds the overdue amount and due date in the evidence of a non-payment hold', () => {
    const view = buildEmailView(
      { template: 'suspension-non_payment', accountId: 'c', to: null, data: { reason: 'non_payment', evidence: { overdueMicros: 120_000_000, currency: 'GBP', oldestDueAt: '2026-11-01' } } },
      opts,
    );
    expect(view).toMatchObject({ overdueAmount: 'GBP 120.00', dueAt: '1 November 2026', isNonPayment: true, accountName: 'c', contactName: 'c' });
  });

  it('reads an activation: lifted reasons, hold ids, and whether an ancestor still suspends the account', () => {
    const view = buildEmailView(
      { template: 'activation', accountId: 'c', to: { email: 'x@y' }, data: { reasons: ['fraud', 'non_payment'], holdIds: ['h-1', 'h-2'], at: '2026-11-25T08:00:00Z', inheritedFrom: ['chan-7'], stillSuspended: true } },
      { ...opts, defaultTimezone: 'Europe/London' },
    );
    expect(view).toMatchObject({ reason: 'fraud, non_payment', holdId: 'h-1, h-2', activatedAt: '25 November 2026 at 08:00 GMT', stillSuspended: true, inheritedFrom: 'chan-7' });
  });

  it('prefers the account time zone from the data over the default', () => {
    const view = buildEmailView({ template: 'x', accountId: 'c', to: null, data: { since: '2026-11-24T21:09:00Z', timezone: 'Asia/Tokyo' } }, opts);
    expect(view.placedAt).toBe('25 November 2026 at 06:09 GMT+9');
  });
});
