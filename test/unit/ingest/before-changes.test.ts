// Branch pipe10: before the engine sees a batch, a background state write still encoding encodes the batch's
// accounts (partition-checkpoint.ts beforeChange). The pipeline called beforeChange once per id of a Set of the
// batch's CDR accounts (rebuilt ones first); it now calls it record by record (pipeline.ts beforeChanges). The two
// must encode the same accounts in the same order, whatever the batch (repeats, rebuilt CDRs, dead letters, other
// kinds) and wherever the write's change set ends mid-batch. The checkpoint here is a model of beforeChange's
// contract: it encodes an id of its change set once, and the write stops encoding when the set is empty.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CdrRecord } from '../../../src/events/types.js';
import type { DecodedBatch } from '../../../src/ingest/decode-step.js';
import { beforeChanges } from '../../../src/ingest/pipeline.js';
import { deadLetter, duplicate, ok } from '../../../src/ingest/results.js';

class ModelCheckpoint {
  readonly encoded: string[] = [];
  private left: Set<string> | null;
  constructor(changeSet: readonly string[] | null) {
    this.left = changeSet === null ? null : new Set(changeSet);
  }
  get encodingState(): boolean {
    return this.left !== null;
  }
  beforeChange(id: string): void {
    if (this.left === null || !this.left.has(id)) return;
    this.left.delete(id);
    this.encoded.push(id);
    if (this.left.size === 0) this.left = null;
  }
}

/** main 1f1926f's pipeline: the Set of the batch's CDR accounts, then beforeChange for each. */
function before(cp: ModelCheckpoint, decoded: Pick<DecodedBatch, 'rebuild' | 'results'>): void {
  const ids = new Set<string>();
  for (const c of decoded.rebuild) ids.add(c.cdr.accountId);
  for (const r of decoded.results) if (r.type === 'ok' && r.value.kind === 'cdrs') ids.add(r.value.value.accountId);
  if (cp.encodingState) for (const id of ids) cp.beforeChange(id);
}

const cdr = (accountId: string) => ({ accountId }) as CdrRecord;
const id = fc.integer({ min: 0, max: 40 }).map((n) => `a-${n}`);
const result = fc.oneof(
  { weight: 8, arbitrary: id.map((a) => ok({ kind: 'cdrs' as const, value: cdr(a) })) },
  { weight: 1, arbitrary: id.map((a) => ok({ kind: 'accounts' as const, value: { id: a } as never })) },
  { weight: 1, arbitrary: fc.constant(duplicate()) },
  { weight: 1, arbitrary: fc.constant(deadLetter('x: bad')) },
);
const batch = fc.record({
  rebuild: fc.array(id.map((a) => ({ cdr: cdr(a), arrivedAtMs: 0 })), { size: 'max', maxLength: 30 }),
  results: fc.array(result, { size: 'max', maxLength: 200 }),
  changeSet: fc.option(fc.uniqueArray(id, { size: 'max', maxLength: 41 }), { freq: 8 }),
});

describe('beforeChanges (pipeline.ts)', () => {
  it('encodes the same accounts in the same order as beforeChange over the Set of the batch accounts', () => {
    for (const seed of [1, 17, 2026]) {
      fc.assert(
        fc.property(batch, ({ rebuild, results, changeSet }) => {
          const decoded = { rebuild, results } as Pick<DecodedBatch, 'rebuild' | 'results'>;
          const a = new ModelCheckpoint(changeSet);
          const b = new ModelCheckpoint(changeSet);
          before(a, decoded);
          beforeChanges(b, decoded);
          expect(b.encoded).toEqual(a.encoded);
          expect(b.encodingState).toBe(a.encodingState);
        }),
        { numRuns: 3000, seed },
      );
    }
  });
});
