// A measured step, not a timed assertion: how long each console page takes to load in a real Chromium against the
// real daemon holding 100,000 accounts (100 resellers x 10 channels x 100 customers), 2,000 of them held (each hold
// with its audit entry in the last 24 h), 50 pending reviews and 100 dead letters. Each page is loaded from a fresh
// navigation to its content (median of 3). Results are printed and written to screenshots/console/page-loads.json;
// bench/README.md records them. The test asserts only that every page rendered its content.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { SHOTS, signIn, startConsoleFixture, type ConsoleFixture } from './console-fixture.js';

let fx: ConsoleFixture;

async function seed100k(fx: ConsoleFixture): Promise<void> {
  const db = fx.fresh.db;
  await db.query(`INSERT INTO accounts (id, type, parent_id, name, main_contact, currency, updated_at)
    SELECT 'r' || r, 'reseller', NULL, 'Reseller ' || r, NULL, 'GBP', now() FROM generate_series(1, 100) r`);
  await db.query(`INSERT INTO accounts (id, type, parent_id, name, main_contact, currency, updated_at)
    SELECT 'r' || r || '-c' || c, 'channel', 'r' || r, 'Channel ' || r || '.' || c, NULL, 'GBP', now()
      FROM generate_series(1, 100) r, generate_series(1, 10) c`);
  await db.query(`INSERT INTO accounts (id, type, parent_id, name, main_contact, currency, updated_at)
    SELECT 'r' || r || '-c' || c || '-u' || u, 'customer', 'r' || r || '-c' || c, 'Customer ' || r || '.' || c || '.' || u,
           jsonb_build_object('email', 'u' || u || '@example.test'), 'GBP', now()
      FROM generate_series(1, 100) r, generate_series(1, 10) c, generate_series(1, 100) u`);
  await db.query(`INSERT INTO holds (id, account_id, reason, source, evidence, placed_at)
    SELECT 'h-bench-' || i, 'r' || (i % 100 + 1) || '-c' || (i % 10 + 1) || '-u' || (i / 100 + 1),
           CASE WHEN i % 3 = 0 THEN 'non_payment' ELSE 'fraud' END,
           CASE WHEN i % 3 = 0 THEN 'dunning:standard' ELSE 'rule:irsf-test' END,
           jsonb_build_object('rule', 'irsf-test', 'measure', 'calls', 'value', 4, 'level', 'suspend', 'threshold', 3, 'window', '1h',
                              'sampleCdrIds', jsonb_build_array('cdr-' || i || '-1', 'cdr-' || i || '-2')),
           now() - (i % 1440) * interval '1 minute'
      FROM generate_series(0, 1999) i`);
  await db.query(`INSERT INTO audit (account_id, kind, actor, at, hold_id, reason, evidence)
    SELECT account_id, 'hold_placed', source, placed_at, id, reason, evidence FROM holds WHERE id LIKE 'h-bench-%'`);
  await db.query(`INSERT INTO decisions (id, account_id, reason, source, evidence, created_at)
    SELECT 'd-bench-' || i, 'r' || (i + 1) || '-c5-u50', 'fraud', 'rule:review-test',
           jsonb_build_object('rule', 'review-test', 'measure', 'calls', 'value', 2, 'level', 'suspend', 'threshold', 2, 'window', '1h', 'sampleCdrIds', jsonb_build_array('x')),
           now() - i * interval '1 minute'
      FROM generate_series(0, 49) i`);
  await db.query(`INSERT INTO dead_letters (topic, "partition", "offset", key, value, error)
    SELECT 'cdrs', 0, i, convert_to('acct-' || i, 'UTF8'), convert_to('{"id":"bad-' || i || '"}', 'UTF8'), 'direction: required'
      FROM generate_series(1, 100) i`);
  await db.query('ANALYZE');
}

async function measure(page: Page, hash: string, ready: string): Promise<number> {
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) {
    await page.goto('about:blank');
    const t0 = performance.now();
    await page.goto(`${fx.url}/console#${hash}`);
    await page.locator(ready).first().waitFor({ timeout: 30_000 });
    runs.push(performance.now() - t0);
  }
  runs.sort((a, b) => a - b);
  return Math.round(runs[1]!);
}

beforeAll(async () => {
  fx = await startConsoleFixture([]);
  await seed100k(fx);
}, 180_000);
afterAll(async () => {
  await fx?.close();
});

describe('console page loads against 100,000 accounts (measured, not asserted)', () => {
  it('renders every page for an operator and a reseller, and records how long each took', async () => {
    const n = await fx.fresh.db.query<{ n: string }>('SELECT count(*)::text AS n FROM accounts');
    expect(Number(n.rows[0]!.n)).toBe(101_100);
    const results: Record<string, number> = {};
    // Same-process baseline: the console's shell and modules with no data (the sign-in form).
    const blank = await fx.page();
    results['baseline: sign-in form (shell and modules, no data)'] = await measure(blank, '/overview', 'input[name="token"]');
    const opToken = (await fx.token('operator')).token;
    const op = await fx.page();
    await signIn(op, fx.url, opToken);
    results['operator: overview'] = await measure(op, '/overview', '.chart svg');
    results['operator: accounts tree (100 resellers)'] = await measure(op, '/accounts', '.tree li');
    results['operator: accounts search q=customer 7.7 status=suspended'] = await measure(op, '/accounts?q=customer%207.7&status=suspended', 'table.accounts tbody tr');
    results['operator: account (suspended customer, history)'] = await measure(op, '/account/r1-c1-u1', '.hold');
    results['operator: review queue (50 pending)'] = await measure(op, '/reviews', 'li.review');
    results['operator: rules'] = await measure(op, '/rules', 'tbody tr');
    results['operator: dead letters (100)'] = await measure(op, '/dead-letters', '.dead-letter');
    const rs = await fx.page();
    await signIn(rs, fx.url, (await fx.token('reseller', 'r7')).token);
    results['reseller r7: overview (1,011 accounts in scope)'] = await measure(rs, '/overview', '.chart svg');
    results['reseller r7: accounts tree'] = await measure(rs, '/accounts', '.tree li');
    results['reseller r7: accounts search q=7.3'] = await measure(rs, '/accounts?q=7.3', 'table.accounts tbody tr');
    results['reseller r7: account'] = await measure(rs, '/account/r7-c7-u1', '.banner');
    // Search results page on: 112 of r7's accounts match "7.3", 100 at a time.
    await rs.goto(`${fx.url}/console#/accounts?q=7.3`);
    await rs.getByRole('heading', { name: '100+ accounts found' }).waitFor();
    await rs.getByRole('button', { name: 'More results' }).click();
    await rs.getByRole('heading', { name: '112 accounts found' }).waitFor();
    expect(await rs.locator('table.accounts tbody tr').count()).toBe(112);
    await op.goto(`${fx.url}/console#/overview`);
    await op.locator('.chart svg').first().waitFor();
    await fx.shot(op, 'overview-100k');
    // The API calls behind the pages, timed from Node (median of 3), to separate the daemon's work from the browser's.
    const api: Record<string, number> = {};
    for (const path of ['/v1/me', '/v1/overview', '/v1/account-tree?limit=200', '/v1/account-tree?q=customer%207.7&status=suspended&limit=100',
      '/v1/accounts?q=customer%207.7&status=suspended&limit=100', '/v1/accounts/r1-c1-u1', '/v1/accounts/r1-c1-u1/history?limit=500',
      '/v1/decisions?state=pending&limit=200', '/v1/rules', '/v1/dead-letters?limit=100']) {
      const runs: number[] = [];
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        const res = await fetch(`${fx.url}${path}`, { headers: { authorization: `Bearer ${opToken}` } });
        await res.arrayBuffer();
        expect(res.status).toBe(200);
        runs.push(performance.now() - t0);
      }
      api[`operator GET ${path}`] = Math.round(runs.sort((a, b) => a - b)[1]!);
    }
    Object.assign(results, api);
    console.log('console page loads (median of 3, ms):');
    for (const [k, v] of Object.entries(results)) console.log(`  ${v.toString().padStart(5)}  ${k}`);
    writeFileSync(path.join(SHOTS, 'page-loads.json'), `${JSON.stringify(results, null, 2)}\n`);
    for (const v of Object.values(results)) expect(v).toBeGreaterThan(0);
  }, 120_000);
});
