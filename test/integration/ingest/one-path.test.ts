import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpIngest } from '../../../src/ingest/http-ingest.js';
import { replayToStore } from '../../../src/ingest/replay.js';
import { freshDatabase, type FreshDatabase } from '../../helpers/db.js';
import { testBrokers, uniqueName } from '../../helpers/kafka.js';
import { makeTopics, produce, progress, waitFor, type IngestTopics } from './harness.js';
import { buildPipeline, startInProcess } from './in-process.js';
import { DECIDING_RULES_YAML, rulesDir } from './rules.js';
import { scenario, type Scenario } from './scenario.js';
import { storedState } from './stored-state.js';

const asMessages = (values: Buffer[]) => values.map((value) => ({ key: Buffer.from(JSON.parse(value.toString()).accountId ?? JSON.parse(value.toString()).id), value }));

describe('one path: Kafka, HTTP ingest and replay', () => {
  let brokers: string[];
  let topics: IngestTopics;
  let s: Scenario;
  let rules: string;
  const dbs: FreshDatabase[] = [];

  beforeAll(async () => {
    brokers = testBrokers();
    topics = await makeTopics(brokers, 3);
    s = scenario(Date.now());
    rules = rulesDir(DECIDING_RULES_YAML);
  });
  afterAll(async () => {
    for (const d of dbs) await d.drop();
  });

  it('store the same accounts, holds, decisions, invoices and alerts for the same records', async () => {
    // Kafka. Accounts first (dunning skips accounts it does not know yet), then CDRs and invoice events.
    const kdb = await freshDatabase();
    dbs.push(kdb);
    const live = await startInProcess({ db: kdb.db, brokers, topics, groupId: uniqueName('g-onepath'), rulesDir: rules });
    const count = async (sql: string) => Number((await kdb.db.query<{ n: string }>(sql)).rows[0]!.n);
    await produce(brokers, topics.accounts, asMessages(s.accounts));
    await waitFor('accounts applied', async () => (await count('SELECT count(*)::text AS n FROM accounts')) === s.accounts.length);
    await produce(brokers, topics.cdrs, asMessages(s.cdrs));
    await produce(brokers, topics.invoices, asMessages(s.invoices));
    await waitFor('CDRs and invoices applied', async () =>
      (await progress(kdb.db, [topics.cdrs, topics.invoices])) === s.cdrs.length + s.invoices.length);
    await live.stop();
    const viaKafka = await storedState(kdb.db);

    // HTTP ingest, the same records in the same order.
    const hdb = await freshDatabase();
    dbs.push(hdb);
    const http = createHttpIngest(await buildPipeline(hdb.db, rules));
    expect((await http('accounts', s.accounts)).every((r) => r.outcome === 'accepted')).toBe(true);
    for (let i = 0; i < s.cdrs.length; i += 500) await http('cdrs', s.cdrs.slice(i, i + 500));
    await http('invoices', s.invoices);
    const viaHttp = await storedState(hdb.db);

    // Replay of one NDJSON file holding everything.
    const dir = mkdtempSync(path.join(tmpdir(), 'replay-'));
    const file = path.join(dir, 'day.ndjson');
    writeFileSync(file, [...s.cdrs, ...s.invoices, ...s.accounts].map((b) => b.toString()).join('\n'));
    const replayed = await replayToStore({ files: [file], rulesDir: rules });
    const viaReplay = await storedState(replayed.db);
    await replayed.close();

    // The scenario does decide things: two fraud holds (one on an account known only from its CDRs), one dunning hold.
    expect(viaKafka.holds).toEqual([
      { account_id: 'cust-3', reason: 'fraud', source: 'rule:irsf-test', rule: 'irsf-test', value: '10' },
      { account_id: 'cust-7', reason: 'non_payment', source: 'dunning:standard', rule: null, value: null },
      { account_id: 'cust-99', reason: 'fraud', source: 'rule:irsf-test', rule: 'irsf-test', value: '10' },
    ]);
    expect(viaHttp).toEqual(viaKafka);
    expect(viaReplay).toEqual(viaKafka);
  });
});
