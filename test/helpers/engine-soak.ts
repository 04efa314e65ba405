// A differential soak of the fused fraud engine against the classic one, at the scale the daemon runs: thousands of
// accounts interleaved in one stream (so slots grow, logs compact and regions move, as they do in production and never
// in the four-account oracle streams), with the oracles' hostile events (late, too late, repeated ids, start events,
// rings and call-backs, set-ups, bursts, records without a duration, costs past an int32), idle gaps of hours and
// days, and clock jumps of a fortnight (the fused engine's time base moves). Three engines see every action:
// - `classic`: the reference, unbounded;
// - `fused`: unbounded, restarted once from its full snapshot, its rules changed once;
// - `budget`: the fused engine as the daemon builds it (engine-choice.ts), held by the memory budget
//   (src/ingest/engine-memory.ts) to a share of the accounts, its parts written to a Map every few batches, spilling and
//   loading all the time, restarted once from that store (every account spilled), its rules changed with the others.
// Every result must be equal, whole (the minutes rounding of fraud-streams.ts aside), and neither fused engine may
// fall back. Used by bench/fused-soak.ts (minutes of seeds) and test/unit/rules/fused-soak.test.ts (one short seed).
import { isDeepStrictEqual } from 'node:util';
import { BYTES_PER_ACCOUNT } from '../../src/rules/engine-spill.js';
import { createEngineOf, type EngineKind } from '../../src/rules/engine-choice.js';
import { createFraudEngine } from '../../src/rules/fraud-engine.js';
import { createFusedEngine } from '../../src/rules/fused/fused-engine.js';
import type { AccountProfile, FraudEngine, FraudRule } from '../../src/rules/types.js';
import { actionsOf, sameUpToSecondsRounding, type Action, type Ev } from './fraud-streams.js';
import { MapLane } from './map-lane.js';
import { profile, rng } from './traffic.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const OPTS = { allowedLatenessMs: 5 * MIN, defaultTimezone: 'Europe/London' };

export interface SoakOptions {
  seed: number;
  accounts: number;
  /** Events drawn (a burst is 80-400 records, so the actions are more). */
  events: number;
  rules: readonly FraudRule[];
  /** The rules after the one change (applied to all three engines at a random batch); none when absent. */
  changedRules?: readonly FraudRule[];
  /**
   * The budget lane's memory budget in bytes. Default, by seed: 1 (below the dedupe table alone: every account
   * spilled after every batch), a tenth of the accounts at BYTES_PER_ACCOUNT, or a tenth at 128 B each.
   */
  budgetBytes?: number;
  /** Actions per batch (default 400), and batches per state write of the budget lane (default 3). */
  batch?: number;
  writeEvery?: number;
  /** The budget lane's engine (default fused; classic checks the budget itself against the unbounded classic engine). */
  budgetEngine?: EngineKind;
}

export interface SoakReport {
  seed: number;
  accounts: number;
  actions: number;
  records: number;
  setups: number;
  hits: number;
  /** The first differences found (at most 5), each naming the action, the engine and both results. */
  differences: string[];
  differing: number;
  fallbacks: string[];
  spills: number;
  loads: number;
  spanDays: number;
}

// The oracle stream's kinds (fraud-streams.ts `ev`), weighted for a busy platform: mostly end records.
const KINDS: Ev['kind'][] = [
  ...Array<Ev['kind']>(24).fill('end'),
  'start', 'start', 'start', 'finish', 'finish', 'finish', 'ring', 'ring', 'callback', 'late', 'late', 'toolate', 'repeat', 'reuse',
  'setup', 'setup-commit', 'long', 'nodur', 'big',
];

/** The soak's events: accounts drawn with a hot few (a third of the events on 1% of the accounts). */
export function soakEvents(seed: number, accounts: number, n: number): Ev[] {
  const r = rng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const hot = Math.max(1, Math.floor(accounts / 100));
  const out: Ev[] = [];
  for (let i = 0; i < n; i++) {
    const x = r();
    // Rare: an idle gap of hours or days (sweeps, accounts forgotten), a fortnight's jump (the time base moves), a burst.
    let kind: Ev['kind'] = KINDS[int(0, KINDS.length - 1)]!;
    let gap = 0;
    if (x < 0.00003) [kind, gap] = ['gap', int(13, 20) * DAY];
    else if (x < 0.0002) [kind, gap] = ['gap', [2 * HOUR, 7 * HOUR, 25 * HOUR, 50 * HOUR][int(0, 3)]!];
    else if (x < 0.0012) kind = 'burst';
    out.push({
      acct: r() < 0.33 ? int(0, hot - 1) : int(0, accounts - 1),
      kind,
      // Thousands of accounts share the clock: ~1 event every 0.2 s on average, so an hour's windows hold many.
      step: r() < 0.99 ? int(0, 400) : int(0, 4 * MIN),
      lag: r() < 0.6 ? int(0, 5 * MIN) : r() < 0.8 ? int(0, 40 * MIN) : int(0, 30 * HOUR),
      gap,
      dur: int(0, 900),
      cost: int(0, 3_000_000),
      callee: int(0, 9),
      caller: int(0, 4),
      burst: int(80, 400),
      pick: int(0, 2 ** 30),
    });
  }
  return out;
}

export function soakProfiles(accounts: number): AccountProfile[] {
  return Array.from({ length: accounts }, (_, a) => profile(`a${a}`, a % 7 === 3 ? { timezone: 'America/New_York' } : a % 11 === 5 ? { timezone: 'Asia/Kolkata' } : {}));
}

const idOf = (a: Action) => (a.kind === 'setup' ? `setup ${a.account.id} at ${a.call.at}` : `${a.cdr.id}/${a.cdr.phase} of ${a.account.id} at ${a.cdr.endedAt ?? a.cdr.startedAt}`);
const short = (x: unknown) => {
  const s = JSON.stringify(x);
  return s.length > 600 ? `${s.slice(0, 600)}...` : s;
};

/** A rule change for the soak: every third rule dropped, the rest's levels raised by one unit of their measure. */
export function changedRulesOf(rules: readonly FraudRule[]): FraudRule[] {
  const out = rules.filter((_, i) => i % 3 !== 1).map((rule) => ({ ...rule, suspend: rule.suspend + 1, warn: rule.warn === null ? null : rule.warn + 1 }));
  return out.length > 0 ? out : [rules[0]!];
}

export async function soak(o: SoakOptions): Promise<SoakReport> {
  const profiles = soakProfiles(o.accounts);
  // Calls spanning more than 31 days from start to end (the oracle streams' `finish` after a fortnight's jump) are
  // left out: the ingest takes no call longer than 31 days (durationSec), and the fused engine refuses a start more than
  // ~25 days below its clock's base (the lane moves to the classic engine: a fallback, counted, not a wrong answer).
  const actions = actionsOf(soakEvents(o.seed, o.accounts, o.events), false, profiles).filter(
    (a) => a.kind === 'setup' || a.cdr.endedAt === null || a.cdr.endedAt - a.cdr.startedAt <= 31 * DAY,
  );
  const r = rng(o.seed ^ 0x5eed);
  const size = o.batch ?? 400;
  const batches = Math.ceil(actions.length / size);
  const changeAt = o.changedRules ? 1 + Math.floor(r() * (batches - 1)) : -1;
  const restartAt = 1 + Math.floor(r() * (batches - 1));
  const budgetRestartAt = 1 + Math.floor(r() * (batches - 1));
  const fallbacks: string[] = [];
  const fellBack = (why: string) => void fallbacks.push(why);

  let rules = o.rules;
  const classic = createFraudEngine(rules, OPTS);
  let fused: FraudEngine = createFusedEngine(rules, OPTS);
  const newBudget = () => createEngineOf(o.budgetEngine ?? 'fused', rules, OPTS, fellBack);

  // The budget lane: its store in Maps, written every few batches; restarted once from it.
  const budgetBytes = o.budgetBytes ?? [1, Math.ceil(o.accounts / 10) * BYTES_PER_ACCOUNT, Math.ceil(o.accounts / 10) * 128][o.seed % 3]!;
  const l = new MapLane(newBudget(), budgetBytes);

  const differences: string[] = [];
  let differing = 0;
  const differ = (a: Action, engine: string, got: unknown, want: unknown) => {
    differing++;
    if (differences.length < 5) differences.push(`${idOf(a)}: ${engine} ${short(got)} / classic ${short(want)}`);
  };
  let records = 0;
  let setups = 0;
  let hits = 0;
  for (let b = 0; b < batches; b++) {
    const batch = actions.slice(b * size, (b + 1) * size);
    if (b === changeAt) {
      rules = o.changedRules!;
      classic.setRules(rules);
      fused.setRules(rules);
      l.memory.changeRules(l.lane, () => l.engine.setRules(rules));
    }
    if (b === restartAt) {
      const bytes = fused.snapshot();
      fused = createFusedEngine(rules, OPTS);
      fused.restore(bytes);
    }
    if (b === budgetRestartAt) await l.restart(newBudget());
    // the accounts the engine keys its state by: a record's own (a repeated record may come with another profile)
    await l.memory.beforeBatch(l.lane, new Set(batch.map((a) => (a.kind === 'setup' ? a.account.id : a.cdr.accountId))));
    for (const a of batch) {
      if (a.kind === 'setup') {
        setups++;
        const want = classic.evaluateSetup!(a.account, a.call, { commit: a.commit });
        for (const [name, e] of [['fused', fused], ['budget', l.engine]] as const) {
          const got = e.evaluateSetup!(a.account, a.call, { commit: a.commit });
          if (!isDeepStrictEqual(got, want)) differ(a, name, got, want);
        }
        continue;
      }
      records++;
      const want = classic.process(a.cdr, a.account);
      hits += want.hits.length;
      for (const [name, e] of [['fused', fused], ['budget', l.engine]] as const) {
        const got = e.process(a.cdr, a.account);
        sameUpToSecondsRounding(got.hits, want.hits);
        if (!isDeepStrictEqual(got, want)) differ(a, name, got, want);
      }
    }
    l.memory.afterEvaluate(l.lane);
    if (b % (o.writeEvery ?? 3) === 0) await l.write();
    l.memory.afterBatch(l.lane);
  }
  if (fused.size() !== classic.size()) {
    differing++;
    differences.push(`accounts in memory at the end: fused ${fused.size()} / classic ${classic.size()}`);
  }
  const s = l.totals();
  const first = actions[0];
  const last = actions[actions.length - 1];
  const t = (a: Action | undefined) => (a === undefined ? 0 : a.kind === 'setup' ? a.call.at : (a.cdr.endedAt ?? a.cdr.startedAt));
  return {
    seed: o.seed,
    accounts: o.accounts,
    actions: actions.length,
    records,
    setups,
    hits,
    differences,
    differing,
    fallbacks,
    spills: s.spills,
    loads: s.loads,
    spanDays: +((t(last) - t(first)) / DAY).toFixed(1),
  };
}
