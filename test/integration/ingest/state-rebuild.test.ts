// The engine state is stored less often than the effects (pipeline.ts): after a crash the engine is restored at the
// state offset and the records up to the effects offset are fed to it again with their effects suppressed. Here,
// without Kafka, a partition's records are fed as Kafka would redeliver them after each crash, and the stored result
// (holds, decisions, alerts, per-account counts) must equal an uninterrupted run's.
import { afterAll, describe, expect, it } from 'vitest';
import { freshDatabase, type FreshDatabase } from '../../helpers/db.js';
import type { Pipeline } from '../../../src/ingest/pipeline.js';
import type { Source } from '../../../src/ingest/types.js';
import type { Database } from '../../../src/store/db.js';
import { createKafka, testBrokers, uniqueName } from '../../helpers/kafka.js';
import { checkpointCounts, makeTopics, produce, sorted, waitFor } from './harness.js';
import { buildPipeline, startInProcess } from './in-process.js';
import { countingAndDeciding } from './rules.js';
import { scenario } from './scenario.js';
import { storedState } from './stored-state.js';

const dbs: FreshDatabase[] = [];
afterAll(async () => {
  for (const d of dbs) await d.drop();
});

const accountsSource: Source = { kind: 'accounts', topicName: 'rb-accounts', partition: 0 };
const cdrSource: Source = { kind: 'cdrs', topicName: 'rb-cdrs', partition: 0 };
const BATCH = 50;
// Every batch checkpoints; the state only on the first checkpoint and on a flush: every other checkpoint moves only
// the effects offset.
const lazyState = { checkpointIntervalMs: 0, stateIntervalMs: 3_600_000, stateMaxRecords: 1_000_000 };

async function feed(p: Pipeline, source: Source, values: Buffer[], from: number, to: number, pauseMs = 0): Promise<void> {
  for (let i = from; i < to; i += BATCH) {
    const chunk = values.slice(i, Math.min(i + BATCH, to)).map((value, k) => ({ offset: i + k, key: null, value, arrivedAtMs: Date.now() }));
    await p.processBatch(source, chunk);
    if (pauseMs > 0) await new Promise((res) => setTimeout(res, pauseMs));
  }
}

async function offsets(db: Database, topic = 'rb-cdrs'): Promise<{ next: number; effects: number }> {
  const r = await db.query<{ next_offset: string; effects_offset: string }>('SELECT next_offset, effects_offset FROM partition_checkpoints WHERE topic = $1', [topic]);
  const row = r.rows[0]!;
  return { next: Number(row.next_offset), effects: Number(row.effects_offset) };
}

describe('engine state rebuilt after a crash', () => {
  it('feeds the records between the state and effects offsets again without repeating their effects', async () => {
    const rules = countingAndDeciding();
    const s = scenario(Date.now());
    const total = s.cdrs.length;
    // Past the last attack CDR, so its hold and alert are effects that a rebuild must not repeat.
    const lastAttack = s.cdrs.findLastIndex((b) => b.toString().includes('-irsf-'));
    const cut = Math.min(total, lastAttack + 101);

    const reference = await freshDatabase();
    dbs.push(reference);
    const r = await buildPipeline(reference.db, rules, { tuning: lazyState });
    await feed(r, accountsSource, s.accounts, 0, s.accounts.length);
    await feed(r, cdrSource, s.cdrs, 0, total);
    await r.flushAll();
    const expected = { state: await storedState(reference.db), counts: sorted(await checkpointCounts(reference.db, 'rb-cdrs')) };
    expect((expected.state.holds as unknown[]).length).toBeGreaterThan(0);
    expect((expected.state.alerts as unknown[]).length).toBeGreaterThan(0);

    const crashed = await freshDatabase();
    dbs.push(crashed);
    const a = await buildPipeline(crashed.db, rules, { tuning: lazyState });
    await feed(a, accountsSource, s.accounts, 0, s.accounts.length);
    await feed(a, cdrSource, s.cdrs, 0, cut);
    // Crash 1: `a` is dropped without a flush. The state is at the first batch, the effects at the cut.
    expect(await offsets(crashed.db)).toEqual({ next: BATCH, effects: cut });
    const alertsAtCrash = (await storedState(crashed.db)).alerts;

    const b = await buildPipeline(crashed.db, rules, { tuning: lazyState });
    expect(await b.prepare(cdrSource)).toBe(BATCH);
    const midway = BATCH + Math.floor((cut - BATCH) / 2 / BATCH) * BATCH;
    await feed(b, cdrSource, s.cdrs, BATCH, midway);
    // A revocation while rebuilding stores the state there; the effects offset never moves back.
    await b.flush(cdrSource, true);
    expect(await offsets(crashed.db)).toEqual({ next: midway, effects: cut });
    expect((await storedState(crashed.db)).alerts).toEqual(alertsAtCrash);

    // Crash 2, then the rest of the stream.
    const c = await buildPipeline(crashed.db, rules, { tuning: lazyState });
    expect(await c.prepare(cdrSource)).toBe(midway);
    await feed(c, cdrSource, s.cdrs, midway, total);
    await c.flushAll();
    expect(await offsets(crashed.db)).toEqual({ next: total, effects: total });

    expect(sorted(await checkpointCounts(crashed.db, 'rb-cdrs'))).toEqual(expected.counts);
    expect(await storedState(crashed.db)).toEqual(expected.state);
  });
});

describe('engine state written in the background', () => {
  it.each([
    ['behind', { checkpointIntervalMs: 0, stateIntervalMs: 0 }],
    ['ahead of', { checkpointIntervalMs: 3_600_000, stateIntervalMs: 0 }],
    // Writes encoded one account per batch: each spans many batches (the pipeline encodes a batch's accounts of the
    // change set before the engine sees it), so the crash comes while one is still encoding.
    ['behind (sliced writes, crash mid-slice)', { checkpointIntervalMs: 0, stateIntervalMs: 0, stateSliceAccounts: 1 }],
  ])('stays consistent when the owner crashes with the state %s the effects offset', async (_, tuning) => {
    const rules = countingAndDeciding();
    const s = scenario(Date.now());
    const total = s.cdrs.length;
    const reference = await freshDatabase();
    dbs.push(reference);
    const r = await buildPipeline(reference.db, rules);
    await feed(r, accountsSource, s.accounts, 0, s.accounts.length);
    await feed(r, cdrSource, s.cdrs, 0, total);
    await r.flushAll();
    const expected = { state: await storedState(reference.db), counts: sorted(await checkpointCounts(reference.db, 'rb-cdrs')) };

    const crashed = await freshDatabase();
    dbs.push(crashed);
    // A background state write after every batch that finds none in flight; effects with every batch, or only with
    // the batches that have effects (so the state runs ahead of them).
    const a = await buildPipeline(crashed.db, rules, { tuning });
    await feed(a, accountsSource, s.accounts, 0, s.accounts.length);
    const cut = Math.floor((total * 2) / 3);
    // Pausing between batches lets each background write land before the next batch, so one starts after the last.
    await feed(a, cdrSource, s.cdrs, 0, cut, 100);
    // Crash: `a` is dropped. Let its last background write land (or not) first, as a dying process's might.
    let last = -1;
    for (let same = 0; same < 5; ) {
      const now = (await offsets(crashed.db)).next;
      same = now === last ? same + 1 : 0;
      last = now;
      await new Promise((res) => setTimeout(res, 50));
    }
    const stored = await offsets(crashed.db);
    expect(stored.next).toBeGreaterThan(BATCH);
    if (tuning.checkpointIntervalMs === 0) expect(stored.effects).toBe(cut);
    else expect(stored.next).toBeGreaterThan(stored.effects);

    const b = await buildPipeline(crashed.db, rules, { tuning });
    const from = (await b.prepare(cdrSource))!;
    expect(from).toBe(stored.next);
    await feed(b, cdrSource, s.cdrs, from, total);
    await b.flushAll();
    expect(await offsets(crashed.db)).toEqual({ next: total, effects: total });
    expect(sorted(await checkpointCounts(crashed.db, 'rb-cdrs'))).toEqual(expected.counts);
    expect(await storedState(crashed.db)).toEqual(expected.state);
  });
});

describe('a partition left behind by a crashed owner', () => {
  it('is rebuilt and its state stored on assignment, even when no new record arrives', async () => {
    const brokers = testBrokers();
    const topics = await makeTopics(brokers, 1);
    const rules = countingAndDeciding();
    const s = scenario(Date.now());
    const total = s.cdrs.length;
    await produce(brokers, topics.cdrs, s.cdrs.map((value) => ({ key: Buffer.from('k'), value })));
    const source: Source = { kind: 'cdrs', topicName: topics.cdrs, partition: 0 };
    const fresh = await freshDatabase();
    dbs.push(fresh);

    // The crashed owner: processed the whole partition, its effects durable and its offset committed to Kafka, but
    // its engine state stored only at the first batch.
    const crashed = await buildPipeline(fresh.db, rules, { tuning: lazyState });
    await feed(crashed, accountsSource, s.accounts, 0, s.accounts.length);
    await feed(crashed, source, s.cdrs, 0, total);
    expect(await offsets(fresh.db, topics.cdrs)).toEqual({ next: BATCH, effects: total });
    const groupId = uniqueName('g-rebuild');
    const admin = createKafka(brokers).admin();
    await admin.connect();
    await admin.setOffsets({ groupId, topic: topics.cdrs, partitions: [{ partition: 0, offset: String(total) }] });
    await admin.disconnect();

    const live = await startInProcess({ db: fresh.db, brokers, topics, groupId, rulesDir: rules });
    try {
      await waitFor('the engine rebuilt up to the effects offset', async () => (await live.pipeline.prepare(source)) === total, 60_000, 100);
    } finally {
      await live.stop();
    }
    expect(await offsets(fresh.db, topics.cdrs)).toEqual({ next: total, effects: total });
    const expected = new Map<string, number>();
    for (const b of s.cdrs) {
      const id = (JSON.parse(b.toString()) as { accountId: string }).accountId;
      expected.set(id, (expected.get(id) ?? 0) + 1);
    }
    expect(sorted(await checkpointCounts(fresh.db, topics.cdrs))).toEqual(sorted(expected));
  });
});
