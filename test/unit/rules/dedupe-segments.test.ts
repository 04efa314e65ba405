// The dedupe horizon stored as segments (dedupe-segments.ts): whatever the order of writes, retries, rule changes
// and parts written before segments, a restore holds exactly the live table (the same (key, time) pairs), so every
// CDR is judged a duplicate or not as without a restart; and an engine that never writes its state keeps no list.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CdrRecord } from '../../../src/events/types.js';
import { forEachPair } from '../../../src/rules/dedupe-segments.js';
import { createFraudEngine } from '../../../src/rules/fraud-engine.js';
import { buildRuleSet } from '../../../src/rules/load-rules.js';
import type { FraudEngine, FraudRule } from '../../../src/rules/types.js';
import { storeSegment, type StoredSegments } from '../../helpers/dedupe-segments.js';
import { storedPartsTraffic } from '../../helpers/stored-parts-traffic.js';
import { profile, ukBusinessDay } from '../../helpers/traffic.js';

const rules = buildRuleSet([{ file: 'rules/fraud.yaml', text: readFileSync('rules/fraud.yaml', 'utf8') }], 'now').rules.fraud;
const opts = { allowedLatenessMs: 5 * 60_000, defaultTimezone: 'UTC' };
const fixture = JSON.parse(readFileSync(new URL('../../fixtures/engine-parts-e37c7cc.json', import.meta.url), 'utf8')) as {
  shared: string; parts: [string, string][];
};
const bytes = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));

/** The checkpoint tables in memory: shared part, account parts, segments with their newest times (checkpoint-repo.ts). */
class Store {
  shared: Uint8Array | null = null;
  parts = new Map<string, Uint8Array>();
  segments: StoredSegments = [];

  /** One state write; `tries` > 1: its transaction ran again (a lost race), the segment taken again each time. */
  write(engine: FraudEngine, tries = 1): void {
    let seg = engine.dedupeSegment();
    for (let i = 1; i < tries; i++) seg = engine.dedupeSegment();
    this.segments = storeSegment(this.segments, seg);
    for (const id of engine.dirtyAccounts()) {
      const part = engine.snapshotAccount(id);
      if (part) this.parts.set(id, part);
      else this.parts.delete(id);
    }
    this.shared = engine.snapshotShared();
    engine.dedupeStored();
    engine.markClean();
  }

  restore(ruleSet: readonly FraudRule[] = rules): ReturnType<typeof createFraudEngine> {
    const engine = createFraudEngine(ruleSet, opts);
    engine.restoreParts(this.shared!, [...this.parts], this.segments.map(([, p]) => p));
    return engine;
  }
}

const step = (engine: FraudEngine, c: CdrRecord) => engine.process(c, profile(c.accountId)).outcome;
const table = (engine: ReturnType<typeof createFraudEngine>) => engine.state.dedupe.entries();

/** Three days of traffic (the first day's keys expire on the third) with repeats. */
function days(): CdrRecord[] {
  const all = ['2026-11-24', '2026-11-25', '2026-11-27'].flatMap((date, k) => ukBusinessDay({ accounts: 8, date, seed: 40 + k }).cdrs);
  all.sort((a, b) => (a.endedAt ?? a.startedAt) - (b.endedAt ?? b.startedAt));
  for (let i = 20; i < all.length; i += 53) all.splice(i, 0, all[i - 11]!);
  return all;
}

describe('the dedupe horizon stored as segments', () => {
  const traffic = days();

  it('restores the live table at every write, through sweeps, retried writes and a rule change', () => {
    const changed = rules.filter((r) => r.id !== 'call-burst');
    const engine = createFraudEngine(rules, opts);
    const store = new Store();
    let current = rules;
    let duplicates = 0;
    traffic.forEach((c, i) => {
      if (i === Math.floor(traffic.length / 2)) {
        // the stored threshold becomes -Infinity: older segments' expired pairs must not come back
        engine.setRules((current = changed));
        store.write(engine);
        expect(table(store.restore(current))).toEqual(table(engine));
      }
      if (step(engine, c) === 'duplicate') duplicates++;
      if (i % 61 === 0) {
        store.write(engine, 1 + (i % 3));
        const back = store.restore(current);
        expect(table(back)).toEqual(table(engine));
      }
    });
    expect(duplicates).toBeGreaterThan(10);
    // expired segments are deleted: what stays holds live keys
    store.write(engine);
    for (const [newest] of store.segments) expect(newest).toBeGreaterThanOrEqual(engine.state.sweptBefore);
    expect(engine.state.sweptBefore).toBeGreaterThan(Date.parse('2026-11-25T00:00:00Z'));
  });

  it('a restore judges every repeated CDR a duplicate, as the engine that wrote it', () => {
    const engine = createFraudEngine(rules, opts);
    const store = new Store();
    const cut = Math.floor(traffic.length * 0.7);
    traffic.slice(0, cut).forEach((c, i) => {
      step(engine, c);
      if (i % 97 === 0) store.write(engine);
    });
    store.write(engine);
    const back = store.restore();
    const again = traffic.slice(cut - 400, cut).concat(traffic.slice(cut));
    expect(again.map((c) => step(back, c))).toEqual(again.map((c) => step(engine, c)));
  });

  it('parts written before segments restore with their keys, keep them until they expire, and mix with segments', () => {
    const { tail } = storedPartsTraffic();
    const live = createFraudEngine(rules, opts);
    live.restoreParts(bytes(fixture.shared), fixture.parts.map(([id, p]) => [id, bytes(p)] as const), []);
    const store = new Store();
    store.shared = bytes(fixture.shared);
    for (const [id, p] of fixture.parts) store.parts.set(id, bytes(p));
    const legacyKeys = live.state.dedupe.size;
    expect(legacyKeys).toBeGreaterThan(100);
    const half = Math.floor(tail.length / 2);
    tail.slice(0, half).forEach((c, i) => {
      step(live, c);
      if (i % 29 === 0) store.write(live);
    });
    store.write(live);
    // untouched accounts' parts are still the old ones, dedupe lists and all
    const untouched = fixture.parts.filter(([id]) => !tail.slice(0, half).some((c) => c.accountId === id));
    for (const [id, p] of untouched) expect(Buffer.from(store.parts.get(id)!).toString('base64')).toBe(p);
    const back = store.restore();
    expect(table(back)).toEqual(table(live));
    const rest = tail.slice(half);
    const repeat = tail.slice(0, 50).concat(rest);
    expect(repeat.map((c) => step(back, c))).toEqual(repeat.map((c) => step(live, c)));
  });

  it('holds the keys since the last write only, and none in an engine that never writes its state', () => {
    const quiet = createFraudEngine(rules, opts);
    traffic.slice(0, 500).forEach((c) => step(quiet, c));
    expect(quiet.state.pending).toBeNull();
    const writer = createFraudEngine(rules, opts);
    const store = new Store();
    traffic.slice(0, 500).forEach((c) => step(writer, c));
    store.write(writer);
    let n = 0;
    forEachPair(store.segments[0]![1], () => n++);
    expect(n).toBe(writer.state.dedupe.size);
    traffic.slice(500, 510).forEach((c) => step(writer, c));
    expect(writer.state.pending!.length).toBeLessThanOrEqual(20);
  });
});
