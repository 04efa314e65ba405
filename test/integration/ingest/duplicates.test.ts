import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type FreshDatabase } from '../../helpers/db.js';
import { testBrokers, uniqueName } from '../../helpers/kafka.js';
import { checkpointCounts, makeTopics, produce, progress, sorted, waitFor, type IngestTopics } from './harness.js';
import { startInProcess } from './in-process.js';
import { countingAndDeciding } from './rules.js';
import { scenario } from './scenario.js';
import { storedState } from './stored-state.js';

const keyed = (values: Buffer[]) => values.map((value) => {
  const o = JSON.parse(value.toString()) as { accountId?: string; id: string };
  return { key: Buffer.from(o.accountId ?? o.id), value };
});

describe('duplicates', () => {
  let brokers: string[];
  const dbs: FreshDatabase[] = [];
  beforeAll(() => {
    brokers = testBrokers();
  });
  afterAll(async () => {
    for (const d of dbs) await d.drop();
  });

  async function run(times: 1 | 2, rules: string, s: ReturnType<typeof scenario>) {
    const topics: IngestTopics = await makeTopics(brokers, 3);
    const fresh = await freshDatabase();
    dbs.push(fresh);
    const live = await startInProcess({ db: fresh.db, brokers, topics, groupId: uniqueName('g-dup'), rulesDir: rules });
    // Every message twice: the whole stream, then the whole stream again (a producer retry storm or a re-send).
    for (let k = 0; k < times; k++) await produce(brokers, topics.accounts, keyed(s.accounts));
    await waitFor('accounts', async () => (await progress(fresh.db, topics.accounts)) === times * s.accounts.length);
    for (let k = 0; k < times; k++) {
      await produce(brokers, topics.cdrs, keyed(s.cdrs));
      await produce(brokers, topics.invoices, keyed(s.invoices));
    }
    await waitFor('cdrs and invoices', async () =>
      (await progress(fresh.db, [topics.cdrs, topics.invoices])) === times * (s.cdrs.length + s.invoices.length));
    await live.stop();
    return { state: await storedState(fresh.db), counts: sorted(await checkpointCounts(fresh.db, topics.cdrs)) };
  }

  it('every message produced twice gives the same totals and decisions as once', async () => {
    const rules = countingAndDeciding();
    const s = scenario(Date.now());
    const once = await run(1, rules, s);
    const twice = await run(2, rules, s);
    expect(once.counts.reduce((a, [, c]) => a + c, 0)).toBe(s.cdrs.length);
    expect(twice.counts).toEqual(once.counts);
    expect((once.state.holds as unknown[]).length).toBe(3);
    expect(twice.state).toEqual(once.state);
  });
});
