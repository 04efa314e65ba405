// Branch `ring9` keeps the evidence ring's ids as fixed-width byte cells per account (ring-ids.ts) where main kept one
// text of separated ids (test/helpers/before-match9-ring9: main at 8107d1c, whose matcher is the old one too). Both must hold the same ids: the store alone
// through long random runs of appends, replacements of any entry (entries the ring lacks too: the text code's
// slices), lists and texts set from stored parts, frees and compactions, with ids of every shape (lengths that widen
// the cells, non-ASCII units, lone surrogates, RING_SEP, '', 255 units and more); and the engine with it (remember,
// samples, restores) against main's engine: the same outcomes and hits (samples compared whole) on random traffic
// with hits, the same stored account parts and snapshots byte for byte, parts of either written into both, and
// parts whose ids and pairs disagree in count. Fixed seeds.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { CdrRecord } from '../../../src/events/types.js';
import { approxAccountBytes } from '../../../src/rules/account-bytes.js';
import { decodeAccountPart, encodeAccountPart, restoreAccount } from '../../../src/rules/engine-snapshot.js';
import { RING, RING_SEP, ringText } from '../../../src/rules/engine-state.js';
import { createFraudEngine } from '../../../src/rules/fraud-engine.js';
import { buildRuleSet } from '../../../src/rules/load-rules.js';
import { RingIds } from '../../../src/rules/ring-ids.js';
import { RowArena } from '../../../src/rules/row-arena.js';
import type { AccountProfile, FraudRule, Measure } from '../../../src/rules/types.js';
import { approxAccountBytes as oldApproxAccountBytes } from '../../helpers/before-match9-ring9/account-bytes.js';
import { restoreAccount as oldRestoreAccount } from '../../helpers/before-match9-ring9/engine-snapshot.js';
import { createFraudEngine as createOldEngine } from '../../helpers/before-match9-ring9/fraud-engine.js';
import { RingIds as OldRingIds } from '../../helpers/before-match9-ring9/ring-ids.js';
import { profile } from '../../helpers/traffic.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const UNITS = [0x41, 0x7a, 0x30, 0x2d, 0x7f, 0x80, 0xe9, 0x7ff, 0x800, 0x4e2d, 0xd83d, 0xde00, 0xdfff, 0xfffd, 0xffff, 0x01, 0x1f, 0xff];

/** Ids of every shape: mostly ASCII of a few lengths (cells widen), some of every other kind (the side table, ''). */
const anyId = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(fc.integer({ min: 0, max: 99_999 }), fc.integer({ min: 0, max: 3 })).map(([n, k]) => `b${k}-${n}-${'x'.repeat(k * k)}`) },
  { weight: 2, arbitrary: fc.array(fc.constantFrom(...UNITS), { maxLength: 12 }).map((u) => String.fromCharCode(...u)) },
  { weight: 1, arbitrary: fc.string({ minLength: 0, maxLength: 60 }) },
  { weight: 1, arbitrary: fc.string({ minLength: 250, maxLength: 300 }) },
  { weight: 1, arbitrary: fc.integer({ min: 240, max: 270 }).map((n) => 'a'.repeat(n)) },
  { weight: 1, arbitrary: fc.constantFrom('', RING_SEP, `x${RING_SEP}y`, '\ud83d', 'é') },
);

afterEach(() => {
  RowArena.minWaste = 4 * (1 << 12);
});

describe('ring ids as cells against main\'s text (store)', () => {
  const ACCOUNTS = 6;
  const op = fc.oneof(
    { weight: 10, arbitrary: fc.record({ kind: fc.constant('append' as const), acct: fc.integer({ min: 0, max: ACCOUNTS - 1 }), id: anyId, more: fc.integer({ min: 0, max: RING }) }) },
    { weight: 10, arbitrary: fc.record({ kind: fc.constant('replace' as const), acct: fc.integer({ min: 0, max: ACCOUNTS - 1 }), id: anyId, j: fc.oneof(fc.integer({ min: 0, max: RING - 1 }), fc.integer({ min: 0, max: 40 })) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('set' as const), acct: fc.integer({ min: 0, max: ACCOUNTS - 1 }), ids: fc.option(fc.array(anyId, { maxLength: RING + 4 })), text: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('free' as const), acct: fc.integer({ min: 0, max: ACCOUNTS - 1 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('compact' as const) }) },
  );

  it('holds the same ids (list, text, entries) after every operation', () => {
    RowArena.minWaste = Number.NEGATIVE_INFINITY; // compact whenever holey: regions move often
    let slid = 0;
    let beyond = 0;
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 600, size: 'max' }), (ops) => {
        const now = new RingIds();
        const was = new OldRingIds();
        now.grow(ACCOUNTS);
        was.grow(ACCOUNTS);
        for (const o of ops) {
          if (o.kind === 'append') {
            now.append(o.acct, o.id, o.more);
            was.append(o.acct, o.id, o.more);
          } else if (o.kind === 'replace') {
            if (o.j >= Math.max(0, now.size(o.acct))) beyond++;
            now.replace(o.acct, o.j, o.id);
            was.replace(o.acct, o.j, o.id);
          } else if (o.kind === 'set') {
            if (o.text) now.setText(o.acct, ringText(o.ids));
            else now.setList(o.acct, o.ids);
            was.setText(o.acct, ringText(o.ids));
          } else if (o.kind === 'free') {
            now.free(o.acct);
            was.free(o.acct);
          } else {
            now.compact();
            was.compact();
          }
          for (let a = 0; a < ACCOUNTS; a++) {
            const want = was.list(a);
            expect(now.list(a)).toEqual(want);
            expect(now.text(a)).toBe(was.text(a));
            expect(now.size(a)).toBe(want === null ? -1 : want.length);
            want?.forEach((id, j) => expect(now.entry(a, j)).toBe(id));
          }
        }
        slid += now.arena.slides;
      }),
      { numRuns: 80, seed: 20261201, endOnFailure: true },
    );
    expect(beyond).toBeGreaterThan(100);
    expect(slid).toBeGreaterThan(0);
  }, 300_000);
});

describe('ring ids as cells against main\'s text (rings past the cells\' count)', () => {
  it('holds rings of 65,535 entries and more (an array of their own) as the text did', () => {
    const now = new RingIds();
    const was = new OldRingIds();
    now.grow(2);
    was.grow(2);
    const big = Array.from({ length: 65_533 }, (_, i) => (i % 1000 === 0 ? `é${i}` : `c${i}`));
    for (const s of [now, was]) {
      s.setText(0, ringText(big));
      s.append(0, 'x1');
      s.append(0, 'x2', 3); // the 65,535th entry: past the cells' count
      s.replace(0, 7, `y${RING_SEP}`);
      s.replace(0, 70_000, 'z'); // entry 70,000 mod 65,536
      s.append(0, 'w');
      s.replace(1, 3, 'a'); // no ring: an entry appended
      s.replace(1, 3, 'bb'); // one entry: entry 3 mod 2
    }
    expect(now.list(0)).toEqual(was.list(0));
    expect(now.size(0)).toBe(65_536);
    expect(now.list(1)).toEqual(was.list(1));
    now.setList(1, big.concat(['p', 'q']));
    was.setText(1, ringText(big.concat(['p', 'q'])));
    expect(now.list(1)).toEqual(was.list(1));
    now.free(0);
    was.free(0);
    expect(now.list(0)).toBeNull();
  });
});

let n = 0;
function rule(measure: Measure, windowMs: number | null, warn: number | null, suspend: number, extra: Partial<FraudRule> = {}): FraudRule {
  return {
    id: `r${n++}-${measure}`, description: null, mode: 'enforce', appliesTo: null, match: { direction: 'outbound' },
    measure, windowMs, rangeDigits: 1, warn, suspend, baseline: null, cooldownMs: 0, releaseAfterMs: null,
    origin: { file: 'test', line: 1 }, ...extra,
  };
}

const shipped = buildRuleSet([{ file: 'rules/fraud.yaml', text: readFileSync('rules/fraud.yaml', 'utf8') }], 'now').rules.fraud;

/** Rules that hit often (levels low, no cooldown), so that samples are read from the ring at many records. */
const hitting: FraudRule[] = [
  rule('calls', 10 * MIN, 2, 3),
  rule('calls', HOUR, null, 0),
  rule('cost', HOUR, 1_000_000, 3_000_000),
  rule('call_duration', null, 5, 10),
  rule('distinct_callees', HOUR, 2, 4),
  rule('calls', HOUR, null, 1, { match: { direction: 'outbound', dispositions: ['answered'] } }),
  rule('callbacks', HOUR, null, 1),
  rule('calls', HOUR, 1, 2, { match: { direction: 'inbound' } }),
];

const CALLEES = ['+442071230001', '+442071230002', '+447911123456', '+4930123456', '+882123456'];

const ev = fc.record({
  acct: fc.integer({ min: 0, max: 3 }),
  kind: fc.constantFrom('end', 'end', 'end', 'end', 'end', 'start', 'ring', 'late', 'repeat', 'setup', 'setup-commit', 'gap', 'part', 'odd-part', 'snapshot'),
  id: anyId,
  step: fc.integer({ min: 0, max: 4 * MIN }),
  lag: fc.integer({ min: 0, max: 20 * MIN }),
  dur: fc.integer({ min: 0, max: 900 }),
  cost: fc.integer({ min: 0, max: 2_000_000 }),
  callee: fc.integer({ min: 0, max: CALLEES.length - 1 }),
  pick: fc.nat(),
  cut: fc.integer({ min: 0, max: RING + 2 }),
  extra: fc.array(anyId, { maxLength: 4 }),
});

describe.each([
  ['rules that hit often', hitting, 40],
  ['shipped rules and rules that hit often', [...shipped, ...hitting], 15],
])('the engine with ring cells against main\'s engine (%s)', (_name, rules, runs) => {
  it('gives the same outcomes, hits and samples, stored parts and snapshots', () => {
    RowArena.minWaste = Number.NEGATIVE_INFINITY;
    let samples = 0;
    let odd = 0;
    fc.assert(
      fc.property(fc.array(ev, { minLength: 1, maxLength: 300, size: 'max' }), (evs) => {
        const opts = { allowedLatenessMs: 5 * MIN, defaultTimezone: 'Europe/London' };
        let now = createFraudEngine(rules, opts);
        let was = createOldEngine(rules, opts);
        const profiles: AccountProfile[] = Array.from({ length: 4 }, (_, a) => profile(`a${a}`));
        const sent: CdrRecord[] = [];
        let clock = Date.parse('2026-11-24T21:30:00Z');
        evs.forEach((e, i) => {
          clock += e.kind === 'gap' ? 2 * HOUR : e.step;
          const account = profiles[e.acct]!;
          if (e.kind === 'setup' || e.kind === 'setup-commit') {
            const call = { at: clock, callee: CALLEES[e.callee]!, id: `${e.id}` };
            const commit = e.kind === 'setup-commit';
            expect(now.evaluateSetup(account, call, { commit })).toEqual(was.evaluateSetup(account, call, { commit }));
            return;
          }
          if (e.kind === 'snapshot') {
            // a full snapshot of either, byte for byte, and main's restored into both
            const bytes = was.snapshot();
            expect(now.snapshot()).toEqual(bytes);
            now.restore(bytes);
            was.restore(bytes);
            return;
          }
          if (e.kind === 'part' || e.kind === 'odd-part') {
            const part = was.snapshotAccount(account.id);
            expect(now.snapshotAccount(account.id)).toEqual(part);
            if (part === null) return;
            let bytes = part;
            if (e.kind === 'odd-part') {
              // a part whose ids disagree with its pairs in count, ids of every shape: main's engine wrote such
              // parts only when the ring held RING ids with '' unused, but any must restore the same
              const p = decodeAccountPart(part);
              const ids = p[1] === null ? null : [...p[1].slice(0, e.cut), ...e.extra];
              p[1] = e.pick % 5 === 0 ? null : ids;
              bytes = encodeAccountPart(p);
              odd++;
            }
            restoreAccount(now.state, account.id, bytes);
            oldRestoreAccount(was.state, account.id, bytes);
            return;
          }
          let c: CdrRecord;
          if (e.kind === 'repeat' && sent.length > 0) c = sent[e.pick % sent.length]!;
          else {
            const end = e.kind === 'late' ? clock - e.lag : clock;
            const ring = e.kind === 'ring';
            const answered = !ring && e.dur % 4 !== 0;
            const dur = answered ? e.dur : 0;
            c = {
              id: e.id, accountId: account.id, direction: ring ? 'inbound' : 'outbound',
              caller: ring ? CALLEES[e.callee]! : '+442071234567', callee: ring ? '+442071234567' : CALLEES[e.callee]!,
              startedAt: end - dur * 1000 - 5000, answeredAt: answered ? end - dur * 1000 : null, endedAt: end,
              durationSec: dur, disposition: answered ? 'answered' : 'no_answer', costMicros: answered ? e.cost : 0,
              currency: 'GBP', phase: 'end',
            };
            if (e.kind === 'start') c = { ...c, phase: 'start', answeredAt: null, endedAt: null, durationSec: null, disposition: null, costMicros: null, startedAt: clock };
            sent.push(c);
          }
          const got = now.process(c, account);
          const want = was.process(c, account);
          expect(got).toEqual(want);
          for (const h of got.hits) samples += h.sampleCdrIds.length - 1;
        });
        for (const a of profiles) {
          expect(now.snapshotAccount(a.id)).toEqual(was.snapshotAccount(a.id));
          const ix = now.state.accounts.indexOf(a.id);
          expect(ix).toBe(was.state.accounts.indexOf(a.id));
          if (ix >= 0) expect(now.state.ringIds.list(ix)).toEqual(was.state.ringIds.list(ix));
          // the account's estimate differs by the ring ids' bytes only
          if (ix >= 0) expect(approxAccountBytes(now.state, a.id) - now.state.ringIds.bytes(ix)).toBe(oldApproxAccountBytes(was.state, a.id) - was.state.ringIds.bytes(ix));
        }
        expect(now.snapshot()).toEqual(was.snapshot());
        expect(now.errors.count()).toBe(was.errors.count());
        now = was = undefined!;
      }),
      { numRuns: runs, seed: 20261201, endOnFailure: true },
    );
    expect(samples).toBeGreaterThan(1000);
    expect(odd).toBeGreaterThan(50);
  }, 300_000);
});
