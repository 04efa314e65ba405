// Engine behaviour on top of the windows: dedupe and lateness, concurrency from start events and from overlapping
// end records, baselines, cooldowns, appliesTo (unknown accounts count as customers) and evidence.
import { describe, expect, it } from 'vitest';
import type { CdrRecord } from '../../../src/events/types.js';
import { createFraudEngine } from '../../../src/rules/fraud-engine.js';
import type { FraudRule } from '../../../src/rules/types.js';
import { cdr, profile, startOf } from '../../helpers/traffic.js';

const T0 = Date.parse('2026-11-24T10:00:00Z');
const MIN = 60_000;

function rule(over: Partial<FraudRule>): FraudRule {
  return {
    id: 'r', description: null, mode: 'enforce', appliesTo: null, match: { direction: 'outbound' }, measure: 'calls',
    windowMs: 10 * MIN, rangeDigits: 2, warn: null, suspend: 3, baseline: null, cooldownMs: null, releaseAfterMs: 3_600_000,
    origin: { file: 'test', line: 1 }, ...over,
  };
}
const engineOf = (...rules: FraudRule[]) => createFraudEngine(rules, { allowedLatenessMs: 5 * MIN, defaultTimezone: 'UTC' });
const call = (i: number, at: number, over: Partial<Parameters<typeof cdr>[0]> = {}): CdrRecord =>
  cdr({ id: `c${i}`, accountId: 'a', callee: `+4420712300${String(i % 100).padStart(2, '0')}`, startedAt: at, durationSec: 30, ...over });

describe('fraud engine', () => {
  it('a repeated CDR (same id and phase) counts once and changes nothing', () => {
    const engine = engineOf(rule({ suspend: 2 }));
    expect(engine.process(call(1, T0), profile('a')).outcome).toBe('accepted');
    expect(engine.process(call(1, T0), profile('a'))).toEqual({ outcome: 'duplicate', hits: [] });
    expect(engine.process(call(2, T0 + MIN), profile('a')).hits[0]?.value).toBe(2);
  });

  it('a start and an end of the same call are not duplicates of each other', () => {
    const engine = engineOf(rule({ measure: 'concurrent_calls', windowMs: null, suspend: 99 }));
    const end = call(1, T0);
    expect(engine.process(startOf(end), profile('a')).outcome).toBe('accepted');
    expect(engine.process(end, profile('a')).outcome).toBe('accepted');
  });

  it('a CDR older than the watermark minus the longest window is late and changes nothing', () => {
    const engine = engineOf(rule({ suspend: 2 }));
    engine.process(call(1, T0 + 60 * MIN), profile('a'));
    expect(engine.process(call(2, T0), profile('a'))).toEqual({ outcome: 'late', hits: [] });
    // the late CDR was not counted: the window holds c1 and c3 only
    expect(engine.process(call(3, T0 + 61 * MIN), profile('a')).hits.map((h) => h.value)).toEqual([2]);
  });

  it('a suspend hit carries mode, releaseAfter and evidence with at most 5 sample CDR ids', () => {
    const engine = engineOf(rule({ suspend: 8, mode: 'review' }));
    let hits = [] as ReturnType<typeof engine.process>['hits'];
    for (let i = 0; i < 8; i++) hits = engine.process(call(i, T0 + i * 1000), profile('a')).hits;
    expect(hits).toEqual([{
      accountId: 'a', ruleId: 'r', level: 'suspend', mode: 'review', reason: 'fraud', measure: 'calls', value: 8, threshold: 8,
      window: '10m', at: T0 + 7000 + 35_000, sampleCdrIds: ['c7', 'c6', 'c5', 'c4', 'c3'], releaseAfterMs: 3_600_000,
    }]);
  });

  it('warns below the suspend level, and cooldown stops a repeat of the same level', () => {
    const engine = engineOf(rule({ warn: 2, suspend: 4, cooldownMs: 30 * MIN }));
    const levels = Array.from({ length: 6 }, (_, i) => engine.process(call(i, T0 + i * 1000), profile('a')).hits.map((h) => h.level));
    expect(levels).toEqual([[], ['warn'], [], ['suspend'], [], []]);
  });

  it('counts concurrency from start events, and releases a call at its end', () => {
    const engine = engineOf(rule({ measure: 'concurrent_calls', windowMs: null, suspend: 3 }));
    const calls = [0, 1, 2].map((i) => call(i, T0 + i * 1000, { durationSec: i === 0 ? 1 : 600 }));
    expect(engine.process(startOf(calls[0]!), profile('a')).hits).toEqual([]);
    expect(engine.process(startOf(calls[1]!), profile('a')).hits).toEqual([]);
    expect(engine.process(calls[0]!, profile('a')).hits).toEqual([]);
    expect(engine.process(startOf(calls[2]!), profile('a')).hits).toEqual([]);
    const fourth = call(3, T0 + 3000, { durationSec: 600 });
    expect(engine.process(startOf(fourth), profile('a')).hits.map((h) => h.value)).toEqual([3]);
  });

  it('counts concurrency from overlapping end records when there are no start events', () => {
    const engine = engineOf(rule({ measure: 'concurrent_calls', windowMs: null, suspend: 3 }));
    // end records in end order: [0,1m], [30s,10m], [2m,3m], then [1m30s,11m] overlaps the 2nd and 3rd: 3 at once
    expect(engine.process(call(0, T0, { durationSec: 55 }), profile('a')).hits).toEqual([]);
    expect(engine.process(call(2, T0 + 2 * MIN, { durationSec: 55 }), profile('a')).hits).toEqual([]);
    expect(engine.process(call(1, T0 + MIN / 2, { durationSec: 565 }), profile('a')).hits).toEqual([]);
    expect(engine.process(call(3, T0 + 1.5 * MIN, { durationSec: 565 }), profile('a')).hits.map((h) => h.value)).toEqual([3]);
  });

  it('a baseline raises the level for an account that usually spends more, never below the minimum', () => {
    const r = rule({ measure: 'cost', windowMs: 60 * MIN, suspend: 0, baseline: { factor: 3, minimum: 10_000_000 }, cooldownMs: 1 });
    const engine = engineOf(r);
    const spend = (i: number, at: number, micros: number) => engine.process(call(i, at, { costMicros: micros }), profile('a')).hits;
    // ten hours of 8.00 an hour: under the minimum, no hit; the baseline learns about 8.00
    for (let h = 0; h < 10; h++) expect(spend(h, T0 + h * 61 * MIN, 8_000_000)).toEqual([]);
    // 12.00 in an hour is over the minimum but under 3 x the usual 8.00 (the decaying average is ~7)
    expect(spend(100, T0 + 10 * 61 * MIN, 12_000_000)).toEqual([]);
    // 30.00 is over 3 x the usual
    expect(spend(101, T0 + 12 * 61 * MIN, 30_000_000).map((h) => h.level)).toEqual(['suspend']);
    // a fresh account is held to the minimum
    const fresh = engineOf(r);
    expect(fresh.process(call(1, T0, { costMicros: 12_000_000 }), profile('a')).hits.map((h) => h.threshold)).toEqual([10_000_000]);
  });

  it('appliesTo scopes by type and tags; an unknown account counts as a customer', () => {
    const r = rule({ suspend: 1, appliesTo: { accountTypes: ['customer'], tags: { none: ['trusted'] } } });
    const engine = engineOf(r);
    expect(engine.process(call(1, T0), { id: 'a', type: null, tags: [], timezone: 'UTC' }).hits).toHaveLength(1);
    expect(engine.process(call(2, T0), { id: 'a', type: 'channel', tags: [], timezone: 'UTC' }).hits).toEqual([]);
    const other = engineOf(r);
    expect(other.process(call(3, T0), profile('a', { tags: ['trusted'] })).hits).toEqual([]);
  });

  it('matches callee prefixes, number types, countries and dispositions', () => {
    const engine = () => engineOf(
      rule({ id: 'prefix', suspend: 1, match: { direction: 'outbound', calleePrefixes: ['+8821', '+44909'] } }),
      rule({ id: 'premium', suspend: 1, match: { direction: 'outbound', numberTypes: ['premium_rate'] } }),
      rule({ id: 'abroad', suspend: 1, match: { direction: 'outbound', countries: { none: ['GB'] }, dispositions: ['answered'] } }),
    );
    const ids = (c: CdrRecord) => engine().process(c, profile('a')).hits.map((h) => h.ruleId).sort();
    expect(ids(call(1, T0, { callee: '+88213000123' }))).toEqual(['abroad', 'prefix']);
    expect(ids(call(2, T0, { callee: '+449098790000' }))).toEqual(['prefix', 'premium']);
    expect(ids(call(3, T0, { callee: '+33123456789', disposition: 'busy' }))).toEqual([]);
    expect(ids(call(4, T0, { callee: '+442071234567' }))).toEqual([]);
  });

  it('forgets idle accounts once the partition has moved on', () => {
    const engine = engineOf(rule({}));
    engine.process(call(1, T0), profile('a'));
    for (let h = 1; h <= 60; h++) engine.process(cdr({ id: `b${h}`, accountId: 'b', callee: '+442071234567', startedAt: T0 + h * 3_600_000 }), profile('b'));
    expect(engine.size()).toBe(1);
  });
});
