// The labelled detection week as data (bench/detection/generate.ts): the platform (accounts with names, contacts,
// time zones and tags, each with its honest profile or attack) and every call with its ground truth. The demo
// (`suspensiond demo`) and the benchmark read these shapes; records for the wire are made by records.ts.

export type HonestProfile =
  | 'sme-office'
  | 'sole-trader'
  | '24h-operation'
  | 'inbound-call-centre'
  | 'outbound-call-centre'
  | 'high-risk-trader'
  | 'family-abroad'
  | 'doubling-business'
  | 'supplier-084x';

export type AttackType =
  | 'pbx-hack-after-hours'
  | 'irsf-international-networks'
  | 'irsf-high-risk-ranges'
  | 'irsf-unlisted-countries'
  | 'premium-rate-09'
  | 'wangiri-callback'
  | 'simbox-bypass'
  | 'subscription-fraud'
  | 'low-and-slow-irsf';

export const ATTACK_TYPES: readonly AttackType[] = [
  'pbx-hack-after-hours',
  'irsf-international-networks',
  'irsf-high-risk-ranges',
  'irsf-unlisted-countries',
  'premium-rate-09',
  'wangiri-callback',
  'simbox-bypass',
  'subscription-fraud',
  'low-and-slow-irsf',
];

export interface PlatformAccount {
  id: string;
  type: 'reseller' | 'channel' | 'customer';
  parentId: string | null;
  name: string;
  mainContact: { name: string; email: string };
  timezone: string;
  currency: 'GBP';
  tags: string[];
  /** When the account was created (its first snapshot's updatedAt), epoch ms. */
  createdAtMs: number;
  /** Customers: the traffic they make when honest (an attacked customer is honest until its attack starts). */
  profile: HonestProfile | null;
  /** Set on attacked customers. */
  attack: { type: AttackType; startMs: number } | null;
  /** Seats or lines: the size of the business. */
  lines: number;
  /** The account's own numbers (DDIs). */
  numbers: string[];
}

export interface Call {
  id: string;
  accountId: string;
  direction: 'outbound' | 'inbound';
  caller: string;
  callee: string;
  startMs: number;
  answerMs: number | null;
  endMs: number;
  durationSec: number;
  disposition: 'answered' | 'no_answer' | 'busy' | 'failed';
  costMicros: number;
  /** Ground truth: the attack this call belongs to, or null for honest traffic. */
  attack: AttackType | null;
  /** What the attack call costs the operator (the cost, or for SIM-box the bypassed termination revenue). */
  lossMicros: number;
}

export interface DetectionWeek {
  seed: number;
  /** Monday 00:00 UTC of the week, epoch ms. */
  startMs: number;
  endMs: number;
  accounts: PlatformAccount[];
  /** Ordered by start time. */
  calls: Call[];
}
