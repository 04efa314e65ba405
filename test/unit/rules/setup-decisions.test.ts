// Earlier detection (issue 12 item 3): where `phase: start` events arrive, count rules decide at the call's set-up,
// a call still counts once, rules that need the end (dispositions, money) wait for it, and evaluateSetup answers
// what a set-up would trigger without counting it (for the authorization endpoint).
import { describe, expect, it } from 'vitest';
import type { CdrRecord } from '../../../src/events/types.js';
import { createFraudEngine } from '../../../src/rules/fraud-engine.js';
import { buildRuleSet } from '../../../src/rules/load-rules.js';
import { cdr, profile, startOf } from '../../helpers/traffic.js';

const T0 = Date.parse('2026-11-24T10:00:00Z');
const MIN = 60_000;

const RULES = buildRuleSet([{ file: 'setup.yaml', text: `
fraud:
  - id: irsf
    match: { calleePrefixes: ["+882"] }
    measure: calls
    window: 1h
    suspend: 3
  - id: irsf-answered
    match: { calleePrefixes: ["+882"], dispositions: [answered] }
    measure: calls
    window: 1h
    suspend: 3
  - id: wangiri
    measure: callbacks
    window: 1h
    suspend: 1
  - id: dear
    measure: call_cost
    suspend: "10.00"
    cooldown: 1s
` }], 'now').rules.fraud;

const engineOf = () => createFraudEngine(RULES, { allowedLatenessMs: 5 * MIN, defaultTimezone: 'UTC' });
const irsfCall = (i: number): CdrRecord => cdr({ id: `c${i}`, accountId: 'pbx', callee: `+8821300012${i}`, startedAt: T0 + i * 10_000, durationSec: 600, costMicros: 20_000_000 });
const ids = (hits: { ruleId: string }[]) => hits.map((h) => h.ruleId);

describe('decisions at set-up', () => {
  it('a burst of set-ups is suspended at the third start event, ten minutes before any call ends', () => {
    const engine = engineOf();
    const results = [0, 1, 2].map((i) => engine.process(startOf(irsfCall(i)), profile('pbx')));
    expect(results.map((r) => ids(r.hits))).toEqual([[], [], ['irsf']]);
    expect(results[2]!.hits[0]).toMatchObject({ value: 3, at: T0 + 20_000, sampleCdrIds: ['c2', 'c1', 'c0'] });
  });

  it('a call counts once: its end record adds nothing to the rules that counted its start', () => {
    const engine = engineOf();
    for (const i of [0, 1]) engine.process(startOf(irsfCall(i)), profile('pbx'));
    const ends = [0, 1].map((i) => engine.process(irsfCall(i), profile('pbx')));
    // the ends count for the rules that wait for them (dispositions, money), not for `irsf` again
    expect(ends.map((r) => ids(r.hits))).toEqual([['dear'], ['dear']]);
    expect(ids(engine.process(startOf(irsfCall(2)), profile('pbx')).hits)).toEqual(['irsf']);
    expect(ids(engine.process(irsfCall(2), profile('pbx')).hits)).toEqual(['irsf-answered', 'dear']);
  });

  it('without start events every rule decides at the end record', () => {
    const engine = engineOf();
    const hits = [0, 1, 2].map((i) => ids(engine.process(irsfCall(i), profile('pbx')).hits));
    expect(hits).toEqual([['dear'], ['dear'], ['irsf', 'irsf-answered', 'dear']]);
  });

  it('a Wangiri call-back is decided at its set-up', () => {
    const engine = engineOf();
    const ring: CdrRecord = { ...cdr({ id: 'ring', accountId: 'victim', callee: '+442071234567', startedAt: T0, disposition: 'no_answer' }), direction: 'inbound', caller: '+37120012345' };
    engine.process(ring, profile('victim'));
    const back = cdr({ id: 'back', accountId: 'victim', callee: '+37120012345', startedAt: T0 + 10 * MIN, durationSec: 60 });
    expect(engine.process(startOf(back), profile('victim')).hits.map((h) => [h.ruleId, h.value, h.at])).toEqual([['wangiri', 1, T0 + 10 * MIN]]);
    // a call to a number that never rang is not a call-back
    expect(engine.process(startOf(cdr({ id: 'other', accountId: 'victim', callee: '+37120099999', startedAt: T0 + 11 * MIN })), profile('victim')).hits).toEqual([]);
  });
});

describe('evaluateSetup', () => {
  it('answers what a set-up would trigger without counting it; the real start event still counts', () => {
    const engine = engineOf();
    for (const i of [0, 1]) engine.process(startOf(irsfCall(i)), profile('pbx'));
    const before = engine.snapshot();
    const call = { callee: '+882130001299', caller: '+442071234567', at: T0 + 25_000 };
    const first = engine.evaluateSetup(profile('pbx'), call);
    expect(first.map((h) => [h.ruleId, h.level, h.value])).toEqual([['irsf', 'suspend', 3]]);
    expect(engine.evaluateSetup(profile('pbx'), call)).toEqual(first);
    expect(new TextDecoder().decode(engine.snapshot())).toBe(new TextDecoder().decode(before));
    expect(engine.dirtyAccounts()).toEqual(['pbx']);
    // the switch's start event of that call counts as if the question had never been asked
    const start = startOf(cdr({ id: 'c9', accountId: 'pbx', callee: call.callee, startedAt: call.at }));
    expect(engine.process(start, profile('pbx')).hits.map((h) => [h.ruleId, h.value])).toEqual([['irsf', 3]]);
  });

  it('for an account the engine has never seen, leaves no state behind', () => {
    const engine = engineOf();
    expect(engine.evaluateSetup(profile('new'), { callee: '+882130001200', at: T0 })).toEqual([]);
    expect(engine.size()).toBe(0);
    expect(engine.dirtyAccounts()).toEqual([]);
  });

  it('with commit, the set-up is the call\'s start event', () => {
    const engine = engineOf();
    for (const i of [0, 1]) engine.evaluateSetup(profile('pbx'), { callee: `+88213000120${i}`, at: T0 + i * 1000, id: `k${i}` }, { commit: true });
    expect(engine.size()).toBe(1);
    // the start events the switch sends for the same calls are duplicates
    expect(engine.process(startOf(cdr({ id: 'k1', accountId: 'pbx', callee: '+882130001201', startedAt: T0 + 1000 })), profile('pbx')).outcome).toBe('duplicate');
    expect(engine.evaluateSetup(profile('pbx'), { callee: '+882130001202', at: T0 + 2000 }).map((h) => h.value)).toEqual([3]);
  });
});
