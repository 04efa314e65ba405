// The labelled detection week (bench/detection): deterministic by seed, the size and mix issue 12 asks for, valid
// numbers of the kinds it means, and wire records the decoder accepts.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import { generateWeek } from '../../../bench/detection/generate.js';
import { FAMILY, HIGH_RISK_TRADE, INTL_EU, UK_084, UK_087, UK_09, UK_GEOGRAPHIC, UK_MOBILE, numberIn, type Destination } from '../../../bench/detection/numbers.js';
import { Rng } from '../../../bench/detection/random.js';
import { weekRecords } from '../../../bench/detection/records.js';
import { ATTACK_TYPES } from '../../../bench/detection/types.js';
import { decodeRecord } from '../../../src/events/decode-record.js';

const week = generateWeek({ seed: 12 });

describe('the detection week', () => {
  it('is the same for the same seed and differs for another', () => {
    const again = generateWeek({ seed: 12 });
    expect(again.calls.length).toBe(week.calls.length);
    expect(again.calls.slice(0, 50)).toEqual(week.calls.slice(0, 50));
    expect(again.accounts.map((a) => a.name)).toEqual(week.accounts.map((a) => a.name));
    expect(generateWeek({ seed: 13 }).calls.length).not.toBe(week.calls.length);
  }, 60_000);

  it('has at least 300 honest customers under a reseller/channel tree and three attacked per attack type', () => {
    const customers = week.accounts.filter((a) => a.type === 'customer');
    expect(customers.filter((a) => !a.attack).length).toBeGreaterThanOrEqual(300);
    for (const type of ATTACK_TYPES) expect(customers.filter((a) => a.attack?.type === type)).toHaveLength(3);
    const ids = new Set(week.accounts.map((a) => a.id));
    for (const c of customers) expect(ids.has(c.parentId!)).toBe(true);
    expect(new Set(customers.map((c) => c.profile))).toEqual(new Set(['sme-office', 'sole-trader', '24h-operation', 'inbound-call-centre', 'outbound-call-centre', 'high-risk-trader', 'family-abroad', 'doubling-business', 'supplier-084x']));
  });

  it('labels every attack call, and every attack makes calls inside the week', () => {
    const attackCalls = week.calls.filter((c) => c.attack !== null);
    for (const a of week.accounts.filter((x) => x.attack)) {
      const calls = attackCalls.filter((c) => c.accountId === a.id && c.attack === a.attack!.type);
      expect(calls.length, `${a.id} ${a.attack!.type}`).toBeGreaterThan(0);
      expect(Math.min(...calls.map((c) => c.startMs))).toBeGreaterThanOrEqual(a.attack!.startMs);
    }
    expect(week.calls.every((c) => c.startMs >= week.startMs && c.endMs < week.endMs)).toBe(true);
    // Subscription fraud comes from accounts opened during the week, within two hours of the spending.
    for (const a of week.accounts.filter((x) => x.attack?.type === 'subscription-fraud')) {
      expect(a.createdAtMs).toBeGreaterThan(week.startMs);
      expect(a.attack!.startMs - a.createdAtMs).toBeLessThanOrEqual(2 * 3_600_000);
    }
  }, 30_000);

  it('dials valid numbers of the intended type and country', () => {
    const rng = new Rng(1);
    const check = (dests: readonly Destination[], type: string | null, country: string | null) => {
      for (const d of dests) {
        for (let i = 0; i < 5; i++) {
          const p = parsePhoneNumberFromString(numberIn(rng, d));
          expect(p?.isValid(), d.prefix).toBe(true);
          if (type) expect(p?.getType(), d.prefix).toBe(type);
          if (country) expect(p?.country, d.prefix).toBe(country);
        }
      }
    };
    check(UK_GEOGRAPHIC, 'FIXED_LINE', 'GB');
    check(UK_MOBILE, 'MOBILE', 'GB');
    check([...UK_084, ...UK_087, ...UK_09], null, 'GB');
    check([...INTL_EU, ...FAMILY, ...HIGH_RISK_TRADE], null, null);
  });

  it('turns into wire records the decoder accepts, with phase:start records when asked', () => {
    const small = { ...week, calls: week.calls.slice(0, 2000) };
    const records = weekRecords(small, { phaseStart: true });
    expect(records.filter((r) => r.kind === 'cdrs')).toHaveLength(4000);
    for (const r of records.slice(0, 3000)) {
      const decoded = decodeRecord(r.kind, Buffer.from(JSON.stringify(r.value)), r.timeMs);
      expect(decoded.ok, JSON.stringify(r.value)).toBe(true);
    }
    for (let i = 1; i < records.length; i++) expect(records[i]!.timeMs).toBeGreaterThanOrEqual(records[i - 1]!.timeMs);
  });
});
