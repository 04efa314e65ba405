// Issue 17, "never out of memory", on the real broker and database: the same realistic CDR stream (a Tuesday morning
// of the detection week, attacks included, start and end records) consumed by two groups, one with the fraud
// engines held to a tenth of the active accounts at the budget's prior (BYTES_PER_ACCOUNT), one unbounded. The
// budget counts what the engines hold, dedupe tables first, and here the tables alone pass it: the
// budget-constrained one spills every account after its batch and loads all the time, and stops and restarts halfway (its next engines start with every stored account spilled), yet
// both store the same holds, review decisions and alerts: same rule, account and level, same figures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BYTES_PER_ACCOUNT } from '../../../src/rules/engine-spill.js';
import type { Database } from '../../../src/store/db.js';
import type { Metrics } from '../../../src/metrics.js';
import { freshDatabase, type FreshDatabase } from '../../helpers/db.js';
import { testBrokers, uniqueName } from '../../helpers/kafka.js';
import { makeTopics, produce, progress, waitFor, type IngestTopics } from './harness.js';
import { storedState } from './stored-state.js';
import { morningMessages } from './morning.js';
import { startRulesConsumer, type RulesConsumer as Consumer } from './rules-consumer.js';

const startConsumer = (db: Database, brokers: string[], topics: IngestTopics, groupId: string, budgetBytes?: number) =>
  startRulesConsumer(db, brokers, topics, groupId, budgetBytes === undefined ? {} : { budgetBytes });

const counter = async (m: Metrics, name: string) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(await m.render())?.[1] ?? 0);

describe('a memory budget of a tenth of the active accounts', () => {
  let brokers: string[];
  let topics: IngestTopics;
  const dbs: FreshDatabase[] = [];
  const running: Consumer[] = [];

  beforeAll(async () => {
    brokers = testBrokers();
    topics = await makeTopics(brokers, 3);
  });
  afterAll(async () => {
    for (const c of running) await c.ingest.stop();
    for (const d of dbs) await d.drop();
  });

  it('stores the same holds, decisions and alerts as an unbounded run, spilling and loading on the way', async () => {
    const { accounts, cdrs } = morningMessages();
    const active = new Set(cdrs.map((m) => m.key.toString())).size;
    expect(active).toBeGreaterThan(250);
    const budget = Math.floor(active / 10) * BYTES_PER_ACCOUNT;

    const [bounded, unbounded] = [await freshDatabase(), await freshDatabase()];
    dbs.push(bounded, unbounded);
    const groups = { bounded: uniqueName('g-budget'), unbounded: uniqueName('g-unbounded') };
    let small = await startConsumer(bounded.db, brokers, topics, groups.bounded, budget);
    const big = await startConsumer(unbounded.db, brokers, topics, groups.unbounded);
    running.push(small, big);

    // Accounts first, so every CDR is judged with its account's time zone in both runs.
    await produce(brokers, topics.accounts, accounts);
    const applied = async (d: FreshDatabase) => Number((await d.db.query<{ n: string }>('SELECT count(*)::text AS n FROM accounts')).rows[0]!.n) === accounts.length;
    await waitFor('accounts applied', async () => (await applied(bounded)) && (await applied(unbounded)), 60_000);

    // The first half; then the bounded consumer stops (storing its state) and a new one takes over.
    const half = Math.floor(cdrs.length / 2);
    await produce(brokers, topics.cdrs, cdrs.slice(0, half));
    await waitFor('first half applied by the bounded consumer', async () => (await progress(bounded.db, topics.cdrs)) === half, 120_000);
    const spillsBefore = await counter(small.metrics, 'suspensiond_engine_spills_total');
    const loadsBefore = await counter(small.metrics, 'suspensiond_engine_loads_total');
    await small.ingest.stop();
    running.splice(running.indexOf(small), 1);
    small = await startConsumer(bounded.db, brokers, topics, groups.bounded, budget);
    running.push(small);

    await produce(brokers, topics.cdrs, cdrs.slice(half));
    const done = async (d: FreshDatabase) => (await progress(d.db, topics.cdrs)) === cdrs.length;
    await waitFor('every CDR applied by both', async () => (await done(bounded)) && (await done(unbounded)), 240_000);

    const [withBudget, without] = [await storedState(bounded.db), await storedState(unbounded.db)];
    expect(withBudget.holds).toEqual(without.holds);
    expect(withBudget.decisions).toEqual(without.decisions);
    expect(withBudget.alerts).toEqual(without.alerts);
    expect(without.holds!.length + without.decisions!.length).toBeGreaterThan(3);
    expect(without.alerts!.length).toBeGreaterThan(0);

    // It did spill and load, before and after the restart, and kept near its budget.
    const memory = small.pipeline.memory.summary();
    if (process.env.BUDGET_LOG) console.log({ active, budgetAccounts: budget / BYTES_PER_ACCOUNT, spillsBefore, loadsBefore, after: memory, holds: without.holds!.length, decisions: without.decisions!.length, alerts: without.alerts!.length });
    expect(spillsBefore).toBeGreaterThan(active / 2);
    expect(loadsBefore).toBeGreaterThan(10);
    expect(memory.spills).toBeGreaterThan(active / 2);
    expect(memory.loads).toBeGreaterThan(active / 2);
    expect(memory.underPressure).toBe(true);
    expect(memory.accountsSpilled).toBeGreaterThan(0);
    expect(small.pipeline.memory.readiness().ready).toBe(true);
    expect(await counter(big.metrics, 'suspensiond_engine_spills_total')).toBe(0);
  }, 420_000);
});
