// Step 3 of the ingest path: one transaction writes the batch's effects -- dead letters, account snapshots, invoice
// events and their dunning evaluation, rule hits -- and the partition's checkpoint, then produces the dead letters
// to the DLQ topic before COMMIT (dead-letters.ts says why). Failures:
// - retryable (database or broker unavailable, a lost race): every record's result is `retry`; nothing was written
//   and the caller tries the whole batch again later;
// - a lost race (40001 serialization failure, 40P01 deadlock): the transaction is run again at once, up to three
//   times, before it counts as retryable;
// - a checkpoint conflict (another owner): thrown; the caller seeks back;
// - anything else: the same transaction is tried once more (the cause may have passed), then once in isolating
//   mode, where each kind of effect is applied under savepoints and bisected (isolate.ts) until the records that
//   fail are found. Those become dead letters with their bytes and the error; the rest commit with the checkpoint.
// Returns the final per-record results and what to report after the COMMIT. Never: counts or logs a decision.
import type { TransitionContext } from '../domain/commands.js';
import type { Logger } from '../log.js';
import type { DunningPolicy } from '../rules/types.js';
import type { Database, Queryable } from '../store/db.js';
import { insertDeadLetters, toDeadLetter } from './dead-letters.js';
import { isRetryableIngestError } from './error-kinds.js';
import type { Effect } from './evaluate-step.js';
import { isolateFailures, savepointGuard, unguarded, type Guard } from './isolate.js';
import { deadLetter, duplicate, reasonOf, retry, type StepResult } from './results.js';
import { applyRuleHits, type HitOutcome, type TimedHit } from './rule-hits.js';
import { CheckpointConflictError, type DeadLetterSink, type IngestEffects, type RawRecord, type Source } from './types.js';

export interface CommitDeps {
  db: Database;
  effects: IngestEffects;
  dlq: DeadLetterSink | null;
  enforce: boolean;
  log: Logger;
}

export interface CommitInput {
  source: Source;
  records: readonly RawRecord[];
  results: readonly StepResult<Effect>[];
  ctx: TransitionContext;
  dunning: readonly DunningPolicy[];
  /** Writes the partition's checkpoint in the transaction (or nothing when none is due). */
  checkpoint: (tx: Queryable) => Promise<void>;
}

export interface Committed {
  results: StepResult<Effect>[];
  hits: HitOutcome[];
  dunning: ('suspend' | 'activate')[];
}

interface Unit<T> {
  index: number;
  value: T;
}

/** The effects of a batch by kind, each with the index of the record it comes from. */
function effectsOf(results: readonly StepResult<Effect>[]) {
  const accounts: Unit<Extract<Effect, { kind: 'accounts' }>['value']>[] = [];
  const invoices: Unit<Extract<Effect, { kind: 'invoices' }>['value']>[] = [];
  const hits: Unit<TimedHit[]>[] = [];
  results.forEach((r, index) => {
    if (r.type !== 'ok') return;
    const e = r.value;
    if (e.kind === 'accounts') accounts.push({ index, value: e.value });
    else if (e.kind === 'invoices') invoices.push({ index, value: e.value });
    else if (e.hits.length > 0) hits.push({ index, value: e.hits });
  });
  return { accounts, invoices, hits };
}

/** True when the batch has anything to write besides a checkpoint. */
export function hasEffects(results: readonly StepResult<Effect>[]): boolean {
  return results.some((r) => r.type === 'dead_letter' || (r.type === 'ok' && (r.value.kind !== 'cdrs' || r.value.hits.length > 0)));
}

/** SQLSTATEs of a transaction that lost a race with another: running it again at once usually succeeds. */
const LOST_RACE = new Set(['40001', '40P01']);
const RACE_RETRIES = 3;

async function transaction<T>(db: Database, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(fn);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (attempt > RACE_RETRIES || typeof code !== 'string' || !LOST_RACE.has(code)) throw err;
    }
  }
}

export async function commitBatch(input: CommitInput, deps: CommitDeps): Promise<Committed> {
  try {
    for (let attempt = 1; attempt <= 2; attempt++) {
      try {
        return await transaction(deps.db, (tx) => write(tx, input, deps, unguarded, false));
      } catch (err) {
        if (err instanceof CheckpointConflictError || isRetryableIngestError(err)) throw err;
        deps.log.warn({ err, topic: input.source.topicName, partition: input.source.partition, attempt }, 'batch failed on a record-level error; retrying');
      }
    }
    return await transaction(deps.db, (tx) => write(tx, input, deps, savepointGuard(tx), true));
  } catch (err) {
    if (!isRetryableIngestError(err)) throw err;
    return { results: input.results.map(() => retry(err)), hits: [], dunning: [] };
  }
}

async function write(tx: Queryable, input: CommitInput, deps: CommitDeps, guard: Guard, isolating: boolean): Promise<Committed> {
  const results = [...input.results];
  const { accounts, invoices, hits } = effectsOf(results);
  const out: Committed = { results, hits: [], dunning: [] };
  /** Applies `apply` to the units: in one go, or isolating the units that fail as dead letters. */
  const each = async <T, R>(units: Unit<T>[], apply: (run: readonly Unit<T>[]) => Promise<R>): Promise<R[]> => {
    if (units.length === 0) return [];
    if (!isolating) return [await apply(units)];
    const found = await isolateFailures(units, apply, guard);
    for (const f of found.failed) {
      results[f.unit.index] = deadLetter(`${input.source.kind}: the database refused this record (${reasonOf(f.error)})`, f.error);
      deps.log.warn({ err: f.error, topic: input.source.topicName, partition: input.source.partition, offset: input.records[f.unit.index]!.offset }, 'record failed on its own: dead-lettered');
    }
    return found.applied;
  };

  const accountRuns = await each(accounts, async (run) => {
    await deps.effects.upsertAccounts(tx, run.map((u) => u.value), input.ctx.now);
    // Snapshots re-evaluate the dunning ladder too (issue 13): one that takes the account out of its policy's
    // appliesTo ends the episode and lifts the dunning hold at once, not at the next sweep.
    const ids = [...new Set(run.map((u) => u.value.id))].sort();
    return (await deps.effects.evaluateAccounts(tx, ids, new Date(input.ctx.now), input.dunning)).decisions;
  });
  for (const decisions of accountRuns) out.dunning.push(...decisions);
  const invoiceRuns = await each(invoices, async (run) => {
    const outcomes = await deps.effects.recordInvoiceEvents(tx, run.map((u) => u.value));
    const ids = [...new Set(run.map((u) => u.value.accountId))].sort();
    const evaluated = await deps.effects.evaluateAccounts(tx, ids, new Date(input.ctx.now), input.dunning);
    return { duplicates: run.filter((_, k) => outcomes[k]?.outcome === 'duplicate').map((u) => u.index), decisions: evaluated.decisions };
  });
  for (const r of invoiceRuns) {
    for (const index of r.duplicates) results[index] = duplicate();
    out.dunning.push(...r.decisions);
  }
  const hitRuns = await each(hits, (run) => applyRuleHits(tx, run.flatMap((u) => u.value.map((h) => ({ ...h, index: u.index }))), input.ctx, deps));
  for (const r of hitRuns) out.hits.push(...r);

  const letters: ReturnType<typeof toDeadLetter>[] = [];
  results.forEach((r, index) => {
    if (r.type === 'dead_letter') letters.push(toDeadLetter(input.source, input.records[index]!, r.reason));
  });
  await insertDeadLetters(tx, letters, Date.parse(input.ctx.now));
  await input.checkpoint(tx);
  if (letters.length > 0 && deps.dlq) await deps.dlq.send(letters);
  return out;
}
