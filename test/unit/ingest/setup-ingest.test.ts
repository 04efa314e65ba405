// Set-ups as CDRs (src/ingest/setup-ingest.ts): the bytes a set-up becomes decode to the call's `phase: start` CDR,
// concurrent set-ups go to the lane together (group commit) and each gets back its own result and rule hits, and a
// checkpoint conflict (another replica wrote the HTTP checkpoint) is tried once more.
import { describe, expect, it } from 'vitest';
import { decodeRecord } from '../../../src/events/decode-record.js';
import type { Pipeline } from '../../../src/ingest/pipeline.js';
import { createSetupIngest, isSetupOf, MAX_SETUP_BATCH, setupCdrJson, type SetupCall } from '../../../src/ingest/setup-ingest.js';
import { CheckpointConflictError, type BatchResult, type RawRecord, type Source } from '../../../src/ingest/types.js';

const call = (callId: string, extra: Partial<SetupCall> = {}): SetupCall => ({ callId, accountId: 'u1', callee: '+449098790001', startedAt: Date.parse('2026-11-27T11:00:00Z'), ...extra });

/** A pipeline that records the batches it is given and answers each with `answer` (an in-memory fake). */
function fakePipeline(answer: (records: readonly RawRecord[], n: number) => BatchResult | Error) {
  const batches: { source: Source; ids: string[] }[] = [];
  const pipeline = {
    async processBatch(source: Source, records: readonly RawRecord[]) {
      batches.push({ source, ids: records.map((r) => (JSON.parse(r.value!.toString()) as { id: string }).id) });
      await new Promise((r) => setTimeout(r, 5));
      const out = answer(records, batches.length);
      if (out instanceof Error) throw out;
      return out;
    },
  } as unknown as Pipeline;
  return { pipeline, batches };
}

const accepted = (records: readonly RawRecord[]): BatchResult => ({ results: records.map((_, index) => ({ index, outcome: 'accepted' as const })), durableOffset: null, skipped: 0 });

describe('set-ups as CDRs', () => {
  it("a set-up's bytes decode to that call's outbound phase:start CDR", () => {
    for (const c of [call('sip-abc@10.0.0.1'), call('x', { caller: '+441632960000', callee: '09098790001' })]) {
      const d = decodeRecord('cdrs', setupCdrJson(c), c.startedAt);
      expect(d.ok).toBe(true);
      if (!d.ok || d.record.kind !== 'cdrs') throw new Error('not a CDR');
      expect(isSetupOf(d.record.value, c)).toBe(true);
      expect(d.record.value).toMatchObject({ direction: 'outbound', endedAt: null, durationSec: null, caller: c.caller ?? null });
    }
  });

  it('set-ups that arrive while a batch is in hand go together in the next one, each with its own hits', async () => {
    const { pipeline, batches } = fakePipeline((records) => ({
      ...accepted(records),
      decisions: records.length > 1 ? [{ index: 1, accountId: 'u1', ruleId: 'premium-rate-numbers', level: 'suspend' as const, action: 'suspend' as const, holdId: 'h-1' }] : [],
    }));
    const count = createSetupIngest(pipeline, 'cdrs-topic');
    const first = count(call('c0'));
    await new Promise((r) => setTimeout(r, 1));
    const rest = [count(call('c1')), count(call('c2')), count(call('c3', { accountId: 'u2' }))];
    const results = await Promise.all([first, ...rest]);
    expect(batches.map((b) => b.ids)).toEqual([['c0'], ['c1', 'c2', 'c3']]);
    expect(batches[0]!.source).toEqual({ kind: 'cdrs', topicName: 'cdrs-topic', partition: 'http' });
    expect(results.map((r) => r.outcome)).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
    // index 1 of the second batch is c2; its hold on u1 also concerns c1 (same account, same batch), not c3 (u2)
    expect(results.map((r) => r.decisions.map((d) => d.holdId))).toEqual([[], [], ['h-1'], []]);
    expect(results.map((r) => r.accountHolds.map((d) => d.holdId))).toEqual([[], ['h-1'], ['h-1'], []]);
  });

  it(`a batch takes at most ${MAX_SETUP_BATCH} set-ups`, async () => {
    const { pipeline, batches } = fakePipeline(accepted);
    const count = createSetupIngest(pipeline);
    await Promise.all(Array.from({ length: MAX_SETUP_BATCH + 3 }, (_, i) => count(call(`c${i}`))));
    expect(batches.map((b) => b.ids.length)).toEqual([MAX_SETUP_BATCH, 3]);
  });

  it('a checkpoint conflict is tried once more; any other failure rejects the whole batch, and the next batch goes on', async () => {
    const conflictOnce = fakePipeline((records, n) => (n === 1 ? new CheckpointConflictError('moved', null) : accepted(records)));
    expect((await createSetupIngest(conflictOnce.pipeline)(call('a'))).outcome).toBe('accepted');
    expect(conflictOnce.batches).toHaveLength(2);

    const down = fakePipeline((records, n) => (n === 1 ? new Error('database down') : accepted(records)));
    const count = createSetupIngest(down.pipeline);
    const failed = [count(call('a')), count(call('b'))];
    for (const p of failed) await expect(p).rejects.toThrow('database down');
    expect((await count(call('c'))).outcome).toBe('accepted');
  });
});
