// Attack traffic of the detection week, labelled with its attack type. Each attack runs from its start time for as
// long as it would if nobody stopped it (replay's --enforce drops the calls placed after a hold). Figures from
// figures.ts. Pure (seeded).
import type { CallLog } from './calls.js';
import { ATTACK, DURATION } from './figures.js';
import { HIGH_RISK_IRSF, INTL_NETWORKS, numberIn, priceOf, UK_09, UK_MOBILE, UNLISTED_IRSF, WANGIRI, type Destination } from './numbers.js';
import type { Rng } from './random.js';

const MIN = 60_000;
const HOUR = 3_600_000;

/**
 * `channels` parallel channels, each dialling back to back (a few seconds between calls) from `startMs` until
 * `untilMs`; each call goes to a number of `dests` (a few numbers per range, as a fraudster's range holds few).
 */
function channels(rng: Rng, log: CallLog, o: { channels: number; startMs: number; untilMs: number; dests: readonly Destination[]; duration: { median: number; sigma: number }; answerRate: number; lossPerMin?: number; distinct?: boolean }): void {
  const attack = log.account.attack!.type;
  const pool = o.dests.flatMap((dest) => Array.from({ length: 4 }, () => ({ dest, n: numberIn(rng, dest), perMin: priceOf(rng, dest) })));
  for (let c = 0; c < o.channels; c++) {
    // The channels come up one after another over the first minutes, as the attacker's script ramps up.
    let t = o.startMs + c * rng.int(5, 40) * 1000;
    while (t < o.untilMs) {
      const target = o.distinct ? { dest: o.dests[0]!, n: numberIn(rng, rng.pick(o.dests)), perMin: priceOf(rng, o.dests[0]!) } : rng.pick(pool);
      const call = log.place({ direction: 'outbound', remote: target.n, startMs: t, talkSec: rng.logNormal(o.duration.median, o.duration.sigma), disposition: rng.chance(o.answerRate) ? 'answered' : 'no_answer', perMin: target.perMin, attack, lossPerMin: o.lossPerMin });
      t = call.endMs + rng.int(ATTACK.redialGapSec[0], ATTACK.redialGapSec[1]) * 1000;
    }
  }
}

export function attackCalls(rng: Rng, log: CallLog, endMs: number): void {
  const a = log.account.attack;
  if (!a) return;
  const start = a.startMs;
  const span = (hours: number) => Math.min(endMs, start + hours * HOUR);
  const irsf = DURATION.irsf;
  switch (a.type) {
    case 'pbx-hack-after-hours':
      // [EUROPOL-TM] a hacked PBX dials a mix of revenue-share ranges on many channels through the night.
      channels(rng, log, { channels: rng.int(...ATTACK.pbxChannels), startMs: start, untilMs: span(8), dests: [rng.pick(INTL_NETWORKS), rng.pick(HIGH_RISK_IRSF), rng.pick(UNLISTED_IRSF), rng.pick(UK_09)], duration: irsf, answerRate: 0.9 });
      break;
    case 'irsf-international-networks':
      channels(rng, log, { channels: rng.int(...ATTACK.irsfChannels), startMs: start, untilMs: span(6), dests: [rng.pick(INTL_NETWORKS)], duration: irsf, answerRate: 0.9 });
      break;
    case 'irsf-high-risk-ranges':
      channels(rng, log, { channels: rng.int(...ATTACK.irsfChannels), startMs: start, untilMs: span(6), dests: [rng.pick(HIGH_RISK_IRSF), rng.pick(HIGH_RISK_IRSF)], duration: irsf, answerRate: 0.9 });
      break;
    case 'irsf-unlisted-countries':
      channels(rng, log, { channels: rng.int(...ATTACK.irsfChannels), startMs: start, untilMs: span(6), dests: [rng.pick(UNLISTED_IRSF)], duration: irsf, answerRate: 0.9 });
      break;
    case 'premium-rate-09':
      channels(rng, log, { channels: rng.int(...ATTACK.premiumChannels), startMs: start, untilMs: span(5), dests: [rng.pick(UK_09), rng.pick(UK_09)], duration: irsf, answerRate: 0.95 });
      break;
    case 'subscription-fraud':
      // [CFCA-2023] the new account resells calls to expensive destinations on many lines at once.
      channels(rng, log, { channels: rng.int(...ATTACK.subscriptionChannels), startMs: start, untilMs: span(12), dests: [rng.pick(HIGH_RISK_IRSF), rng.pick(UNLISTED_IRSF), rng.pick(INTL_NETWORKS)], duration: irsf, answerRate: 0.85 });
      break;
    case 'simbox-bypass':
      // [GSMA-SIMBOX] international calls terminated through local SIMs: short calls to many UK mobiles, day and night.
      channels(rng, log, { channels: rng.int(...ATTACK.simboxSims), startMs: start, untilMs: span(24), dests: UK_MOBILE, duration: DURATION.simbox, answerRate: 0.7, lossPerMin: ATTACK.simboxLossPerMin, distinct: true });
      break;
    case 'low-and-slow-irsf': {
      // [CFCA-2023] about one call an hour to one revenue-share range, day and night, kept under hourly levels.
      const dest = rng.pick([...UNLISTED_IRSF, ...HIGH_RISK_IRSF]);
      const numbers = Array.from({ length: 3 }, () => numberIn(rng, dest));
      const perMin = priceOf(rng, dest);
      for (let t = start; t < endMs; t += rng.int(...ATTACK.lowSlowGapMin) * MIN) {
        log.place({ direction: 'outbound', remote: rng.pick(numbers), startMs: t, talkSec: rng.logNormal(900, 0.3), disposition: 'answered', perMin, attack: a.type });
      }
      break;
    }
    case 'wangiri-callback': {
      // [CFCA-2023] one-ring calls from a premium range to the business's numbers; some staff call back.
      const dest = rng.pick(WANGIRI);
      const perMin = priceOf(rng, dest);
      const rings = rng.int(...ATTACK.wangiriRings);
      for (let i = 0; i < rings; i++) {
        const t = start + rng.next() * 30 * MIN;
        const from = numberIn(rng, dest);
        log.place({ direction: 'inbound', remote: from, startMs: t, talkSec: 0, disposition: 'no_answer', perMin: 0, ringSec: rng.int(1, 3), attack: a.type });
        // At least two people call back, else the account would not be an attack victim at all.
        if (i < 2 || rng.chance(ATTACK.wangiriCallbackRate)) {
          log.place({ direction: 'outbound', remote: from, startMs: t + rng.int(2, 180) * MIN, talkSec: rng.logNormal(DURATION.wangiriCallback.median, DURATION.wangiriCallback.sigma), disposition: 'answered', perMin, attack: a.type });
        }
      }
      break;
    }
  }
}

