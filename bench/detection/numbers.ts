// Telephone numbers for the detection week: valid E.164 numbers of the right kind (checked against libphonenumber's
// metadata by test/unit/bench/detection-week.test.ts), with the price of a minute to each. Ofcom's drama ranges
// [OFCOM-DRAMA] (07700 900xxx, 01632 960xxx) are used where fictional UK numbers are wanted, as real ones are not.
import { PRICE_PER_MIN } from './figures.js';
import type { Rng } from './random.js';

export interface Destination {
  /** E.164 prefix and the total length of the numbers (with the +). */
  prefix: string;
  length: number;
  /** Price range per minute, GBP. */
  price: readonly [number, number];
}

const d = (prefix: string, length: number, lo: number, hi = lo): Destination => ({ prefix, length, price: [lo, hi] });
const P = PRICE_PER_MIN;

export const UK_GEOGRAPHIC = ['+4411349', '+4416149', '+4412149', '+4411749', '+4420794', '+4413149', '+4414149', '+4411332', '+4416123', '+4420712', '+4420835', '+4412145'].map((p) => d(p, 13, P.ukGeographic));
export const UK_MOBILE = ['+447400', '+447412', '+447500', '+447812', '+447823', '+447950', '+447970', '+447380', '+447534', '+447723'].map((p) => d(p, 13, P.ukMobile));
export const UK_DRAMA_MOBILE = d('+447700900', 13, P.ukMobile);
export const UK_DRAMA_GEOGRAPHIC = d('+441632960', 13, P.ukGeographic);
export const UK_084 = ['+448454', '+448449'].map((p) => d(p, 13, P.uk084));
export const UK_087 = ['+448707', '+448719'].map((p) => d(p, 13, P.uk087));
export const UK_09 = ['+449091', '+449061', '+449098'].map((p) => d(p, 13, P.uk09Min, P.uk09Max));
export const INTL_EU = [d('+35314', 12, P.intlEuFixed), d('+35321', 12, P.intlEuFixed), d('+3314', 12, P.intlEuFixed), d('+4930', 12, P.intlEuFixed), d('+3491', 12, P.intlEuFixed), d('+12125', 12, P.intlEuFixed)];
export const IRELAND = [d('+35314', 12, P.intlEuFixed), d('+35321', 12, P.intlEuFixed), d('+35391', 12, P.intlEuFixed)];
/** Family calls: Pakistan, India, Nigeria and Philippines mobiles, Polish mobiles. */
export const FAMILY = [d('+92300', 13, P.intlFamily), d('+91981', 13, P.intlFamily), d('+234803', 14, P.intlFamily), d('+63917', 13, P.intlFamily), d('+4860', 12, P.intlFamily)];
/** Ranges on the shipped high-risk list that honest traders also call (Lithuania, Latvia, Tunisia, Cuba, Somalia). */
export const HIGH_RISK_TRADE = [d('+37052', 12, 0.1), d('+37060', 12, 0.15), d('+37167', 12, 0.1), d('+21671', 12, 0.2), d('+5378', 11, 0.9), d('+25261', 13, 0.6)];
/** High-risk ranges as IRSF terminations: Cuba, Somalia, Papua New Guinea, Sierra Leone, Latvia, Chad. */
export const HIGH_RISK_IRSF = [d('+5378', 11, P.highRiskMin, P.highRiskMax), d('+25261', 13, P.highRiskMin, P.highRiskMax), d('+67570', 12, P.highRiskMin, P.highRiskMax), d('+23276', 12, P.highRiskMin, P.highRiskMax), d('+37167', 12, P.highRiskMin, P.highRiskMax), d('+2356', 12, P.highRiskMin, P.highRiskMax)];
/** International networks [ITU-E164]: +8816 Iridium, +88213 and +88234 international networks, +883. */
export const INTL_NETWORKS = [d('+88163', 13, P.intlNetworkMin, P.intlNetworkMax), d('+88213', 12, P.intlNetworkMin, P.intlNetworkMax), d('+88234', 12, P.intlNetworkMin, P.intlNetworkMax), d('+88351', 12, P.intlNetworkMin, P.intlNetworkMax)];
/** Countries on no IRSF list: Kazakhstan and Russia, Belarus, Uzbekistan, Cote d'Ivoire. */
export const UNLISTED_IRSF = [d('+77012', 12, P.unlistedMin, P.unlistedMax), d('+7495', 12, P.unlistedMin, P.unlistedMax), d('+37529', 12, P.unlistedMin, P.unlistedMax), d('+99871', 12, P.unlistedMin, P.unlistedMax), d('+22507', 14, P.unlistedMin, P.unlistedMax)];
/** Wangiri sources: short-lived ranges in high-risk and unlisted countries. */
export const WANGIRI = [d('+23276', 12, 1.5, 3.0), d('+67570', 12, 1.5, 3.0), d('+22507', 14, 1.5, 3.0), d('+37529', 12, 1.5, 3.0)];

export function numberIn(rng: Rng, dest: Destination): string {
  return dest.prefix + rng.digits(dest.length - dest.prefix.length);
}

/** Price per minute of a destination, GBP, drawn once per call (or per attack). */
export function priceOf(rng: Rng, dest: Destination): number {
  return dest.price[0] === dest.price[1] ? dest.price[0] : dest.price[0] + rng.next() * (dest.price[1] - dest.price[0]);
}

/** Per-second billing: integer micro-units. */
export function costMicros(perMin: number, durationSec: number): number {
  return Math.round((perMin * 1e6 * durationSec) / 60);
}
