// Issue 17, FRAUD_ENGINE=fused on the real broker and database: the same realistic CDR stream (a Tuesday morning of
// the detection week, attacks included, start and end records) consumed by four groups, each on its own database:
// the classic engine throughout (the reference), the fused engine restarted halfway, the fused engine followed by the
// classic one, and the classic engine followed by the fused one. A restart stores the engine state at stop and the
// next consumer restores it from the store, so the switches go through the stored bytes both ways. A fifth group runs
// the fused engine held to a memory budget of a tenth of the active accounts (memory-budget.test.ts's, which the
// dedupe tables alone pass: it spills every account after its batch and loads all the time), restarted halfway too
// (its next engines start with every stored account spilled). All five store the same holds, review decisions and
// alerts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineKind } from '../../../src/rules/engine-choice.js';
import { BYTES_PER_ACCOUNT } from '../../../src/rules/engine-spill.js';
import { FUSED_STORES_STATE } from '../../../src/rules/fused/fused-engine.js';
import { freshDatabase, type FreshDatabase } from '../../helpers/db.js';
import { testBrokers, uniqueName } from '../../helpers/kafka.js';
import { makeTopics, produce, progress, waitFor, type IngestTopics } from './harness.js';
import { morningMessages } from './morning.js';
import { startRulesConsumer, type RulesConsumer } from './rules-consumer.js';
import { storedState } from './stored-state.js';

interface Lane {
  name: string;
  first: EngineKind;
  then: EngineKind | null;
  db: FreshDatabase;
  group: string;
  consumer: RulesConsumer;
  /** The engines' memory budget, bytes (absent: unbounded). */
  budget?: number;
}

const counter = async (c: RulesConsumer, name: string) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(await c.metrics.render())?.[1] ?? 0);

describe('the fused engine through Kafka and PostgreSQL', () => {
  let brokers: string[];
  let topics: IngestTopics;
  const lanes: Lane[] = [];
  const fallbacks: string[] = [];

  beforeAll(async () => {
    brokers = testBrokers();
    topics = await makeTopics(brokers, 3);
  });
  afterAll(async () => {
    for (const l of lanes) await l.consumer?.ingest.stop();
    for (const l of lanes) await l.db?.drop();
  });

  it('stores what the classic engine stores, through restarts from fused to fused, fused to classic and classic to fused, and under a memory budget', async () => {
    expect(FUSED_STORES_STATE).toBe(true);
    const { accounts, cdrs } = morningMessages();
    const active = new Set(cdrs.map((m) => m.key.toString())).size;
    const budget = Math.floor(active / 10) * BYTES_PER_ACCOUNT;
    const start = (l: Pick<Lane, 'db' | 'group' | 'budget'>, engine: EngineKind) =>
      startRulesConsumer(l.db.db, brokers, topics, l.group, { engine, onFallback: (why) => fallbacks.push(why), ...(l.budget === undefined ? {} : { budgetBytes: l.budget }) });
    const kinds = [['classic', 'classic', null], ['fused-fused', 'fused', 'fused'], ['fused-classic', 'fused', 'classic'], ['classic-fused', 'classic', 'fused'], ['fused-budget', 'fused', 'fused']] as const;
    for (const [name, first, then] of kinds) {
      const l = { name, first, then, db: await freshDatabase(), group: uniqueName(`g-${name}`), ...(name === 'fused-budget' ? { budget } : {}) } as Lane;
      lanes.push(l);
      l.consumer = await start(l, first);
    }

    await produce(brokers, topics.accounts, accounts);
    const applied = async (d: FreshDatabase) => Number((await d.db.query<{ n: string }>('SELECT count(*)::text AS n FROM accounts')).rows[0]!.n) === accounts.length;
    for (const l of lanes) await waitFor(`accounts applied (${l.name})`, () => applied(l.db), 60_000);

    const half = Math.floor(cdrs.length / 2);
    await produce(brokers, topics.cdrs, cdrs.slice(0, half));
    for (const l of lanes) await waitFor(`first half applied (${l.name})`, async () => (await progress(l.db.db, topics.cdrs)) === half, 120_000);
    const bounded = lanes.find((l) => l.budget !== undefined)!;
    const spillsBefore = await counter(bounded.consumer, 'suspensiond_engine_spills_total');
    for (const l of lanes) {
      if (l.then === null) continue;
      await l.consumer.ingest.stop();
      l.consumer = await start(l, l.then);
    }

    await produce(brokers, topics.cdrs, cdrs.slice(half));
    for (const l of lanes) await waitFor(`every CDR applied (${l.name})`, async () => (await progress(l.db.db, topics.cdrs)) === cdrs.length, 240_000);

    const [reference, ...others] = await Promise.all(lanes.map((l) => storedState(l.db.db)));
    expect(reference!.holds!.length + reference!.decisions!.length).toBeGreaterThan(3);
    expect(reference!.alerts!.length).toBeGreaterThan(0);
    for (const [i, got] of others.entries()) {
      expect({ lane: lanes[i + 1]!.name, holds: got.holds }).toEqual({ lane: lanes[i + 1]!.name, holds: reference!.holds });
      expect({ lane: lanes[i + 1]!.name, decisions: got.decisions }).toEqual({ lane: lanes[i + 1]!.name, decisions: reference!.decisions });
      expect({ lane: lanes[i + 1]!.name, alerts: got.alerts }).toEqual({ lane: lanes[i + 1]!.name, alerts: reference!.alerts });
    }
    // The budget lane spilled before and after its restart, and stayed ready.
    const memory = bounded.consumer.pipeline.memory.summary();
    expect(spillsBefore).toBeGreaterThan(active / 2);
    expect(memory.spills).toBeGreaterThan(active / 2);
    expect(memory.loads).toBeGreaterThan(active / 2);
    expect(memory.underPressure).toBe(true);
    expect(bounded.consumer.pipeline.memory.readiness().ready).toBe(true);
    // The fused lanes ran the fused engine: nothing fell back for a method it lacks (a record it cannot hold may
    // still move a lane to the classic engine; each is named here).
    expect(fallbacks.filter((f) => f.includes('not built') || f.includes('does not store state'))).toEqual([]);
    if (process.env.FUSED_LOG) console.log({ fallbacks, holds: reference!.holds!.length, decisions: reference!.decisions!.length, alerts: reference!.alerts!.length });
  }, 480_000);
});
