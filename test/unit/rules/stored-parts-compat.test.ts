// Account parts written by the build before the engine's state moved into columns and arenas (e37c7cc; fixture
// written by test/fixtures/make-engine-parts.ts) restore into this build: each re-encodes to the same bytes but for
// the keys a shared window column no longer keeps (a source no rule of the row reads is stored as 0:
// window-columns.ts), the new part re-encodes to itself, and the restored engine gives the old engine's hits (with
// the same evidence samples) on the rest of the traffic.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeAccountPart } from '../../../src/rules/engine-snapshot.js';
import { createFraudEngine } from '../../../src/rules/fraud-engine.js';
import { buildRuleSet } from '../../../src/rules/load-rules.js';
import { WindowPlan } from '../../../src/rules/rule-state.js';
import { storedPartsTraffic } from '../../helpers/stored-parts-traffic.js';
import { profile } from '../../helpers/traffic.js';

const rules = buildRuleSet([{ file: 'rules/fraud.yaml', text: readFileSync('rules/fraud.yaml', 'utf8') }], 'now').rules.fraud;
const fixture = JSON.parse(readFileSync(new URL('../../fixtures/engine-parts-e37c7cc.json', import.meta.url), 'utf8')) as {
  shared: string; parts: [string, string][]; hits: string[];
};
const bytes = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));

describe('stored parts of the build before the columns', () => {
  it('cover level states, rings, live calls, call-back rings and start flags', () => {
    const parts = fixture.parts.map(([, p]) => decodeAccountPart(bytes(p)));
    expect(parts.some((p) => p[4].length > 0)).toBe(true);
    expect(parts.some((p) => p[1] !== null && p[1].length > 0)).toBe(true);
    expect(parts.some((p) => p[5].length > 0)).toBe(true);
    expect(parts.some((p) => (p[8]?.length ?? 0) > 0)).toBe(true);
    expect(parts.some((p) => p[9] === 1)).toBe(true);
    expect(fixture.hits.length).toBeGreaterThan(0);
  });

  it('restore, re-encode to the same bytes but for the keys no rule of a row reads, and decide the rest of the traffic as the old engine did', () => {
    const engine = createFraudEngine(rules, { allowedLatenessMs: 5 * 60_000, defaultTimezone: 'UTC' });
    engine.restoreParts(bytes(fixture.shared), fixture.parts.map(([id, p]) => [id, bytes(p)] as const));
    expect(engine.size()).toBe(fixture.parts.length);
    const plan = new WindowPlan(rules);
    let zeroed = 0;
    for (const [id, p] of fixture.parts) {
      const old = decodeAccountPart(bytes(p));
      const now = engine.snapshotAccount(id)!;
      expect(now.length, id).toBe(bytes(p).length);
      const expected = structuredClone(old);
      for (const [g, rows] of expected[6]) {
        const cols = plan.groups[g]!.stored;
        for (let o = 0; o < rows.length; o += cols.stride) {
          for (let c = 1; c <= cols.at.length; c++) {
            if (cols.of[cols.at[c - 1]! - 1]!.length > 1 && (rows[o + cols.maskCol]! & cols.reads[c - 1]!) === 0 && rows[o + c] !== 0) (rows[o + c] = 0), zeroed++;
          }
        }
      }
      expect(decodeAccountPart(now), id).toEqual(expected);
      const again = createFraudEngine(rules, { allowedLatenessMs: 5 * 60_000, defaultTimezone: 'UTC' });
      again.restoreParts(bytes(fixture.shared), [[id, now]]);
      expect(Buffer.from(again.snapshotAccount(id)!).toString('base64'), id).toBe(Buffer.from(now).toString('base64'));
    }
    expect(zeroed).toBeGreaterThan(0);
    const hits = storedPartsTraffic().tail.flatMap((c) => engine.process(c, profile(c.accountId)).hits.map((h) => `${h.accountId} ${h.ruleId} ${h.level} ${h.at} ${h.value} ${h.sampleCdrIds.join(',')}`));
    expect(hits).toEqual(fixture.hits);
  });
});
