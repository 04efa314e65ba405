// Step 2 of the ingest path: decoded records -> what each must write. Accounts and invoice events pass through;
// CDRs go through the partition's fraud engine, with their accounts' profiles read in one query, and come out as
// rule hits. A profile that cannot be read for one account (its id is something PostgreSQL refuses) or a CDR the
// engine throws on is dead-lettered alone, BEFORE the engine keeps any state of it, so a rebuild after a restart
// skips it the same way. The database being unavailable makes every record `retry` (the batch is tried again
// later) before the engine sees any of it.
// Never: writes anything, or reads the clock for a decision.
import type { DecodedRecord } from '../events/decode-record.js';
import type { AccountRecord, CdrRecord, InvoiceEventRecord } from '../events/types.js';
import type { AccountProfile, FraudEngine } from '../rules/types.js';
import type { Queryable } from '../store/db.js';
import { isRetryableIngestError } from './error-kinds.js';
import { isolateFailures, unguarded } from './isolate.js';
import type { ProfileCache } from './profile-cache.js';
import { deadLetter, duplicate, ok, reasonOf, retry, type StepResult } from './results.js';
import type { TimedHit } from './rule-hits.js';

/** What one record must write in the commit step. */
export type Effect =
  | { kind: 'accounts'; value: AccountRecord }
  | { kind: 'invoices'; value: InvoiceEventRecord }
  | { kind: 'cdrs'; hits: TimedHit[] };

/** The usual result of a CDR, shared (the hot path allocates nothing for it). */
const NO_HITS: StepResult<Effect> = ok({ kind: 'cdrs', hits: [] });

export interface EvaluateInput {
  results: readonly StepResult<DecodedRecord>[];
  arrivedAtMs: (index: number) => number;
  rebuild: readonly { cdr: CdrRecord; arrivedAtMs: number }[];
  engine: FraudEngine | null;
  profiles: ProfileCache;
  db: Queryable;
  nowMs: number;
}

/** Profiles of every id; ids whose lookup fails on their own come back in `failed` with the reason. */
async function loadProfiles(i: EvaluateInput, ids: readonly string[]): Promise<{ byId: Map<string, AccountProfile>; failed: Map<string, string> }> {
  const failed = new Map<string, string>();
  if (ids.length === 0) return { byId: new Map(), failed };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      // the first attempt runs in evaluateBatch's synchronous run, just after its peeks found `ids` missing
      return { byId: await i.profiles.load(i.db, ids, i.nowMs, attempt === 0), failed };
    } catch (err) {
      if (isRetryableIngestError(err)) throw err;
    }
  }
  const found = await isolateFailures(ids, (run) => i.profiles.load(i.db, run, i.nowMs), unguarded);
  const byId = new Map<string, AccountProfile>();
  for (const m of found.applied) for (const [id, p] of m) byId.set(id, p);
  for (const f of found.failed) failed.set(f.unit, `accountId: cannot be read from the database (${reasonOf(f.error)})`);
  return { byId, failed };
}

/**
 * Every profile the batch needs is usually cached: then the step runs to its end at once and returns the results,
 * not a promise, so a batch without effects is decoded, evaluated and answered in one run, without a microtask hop
 * in which another partition's batch runs (bench/README.md, branch `lat4`). Otherwise the missing profiles are read
 * in one query first.
 */
export function evaluateBatch(i: EvaluateInput): StepResult<Effect>[] | Promise<StepResult<Effect>[]> {
  // Each CDR's profile from the cache in one look-up (the common case: all of them); the rest are read in one query.
  const rebuildProfiles: (AccountProfile | undefined)[] = new Array(i.rebuild.length);
  const recordProfiles: (AccountProfile | undefined)[] = new Array(i.results.length);
  let missing: Set<string> | null = null;
  for (let k = 0; k < i.rebuild.length; k++) {
    const id = i.rebuild[k]!.cdr.accountId;
    if ((rebuildProfiles[k] = i.profiles.peek(id, i.nowMs)) === undefined) (missing ??= new Set()).add(id);
  }
  for (let k = 0; k < i.results.length; k++) {
    const r = i.results[k]!;
    if (r.type !== 'ok' || r.value.kind !== 'cdrs') continue;
    const id = r.value.value.accountId;
    if ((recordProfiles[k] = i.profiles.peek(id, i.nowMs)) === undefined) (missing ??= new Set()).add(id);
  }
  if (missing === null) return evaluateWith(i, rebuildProfiles, recordProfiles, NONE_LOADED);
  return loadProfiles(i, [...missing]).then(
    (loaded) => evaluateWith(i, rebuildProfiles, recordProfiles, loaded),
    // Every record, those only rebuilding the engine's state included, waits for the batch's retry.
    (err: unknown) => i.results.map(() => retry(err)),
  );
}

type Loaded = Awaited<ReturnType<typeof loadProfiles>>;
const NONE_LOADED: Loaded = { byId: new Map(), failed: new Map() };

function evaluateWith(i: EvaluateInput, rebuildProfiles: readonly (AccountProfile | undefined)[], recordProfiles: readonly (AccountProfile | undefined)[], profiles: Loaded): StepResult<Effect>[] {
  const run = (cdr: CdrRecord, cached: AccountProfile | undefined, arrivedAtMs: number): StepResult<Effect> => {
    let profile = cached;
    if (profile === undefined) {
      const bad = profiles.failed.get(cdr.accountId);
      if (bad !== undefined) return deadLetter(bad);
      profile = profiles.byId.get(cdr.accountId)!;
    }
    try {
      const r = i.engine!.process(cdr, profile);
      if (r.outcome === 'duplicate') return duplicate();
      if (r.hits.length === 0) return NO_HITS;
      return ok({ kind: 'cdrs', hits: r.hits.map((hit) => ({ hit, arrivedAtMs })) });
    } catch (err) {
      return deadLetter(`fraud engine failed on this record: ${reasonOf(err)}`, err);
    }
  };
  for (let k = 0; k < i.rebuild.length; k++) run(i.rebuild[k]!.cdr, rebuildProfiles[k], i.rebuild[k]!.arrivedAtMs);
  const out: StepResult<Effect>[] = new Array(i.results.length);
  for (let index = 0; index < i.results.length; index++) {
    const r = i.results[index]!;
    if (r.type !== 'ok') out[index] = r as StepResult<never>;
    else {
      const d = r.value;
      if (d.kind === 'cdrs') out[index] = run(d.value, recordProfiles[index], i.arrivedAtMs(index));
      else out[index] = ok(d.kind === 'accounts' ? { kind: 'accounts', value: d.value } : { kind: 'invoices', value: d.value });
    }
  }
  return out;
}
