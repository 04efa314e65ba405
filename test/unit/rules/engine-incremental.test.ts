// Incremental snapshots are exact: an engine that writes only its dirty account parts (and the shared part) to a
// store at random checkpoints, and is restored from that store at random crash points, gives exactly what one
// uninterrupted engine gives -- across dedupe sweeps, idle-account eviction and a rule change, over several days of
// traffic with repeats and disorder.
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CdrRecord } from '../../../src/events/types.js';
import { decodeAccountPart } from '../../../src/rules/engine-snapshot.js';
import { createFraudEngine } from '../../../src/rules/fraud-engine.js';
import { buildRuleSet } from '../../../src/rules/load-rules.js';
import type { FraudEngine, FraudRule, ProcessResult } from '../../../src/rules/types.js';
import { storeSegment, type StoredSegments } from '../../helpers/dedupe-segments.js';
import { concurrentCalls, irsfBurst, profile, rangeScan, repeatedCallee, ukBusinessDay } from '../../helpers/traffic.js';

const rules = buildRuleSet([{ file: 'rules/fraud.yaml', text: readFileSync('rules/fraud.yaml', 'utf8') }], 'now').rules.fraud;
/** One rule dropped, one changed, the order reversed: every rule index and window group moves. */
const changed = rules
  .filter((r) => r.id !== 'irsf-high-risk-ranges')
  .map((r) => (r.id === 'call-burst' ? { ...r, windowMs: 2 * 3_600_000 } : r))
  .reverse();
const opts = { allowedLatenessMs: 5 * 60_000, defaultTimezone: 'UTC' };
const TUE_10 = Date.parse('2026-11-24T10:00:00Z');
const DAY = 86_400_000;

/**
 * Day 1: 20 accounts and attacks; day 3: 6 of them again plus new ones (the others' dedupe keys expire while their
 * parts stay stored); day 5: 3 of them (the rest have been idle long enough to be forgotten).
 */
function multiDayTraffic(): CdrRecord[] {
  const all = [
    ...ukBusinessDay({ accounts: 20, date: '2026-11-24', seed: 5 }).cdrs,
    ...irsfBurst({ accountId: 'acct-1', start: TUE_10 }),
    ...rangeScan({ accountId: 'acct-2', start: TUE_10 + 3_600_000 }),
    ...repeatedCallee({ accountId: 'acct-3', start: TUE_10 - 3_600_000 }),
    ...concurrentCalls({ accountId: 'acct-4', start: TUE_10 }),
    ...ukBusinessDay({ accounts: 6, date: '2026-11-26', seed: 6 }).cdrs,
    ...ukBusinessDay({ accounts: 4, date: '2026-11-26', seed: 7, prefix: 'late' }).cdrs,
    ...irsfBurst({ accountId: 'acct-1', start: TUE_10 + 2 * DAY }),
    ...ukBusinessDay({ accounts: 3, date: '2026-11-28', seed: 8 }).cdrs,
  ].sort((a, b) => (a.endedAt ?? a.startedAt) - (b.endedAt ?? b.startedAt));
  for (let i = 10; i < all.length; i += 89) all.splice(i, 0, all[i - 7]!);
  for (let i = 5; i + 3 < all.length; i += 37) [all[i], all[i + 3]] = [all[i + 3]!, all[i]!];
  return all;
}

/**
 * A partition's stored state: the shared part, one part per account and the dedupe segments with their newest
 * times, as the checkpoint tables keep them (checkpoint-repo.ts).
 */
class Store {
  shared: Uint8Array | null = null;
  readonly parts = new Map<string, Uint8Array>();
  dedupe: StoredSegments = [];
  writes = 0;

  checkpoint(engine: FraudEngine): void {
    this.dedupe = storeSegment(this.dedupe, engine.dedupeSegment());
    engine.dedupeStored();
    for (const id of engine.dirtyAccounts()) {
      const part = engine.snapshotAccount(id);
      if (part) this.parts.set(id, part);
      else this.parts.delete(id);
      this.writes++;
    }
    this.shared = engine.snapshotShared();
    engine.markClean();
  }

  restore(ruleSet: readonly FraudRule[]): FraudEngine {
    const engine = createFraudEngine(ruleSet, opts);
    if (this.shared) engine.restoreParts(this.shared, [...this.parts], this.segments());
    return engine;
  }

  segments(): Uint8Array[] {
    return this.dedupe.map(([, p]) => p);
  }
}

const step = (engine: FraudEngine, c: CdrRecord): ProcessResult => engine.process(c, profile(c.accountId));

/** The full snapshot with accounts in id order (a restore may list them in another order), as JSON. */
function canonical(engine: FraudEngine): unknown {
  const json = JSON.parse(new TextDecoder().decode(engine.snapshot())) as { a: [string][] };
  json.a.sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  return json;
}

/** One uninterrupted engine, the rules changed before event `ruleChangeAt`: its results and final state. */
function uninterrupted(traffic: CdrRecord[], ruleChangeAt: number): { results: ProcessResult[]; state: unknown } {
  const engine = createFraudEngine(rules, opts);
  const results = traffic.map((c, i) => {
    if (i === ruleChangeAt) engine.setRules(changed);
    return step(engine, c);
  });
  return { results, state: canonical(engine) };
}

describe('incremental engine snapshots', () => {
  const traffic = multiDayTraffic();
  const noChange = traffic.length + 1;
  const whole = uninterrupted(traffic, noChange);
  const wholeResults = whole.results;

  it('the traffic exercises hits, duplicates, late events and forgotten accounts', () => {
    expect(wholeResults.some((r) => r.outcome === 'duplicate')).toBe(true);
    expect(new Set(wholeResults.flatMap((r) => r.hits.map((h) => h.ruleId))).size).toBeGreaterThan(3);
    const engine = createFraudEngine(rules, opts);
    const store = new Store();
    traffic.forEach((c, i) => {
      step(engine, c);
      if (i % 50 === 0) store.checkpoint(engine);
    });
    store.checkpoint(engine);
    expect(store.parts.size).toBe(engine.size());
    // day-1-only accounts were forgotten on day 5, and their stored parts deleted
    expect(store.parts.has('acct-15')).toBe(false);
    expect(store.parts.has('acct-2')).toBe(true);
  });

  it('checkpointing dirty parts at random points and restoring at random crashes equals one uninterrupted run', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: traffic.length }), { maxLength: 30 }),
        fc.uniqueArray(fc.integer({ min: 0, max: traffic.length }), { maxLength: 3 }),
        fc.option(fc.integer({ min: 0, max: traffic.length - 1 }), { nil: undefined }),
        (checkpointsAt, crashesAt, ruleChangeAt) => {
          const change = ruleChangeAt ?? noChange;
          const expected = change === noChange ? whole : uninterrupted(traffic, change);
          const checkpoints = new Set(checkpointsAt);
          const crashes = new Set(crashesAt);
          const store = new Store();
          let current = rules;
          let engine = store.restore(current);
          const got: ProcessResult[] = [];
          let lastCheckpoint = 0;
          for (let i = 0; i < traffic.length; i++) {
            // A crash loses everything since the last checkpoint: replay from there, as Kafka redelivers.
            if (crashes.has(i)) {
              crashes.delete(i);
              got.length = lastCheckpoint;
              i = lastCheckpoint - 1;
              current = change < lastCheckpoint ? changed : rules;
              engine = store.restore(current);
              continue;
            }
            if (i === change) {
              current = changed;
              engine.setRules(changed);
            }
            got.push(step(engine, traffic[i]!));
            if (checkpoints.has(i)) {
              store.checkpoint(engine);
              lastCheckpoint = i + 1;
            }
          }
          expect(got).toEqual(expected.results);
          expect(canonical(engine)).toEqual(expected.state);
        },
      ),
      { numRuns: 20, examples: [[[999, 1001], [1003], 1000]] },
    );
  }, 180_000);

  it('restoring from parts equals restoring from the full snapshot, dedupe horizon included', () => {
    const split = traffic.length - 500;
    const engine = createFraudEngine(rules, opts);
    const store = new Store();
    traffic.slice(0, split).forEach((c, i) => {
      step(engine, c);
      if (i % 97 === 0) store.checkpoint(engine);
    });
    store.checkpoint(engine);
    const fromParts = createFraudEngine(rules, opts);
    fromParts.restoreParts(store.shared!, [...store.parts], store.segments());
    const fromFull = createFraudEngine(rules, opts);
    fromFull.restore(engine.snapshot());
    // stored parts not rewritten since a sweep hold expired dedupe keys: the restore drops them again
    expect(fromParts.state.dedupe.entries()).toEqual(engine.state.dedupe.entries());
    expect(fromFull.state.dedupe.entries()).toEqual(engine.state.dedupe.entries());
    expect(fromParts.size()).toBe(engine.size());
    const rest = traffic.slice(split);
    expect(rest.map((c) => step(fromParts, c))).toEqual(rest.map((c) => step(fromFull, c)));
  });

  it('account parts are binary, and JSON parts written before the binary encoding still restore the same engine', () => {
    const split = traffic.length - 500;
    const engine = createFraudEngine(rules, opts);
    traffic.slice(0, split).forEach((c) => step(engine, c));
    const store = new Store();
    store.checkpoint(engine);
    const parts = [...store.parts];
    expect(parts.every(([, p]) => p[0] === 1)).toBe(true);
    const asJson = parts.map(([id, p]) => [id, new TextEncoder().encode(JSON.stringify(decodeAccountPart(p)))] as [string, Uint8Array]);
    const fromBinary = createFraudEngine(rules, opts);
    fromBinary.restoreParts(store.shared!, parts, store.segments());
    const fromJson = createFraudEngine(rules, opts);
    fromJson.restoreParts(store.shared!, asJson, store.segments());
    expect(canonical(fromJson)).toEqual(canonical(fromBinary));
    const rest = traffic.slice(split);
    expect(rest.map((c) => step(fromJson, c))).toEqual(rest.map((c) => step(fromBinary, c)));
  });

  it('a checkpoint writes only the accounts touched since the last one', () => {
    const engine = createFraudEngine(rules, opts);
    const store = new Store();
    traffic.slice(0, 2000).forEach((c) => step(engine, c));
    store.checkpoint(engine);
    expect(engine.dirtyAccounts()).toEqual([]);
    const next = traffic.slice(2000, 2010);
    next.forEach((c) => step(engine, c));
    const touched = new Set(next.map((c) => c.accountId));
    expect(new Set(engine.dirtyAccounts())).toEqual(touched);
    expect(engine.snapshotAccount('no-such-account')).toBeNull();
  });
});
