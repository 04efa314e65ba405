// Issue 11 on the two other input paths: HTTP ingest keeps the good records of a batch and answers the one the
// database refuses as rejected (never a 500, never the whole batch lost); replay reports it and still exits 0. The
// failures are real database ones: U+0000 in text PostgreSQL stores, and a trigger of this test's own database.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpIngest, type HttpIngest } from '../../../src/ingest/http-ingest.js';
import { runReplay } from '../../../src/ingest/replay.js';
import { DbError } from '../../../src/store/errors.js';
import { freshDatabase, type FreshDatabase } from '../../helpers/db.js';
import { cdr } from '../../helpers/traffic.js';
import { cdrToWire } from './wire.js';
import { buildPipeline } from './in-process.js';
import { DECIDING_RULES_YAML, rulesDir } from './rules.js';

const json = (o: unknown) => Buffer.from(JSON.stringify(o));
const iso = (ms: number) => new Date(ms).toISOString();
const resellerRecord = (id: string, over: Record<string, unknown> = {}) =>
  ({ id, type: 'reseller', name: `Customer ${id}`, mainContact: { name: 'C', email: 'c@example.test' }, timezone: 'UTC', currency: 'GBP', tags: [], updatedAt: iso(Date.now() - 60_000), ...over });

describe('a record that fails after decoding, on HTTP ingest and replay', () => {
  let fresh: FreshDatabase;
  let http: HttpIngest;
  const rules = rulesDir(DECIDING_RULES_YAML);

  beforeAll(async () => {
    fresh = await freshDatabase();
    // Fails the first write of account `flaky` only: a sequence is not rolled back with the transaction.
    // Account `racy` loses a race once: a serialization failure (40001), which is run again in place.
    await fresh.db.query(`CREATE SEQUENCE test_flaky_seq`);
    await fresh.db.query(`CREATE SEQUENCE test_racy_seq`);
    await fresh.db.query(`CREATE FUNCTION test_fail_once() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.id = 'bad-1' THEN RAISE EXCEPTION 'refused by the test''s constraint' USING ERRCODE = 'check_violation'; END IF;
        IF NEW.id = 'flaky' AND nextval('test_flaky_seq') = 1 THEN RAISE EXCEPTION 'flaky fails once' USING ERRCODE = 'check_violation'; END IF;
        IF NEW.id = 'racy' AND nextval('test_racy_seq') = 1 THEN RAISE EXCEPTION 'racy loses once' USING ERRCODE = 'serialization_failure'; END IF;
        RETURN NEW;
      END $$`);
    await fresh.db.query(`CREATE TRIGGER test_fail_once BEFORE INSERT OR UPDATE ON accounts FOR EACH ROW EXECUTE FUNCTION test_fail_once()`);
    http = createHttpIngest(await buildPipeline(fresh.db, rules));
  });
  afterAll(async () => {
    await fresh.drop();
  });

  it('HTTP: keeps the good accounts of a batch and rejects the one PostgreSQL refuses, with the error', async () => {
    // Decodes cleanly (a NUL, the usual cause, is now refused by decoding itself); PostgreSQL refuses it (trigger).
    const bad = json(resellerRecord('bad-1'));
    const results = await http('accounts', [json(resellerRecord('good-1')), bad, json(resellerRecord('good-2'))]);
    expect(results.map((r) => r.outcome)).toEqual(['accepted', 'rejected', 'accepted']);
    expect(results[1]!.error).toMatch(/database refused/);
    const ids = await fresh.db.query<{ id: string }>(`SELECT id FROM accounts WHERE id LIKE 'good-%' OR id LIKE 'bad-%' ORDER BY id`);
    expect(ids.rows.map((r) => r.id)).toEqual(['good-1', 'good-2']);
    const letters = await fresh.db.query<{ value: Buffer; partition: number | null; error: string }>(`SELECT value, partition, error FROM dead_letters`);
    expect(letters.rows).toHaveLength(1);
    expect(letters.rows[0]!.value.equals(bad)).toBe(true);
    expect(letters.rows[0]!.partition).toBeNull();
  });

  it('HTTP: an invoice event the database refuses is rejected alone; the others are recorded', async () => {
    const event = (id: string, invoiceId: string) => ({ id, type: 'issued', invoiceId, accountId: 'good-1', currency: 'GBP', total: '10.00', outstanding: '10.00', dueAt: iso(Date.now() + 86_400_000).slice(0, 10), occurredAt: iso(Date.now() - 1_000) });
    const results = await http('invoices', [json(event('e-1', 'INV-1')), json(event('e-2', 'INV\u00002')), json(event('e-3', 'INV-3'))]);
    expect(results.map((r) => r.outcome)).toEqual(['accepted', 'rejected', 'accepted']);
  });

  it('HTTP: a failure that passes on the batch retry is not dead-lettered', async () => {
    const results = await http('accounts', [json(resellerRecord('flaky')), json(resellerRecord('good-3'))]);
    expect(results.map((r) => r.outcome)).toEqual(['accepted', 'accepted']);
    expect(Number((await fresh.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM accounts WHERE id IN ('flaky', 'good-3')`)).rows[0]!.n)).toBe(2);
  });

  it('HTTP: a transaction that loses a race (40001) is run again at once, and nothing is rejected', async () => {
    const results = await http('accounts', [json(resellerRecord('racy')), json(resellerRecord('good-4'))]);
    expect(results.map((r) => r.outcome)).toEqual(['accepted', 'accepted']);
    expect(Number((await fresh.db.query<{ n: string }>(`SELECT last_value::text AS n FROM test_racy_seq`)).rows[0]!.n)).toBe(2);
  });

  it('replay: reports the record PostgreSQL refuses as rejected and exits 0', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'replay-fail-'));
    const file = path.join(dir, 'accounts.ndjson');
    writeFileSync(file, [resellerRecord('r-1'), resellerRecord('r-2', { name: 'Nul\u0000Name' }), resellerRecord('r-3')].map((r) => JSON.stringify(r)).join('\n'));
    let out = '';
    const status = await runReplay({ files: [file], rulesDir: rules, json: true, out: { write: (t: string) => (out += t) } });
    expect(status).toBe(0);
    expect(JSON.parse(out).records.accounts).toEqual({ accepted: 2, duplicate: 0, rejected: 1 });
  });

  it('HTTP: when another replica moved the HTTP checkpoint, the request fails as retryable (503), and its retry is kept', async () => {
    const call = (i: number) => json(cdrToWire(cdr({ id: `http-${i}`, accountId: 'good-1', callee: '+442071234567', startedAt: Date.now() - 600_000 + i * 1_000, durationSec: 30 })));
    const replicaA = createHttpIngest(await buildPipeline(fresh.db, rules));
    const replicaB = createHttpIngest(await buildPipeline(fresh.db, rules));
    expect((await replicaA('cdrs', [call(1)])).map((r) => r.outcome)).toEqual(['accepted']);
    expect((await replicaB('cdrs', [call(2)])).map((r) => r.outcome)).toEqual(['accepted']);
    const err = await replicaA('cdrs', [call(3)]).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(DbError);
    expect((err as DbError).retryable).toBe(true);
    expect((await replicaA('cdrs', [call(3)])).map((r) => r.outcome)).toEqual(['accepted']);
  });
});
