// The evidence ring (the last matched CDR ids of an account, engine-state.ts): kept as one string, it must give the
// same samples as the list it replaced, wrap after RING entries, survive a snapshot, and read parts written when
// the ring was a list of RING ids with '' unused.
import { describe, expect, it } from 'vitest';
import type { CdrRecord } from '../../../src/events/types.js';
import { decodeAccountPart, encodeAccount, restoreAccount } from '../../../src/rules/engine-snapshot.js';
import { RING, RING_SEP, ringList, ringText } from '../../../src/rules/engine-state.js';
import { createFraudEngine } from '../../../src/rules/fraud-engine.js';
import type { FraudRule } from '../../../src/rules/types.js';
import { cdr, profile } from '../../helpers/traffic.js';

const T0 = Date.parse('2026-11-24T10:00:00Z');
const MIN = 60_000;
const rule: FraudRule = {
  id: 'r', description: null, mode: 'enforce', appliesTo: null, match: { direction: 'outbound' }, measure: 'calls',
  windowMs: 60 * MIN, rangeDigits: 2, warn: null, suspend: 99, baseline: null, cooldownMs: null, releaseAfterMs: 3_600_000,
  origin: { file: 'test', line: 1 },
};
const opts = { allowedLatenessMs: 5 * MIN, defaultTimezone: 'UTC' };
const call = (id: string, i: number): CdrRecord =>
  cdr({ id, accountId: 'a', callee: `+4420712300${String(i % 100).padStart(2, '0')}`, startedAt: T0 + i * 1000, durationSec: 30 });

describe('evidence ring', () => {
  it('holds the last RING ids in entry order as it fills and wraps', () => {
    const engine = createFraudEngine([rule], opts);
    const ids = Array.from({ length: RING + 3 }, (_, i) => `cdr-${i}-${'x'.repeat(i)}`);
    ids.forEach((id, i) => engine.process(call(id, i), profile('a')));
    const a = engine.state.accounts.get('a')!;
    // entries 0..2 were overwritten by the 9th to 11th ids
    const expected = ids.slice(RING, RING + 3).concat(ids.slice(3, RING));
    expect(ringList(a.ringIds)).toEqual(expected);
    expect(a.ringTm!.length).toBe(2 * RING);
    expect(a.ringNext).toBe(3);
  });

  it('keeps the ids through a stored part, which still holds them as a list', () => {
    const engine = createFraudEngine([rule], opts);
    for (let i = 0; i < 5; i++) engine.process(call(`c${i}`, i), profile('a'));
    const part = encodeAccount(engine.state, 'a')!;
    expect(decodeAccountPart(part)[1]).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
    const again = createFraudEngine([rule], opts);
    restoreAccount(again.state, 'a', part);
    expect(again.state.accounts.get('a')!.ringIds).toBe(engine.state.accounts.get('a')!.ringIds);
  });

  it("reads a part written when the ring was RING ids with '' unused, and samples from it", () => {
    const engine = createFraudEngine([rule], opts);
    for (let i = 0; i < 3; i++) engine.process(call(`c${i}`, i), profile('a'));
    const a = engine.state.accounts.get('a')!;
    const old = ['c0', 'c1', 'c2', '', '', '', '', ''];
    a.ringIds = ringText(old);
    a.ringTm = [...a.ringTm!, ...new Array<number>(2 * (RING - 3)).fill(0)];
    const part = encodeAccount(engine.state, 'a')!;
    expect(decodeAccountPart(part)[1]).toEqual(old);
    const again = createFraudEngine([{ ...rule, suspend: 4 }], opts);
    restoreAccount(again.state, 'a', part);
    const hits = again.process(call('c3', 3), profile('a')).hits;
    expect(hits.map((h) => h.sampleCdrIds)).toEqual([['c3', 'c2', 'c1', 'c0']]);
    expect(ringList(again.state.accounts.get('a')!.ringIds)).toEqual(['c0', 'c1', 'c2', 'c3', '', '', '', '']);
  });

  it('keeps an id holding the separator (never a validated one) as an empty entry', () => {
    const engine = createFraudEngine([{ ...rule, suspend: 3 }], opts);
    engine.process(call('c0', 0), profile('a'));
    engine.process(call(`bad${RING_SEP}id`, 1), profile('a'));
    const hits = engine.process(call('c2', 2), profile('a')).hits;
    expect(ringList(engine.state.accounts.get('a')!.ringIds)).toEqual(['c0', '', 'c2']);
    expect(hits.map((h) => h.sampleCdrIds)).toEqual([['c2', 'c0']]);
  });
});
