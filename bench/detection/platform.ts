// The platform of the detection week: one UK reseller, its channels, and its customers with real-looking names,
// contacts, time zones and tags, each given an honest profile or an attack with its start time. Pure (seeded).
import { numberIn, UK_GEOGRAPHIC } from './numbers.js';
import type { Rng } from './random.js';
import { ATTACK_TYPES, type AttackType, type HonestProfile, type PlatformAccount } from './types.js';

/** How many honest customers of each profile (302 in all). */
export const HONEST_MIX: readonly (readonly [HonestProfile, number])[] = [
  ['sme-office', 175],
  ['sole-trader', 60],
  ['24h-operation', 15],
  ['inbound-call-centre', 4],
  ['outbound-call-centre', 6],
  ['high-risk-trader', 15],
  ['family-abroad', 25],
  ['doubling-business', 1],
  ['supplier-084x', 1],
];
/** Attacked customers per attack type (27 in all). */
export const ATTACKS_PER_TYPE = 3;

const FIRST = ['Amelia', 'Oliver', 'Priya', 'Tomasz', 'Aoife', 'Kwame', 'Siobhan', 'Harry', 'Fatima', 'George', 'Isla', 'Rhys', 'Mei', 'Callum', 'Zara', 'Dylan', 'Niamh', 'Arjun', 'Grace', 'Ewan', 'Layla', 'Owen', 'Chloe', 'Ravi', 'Megan'];
const LAST = ['Patel', 'Jones', 'Walsh', 'Nowak', 'Okafor', 'Hughes', 'Murray', 'Khan', 'Evans', 'Clarke', "O'Brien", 'Singh', 'Davies', 'Fraser', 'Ahmed', 'Morgan', 'Reid', 'Lewis', 'Chen', 'Baker', 'Kaur', 'Wright', 'Campbell', 'Hussain', 'Bell'];
const PLACE = ['Harrogate', 'Leeds', 'Salford', 'Kendal', 'Bristol', 'Cardiff', 'Dundee', 'Leicester', 'Bath', 'Ilkley', 'Stockport', 'Perth', 'Truro', 'Hexham', 'Ludlow', 'Whitby', 'Wrexham', 'Derby'];
const TRADE: Record<HonestProfile, readonly string[]> = {
  'sme-office': ['Accountants', 'Solicitors', 'Estate Agents', 'Architects', 'Dental Practice', 'Surveyors', 'Recruitment', 'Insurance Brokers', 'Print Works', 'Veterinary Surgery'],
  'sole-trader': ['Plumbing', 'Electrical', 'Joinery', 'Hair Studio', 'Bookkeeping', 'Landscaping', 'Photography', 'Tutoring'],
  '24h-operation': ['Taxis', 'Care Home', 'Security Services', 'Hotel', 'Haulage Depot'],
  'inbound-call-centre': ['Customer Care', 'Helpdesk Services', 'Booking Line'],
  'outbound-call-centre': ['Contact Solutions', 'Outbound Sales', 'Telemarketing', 'Survey Centre'],
  'high-risk-trader': ['Freight Forwarding', 'Import Export', 'Cigar Importers', 'Shipping Agents', 'Trading Co'],
  'family-abroad': ['Household'],
  'doubling-business': ['Solar Installers'],
  'supplier-084x': ['Trade Counter'],
};
const SEATS = [20, 25, 30, 30, 35, 40];

function person(rng: Rng): { name: string; email: string; first: string; last: string } {
  const first = rng.pick(FIRST);
  const last = rng.pick(LAST);
  return { first, last, name: `${first} ${last}`, email: '' };
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/** Builds the tree. Attack start times are set here; the traffic modules read them. */
export function buildPlatform(rng: Rng, weekStartMs: number): PlatformAccount[] {
  const before = weekStartMs - 90 * 86_400_000;
  const base = { currency: 'GBP' as const, profile: null, attack: null, lines: 0, numbers: [] as string[], createdAtMs: before, tags: [] as string[] };
  const out: PlatformAccount[] = [
    { ...base, id: 'res-northwind', type: 'reseller', parentId: null, name: 'Northwind Telecom Ltd', mainContact: { name: 'Fraud Desk', email: 'fraud@northwind.example' }, timezone: 'Europe/London' },
  ];
  const channels = ['Pennine Comms', 'Severn Voice', 'Celtic Connect', 'Capital Lines'].map((name) => ({
    ...base, id: `chan-${slug(name)}`, type: 'channel' as const, parentId: 'res-northwind', name,
    mainContact: { name: 'Partner Desk', email: `partners@${slug(name)}.example` }, timezone: 'Europe/London',
  }));
  out.push(...channels);
  let n = 0;
  const customer = (profile: HonestProfile, attack: PlatformAccount['attack'], createdAtMs = before): PlatformAccount => {
    n++;
    const who = person(rng);
    const trade = rng.pick(TRADE[profile]);
    const name = profile === 'family-abroad' ? `${who.name}` : profile === 'sole-trader' ? `${who.last} ${trade}` : `${rng.pick(PLACE)} ${trade}${rng.chance(0.5) ? ' Ltd' : ''}`;
    const id = `cust-${String(1000 + n)}`;
    const dublin = profile !== 'outbound-call-centre' && rng.chance(0.06);
    const lines = profile === 'outbound-call-centre' ? SEATS[n % SEATS.length]! : profile === 'inbound-call-centre' ? rng.int(20, 40) : profile === 'sme-office' || profile === 'doubling-business' ? rng.int(2, 15) : profile === '24h-operation' ? rng.int(3, 10) : rng.int(1, 3);
    const numbers = Array.from({ length: Math.min(lines, 10) }, () => numberIn(rng, rng.pick(UK_GEOGRAPHIC)));
    const tags: string[] = [];
    // [GSMA-IRSF] operators mark accounts whose trade with high-risk countries they have checked.
    if (profile === 'high-risk-trader' && rng.chance(0.4)) tags.push('trusted-international');
    if (profile === 'outbound-call-centre' || profile === 'inbound-call-centre') tags.push('contact-centre');
    return {
      ...base, id, type: 'customer', parentId: rng.chance(0.1) ? 'res-northwind' : rng.pick(channels).id, name,
      mainContact: { name: who.name, email: `${slug(who.first)}.${slug(who.last)}@${slug(name)}.example` },
      timezone: dublin ? 'Europe/Dublin' : 'Europe/London', tags, lines, numbers, profile, attack, createdAtMs,
    };
  };
  for (const [profile, count] of HONEST_MIX) for (let i = 0; i < count; i++) out.push(customer(profile, null));
  for (const type of ATTACK_TYPES) {
    for (let i = 0; i < ATTACKS_PER_TYPE; i++) {
      const startMs = attackStart(rng, type, weekStartMs);
      if (type === 'subscription-fraud') {
        // [CFCA-2023] a new account, opened with stolen or synthetic details, spends within hours.
        const opened = startMs - rng.int(30, 120) * 60_000;
        out.push(customer('sole-trader', { type, startMs }, opened));
      } else {
        out.push(customer(type === 'simbox-bypass' ? 'sole-trader' : 'sme-office', { type, startMs }));
      }
    }
  }
  return out;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** When each attack starts (UTC = UK local time in November): the hours its kind favours [CFCA-2023][EUROPOL-TM]. */
function attackStart(rng: Rng, type: AttackType, week: number): number {
  const at = (days: readonly number[], fromH: number, toH: number) => Math.round(week + rng.pick(days) * DAY + (fromH + rng.next() * (toH - fromH)) * HOUR);
  switch (type) {
    case 'pbx-hack-after-hours': return at([4, 5], 22, 28); // Friday and Saturday nights, 22:00-04:00
    case 'premium-rate-09': return at([1, 2, 3, 4, 5], 24, 29); // small hours
    case 'irsf-international-networks': return at([1, 2, 3, 4, 5], 0, 24);
    case 'irsf-high-risk-ranges': return at([1, 2, 3, 4, 5], 18, 26);
    case 'irsf-unlisted-countries': return at([1, 2, 3, 4], 10, 22);
    case 'wangiri-callback': return at([1, 2, 3, 4], 10, 15);
    case 'simbox-bypass': return at([1, 2, 3], 0, 24);
    case 'subscription-fraud': return at([1, 2, 3, 4], 11, 17);
    case 'low-and-slow-irsf': return at([1, 2], 0, 24);
  }
}
