// Who an email goes to is decided when it is sent, from the account as stored then; an account not known yet or
// without a contact is waited for with backoff, until the configured wait is over.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextWaitStep, resolveRecipient, type StoredAccount } from '../../../src/effects/email-recipient.js';
import type { EmailPayload } from '../../../src/effects/outbox-types.js';

const intent = (over: Partial<EmailPayload> = {}): EmailPayload => ({ template: 'suspension-fraud', accountId: 'cust-1', to: null, data: {}, ...over });
const stored = (over: Partial<StoredAccount> = {}): StoredAccount => ({ name: 'Acme Ltd', mainContact: { name: 'Jo Bloggs', email: 'jo@acme.example' }, known: true, ...over });

describe('resolving the recipient at send time', () => {
  it('sends to the main contact and name of the account as stored now', () => {
    expect(resolveRecipient(intent({ data: { accountName: 'Old Name' } }), stored())).toEqual({
      kind: 'send', to: { name: 'Jo Bloggs', email: 'jo@acme.example' }, accountName: 'Acme Ltd',
    });
  });

  it('waits for the account when it is not stored, or only as the placeholder a rule hold inserts', () => {
    expect(resolveRecipient(intent(), undefined)).toEqual({ kind: 'wait', waitingFor: 'account' });
    expect(resolveRecipient(intent(), stored({ known: false, name: null, mainContact: null }))).toEqual({ kind: 'wait', waitingFor: 'account' });
  });

  it('waits for a contact when the account is known without one, or with an empty email', () => {
    expect(resolveRecipient(intent(), stored({ mainContact: null }))).toEqual({ kind: 'wait', waitingFor: 'contact' });
    expect(resolveRecipient(intent(), stored({ mainContact: { name: 'Nobody', email: '  ' } }))).toEqual({ kind: 'wait', waitingFor: 'contact' });
  });

  it('keeps the recipient a row written before send-time resolution carries, with the name as stored now', () => {
    expect(resolveRecipient(intent({ to: { name: 'Old', email: 'old@acme.example' } }), stored({ name: 'Acme Renamed' }))).toEqual({
      kind: 'send', to: { name: 'Old', email: 'old@acme.example' }, accountName: 'Acme Renamed',
    });
    expect(resolveRecipient(intent({ to: { email: 'old@acme.example' } }), undefined)).toMatchObject({ kind: 'send', accountName: null });
  });

  it('an old row without a recipient waits like a new one', () => {
    expect(resolveRecipient(intent({ to: null }), stored({ mainContact: null }))).toEqual({ kind: 'wait', waitingFor: 'contact' });
  });
});

describe('the wait for a recipient', () => {
  const backoff = { baseMs: 1_000, maxMs: 15 * 60_000, jitter: 0 };
  const createdAt = new Date('2026-11-24T21:00:00Z');
  const dayMs = 24 * 3_600_000;

  it('retries with a growing delay while the wait lasts', () => {
    const steps = [1, 2, 3, 4].map((waits) => nextWaitStep({ createdAt, now: createdAt, waits, waitMs: dayMs, backoff, random: () => 0 }));
    expect(steps.map((s) => (s.kind === 'retry' ? s.at.getTime() - createdAt.getTime() : -1))).toEqual([1_000, 2_000, 4_000, 8_000]);
  });

  it('parks the row once the wait has passed since it was written', () => {
    expect(nextWaitStep({ createdAt, now: new Date(createdAt.getTime() + dayMs), waits: 90, waitMs: dayMs, backoff, random: () => 0 })).toEqual({ kind: 'park', waitedMs: dayMs });
    expect(nextWaitStep({ createdAt, now: createdAt, waits: 1, waitMs: 0, backoff, random: () => 0 })).toEqual({ kind: 'park', waitedMs: 0 });
  });

  it('never schedules a retry past the end of the wait, nor before now', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: dayMs - 1 }), fc.integer({ min: 1, max: 500 }), fc.double({ min: 0, max: 0.999, noNaN: true }), (elapsed, waits, r) => {
        const now = new Date(createdAt.getTime() + elapsed);
        const step = nextWaitStep({ createdAt, now, waits, waitMs: dayMs, backoff: { ...backoff, jitter: 0.5 }, random: () => r });
        return step.kind === 'retry' && step.at.getTime() > now.getTime() && step.at.getTime() <= createdAt.getTime() + dayMs;
      }),
    );
  });
});
