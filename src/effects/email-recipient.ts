// Who an email goes to, decided when it is sent (CONTRACT §8): from the account as stored at that moment, not as it
// was when the outbox row was written. An account not known yet (a CDR got ahead of its snapshot) or known without a
// main contact is waited for, with backoff, until EMAIL_WAIT_FOR_CONTACT has passed since the row was written; then
// the row is parked. Pure: takes the stored account and `now`, returns a decision. Never reads the database or clock.
import { backoffDelayMs, type BackoffPolicy } from './backoff.js';
import type { EmailPayload, EmailRecipient } from './outbox-types.js';

/** The account as stored when the email is sent. `known` is false for the placeholder a rule hold inserts. */
export interface StoredAccount {
  name: string | null;
  mainContact: unknown;
  known: boolean;
}

export type WaitingFor = 'account' | 'contact';

export type Recipient =
  | { kind: 'send'; to: EmailRecipient; accountName: string | null }
  | { kind: 'wait'; waitingFor: WaitingFor };

function contactOf(value: unknown): EmailRecipient | null {
  if (typeof value !== 'object' || value === null) return null;
  const c = value as { name?: unknown; email?: unknown };
  if (typeof c.email !== 'string' || c.email.trim() === '') return null;
  return typeof c.name === 'string' && c.name !== '' ? { name: c.name, email: c.email } : { email: c.email };
}

/**
 * The recipient and account name of `payload` given the account as stored now. A `to` already in the payload comes
 * from a row written before recipients were resolved at send time; it is kept, so such rows stay deliverable.
 */
export function resolveRecipient(payload: EmailPayload, stored: StoredAccount | undefined): Recipient {
  const storedName = stored?.known && stored.name ? stored.name : null;
  const legacy = contactOf(payload.to);
  if (legacy) return { kind: 'send', to: legacy, accountName: storedName };
  if (!stored || !stored.known) return { kind: 'wait', waitingFor: 'account' };
  const to = contactOf(stored.mainContact);
  if (!to) return { kind: 'wait', waitingFor: 'contact' };
  return { kind: 'send', to, accountName: storedName };
}

export type WaitStep = { kind: 'retry'; at: Date } | { kind: 'park'; waitedMs: number };

/**
 * What to do with a row that found no recipient for the `waits`-th time: try again after a backoff delay (never past
 * the end of the wait, so the last look happens on time), or park it once `waitMs` has passed since `createdAt`.
 */
export function nextWaitStep(args: {
  createdAt: Date;
  now: Date;
  waits: number;
  waitMs: number;
  backoff: BackoffPolicy;
  random: () => number;
}): WaitStep {
  const deadline = args.createdAt.getTime() + args.waitMs;
  const now = args.now.getTime();
  if (now >= deadline) return { kind: 'park', waitedMs: Math.max(0, now - args.createdAt.getTime()) };
  const delay = backoffDelayMs(args.waits, args.backoff, args.random);
  return { kind: 'retry', at: new Date(Math.min(deadline, now + delay)) };
}
