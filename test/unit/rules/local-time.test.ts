// Hours and days are judged in the account's time zone across DST changes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFraudEngine } from '../../../src/rules/fraud-engine.js';
import { LocalTime } from '../../../src/rules/local-time.js';
import type { FraudRule } from '../../../src/rules/types.js';
import { cdr, profile } from '../../helpers/traffic.js';

function intlLocal(t: number, tz: string): { minute: number; weekday: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', hour: 'numeric', minute: 'numeric', weekday: 'short' }).formatToParts(t);
  const get = (k: string) => parts.find((p) => p.type === k)!.value;
  return { minute: Number(get('hour')) * 60 + Number(get('minute')), weekday: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(get('weekday')) };
}

const nightRule: FraudRule = {
  id: 'night', description: null, mode: 'enforce', appliesTo: null,
  match: { direction: 'outbound', hours: { from: 60, to: 120 } }, measure: 'calls', windowMs: 60_000, rangeDigits: 2,
  warn: null, suspend: 1, baseline: null, cooldownMs: 1, releaseAfterMs: null, origin: { file: 't', line: 1 },
};
const sundayRule: FraudRule = { ...nightRule, id: 'sunday', match: { direction: 'outbound', days: [0] } };

function matches(rule: FraudRule, iso: string, timezone: string): boolean {
  const engine = createFraudEngine([rule], { allowedLatenessMs: 0, defaultTimezone: 'UTC' });
  const c = cdr({ id: iso, accountId: 'a', callee: '+442071234567', startedAt: Date.parse(iso), durationSec: 10 });
  return engine.process(c, profile('a', { timezone })).hits.length > 0;
}

describe('local hours and days', () => {
  it('agree with Intl for random instants and zones, DST changes included', () => {
    const local = new LocalTime('UTC');
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse('2020-01-01'), max: Date.parse('2030-01-01') }),
        fc.constantFrom('Europe/London', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'Pacific/Chatham', 'UTC'),
        (t, tz) => {
          local.at(t, tz);
          expect({ minute: local.minuteOfDay, weekday: local.weekday }).toEqual(intlLocal(t, tz));
        },
      ),
      { numRuns: 600 },
    );
  }, 60_000);

  it('agree with Intl for runs of nearby instants in alternating zones (the last offset read is reused)', () => {
    const local = new LocalTime('UTC');
    const zones = fc.constantFrom('Europe/London', 'America/New_York', 'Asia/Kolkata', 'Pacific/Chatham', 'Not/A_Zone');
    fc.assert(
      fc.property(
        fc.constantFrom(Date.parse('2026-03-29T00:40:00Z'), Date.parse('2026-10-25T00:50:00Z'), Date.parse('2026-04-05T13:55:00Z')),
        fc.array(fc.tuple(fc.integer({ min: -40 * 60_000, max: 40 * 60_000 }), zones), { minLength: 1, maxLength: 30 }),
        (base, steps) => {
          for (const [dt, tz] of steps) {
            local.at(base + dt, tz);
            expect({ minute: local.minuteOfDay, weekday: local.weekday }).toEqual(intlLocal(base + dt, tz === 'Not/A_Zone' ? 'UTC' : tz));
          }
        },
      ),
      { numRuns: 300 },
    );
  }, 60_000);

  it('01:00-02:00 London is 01:00-02:00 UTC in winter and 00:00-01:00 UTC in summer', () => {
    expect(matches(nightRule, '2026-01-15T01:30:00Z', 'Europe/London')).toBe(true);
    expect(matches(nightRule, '2026-07-15T01:30:00Z', 'Europe/London')).toBe(false);
    expect(matches(nightRule, '2026-07-15T00:30:00Z', 'Europe/London')).toBe(true);
  });

  it('the hour skipped by the spring change never matches, and the repeated autumn hour matches twice', () => {
    // 29 March 2026: 01:00 GMT becomes 02:00 BST, so there is no local 01:xx
    expect(matches(nightRule, '2026-03-29T00:30:00Z', 'Europe/London')).toBe(false);
    expect(matches(nightRule, '2026-03-29T01:30:00Z', 'Europe/London')).toBe(false);
    // 25 October 2026: 02:00 BST becomes 01:00 GMT, so local 01:30 happens at 00:30 and at 01:30 UTC
    expect(matches(nightRule, '2026-10-25T00:30:00Z', 'Europe/London')).toBe(true);
    expect(matches(nightRule, '2026-10-25T01:30:00Z', 'Europe/London')).toBe(true);
  });

  it('days follow the account zone: late Saturday UTC is already Sunday in London in summer and in Auckland', () => {
    expect(matches(sundayRule, '2026-07-04T23:30:00Z', 'Europe/London')).toBe(true);
    expect(matches(sundayRule, '2026-07-04T23:30:00Z', 'UTC')).toBe(false);
    expect(matches(sundayRule, '2026-01-03T12:30:00Z', 'Pacific/Auckland')).toBe(true);
    expect(matches(sundayRule, '2026-03-08T06:30:00Z', 'America/New_York')).toBe(true);
  });

  it('an account without a usable time zone is judged in the default zone', () => {
    expect(matches(nightRule, '2026-07-15T01:30:00Z', 'Not/AZone')).toBe(true);
  });
});
