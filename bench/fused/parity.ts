// The fused evaluator's parity check (bench/fused-ceiling.ts `parity`, test/unit/bench/fused-parity.test.ts): the
// bench's traffic (bench/engine-traffic.ts, two hours) with some records perturbed as a partition can deliver them,
// fed to the real engine and to the fused evaluator, every result compared whole (outcome, and each hit's every
// field in order, samples included).
import type { CdrRecord } from '../../src/events/types.js';
import { createFraudEngine } from '../../src/rules/fraud-engine.js';
import type { AccountProfile, FraudRule } from '../../src/rules/types.js';
import { profile, rng, ukNumber } from '../../test/helpers/traffic.js';
import { batchOf, HOUR, hourOfTraffic, type Hour } from '../engine-traffic.js';
import { FusedEvaluator } from './fused-evaluator.js';

const LATENESS = 5 * 60_000;

export interface Parity {
  records: number;
  outcomes: Record<string, number>;
  hits: number;
  byRule: Record<string, number>;
  mismatches: number;
  /** Accepted records behind their account's latest event time; of those, beyond the allowed lateness. */
  behind: number;
  beyond: number;
}

/** The shipped rules with levels lowered so that ordinary traffic hits them often. */
export function lowered(rules: readonly FraudRule[]): FraudRule[] {
  const low: Record<string, Partial<FraudRule>> = {
    'long-call': { warn: 2, suspend: 3.5 },
    'expensive-call': { warn: 90_000, suspend: 105_000 },
    'call-burst': { warn: 2, suspend: 3 },
    'concurrent-calls': { warn: 2, suspend: 3 },
    'spend-1h': { baseline: { factor: 1.2, minimum: 200_000 } },
    'spend-24h': { baseline: { factor: 1.1, minimum: 400_000 } },
    // blocks of 10^7 numbers: London's +44207 numbers share one, so distinct callees of a block are common
    'range-scan': { warn: 2, suspend: 3, rangeDigits: 7 },
    'repeated-callee': { warn: 2, suspend: 3 },
    'wangiri-callbacks': { suspend: 1 },
    'uncommon-destinations-1h': { warn: 1, suspend: 2 },
  };
  return rules.map((x) => ({ ...x, ...low[x.id] }));
}

/**
 * The records of hours 1 and 2 with some perturbed, as a partition can deliver them: exact duplicates (redelivery),
 * a same-id record with other content, records held back by 2-20 minutes of traffic (late but allowed, or late for
 * the windowless rules and the 5m window only), and records 30 hours old (late, unless their account is new).
 */
function* perturbed(hours: Hour[], accounts: number, callsPerHour: number, batch: number): Generator<{ cdr: CdrRecord; account: number }> {
  const p = rng(7);
  const held: { at: number; cdr: CdrRecord; account: number }[] = [];
  const perMinute = (accounts * callsPerHour) / 60;
  let seq = 0;
  for (const h of hours) {
    const n = h.account.length;
    for (let from = 0; from < n; from += batch) {
      const records = batchOf(h, from, Math.min(n, from + batch));
      for (let i = 0; i < records.length; i++, seq++) {
        const c = records[i]!;
        const a = h.account[from + i]!;
        while (held.length > 0 && held[0]!.at <= seq) yield held.shift()!;
        const x = p();
        if (x < 0.001) held.push({ at: seq + Math.floor(p() * 5000), cdr: { ...c }, account: a });
        else if (x < 0.0015) held.push({ at: seq + Math.floor(p() * 5000), cdr: { ...c, costMicros: (c.costMicros ?? 0) + 1 }, account: a });
        else if (x < 0.0115) {
          held.push({ at: seq + Math.floor((2 + p() * 18) * perMinute), cdr: c, account: a });
          held.sort((u, v) => u.at - v.at);
          continue;
        } else if (x < 0.012) {
          const old = 30 * HOUR;
          yield { cdr: { ...c, id: `${c.id}-old`, startedAt: c.startedAt - old, answeredAt: c.answeredAt === null ? null : c.answeredAt - old, endedAt: c.endedAt! - old }, account: a };
        }
        yield { cdr: c, account: a };
      }
    }
  }
  for (const x of held) yield x;
}

/** Feeds both the bench's two hours (generator seed 1, as bench/engine.ts) and compares every result. */
export function parityOf(rules: readonly FraudRule[], accounts: number, callsPerHour: number, batch: number, log: (line: string) => void = () => {}): Parity {
  const r = rng(1);
  const favourites = Array.from({ length: accounts }, () => Array.from({ length: 5 }, () => ukNumber(r)));
  const profiles: AccountProfile[] = Array.from({ length: accounts }, (_, a) => profile(`acct-${a}`));
  const hours = [hourOfTraffic(0, r, favourites, accounts, callsPerHour), hourOfTraffic(1, r, favourites, accounts, callsPerHour)];
  const engine = createFraudEngine(rules, { allowedLatenessMs: LATENESS, defaultTimezone: 'Europe/London' });
  const fused = new FusedEvaluator(rules, LATENESS, 'Europe/London');
  const out: Parity = { records: 0, outcomes: {}, hits: 0, byRule: {}, mismatches: 0, behind: 0, beyond: 0 };
  const latest = new Float64Array(accounts).fill(Number.NEGATIVE_INFINITY);
  for (const { cdr, account } of perturbed(hours, accounts, callsPerHour, batch)) {
    out.records++;
    const a = engine.process(cdr, profiles[account]!);
    const b = fused.process(cdr, profiles[account]!);
    out.outcomes[a.outcome] = (out.outcomes[a.outcome] ?? 0) + 1;
    if (a.outcome === 'accepted') {
      const t = cdr.endedAt!;
      if (t < latest[account]!) {
        out.behind++;
        if (t < latest[account]! - LATENESS) out.beyond++;
      } else latest[account] = t;
    }
    out.hits += a.hits.length;
    for (const x of a.hits) out.byRule[x.ruleId] = (out.byRule[x.ruleId] ?? 0) + 1;
    const ja = JSON.stringify(a);
    const jb = JSON.stringify(b);
    if (ja !== jb) {
      if (out.mismatches < 5) log(`MISMATCH ${cdr.id}\n  engine ${ja}\n  fused  ${jb}`);
      out.mismatches++;
    }
  }
  return out;
}
