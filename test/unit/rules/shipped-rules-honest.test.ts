// Regression tests for the false suspensions of issue 12, run through the shipped rules (rules/): a 30-seat
// predictive dialler on a Monday morning and its Irish evening campaign, a trade counter calling its supplier's
// 0845 line 40 times a day, and a 24-hour operation calling Ofcom drama-range numbers at night. Traffic comes from
// the detection week's generator (bench/detection), fed to the engine as start + end records and as end records.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CallLog } from '../../../bench/detection/calls.js';
import { honestCalls } from '../../../bench/detection/honest.js';
import { Rng } from '../../../bench/detection/random.js';
import type { Call, HonestProfile, PlatformAccount } from '../../../bench/detection/types.js';
import type { CdrRecord } from '../../../src/events/types.js';
import { createFraudEngine } from '../../../src/rules/fraud-engine.js';
import { buildRuleSet } from '../../../src/rules/load-rules.js';
import type { RuleHit } from '../../../src/rules/types.js';

const dir = 'rules';
const rules = buildRuleSet(readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => ({ file: path.join(dir, f), text: readFileSync(path.join(dir, f), 'utf8') })), 'now').rules.fraud;
const MONDAY = Date.parse('2026-11-23T00:00:00Z');
const WEEK = 7 * 86_400_000;

function account(profile: HonestProfile, lines: number, name: string): PlatformAccount {
  return {
    id: `cust-${profile}`, type: 'customer', parentId: 'chan-1', name, mainContact: { name: 'Jo Bloggs', email: 'jo@example.com' },
    timezone: 'Europe/London', currency: 'GBP', tags: [], createdAtMs: MONDAY - 86_400_000 * 90, profile, attack: null, lines,
    numbers: ['+441134960001', '+441134960002'],
  };
}

function cdr(c: Call, phase: 'start' | 'end'): CdrRecord {
  return {
    id: c.id, accountId: c.accountId, direction: c.direction, caller: c.caller, callee: c.callee, startedAt: c.startMs,
    answeredAt: phase === 'end' ? c.answerMs : null, endedAt: phase === 'end' ? c.endMs : null, durationSec: phase === 'end' ? c.durationSec : null,
    disposition: phase === 'end' ? c.disposition : null, costMicros: phase === 'end' ? c.costMicros : null, currency: 'GBP', phase,
  };
}

/** Runs the calls through a fresh engine in event-time order; returns the hits that would suspend (enforce mode). */
function suspensions(calls: readonly Call[], withStart: boolean): RuleHit[] {
  const events = calls.flatMap((c) => (withStart ? [{ t: c.startMs, r: cdr(c, 'start') }, { t: c.endMs, r: cdr(c, 'end') }] : [{ t: c.endMs, r: cdr(c, 'end') }]));
  events.sort((a, b) => a.t - b.t);
  const engine = createFraudEngine(rules, { allowedLatenessMs: 5 * 60_000, defaultTimezone: 'Europe/London' });
  const profile = { id: calls[0]!.accountId, type: 'customer' as const, tags: [], timezone: 'Europe/London' };
  return events.flatMap((e) => engine.process(e.r, profile).hits).filter((h) => h.level === 'suspend' && h.mode === 'enforce');
}

const describeHits = (hits: RuleHit[]) => hits.map((h) => `${h.ruleId} ${h.value}>=${h.threshold} at ${new Date(h.at).toISOString()}`);

describe('shipped rules on honest traffic that today suspends', () => {
  const cases: [string, PlatformAccount, number][] = [
    ['a 30-seat predictive dialler (Monday 09:00 campaigns, an Irish campaign 20:00-21:00, Saturday dialling)', account('outbound-call-centre', 30, 'Harrogate Telemarketing Ltd'), 5000],
    ['a trade counter calling its supplier 0845 line 40 times a day', account('supplier-084x', 6, 'Kendal Trade Counter'), 200],
    ['a 24-hour operation calling drama-range mobiles (07700 900xxx) at night and rung from 01632 960xxx', account('24h-operation', 10, 'Perth Taxis'), 1000],
  ];

  for (const [what, acct, atLeast] of cases) {
    const calls = honestCalls(new Rng(7), acct, MONDAY, MONDAY + WEEK).calls.sort((a, b) => a.startMs - b.startMs);
    it(`${what}: a week with phase:start records suspends nothing`, () => {
      expect(calls.length).toBeGreaterThan(atLeast);
      expect(describeHits(suspensions(calls, true))).toEqual([]);
    }, 60_000);
    it(`${what}: a week of end records only suspends nothing`, () => {
      expect(describeHits(suspensions(calls, false))).toEqual([]);
    }, 60_000);
  }

  it('the 0845 supplier calls alone: 10 in an hour are not premium rate', () => {
    const log = new CallLog(new Rng(1), account('supplier-084x', 2, 'Trade Counter'));
    for (let i = 0; i < 10; i++) log.place({ direction: 'outbound', remote: '+448454960123', startMs: MONDAY + 9 * 3_600_000 + i * 5 * 60_000, talkSec: 90, disposition: 'answered', perMin: 0.15 });
    expect(describeHits(suspensions(log.calls, true))).toEqual([]);
    expect(describeHits(suspensions(log.calls, false))).toEqual([]);
  });

  it('twenty calls to drama-range numbers between 23:00 and 01:00 are not international', () => {
    const log = new CallLog(new Rng(2), account('24h-operation', 4, 'Night Taxis'));
    for (let i = 0; i < 20; i++) {
      log.place({ direction: 'outbound', remote: i % 2 ? `+447700900${String(100 + i)}` : `+441632960${String(100 + i)}`, startMs: MONDAY + 23 * 3_600_000 + i * 6 * 60_000, talkSec: 60, disposition: 'answered', perMin: 0.05 });
    }
    expect(describeHits(suspensions(log.calls, true))).toEqual([]);
    expect(describeHits(suspensions(log.calls, false))).toEqual([]);
  });
});
