// One transition = one transaction (issue 2, item 3): load the subtree (rows locked), run the pure domain, and
// persist holds, exemptions, decisions, audit, status versions and outbox rows in the caller's transaction, with
// set-based statements (one per table, whatever the number of accounts whose status changed).
// Never: commits or rolls back itself (the caller's transaction decides); sends email or publishes anything.
import { randomUUID } from 'node:crypto';
import type { Database, Queryable } from './db.js';
import type { Subtree, TransitionCommand, TransitionContext } from '../domain/commands.js';
import { DomainError } from '../domain/errors.js';
import { statusMessage } from '../domain/status.js';
import { transition } from '../domain/transition.js';
import type { Contact, TransitionResult } from '../domain/types.js';
import { appendAudit } from './audit-repo.js';
import { recordStatusChanges, type StatusMessage } from './account-status-repo.js';
import { insertDecisions } from './decisions-repo.js';
import { DbTransientError } from './errors.js';
import { insertExemptions } from './exemptions-repo.js';
import { deleteHolds, insertHolds } from './holds-repo.js';
import { loadSubtree } from './load-subtree.js';
import { insertOutbox, type EmailPayload, type NewOutboxRow } from './outbox-repo.js';

export type IdPrefix = 'h' | 'x' | 'd';

export interface ExecuteContext {
  /** The transition's instant (Date or ISO 8601). */
  now: Date | string;
  /** Id factory; default `<prefix>-<uuid>`. */
  newId?: (prefix: IdPrefix) => string;
}

/** The domain's result plus what the store assigned: the published status messages, with their versions. */
export interface ExecutedTransition extends TransitionResult {
  statusMessages: StatusMessage[];
}

/** A concurrent transaction changed the same holds or decisions first; rerunning the transaction resolves it. */
export class TransitionConflictError extends DbTransientError {
  constructor(message: string) {
    super(message, undefined, undefined);
    this.name = 'TransitionConflictError';
  }
}

export function newId(prefix: IdPrefix): string {
  return `${prefix}-${randomUUID()}`;
}

export function domainContext(ctx: ExecuteContext): TransitionContext {
  return { now: typeof ctx.now === 'string' ? new Date(ctx.now).toISOString() : ctx.now.toISOString(), newId: ctx.newId ?? newId };
}

/** Loads the target's subtree (locked) or throws DomainError('not_found'). */
export async function loadSubtreeOrThrow(tx: Queryable, accountId: string): Promise<Subtree> {
  const subtree = await loadSubtree(tx, accountId);
  if (subtree === null) throw new DomainError('not_found', `account ${accountId} not found`);
  return subtree;
}

/** Runs one suspend/activate inside `tx`. Unknown account -> DomainError('not_found'). */
export async function executeTransition(tx: Queryable, cmd: TransitionCommand, ctx: ExecuteContext): Promise<ExecutedTransition> {
  const subtree = await loadSubtreeOrThrow(tx, cmd.accountId);
  const dctx = domainContext(ctx);
  return persistTransition(tx, subtree, transition(subtree, cmd, dctx), dctx.now);
}

function contacts(subtree: Subtree): Map<string, Contact | null> {
  const out = new Map<string, Contact | null>();
  for (const a of [subtree.target, ...subtree.ancestors, ...subtree.descendants]) out.set(a.id, a.mainContact);
  return out;
}

/**
 * Persists any TransitionResult computed on `subtree` (loaded in this same transaction): transitions, decision
 * approvals and rejections. Throws TransitionConflictError when the rows it expected to change had already changed.
 */
export async function persistTransition(
  tx: Queryable,
  subtree: Subtree,
  result: TransitionResult,
  now: string,
): Promise<ExecutedTransition> {
  const placed = await insertHolds(tx, result.holdsPlaced);
  if (placed.length !== result.holdsPlaced.length) {
    throw new TransitionConflictError(`a hold with the same reason and source already exists on ${subtree.target.id}`);
  }
  const liftIds = result.holdsLifted.map((h) => h.id);
  const lifted = await deleteHolds(tx, liftIds);
  if (lifted.length !== liftIds.length) {
    throw new TransitionConflictError(`a hold to lift on ${subtree.target.id} was already lifted`);
  }
  await insertExemptions(tx, result.exemptionsCreated);
  const opened = await insertDecisions(tx, result.decisionsOpened);
  if (opened.length !== result.decisionsOpened.length) {
    throw new TransitionConflictError(`a pending decision for ${subtree.target.id} already exists`);
  }
  await appendAudit(tx, result.audit);
  const statusMessages = await recordStatusChanges(
    tx,
    result.statusChanges.map((c) => statusMessage(c.after)),
    now,
  );
  const who = contacts(subtree);
  const emails: NewOutboxRow[] = result.emails.map((e) => {
    const payload: EmailPayload = { template: e.template, accountId: e.accountId, to: who.get(e.accountId) ?? null, data: e.data };
    return { accountId: e.accountId, kind: 'email', payload, dedupeKey: e.dedupeKey };
  });
  await insertOutbox(tx, emails, now);
  return { ...result, statusMessages };
}

/** Retries of a transaction that lost a race (deadlock, serialization failure, TransitionConflictError). */
const MAX_ATTEMPTS = 4;

/** Runs `fn` in a transaction, rerunning it (at most 4 times) when it loses a race to a concurrent transaction. */
export async function inTransactionWithRetry<T>(db: Database, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await db.transaction(fn);
    } catch (err) {
      if (!(err instanceof DbTransientError) || attempt >= MAX_ATTEMPTS) throw err;
    }
  }
}

/** Opens a transaction, executes the transition in it, and commits. */
export function withTransition(db: Database, cmd: TransitionCommand, ctx: ExecuteContext): Promise<ExecutedTransition> {
  return inTransactionWithRetry(db, (tx) => executeTransition(tx, cmd, ctx));
}
