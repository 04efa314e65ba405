// Generators of CDR traffic for tests and benchmarks: a seeded ordinary UK business day, and attack patterns
// (IRSF bursts, premium rate, bursts, spend, concurrency, range scans, repeated callees, out-of-hours surges, long
// and expensive calls). Deterministic for a seed. Records are the parsed CdrRecord shape (money in micro-units).
import type { CdrRecord, Disposition } from '../../src/events/types.js';
import type { AccountProfile } from '../../src/rules/types.js';

const MIN = 60_000;
const HOUR = 3_600_000;

/** mulberry32: a small seeded PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const digits = (r: () => number, n: number) => Array.from({ length: n }, () => Math.floor(r() * 10)).join('');

export interface CallSpec {
  id: string;
  accountId: string;
  callee: string;
  startedAt: number;
  durationSec?: number;
  costMicros?: number;
  disposition?: Disposition;
  caller?: string;
}

/** An end record: answered calls ring for 5 s, then last `durationSec`. */
export function cdr(spec: CallSpec): CdrRecord {
  const disposition = spec.disposition ?? 'answered';
  const answered = disposition === 'answered';
  const dur = answered ? (spec.durationSec ?? 60) : 0;
  const answeredAt = answered ? spec.startedAt + 5_000 : null;
  return {
    id: spec.id, accountId: spec.accountId, direction: 'outbound', caller: spec.caller ?? '+442071234567',
    callee: spec.callee, startedAt: spec.startedAt, answeredAt,
    endedAt: answered ? answeredAt! + dur * 1000 : spec.startedAt + 20_000,
    durationSec: dur, disposition, costMicros: answered ? (spec.costMicros ?? 0) : 0, currency: 'GBP', phase: 'end',
  };
}

/** The start event of a call (phase start), sharing the end record's id. */
export function startOf(end: CdrRecord): CdrRecord {
  return { ...end, phase: 'start', answeredAt: null, endedAt: null, durationSec: null, disposition: null, costMicros: null };
}

export function profile(id: string, over: Partial<AccountProfile> = {}): AccountProfile {
  return { id, type: 'customer', tags: [], timezone: 'Europe/London', ...over };
}

const byEventTime = (a: CdrRecord, b: CdrRecord) => (a.endedAt ?? a.startedAt) - (b.endedAt ?? b.startedAt);

/** Ordinary UK numbers: London, Manchester, Leeds, Birmingham landlines and mobiles (valid ranges, not drama). */
export function ukNumber(r: () => number): string {
  const x = r();
  if (x < 0.3) return `+44207${digits(r, 7)}`;
  if (x < 0.4) return `+44161${digits(r, 7)}`;
  if (x < 0.5) return `+44113${digits(r, 7)}`;
  if (x < 0.6) return `+44121${digits(r, 7)}`;
  return `+447${['4', '5', '7', '8', '9'][Math.floor(r() * 5)]}${digits(r, 8)}`;
}

const ORDINARY_INTERNATIONAL = [() => '+331', () => '+4930', () => '+1212', () => '+3531', () => '+3120'];

/**
 * One weekday of ordinary UK business traffic: each account has 1-8 lines; each line places calls between 08:30
 * and 17:30 London time, one at a time (3-minute mean), to UK landlines and mobiles, its favourite numbers and,
 * for ~2% of calls, ordinary international destinations. `date` is YYYY-MM-DD.
 */
export function ukBusinessDay(o: { accounts: number; date: string; seed: number; prefix?: string }): { cdrs: CdrRecord[]; profiles: Map<string, AccountProfile> } {
  const r = rng(o.seed);
  const cdrs: CdrRecord[] = [];
  const profiles = new Map<string, AccountProfile>();
  const midnight = Date.parse(`${o.date}T00:00:00Z`) - londonOffsetMs(Date.parse(`${o.date}T12:00:00Z`));
  let n = 0;
  for (let a = 0; a < o.accounts; a++) {
    const accountId = `${o.prefix ?? 'acct'}-${a}`;
    profiles.set(accountId, profile(accountId));
    const favourites = Array.from({ length: 5 }, () => ukNumber(r));
    const lines = 1 + Math.floor(r() ** 2 * 8);
    for (let l = 0; l < lines; l++) {
      let t = midnight + 8.5 * HOUR + r() * 30 * MIN;
      const meanGap = (10 + r() * 40) * MIN;
      while (t < midnight + 17.5 * HOUR) {
        const x = r();
        const intl = x < 0.02;
        const callee = intl ? ORDINARY_INTERNATIONAL[Math.floor(r() * 5)]!() + digits(r, 7) : x < 0.3 ? favourites[Math.floor(r() * 5)]! : ukNumber(r);
        const d = r();
        const disposition: Disposition = d < 0.8 ? 'answered' : d < 0.92 ? 'no_answer' : d < 0.97 ? 'busy' : 'failed';
        const durationSec = Math.min(3600, Math.round(-Math.log(1 - r()) * 180) + 5);
        const perMinute = intl ? 100_000 : callee.startsWith('+447') ? 30_000 : 10_000;
        const c = cdr({ id: `d-${o.seed}-${n++}`, accountId, callee, startedAt: Math.round(t), durationSec, costMicros: Math.ceil(durationSec / 60) * perMinute, disposition });
        cdrs.push(c);
        t = (c.endedAt ?? t) + -Math.log(1 - r()) * meanGap;
      }
    }
  }
  cdrs.sort(byEventTime);
  return { cdrs, profiles };
}

function londonOffsetMs(t: number): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/London', hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' }).formatToParts(t);
  const g = (k: string) => Number(parts.find((p) => p.type === k)!.value);
  return Date.UTC(g('year'), g('month') - 1, g('day'), g('hour'), g('minute')) - Math.floor(t / MIN) * MIN;
}

export interface AttackOptions {
  accountId: string;
  /** Epoch ms of the first call's start. */
  start: number;
  seed?: number;
  calls?: number;
  /** Time between call starts. */
  spacingMs?: number;
  durationSec?: number;
  /** Per call. */
  costMicros?: number;
  idPrefix?: string;
}

/** A series of answered calls, `spacingMs` apart, to numbers from `callee(i, r)`. Sorted by end time. */
export function attack(o: AttackOptions, callee: (i: number, r: () => number) => string): CdrRecord[] {
  const r = rng(o.seed ?? 7);
  const out: CdrRecord[] = [];
  for (let i = 0; i < (o.calls ?? 30); i++) {
    out.push(cdr({
      id: `${o.idPrefix ?? 'atk'}-${o.accountId}-${i}`, accountId: o.accountId, callee: callee(i, r),
      startedAt: o.start + i * (o.spacingMs ?? 10_000), durationSec: o.durationSec ?? 60, costMicros: o.costMicros ?? 0,
    }));
  }
  return out.sort(byEventTime);
}

/** The blatant IRSF burst of the acceptance test: 30 answered calls to +882 and +883 numbers within 5 minutes. */
export function irsfBurst(o: AttackOptions): CdrRecord[] {
  return attack({ calls: 30, spacingMs: 8_000, durationSec: 40, costMicros: 1_500_000, ...o }, (i, r) => `${i % 2 ? '+883' : '+882'}13${digits(r, 6)}`);
}

/** Calls to one high-risk country range (default Somalia, +252). */
export function highRiskBurst(o: AttackOptions, prefix = '+252'): CdrRecord[] {
  return attack({ calls: 20, spacingMs: 60_000, durationSec: 120, costMicros: 2_000_000, ...o }, (_i, r) => `${prefix}61${digits(r, 7)}`);
}

/** Calls to UK premium-rate 09 numbers. */
export function premiumRateBurst(o: AttackOptions): CdrRecord[] {
  return attack({ calls: 20, spacingMs: 60_000, durationSec: 120, costMicros: 3_000_000, ...o }, (_i, r) => `+449098${digits(r, 6)}`);
}

/** Machine-speed dialling of ordinary UK numbers (short calls). */
export function callBurst(o: AttackOptions): CdrRecord[] {
  return attack({ calls: 120, spacingMs: 1_500, durationSec: 3, ...o }, (_i, r) => ukNumber(r));
}

/** Dialling every number of one 100-number block. */
export function rangeScan(o: AttackOptions, block = '+44207123'): CdrRecord[] {
  return attack({ calls: 40, spacingMs: 20_000, durationSec: 2, ...o }, (i) => `${block}45${String(i % 100).padStart(2, '0')}`);
}

/** Many calls to one number. */
export function repeatedCallee(o: AttackOptions, callee = '+447911123456'): CdrRecord[] {
  return attack({ calls: 80, spacingMs: 30_000, durationSec: 10, ...o }, () => callee);
}

/** Ordinary-looking international calls (France, Germany, US) placed in a burst; use at night or at the weekend. */
export function internationalSurge(o: AttackOptions): CdrRecord[] {
  return attack({ calls: 30, spacingMs: 90_000, durationSec: 60, costMicros: 200_000, ...o }, (i, r) => `${['+331', '+4930', '+1212'][i % 3]}${digits(r, 7)}`);
}

/** Many calls set up at once (start events), ended later (end records). */
export function concurrentCalls(o: AttackOptions): CdrRecord[] {
  const ends = attack({ calls: 40, spacingMs: 2_000, durationSec: 1_800, costMicros: 500_000, ...o }, (_i, r) => `+4420${digits(r, 8)}`);
  return [...ends.map(startOf), ...ends];
}
