// What the engine offers a memory budget (issue 17 item 2): an estimate of each account's heap that grows with its
// state, and forgetting a clean account whose stored part then restores it exactly.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { approxAccountBytes, engineBytes } from '../../../src/rules/account-bytes.js';
import { restoreAccount } from '../../../src/rules/engine-snapshot.js';
import { createFraudEngine } from '../../../src/rules/fraud-engine.js';
import { buildRuleSet } from '../../../src/rules/load-rules.js';
import { irsfBurst, profile, ukBusinessDay } from '../../helpers/traffic.js';

const rules = buildRuleSet([{ file: 'rules/fraud.yaml', text: readFileSync('rules/fraud.yaml', 'utf8') }], 'now').rules.fraud;
const opts = { allowedLatenessMs: 5 * 60_000, defaultTimezone: 'UTC' };
const day = ukBusinessDay({ accounts: 6, date: '2026-11-24', seed: 3 });
const cdrs = [...day.cdrs, ...irsfBurst({ accountId: 'acct-2', start: Date.parse('2026-11-24T14:00:00Z') })]
  .sort((a, b) => (a.endedAt ?? a.startedAt) - (b.endedAt ?? b.startedAt));
const hitsOf = (r: { hits: { accountId: string; ruleId: string; level: string; at: number; sampleCdrIds: string[] }[] }) =>
  r.hits.map((h) => `${h.accountId} ${h.ruleId} ${h.level} ${h.at} ${h.sampleCdrIds.join(',')}`);

describe('account bytes', () => {
  it('grow with the events an account holds and stay in the range the bench measures', () => {
    const engine = createFraudEngine(rules, opts);
    const sizes: number[] = [];
    for (const c of cdrs.filter((x) => x.accountId === 'acct-1')) {
      engine.process(c, profile('acct-1'));
      sizes.push(approxAccountBytes(engine.state, 'acct-1'));
    }
    expect(sizes.length).toBeGreaterThan(5);
    expect(sizes[0]!).toBeGreaterThan(300);
    expect(sizes[sizes.length - 1]!).toBeGreaterThan(sizes[0]!);
    expect(sizes[sizes.length - 1]!).toBeLessThan(200 * sizes.length + 2_000);
  });
});

describe("an engine's bytes, as the memory budget counts them", () => {
  it('grow with traffic; forgetting accounts moves their rows to slack and leaves the dedupe table; loads take the slack back', () => {
    const engine = createFraudEngine(rules, opts);
    const half = Math.floor(cdrs.length / 2);
    for (const c of cdrs.slice(0, half)) engine.process(c, profile(c.accountId));
    const early = engineBytes(engine.state);
    for (const c of cdrs.slice(half)) engine.process(c, profile(c.accountId));
    const late = engineBytes(engine.state);
    expect(early.table).toBeGreaterThan(0);
    expect(late.table).toBeGreaterThanOrEqual(early.table);
    expect(late.accounts).toBeGreaterThan(early.accounts);
    // Within the range approxAccountBytes gives account by account (both count rows and fields; heap differently).
    let approx = 0;
    for (const id of engine.state.accounts.keys()) approx += approxAccountBytes(engine.state, id);
    expect(late.accounts).toBeGreaterThan(0.5 * approx);
    expect(late.accounts).toBeLessThan(2 * approx);

    const parts = new Map<string, Uint8Array>();
    for (const id of engine.dirtyAccounts()) parts.set(id, engine.snapshotAccount(id)!);
    engine.markClean();
    for (const id of [...engine.state.accounts.keys()]) expect(engine.state.forget(id)).toBe(true);
    const out = engineBytes(engine.state);
    expect(out.accounts).toBe(0);
    expect(out.table).toBe(late.table);
    expect(out.slack).toBeGreaterThan(late.slack);
    for (const [id, part] of parts) restoreAccount(engine.state, id, part);
    const back = engineBytes(engine.state);
    // Restored lists get regions of the class their rows need; grown ones had room ahead.
    expect(back.accounts).toBeGreaterThan(0.8 * late.accounts);
    expect(back.accounts).toBeLessThanOrEqual(late.accounts);
    expect(back.slack).toBeLessThanOrEqual(out.slack);
  });
});

describe('forgetting an account', () => {
  it('refuses a changed account, and a forgotten clean one restored from its part decides as if it had stayed', () => {
    const whole = createFraudEngine(rules, opts);
    const spilling = createFraudEngine(rules, opts);
    const stored = new Map<string, Uint8Array>();
    const got: string[] = [];
    const want: string[] = [];
    cdrs.forEach((c, i) => {
      want.push(...hitsOf(whole.process(c, profile(c.accountId))));
      if (!spilling.state.accounts.has(c.accountId) && stored.has(c.accountId)) restoreAccount(spilling.state, c.accountId, stored.get(c.accountId)!);
      got.push(...hitsOf(spilling.process(c, profile(c.accountId))));
      expect(spilling.state.forget(c.accountId)).toBe(false);
      if (i % 3 !== 0) return;
      // a checkpoint, then every account leaves memory
      for (const id of spilling.dirtyAccounts()) stored.set(id, spilling.snapshotAccount(id)!);
      spilling.markClean();
      for (const id of [...spilling.state.accounts.keys()]) expect(spilling.state.forget(id)).toBe(true);
      expect(spilling.size()).toBe(0);
    });
    expect(want.some((h) => h.startsWith('acct-2 irsf'))).toBe(true);
    expect(got).toEqual(want);
  });
});
