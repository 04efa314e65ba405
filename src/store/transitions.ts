// One transition = one transaction (issue 2, item 3): load the subtree (rows locked), run the pure domain, and
// persist holds, exemptions, decisions, audit, status versions and outbox rows in the caller's transaction, in one
// set-based statement (transition-writes.ts: one insert per table, whatever the number of transitions).
// Never: commits or rolls back itself (the caller's transaction decides); sends email or publishes anything.
import { randomUUID } from 'node:crypto';
import type { Database, Queryable } from './db.js';
import type { Subtree, TransitionCommand, TransitionContext } from '../domain/commands.js';
import { DomainError } from '../domain/errors.js';
import { statusMessage } from '../domain/status.js';
import { transition } from '../domain/transition.js';
import type { TransitionResult } from '../domain/types.js';
import { lastBodyPerAccount, type StatusMessage } from './account-status-repo.js';
import { DbTransientError } from './errors.js';
import { loadSubtree, loadSubtrees } from './load-subtree.js';
import type { EmailPayload, NewOutboxRow } from './outbox-repo.js';
import { writeTransitionRows } from './transition-writes.js';

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

/** One command's outcome in executeTransitions: its result, or the error executeTransition would have thrown. */
export type TransitionOutcome = { ok: true; result: ExecutedTransition } | { ok: false; error: unknown };

/**
 * Runs many suspend/activate commands inside `tx` with the effect of executeTransition on each in turn, in order,
 * but with a fixed number of statements for a run of commands whose subtrees do not overlap (one subtree load for
 * all of them, then one insert per table). A command overlapping an earlier one of its run (its target inside or
 * above the other's subtree, or the same target) starts the next run, loaded after the earlier one was persisted.
 * A command the domain refuses (or whose account does not exist) yields `{ ok: false, error }` and changes nothing;
 * the others go on. A database error (including TransitionConflictError) fails the whole call, as it would fail
 * the transaction in which the commands ran one by one.
 */
export async function executeTransitions(
  tx: Queryable,
  cmds: readonly TransitionCommand[],
  ctx: ExecuteContext,
): Promise<TransitionOutcome[]> {
  const out: TransitionOutcome[] = [];
  const dctx = domainContext(ctx);
  while (out.length < cmds.length) {
    const rest = cmds.slice(out.length);
    const subtrees = await loadSubtrees(tx, rest.map((c) => c.accountId));
    const written = new Set<string>();
    const read = new Set<string>();
    const run: { index: number; subtree: Subtree; result: TransitionResult }[] = [];
    for (const cmd of rest) {
      const subtree = subtrees.get(cmd.accountId);
      const index = out.length;
      if (subtree === undefined) {
        out.push({ ok: false, error: new DomainError('not_found', `account ${cmd.accountId} not found`) });
        continue;
      }
      const writes = [subtree.target, ...subtree.descendants].map((a) => a.id);
      const reads = [...writes, ...subtree.ancestors.map((a) => a.id)];
      if (reads.some((id) => written.has(id)) || writes.some((id) => read.has(id))) break;
      for (const id of writes) written.add(id);
      for (const id of reads) read.add(id);
      try {
        run.push({ index, subtree, result: transition(subtree, cmd, dctx) });
        out.push({ ok: false, error: null }); // placeholder until persisted
      } catch (error) {
        out.push({ ok: false, error });
      }
    }
    const executed = await persistTransitions(tx, run, dctx.now);
    run.forEach((r, i) => { out[r.index] = { ok: true, result: executed[i]! }; });
  }
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
  return (await persistTransitions(tx, [{ subtree, result }], now))[0]!;
}

/**
 * Persists the results of several transitions whose subtrees do not overlap (none writes what another reads), with
 * the same one statement as one transition (one insert per table for all of them). Returns them in input order.
 */
export async function persistTransitions(
  tx: Queryable,
  items: readonly { subtree: Subtree; result: TransitionResult }[],
  now: string,
): Promise<ExecutedTransition[]> {
  const all = <T>(pick: (r: TransitionResult) => T[]): T[] => items.flatMap((i) => pick(i.result));
  // The target of the transition that produced `row` (the error names it, as a single transition's would).
  const targetOf = (row: object) =>
    items.find(({ result: r }) => [...r.holdsPlaced, ...r.holdsLifted, ...r.decisionsOpened].includes(row as never))!.subtree.target.id;
  // No recipient in the row: the dispatcher resolves it from the account as stored when it sends (src/effects).
  const emails: NewOutboxRow[] = items.flatMap(({ result }) =>
    result.emails.map((e): NewOutboxRow => {
      const payload: EmailPayload = { template: e.template, accountId: e.accountId, data: e.data };
      return { accountId: e.accountId, kind: 'email', payload, dedupeKey: e.dedupeKey };
    }),
  );
  const statuses = lastBodyPerAccount(all((r) => r.statusChanges.map((c) => statusMessage(c.after))));
  const toPlace = all((r) => r.holdsPlaced);
  const toLift = all((r) => r.holdsLifted);
  const toOpen = all((r) => r.decisionsOpened);
  const exemptions = all((r) => r.exemptionsCreated);
  const audit = all((r) => r.audit);
  if (toPlace.length + toLift.length + exemptions.length + toOpen.length + audit.length + statuses.length + emails.length === 0) {
    return items.map(({ result }) => ({ ...result, statusMessages: [] }));
  }
  // Everything in one statement (transition-writes.ts); a conflict undoes it with the caller's transaction.
  const written = await writeTransitionRows(
    tx,
    {
      holdsPlaced: toPlace,
      holdsLifted: toLift.map((h) => h.id),
      exemptions,
      decisions: toOpen,
      audit,
      statuses,
      emails,
    },
    now,
  );
  const placed = new Set(written.placed);
  const notPlaced = toPlace.find((h) => !placed.has(h.id));
  if (notPlaced) {
    throw new TransitionConflictError(`a hold with the same reason and source already exists on ${targetOf(notPlaced)}`);
  }
  const lifted = new Set(written.lifted);
  const notLifted = toLift.find((h) => !lifted.has(h.id));
  if (notLifted) throw new TransitionConflictError(`a hold to lift on ${targetOf(notLifted)} was already lifted`);
  const opened = new Set(written.opened);
  const notOpened = toOpen.find((d) => !opened.has(d.id));
  if (notOpened) throw new TransitionConflictError(`a pending decision for ${targetOf(notOpened)} already exists`);
  const byAccount = new Map(written.statuses.map((m) => [m.accountId, m]));
  return items.map(({ result }) => {
    // As recordStatusChanges reports one transition's changes: one message per account, in first-change order.
    const accounts = [...new Set(result.statusChanges.map((c) => c.after.accountId))];
    return { ...result, statusMessages: accounts.map((a) => byAccount.get(a)!) };
  });
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
