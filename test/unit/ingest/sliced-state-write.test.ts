// Background state writes encoded in slices between batches (partition-checkpoint.ts startStateWrite) store exactly
// the engine state at the write's offset: every part and the shared part written equal, byte for byte, what a
// one-step encode at that offset gives -- while later batches change accounts of the change set and the idle sweep
// prunes and forgets accounts mid-write. And a crash while a write is still encoding (or after a sliced write landed
// while the lane went on) restores and replays to the decisions and state of one uninterrupted run.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CdrRecord } from '../../../src/events/types.js';
import type { EngineDelta } from '../../../src/ingest/checkpoint-repo.js';
import { PartitionCheckpoint, type CheckpointTuning } from '../../../src/ingest/partition-checkpoint.js';
import { createFraudEngine } from '../../../src/rules/fraud-engine.js';
import { buildRuleSet } from '../../../src/rules/load-rules.js';
import type { FraudEngine } from '../../../src/rules/types.js';
import { irsfBurst, profile, rangeScan, repeatedCallee, ukBusinessDay } from '../../helpers/traffic.js';
import { FakeCheckpointStore } from './fake-checkpoint-store.js';

const rules = buildRuleSet([{ file: 'rules/fraud.yaml', text: readFileSync('rules/fraud.yaml', 'utf8') }], 'now').rules.fraud;
const opts = { allowedLatenessMs: 5 * 60_000, defaultTimezone: 'UTC' };
const TUE_10 = Date.parse('2026-11-24T10:00:00Z');
const DAY = 86_400_000;
const ROW = { topic: 'cdrs', partition: 0 };
/** Writes start at 6 changed accounts and encode 2 a slice: most writes span several batches and sweeps. */
const tuning: CheckpointTuning = {
  checkpointIntervalMs: 2_000, checkpointMaxRecords: 1_000, stateIntervalMs: 30_000, stateMaxRecords: 10_000, stateMaxAccounts: 6, stateSliceAccounts: 2,
};

/** Three days of traffic with attacks, repeats and disorder: accounts go idle and are forgotten by the sweep. */
function traffic(): CdrRecord[] {
  const all = [
    ...ukBusinessDay({ accounts: 30, date: '2026-11-24', seed: 5 }).cdrs,
    ...irsfBurst({ accountId: 'acct-1', start: TUE_10 }),
    ...rangeScan({ accountId: 'acct-2', start: TUE_10 + 3_600_000 }),
    ...repeatedCallee({ accountId: 'acct-3', start: TUE_10 - 3_600_000 }),
    ...ukBusinessDay({ accounts: 8, date: '2026-11-26', seed: 6 }).cdrs,
    ...irsfBurst({ accountId: 'acct-1', start: TUE_10 + 2 * DAY }),
    ...ukBusinessDay({ accounts: 4, date: '2026-11-28', seed: 8 }).cdrs,
  ].sort((a, b) => (a.endedAt ?? a.startedAt) - (b.endedAt ?? b.startedAt));
  for (let i = 10; i < all.length; i += 89) all.splice(i, 0, all[i - 7]!);
  for (let i = 5; i + 3 < all.length; i += 37) [all[i], all[i + 3]] = [all[i + 3]!, all[i]!];
  return all;
}

const BATCH = 7;
const hitsOf = (engine: FraudEngine, c: CdrRecord) => engine.process(c, profile(c.accountId)).hits.map((h) => `${h.ruleId}:${h.level}`);

/** Every account's part and the shared part, as a one-step encode would store them now. */
function encodeAll(engine: FraudEngine, ids: Iterable<string>): { shared: Uint8Array; parts: Map<string, Uint8Array | null> } {
  const parts = new Map<string, Uint8Array | null>();
  for (const id of ids) parts.set(id, engine.snapshotAccount(id));
  return { shared: engine.snapshotShared(), parts };
}

/**
 * One partition lane as the pipeline drives it (beforeChange for each CDR of a batch, then the engine, then the
 * checkpoint), over `cdrs` from offset `from` (records before the effects offset only rebuild the engine). Stops
 * before offset `crashAt` (a crash: nothing after the last COMMIT survives). Returns the live hits by offset.
 */
async function runLane(store: FakeCheckpointStore, cdrs: CdrRecord[], crashAt: number): Promise<{ hits: Map<number, string[]>; engine: FraudEngine; cp: PartitionCheckpoint<FraudEngine, 'tx'>; encodingAtCrash: boolean; slicedAcrossBatches: number }> {
  let clock = 0;
  const cp = new PartitionCheckpoint<FraudEngine, 'tx'>({
    row: ROW, kind: 'kafka', store, createEngine: () => createFraudEngine(rules, opts), queue: { run: (w) => w() }, tuning, now: () => clock, random: () => 0,
  });
  const hits = new Map<number, string[]>();
  await cp.load();
  const rebuildUntil = cp.rebuildUntil ?? -1;
  let offset = cp.applied ?? 0;
  let slicedAcrossBatches = 0;
  while (offset < cdrs.length && offset < crashAt) {
    const end = Math.min(cdrs.length, crashAt, offset + BATCH);
    const batch = cdrs.slice(offset, end);
    if (cp.encodingState) {
      slicedAcrossBatches++;
      for (const c of batch) cp.beforeChange(c.accountId);
    }
    const engine = cp.engine!;
    let effects = false;
    batch.forEach((c, k) => {
      const h = hitsOf(engine, c);
      if (offset + k >= rebuildUntil && h.length > 0) {
        hits.set(offset + k, h);
        effects = true;
      }
    });
    cp.advance(end, batch.length);
    const write = cp.writeDue(end, batch.length, effects);
    if (write === 'full') await cp.settle();
    await store.transaction((tx) => cp.write(tx, write, end));
    cp.committed(write, end);
    cp.afterBatch();
    // Background writes land between batches (the fake store commits on the next turn).
    await new Promise((r) => setImmediate(r));
    clock += 100;
    offset = end;
  }
  const encodingAtCrash = cp.encodingState;
  if (crashAt >= cdrs.length) await cp.flush(true);
  return { hits, engine: cp.engine!, cp, encodingAtCrash, slicedAcrossBatches };
}

/** The full snapshot with accounts in id order, as JSON. */
function canonical(engine: FraudEngine): unknown {
  const json = JSON.parse(new TextDecoder().decode(engine.snapshot())) as { a: [string][] };
  json.a.sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  return json;
}

describe('sliced background state writes', () => {
  const cdrs = traffic();

  it('store byte for byte the state at the write offset, though later batches and sweeps change accounts meanwhile', async () => {
    // A reference engine fed the same batches: its encoding at every batch boundary is what a one-step write stores.
    const reference = createFraudEngine(rules, opts);
    const at = new Map<number, ReturnType<typeof encodeAll>>();
    const ids = new Set(cdrs.map((c) => c.accountId));
    at.set(0, encodeAll(reference, ids));
    for (let o = 0; o < cdrs.length; o += BATCH) {
      for (const c of cdrs.slice(o, o + BATCH)) reference.process(c, profile(c.accountId));
      at.set(Math.min(cdrs.length, o + BATCH), encodeAll(reference, ids));
    }
    const store = new FakeCheckpointStore();
    const writes: { at: number; delta: EngineDelta }[] = [];
    const save = store.saveState.bind(store);
    store.saveState = async (tx, topic, partition, expected, stateOffset, delta) => {
      writes.push({ at: stateOffset, delta });
      return save(tx, topic, partition, expected, stateOffset, delta);
    };
    const run = await runLane(store, cdrs, Number.POSITIVE_INFINITY);
    expect(writes.length).toBeGreaterThan(20);
    expect(run.slicedAcrossBatches).toBeGreaterThan(50);
    let parts = 0;
    let deletes = 0;
    for (const w of writes) {
      const ref = at.get(w.at)!;
      expect(Buffer.from(w.delta.shared).equals(Buffer.from(ref.shared))).toBe(true);
      for (const [id, part] of w.delta.upserts) {
        expect({ at: w.at, id, same: Buffer.from(part).equals(Buffer.from(ref.parts.get(id) ?? new Uint8Array())) }).toEqual({ at: w.at, id, same: true });
        parts++;
      }
      for (const id of w.delta.deletes) {
        expect({ at: w.at, id, part: ref.parts.get(id) ?? null }).toEqual({ at: w.at, id, part: null });
        deletes++;
      }
    }
    expect(parts).toBeGreaterThan(100);
    // The sweep forgot idle accounts while writes were encoding.
    expect(deletes).toBeGreaterThan(0);
    expect(canonical(run.engine)).toEqual(canonical(reference));
  });

  it('a crash while a write is still encoding restores and replays to the decisions and state of an uninterrupted run', async () => {
    const whole = await runLane(new FakeCheckpointStore(), cdrs, Number.POSITIVE_INFINITY);
    let midSlice = 0;
    for (let crashAt = 40; crashAt < cdrs.length; crashAt += 97) {
      const store = new FakeCheckpointStore();
      const first = await runLane(store, cdrs, crashAt);
      if (first.encodingAtCrash) midSlice++;
      const second = await runLane(store, cdrs, Number.POSITIVE_INFINITY);
      // Effects before the effects offset were durable in the first life; the second decides the rest.
      const effectsOffset = store.row('cdrs', 0)!.effectsOffset;
      const hits = new Map([...first.hits].filter(([o]) => o < crashAt));
      for (const [o, h] of second.hits) {
        expect(hits.has(o)).toBe(false);
        hits.set(o, h);
      }
      expect({ crashAt, hits: [...hits].sort((a, b) => a[0] - b[0]) }).toEqual({ crashAt, hits: [...whole.hits].sort((a, b) => a[0] - b[0]) });
      expect(canonical(second.engine)).toEqual(canonical(whole.engine));
      expect(effectsOffset).toBe(cdrs.length);
    }
    expect(midSlice).toBeGreaterThan(3);
  }, 60_000);
});
