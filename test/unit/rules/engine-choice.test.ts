// Which engine FRAUD_ENGINE builds (src/rules/engine-choice.ts), and the fallback to the classic engine for a rule
// set the fused engine cannot hold (and, while it does not store state, for every rule set), told to the caller.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createEngineOf, engineCannotHold, FUSED_MAX_RULES, GuardedEngine } from '../../../src/rules/engine-choice.js';
import { createFusedEngine, FUSED_STORES_STATE } from '../../../src/rules/fused/fused-engine.js';
import { buildRuleSet } from '../../../src/rules/load-rules.js';
import type { FraudRule } from '../../../src/rules/types.js';
import { profile } from '../../helpers/traffic.js';

const shipped = buildRuleSet([{ file: 'rules/fraud.yaml', text: readFileSync('rules/fraud.yaml', 'utf8') }], 'now').rules.fraud;
const opts = { allowedLatenessMs: 300_000, defaultTimezone: 'UTC' };
const many = (n: number): FraudRule[] => Array.from({ length: n }, (_, i) => ({ ...shipped[i % shipped.length]!, id: `r${i}` }));

describe('engine choice', () => {
  it('builds the engine asked for, or says why the classic engine runs instead', () => {
    const fallbacks: string[] = [];
    const classic = createEngineOf('classic', shipped, opts, (w) => fallbacks.push(w));
    const fused = createEngineOf('fused', shipped, opts, (w) => fallbacks.push(w));
    expect(classic instanceof GuardedEngine).toBe(false);
    if (FUSED_STORES_STATE) {
      expect(fallbacks).toEqual([]);
      expect(fused instanceof GuardedEngine && fused.fused).toBe(true);
    } else {
      expect(fallbacks).toEqual(['the fused engine does not store state yet (snapshots, spill, restarts): running the classic engine']);
      expect(fused instanceof GuardedEngine).toBe(false);
      expect(engineCannotHold('fused', shipped)).not.toBeNull();
    }
    expect(engineCannotHold('fused', shipped, true)).toBeNull();
  });

  it('the guarded fused engine decides as the classic engine on one record', () => {
    const classic = createEngineOf('classic', shipped, opts);
    const fused = new GuardedEngine(createFusedEngine(shipped, opts), shipped, opts);
    const cdr = { id: 'c1', accountId: 'a1', direction: 'outbound' as const, caller: '+442079460000', callee: '+447700900123', startedAt: 1_764_000_000_000, answeredAt: null, endedAt: 1_764_000_060_000, durationSec: 60, disposition: 'answered' as const, costMicros: 50_000, currency: 'GBP', phase: 'end' as const };
    const p = profile('a1');
    expect(fused.process(cdr, p)).toEqual(classic.process(cdr, p));
    expect(fused.process(cdr, p).outcome).toBe('duplicate');
    expect(fused.fused).toBe(true);
  });

  it('moves a lane to the classic engine at the first record the fused engine cannot hold, deciding as classic throughout', () => {
    const classic = createEngineOf('classic', shipped, opts);
    const moves: string[] = [];
    const guarded = new GuardedEngine(createFusedEngine(shipped, opts), shipped, opts, (w) => moves.push(w));
    const t0 = 1_764_000_000_000;
    const call = (i: number, over: Record<string, unknown> = {}) => ({
      id: `c${i}`, accountId: `a${i % 3}`, direction: 'outbound' as const, caller: '+442079460000', callee: i % 2 ? '+447700900123' : '+882123456789',
      startedAt: t0 + i * 20_000, answeredAt: t0 + i * 20_000 + 3_000, endedAt: t0 + i * 20_000 + 63_000 as number | null, durationSec: 60 as number | null,
      disposition: 'answered' as const, costMicros: 900_000 + i, currency: 'GBP', phase: 'end' as const, ...over,
    });
    const results: [unknown, unknown][] = [];
    for (let i = 0; i < 40; i++) {
      // record 20: a fractional duration and no end time, so its event time is not a whole millisecond
      const c = i === 20 ? call(i, { endedAt: null, durationSec: 12.3456 }) : call(i);
      if (i === 20) expect(guarded.fused).toBe(true);
      results.push([guarded.process(c, profile(c.accountId)), classic.process(c, profile(c.accountId))]);
    }
    for (const [got, want] of results) expect(got).toEqual(want);
    expect(results.some(([got]) => (got as { hits: unknown[] }).hits.length > 0)).toBe(true);
    expect(guarded.fused).toBe(false);
    expect(moves).toHaveLength(1);
    expect(moves[0]).toMatch(/^fused engine: .* not built yet: this lane's state moved to the classic engine$/);
    expect(Buffer.from(guarded.snapshot()).equals(Buffer.from(classic.snapshot()))).toBe(true);
  });

  it('loads a spilled part the fused engine cannot hold (a classic engine\'s, with a time not a whole millisecond) by moving the lane first, through the same spill view', () => {
    // A replica switched from FRAUD_ENGINE=classic to fused: its store holds parts the classic engine wrote.
    const classic = createEngineOf('classic', shipped, opts);
    const t0 = 1_764_000_000_000;
    const call = (i: number, account: string, over: Record<string, unknown> = {}) => ({
      id: `c${i}`, accountId: account, direction: 'outbound' as const, caller: '+442079460000', callee: '+882123456789',
      startedAt: t0 + i * 20_000, answeredAt: t0 + i * 20_000 + 3_000, endedAt: t0 + i * 20_000 + 63_000 as number | null, durationSec: 60 as number | null,
      disposition: 'answered' as const, costMicros: 900_000, currency: 'GBP', phase: 'end' as const, ...over,
    });
    const first = [call(0, 'odd', { endedAt: null, durationSec: 12.3456 }), call(1, 'even'), call(2, 'odd')];
    for (const c of first) classic.process(c, profile(c.accountId));
    const parts = new Map(classic.dirtyAccounts().map((id) => [id, classic.snapshotAccount(id)!]));
    const shared = classic.snapshotShared();
    classic.markClean();

    const moves: string[] = [];
    const guarded = createEngineOf('fused', shipped, opts, (w) => moves.push(w)) as GuardedEngine;
    guarded.restoreParts(shared, []);
    const view = guarded.spill;
    view.load('even', parts.get('even')!, Number.NEGATIVE_INFINITY, []);
    expect(guarded.fused).toBe(true);
    view.load('odd', parts.get('odd')!, Number.NEGATIVE_INFINITY, []);
    expect(guarded.fused).toBe(false);
    expect(moves).toHaveLength(1);
    // the view the memory budget kept now reaches the classic engine, which holds both accounts: the one loaded there
    // clean, the one moved with the lane dirty (a move restores a snapshot, whose accounts the next write stores)
    const held: [string, boolean][] = [];
    view.forEachAccount((id, _t, clean) => held.push([id, clean]));
    expect(held.sort()).toEqual([['even', false], ['odd', true]]);
    const later = [call(3, 'odd'), call(4, 'even'), call(5, 'odd')];
    for (const c of later) expect(guarded.process(c, profile(c.accountId))).toEqual(classic.process(c, profile(c.accountId)));
  });

  it('runs a rule set of more than 30 rules on the classic engine and says why', () => {
    expect(engineCannotHold('fused', many(FUSED_MAX_RULES), true)).toBeNull();
    expect(engineCannotHold('fused', many(FUSED_MAX_RULES + 1), true)).toBe('the fused engine holds at most 30 rules and the rule set has 31');
    expect(engineCannotHold('classic', many(40))).toBeNull();
    const fallbacks: string[] = [];
    const e = createEngineOf('fused', many(FUSED_MAX_RULES + 1), opts, (w) => fallbacks.push(w));
    expect(e instanceof GuardedEngine).toBe(false);
    expect(fallbacks).toHaveLength(1);
    expect(fallbacks[0]).toMatch(/: running the classic engine$/);
  });
});
