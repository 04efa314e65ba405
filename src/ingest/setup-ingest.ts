// Call set-ups counted by the HTTP lane (issue 15, prevention): an authorization request that carries the call's id
// is the `phase: start` CDR of that call, fed through the same pipeline as HTTP-ingested CDRs (the same lane, the
// same fraud engine, the same transaction for the hold, audit, emails, status message and checkpoint), so the
// switch's end record of the call (same id) is counted once, and a repeated set-up is a duplicate.
// Group commit: set-ups that arrive while the lane is busy wait for the batch in hand and then go together in the
// next one (one transaction), at most MAX_BATCH at a time.
// Errors: the pipeline's (a retryable DbError when the database is unavailable, a CheckpointConflictError when
// another replica moved the HTTP checkpoint: tried once more at once) reject every set-up of the batch; the caller
// decides what to answer. Never: answers the switch, or reads the status view.
import type { CdrRecord } from '../events/types.js';
import type { Pipeline } from './pipeline.js';
import { CheckpointConflictError, type BatchDecision, type BatchResult, type RecordOutcome, type Source } from './types.js';

/** One call's set-up, validated at the API boundary. */
export interface SetupCall {
  callId: string;
  accountId: string;
  callee: string;
  caller?: string | undefined;
  /** Epoch ms: the switch's set-up time (default: when the request arrived). */
  startedAt: number;
}

export interface SetupCounted {
  /** accepted: counted now; duplicate: this call's start was counted before; rejected: dead-lettered (error). */
  outcome: RecordOutcome;
  error?: string;
  /** The committed rule hits of this set-up (a suspend with action `suspend` placed `holdId`). */
  decisions: readonly BatchDecision[];
  /** Holds the same batch placed on this account, this set-up's own included (another record may have crossed). */
  accountHolds: readonly BatchDecision[];
}

/** What a committed batch did to one of its records: its own hits, and the holds placed on its account. */
export function countedOf(result: BatchResult, index: number, accountId: string): SetupCounted {
  const r = result.results[index]!;
  const all = result.decisions ?? [];
  const decisions = all.filter((d) => d.index === index);
  const accountHolds = all.filter((d) => d.action === 'suspend' && d.holdId !== undefined && d.accountId === accountId);
  return r.error === undefined ? { outcome: r.outcome, decisions, accountHolds } : { outcome: r.outcome, error: r.error, decisions, accountHolds };
}

export type SetupIngest = (call: SetupCall) => Promise<SetupCounted>;

export const MAX_SETUP_BATCH = 256;

/** The `phase: start` CDR of a set-up, as CONTRACT §2 bytes (decoded by the pipeline like any HTTP CDR). */
export function setupCdrJson(call: SetupCall): Buffer {
  const cdr: Record<string, string> = {
    id: call.callId,
    accountId: call.accountId,
    direction: 'outbound',
    callee: call.callee,
    startedAt: new Date(call.startedAt).toISOString(),
    phase: 'start',
  };
  if (call.caller !== undefined) cdr.caller = call.caller;
  return Buffer.from(JSON.stringify(cdr));
}

/** Whether a decoded CDR is what setupCdrJson wrote for `call` (a unit test holds the two together). */
export function isSetupOf(cdr: CdrRecord, call: SetupCall): boolean {
  return cdr.id === call.callId && cdr.accountId === call.accountId && cdr.phase === 'start' && cdr.startedAt === call.startedAt;
}

interface Pending {
  call: SetupCall;
  resolve: (r: SetupCounted) => void;
  reject: (err: unknown) => void;
}

export function createSetupIngest(pipeline: Pipeline, cdrsTopic = 'cdrs', now: () => number = Date.now): SetupIngest {
  // The HTTP lane of createHttpIngest (same topic name, so the same engine and checkpoint row).
  const source: Source = { kind: 'cdrs', topicName: cdrsTopic, partition: 'http' };
  let queue: Pending[] = [];
  let running = false;

  async function runBatch(batch: Pending[]): Promise<void> {
    const arrivedAtMs = now();
    const records = batch.map((p) => ({ key: null, value: setupCdrJson(p.call), arrivedAtMs }));
    let res;
    try {
      res = await pipeline.processBatch(source, records);
    } catch (err) {
      if (!(err instanceof CheckpointConflictError)) throw err;
      // Another replica wrote the HTTP checkpoint: the lane reloaded it; the set-ups were not kept. Once more.
      res = await pipeline.processBatch(source, records);
    }
    batch.forEach((p, index) => p.resolve(countedOf(res, index, p.call.accountId)));
  }

  function drain(): void {
    if (running || queue.length === 0) return;
    running = true;
    const batch = queue.slice(0, MAX_SETUP_BATCH);
    queue = queue.slice(batch.length);
    runBatch(batch)
      .catch((err: unknown) => {
        for (const p of batch) p.reject(err);
      })
      .finally(() => {
        running = false;
        drain();
      });
  }

  return (call) =>
    new Promise<SetupCounted>((resolve, reject) => {
      queue.push({ call, resolve, reject });
      // The first set-up of an idle lane goes at once (after the requests already parsed in this tick).
      if (!running) queueMicrotask(drain);
    });
}
