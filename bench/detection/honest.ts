// Honest traffic of the detection week, per profile: when calls are placed (hour of day, day of week), where to, how
// long, and the missed inbound calls returned. Every figure comes from figures.ts. Pure (seeded).
import { CallLog, outcome } from './calls.js';
import { CONTACT_CENTRE as CC, DURATION, HABITS } from './figures.js';
import { FAMILY, HIGH_RISK_TRADE, INTL_EU, IRELAND, numberIn, priceOf, UK_084, UK_087, UK_DRAMA_GEOGRAPHIC, UK_DRAMA_MOBILE, UK_GEOGRAPHIC, UK_MOBILE, type Destination } from './numbers.js';
import type { Rng } from './random.js';
import type { PlatformAccount } from './types.js';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** Share of a working day's calls in each hour, 08:00-18:00 with a lunch dip [OFCOM-CMR]. */
const OFFICE = [0, 0, 0, 0, 0, 0, 0, 0.01, 0.06, 0.12, 0.13, 0.12, 0.08, 0.1, 0.12, 0.11, 0.09, 0.05, 0.01, 0, 0, 0, 0, 0];
const TRADES = [0, 0, 0, 0, 0, 0, 0.02, 0.08, 0.12, 0.11, 0.1, 0.09, 0.09, 0.09, 0.09, 0.08, 0.07, 0.04, 0.02, 0, 0, 0, 0, 0];
const ROUND_CLOCK = [0.025, 0.02, 0.02, 0.02, 0.02, 0.025, 0.035, 0.05, 0.06, 0.06, 0.06, 0.055, 0.055, 0.055, 0.055, 0.055, 0.055, 0.055, 0.05, 0.045, 0.04, 0.035, 0.03, 0.03];
const EVENING = [0.02, 0.01, 0, 0, 0, 0, 0, 0.01, 0.02, 0.03, 0.04, 0.04, 0.05, 0.05, 0.05, 0.05, 0.06, 0.08, 0.1, 0.12, 0.12, 0.1, 0.06, 0.04];

export function honestCalls(rng: Rng, a: PlatformAccount, weekStartMs: number, endMs: number): CallLog {
  const log = new CallLog(rng, a);
  const book = Array.from({ length: 25 }, () => numberIn(rng, rng.chance(HABITS.shareMobile) ? rng.pick(UK_MOBILE) : rng.pick(UK_GEOGRAPHIC)));
  const until = a.attack?.type === 'subscription-fraud' ? a.attack.startMs : endMs;
  const from = Math.max(weekStartMs, a.createdAtMs);
  const ukCall = (startMs: number) => {
    const u = rng.next();
    const dest: Destination = u < 0.02 ? rng.pick(UK_084) : u < 0.025 ? rng.pick(UK_087) : u < 0.025 + HABITS.shareInternational ? rng.pick(INTL_EU) : rng.chance(HABITS.shareMobile) ? rng.pick(UK_MOBILE) : rng.pick(UK_GEOGRAPHIC);
    const remote = dest.prefix.startsWith('+44') && !dest.prefix.startsWith('+448') && rng.chance(0.6) ? rng.pick(book) : numberIn(rng, dest);
    log.place({ direction: 'outbound', remote, startMs, talkSec: rng.logNormal(DURATION.business.median, DURATION.business.sigma), disposition: outcome(rng, HABITS.answerRate), perMin: priceOf(rng, dest) });
  };
  // Inbound calls, a fifth missed; a third of those returned within the hour (honest call-backs).
  const inbound = (startMs: number, remote: string) => {
    const missed = rng.chance(0.2);
    log.place({ direction: 'inbound', remote, startMs, talkSec: rng.logNormal(DURATION.business.median, DURATION.business.sigma), disposition: missed ? 'no_answer' : 'answered', perMin: 0 });
    if (missed && rng.chance(0.33)) {
      const dest = remote.startsWith('+447') ? UK_MOBILE[0]! : UK_GEOGRAPHIC[0]!;
      log.place({ direction: 'outbound', remote, startMs: startMs + rng.int(2, 60) * MIN, talkSec: rng.logNormal(DURATION.business.median, DURATION.business.sigma), disposition: 'answered', perMin: dest.price[0] });
    }
  };
  const perHour = (shape: readonly number[], daily: (day: number) => number, each: (t: number) => void) => {
    for (let day = 0; day < 7; day++) {
      const volume = daily(day);
      for (let h = 0; h < 24; h++) {
        const k = rng.poisson(volume * shape[h]!);
        for (let i = 0; i < k; i++) {
          const t = weekStartMs + day * DAY + h * HOUR + rng.next() * HOUR;
          if (t >= from && t < until) each(t);
        }
      }
    }
  };
  const weekday = (day: number) => day < 5;
  switch (a.profile) {
    case 'sme-office':
    case 'doubling-business': {
      const daily = a.lines * HABITS.callsPerLinePerDay * (0.6 + rng.next() * 0.8);
      const grow = a.profile === 'doubling-business';
      perHour(OFFICE, (d) => (weekday(d) ? daily * (grow && d >= 3 ? 2 : 1) : daily * 0.03), ukCall);
      perHour(OFFICE, (d) => (weekday(d) ? daily * 0.7 : 0), (t) => inbound(t, rng.pick(book)));
      break;
    }
    case 'supplier-084x': {
      // The trade counter orders from its supplier's 0845 line ~40 times a working day, in morning bursts.
      const supplier = numberIn(rng, UK_084[0]!);
      const daily = a.lines * HABITS.callsPerLinePerDay;
      perHour(OFFICE, (d) => (weekday(d) ? daily : 0), ukCall);
      perHour(OFFICE, (d) => (weekday(d) ? 40 : d === 5 ? 8 : 0), (t) => log.place({ direction: 'outbound', remote: supplier, startMs: t, talkSec: rng.logNormal(90, 0.6), disposition: outcome(rng, 0.9), perMin: UK_084[0]!.price[0] }));
      break;
    }
    case 'sole-trader': {
      const daily = 4 + rng.next() * 10;
      perHour(TRADES, (d) => (d < 6 ? daily : daily * 0.2), ukCall);
      perHour(TRADES, (d) => (d < 6 ? daily * 0.8 : daily * 0.2), (t) => inbound(t, numberIn(rng, rng.pick(UK_MOBILE))));
      break;
    }
    case '24h-operation': {
      // Taxi firms, care homes, security and hotels work round the clock; staff are on fictional drama-range
      // mobiles [OFCOM-DRAMA], and a hotel's guests call home abroad at night.
      const staff = Array.from({ length: 12 }, () => numberIn(rng, UK_DRAMA_MOBILE));
      const hotel = a.name.includes('Hotel');
      const daily = a.lines * 25;
      perHour(ROUND_CLOCK, () => daily, (t) => {
        if (rng.chance(0.45)) log.place({ direction: 'outbound', remote: rng.pick(staff), startMs: t, talkSec: rng.logNormal(60, 0.7), disposition: outcome(rng, 0.85), perMin: 0.05 });
        else if (hotel && rng.chance(0.15)) {
          const dest = rng.pick([...INTL_EU, ...FAMILY]);
          log.place({ direction: 'outbound', remote: numberIn(rng, dest), startMs: t, talkSec: rng.logNormal(600, 0.8), disposition: outcome(rng, 0.8), perMin: priceOf(rng, dest) });
        } else ukCall(t);
      });
      perHour(ROUND_CLOCK, () => daily * 0.6, (t) => inbound(t, rng.chance(0.3) ? numberIn(rng, UK_DRAMA_GEOGRAPHIC) : numberIn(rng, rng.pick(UK_MOBILE))));
      break;
    }
    case 'high-risk-trader': {
      // Freight and import businesses call partners in ranges on the IRSF lists during office hours [GSMA-IRSF].
      const partners = [rng.pick(HIGH_RISK_TRADE), rng.pick(HIGH_RISK_TRADE)];
      const contacts = partners.flatMap((p) => Array.from({ length: 4 }, () => ({ p, n: numberIn(rng, p) })));
      const daily = 3 + rng.next() * 9;
      perHour(OFFICE, (d) => (weekday(d) ? 10 : 0), ukCall);
      perHour(OFFICE, (d) => (weekday(d) ? daily : 0), (t) => {
        const c = rng.pick(contacts);
        log.place({ direction: 'outbound', remote: c.n, startMs: t, talkSec: rng.logNormal(240, 0.8), disposition: outcome(rng, 0.7), perMin: c.p.price[0] });
      });
      break;
    }
    case 'family-abroad': {
      // Long evening and weekend calls to family abroad; sometimes a relative rings briefly and is called back.
      const home = rng.pick(FAMILY);
      const family = Array.from({ length: 3 }, () => numberIn(rng, home));
      const daily = 1 + rng.next() * 2;
      perHour(EVENING, (d) => (weekday(d) ? daily : daily * 1.8), (t) => log.place({ direction: 'outbound', remote: rng.pick(family), startMs: t, talkSec: rng.logNormal(DURATION.family.median, DURATION.family.sigma), disposition: outcome(rng, 0.85), perMin: home.price[0] }));
      perHour(EVENING, () => 0.15, (t) => {
        const who = rng.pick(family);
        log.place({ direction: 'inbound', remote: who, startMs: t, talkSec: 0, disposition: 'no_answer', perMin: 0, ringSec: rng.int(3, 10) });
        log.place({ direction: 'outbound', remote: who, startMs: t + rng.int(1, 20) * MIN, talkSec: rng.logNormal(DURATION.family.median, DURATION.family.sigma), disposition: 'answered', perMin: home.price[0] });
      });
      perHour(TRADES, () => 2, ukCall);
      break;
    }
    case 'inbound-call-centre': {
      const perHourCalls = a.lines * CC.inboundPerAgentHour;
      const shape = OFFICE.map((_, h) => (h >= 8 && h < 20 ? 1 / 12 : 0));
      perHour(shape, (d) => (weekday(d) ? perHourCalls * 12 : d === 5 ? perHourCalls * 4 : 0), (t) =>
        log.place({ direction: 'inbound', remote: numberIn(rng, rng.pick([...UK_MOBILE, ...UK_GEOGRAPHIC])), startMs: t, talkSec: rng.logNormal(DURATION.inboundHandled.median, DURATION.inboundHandled.sigma), disposition: rng.chance(0.95) ? 'answered' : 'no_answer', perMin: 0 }));
      perHour(OFFICE, (d) => (weekday(d) ? a.lines * 4 : 0), ukCall);
      break;
    }
    case 'outbound-call-centre':
      outboundCampaigns(rng, log, a, weekStartMs);
      break;
    case null:
      break;
  }
  return log;
}

/**
 * A predictive dialler [CB-UK][OFCOM-PM]: `seats x dialsPerAgentHour` dials an hour, in the shift, Monday to Friday;
 * the larger centres also run an evening campaign to Ireland (20:00-21:00) and a Saturday campaign (10:00-16:00).
 */
function outboundCampaigns(rng: Rng, log: CallLog, a: PlatformAccount, weekStartMs: number): void {
  const perMinute = (a.lines * CC.dialsPerAgentHour) / 60;
  const evening = a.lines >= 30;
  const dial = (t: number, ireland: boolean) => {
    const dest = ireland ? rng.pick(IRELAND) : rng.chance(0.6) ? rng.pick(UK_MOBILE) : rng.pick(UK_GEOGRAPHIC);
    const u = rng.next();
    const disposition = u < CC.connectRate ? 'answered' : u < CC.connectRate + CC.busyRate ? 'busy' : u < CC.connectRate + CC.busyRate + CC.failedRate ? 'failed' : 'no_answer';
    log.place({ direction: 'outbound', remote: numberIn(rng, dest), startMs: t, talkSec: rng.logNormal(DURATION.outboundConnected.median, DURATION.outboundConnected.sigma), disposition, perMin: dest.price[0] });
  };
  const run = (day: number, fromH: number, toH: number, ireland: boolean) => {
    for (let m = fromH * 60; m < toH * 60; m++) {
      const k = rng.poisson(perMinute);
      for (let i = 0; i < k; i++) dial(weekStartMs + day * DAY + m * MIN + rng.next() * MIN, ireland);
    }
  };
  // Each centre dials on three weekdays (campaign days), all of them on Monday.
  const days = a.lines % 2 === 0 ? [0, 1, 2] : [0, 3, 4];
  for (const day of days) {
    run(day, CC.shiftFrom, CC.shiftTo, false);
    if (evening) run(day, 20, 21, true);
  }
  if (evening) run(5, 10, 16, a.lines >= 35);
}
