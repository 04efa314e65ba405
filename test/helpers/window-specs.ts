// Window group shapes and times shared by the window logs' property tests (window-old-new, window-layout-twins).
import fc from 'fast-check';
import { WindowKind as K, type GroupSpec } from '../../src/rules/window-state.js';

export const DAY = 86_400_000;
export const HOUR = 3_600_000;
export const T0 = Date.parse('2026-11-24T09:00:00Z');

/** The shipped 1 h group's shape: counts, a sum, distinct, most per key and range scans over shared columns. */
export const KEYS: GroupSpec = {
  windowMs: HOUR, rules: [0, 1, 2, 3, 4], kinds: [K.Count, K.Sum, K.Distinct, K.MostPerKey, K.RangeScan],
  valCol: [-1, 1, 2, 2, 2], grpCol: [-1, -1, -1, -1, 3], stride: 5, maskCol: 4,
};
/** A count and a sum over 6 h with a rule mask column. */
export const MASKED: GroupSpec = { windowMs: 6 * HOUR, rules: [0, 1], kinds: [K.Count, K.Sum], valCol: [-1, 1], grpCol: [-1, -1], stride: 3, maskCol: 2 };
/** A one-slot 24 h sum (the spend rule's shape). */
export const SUM: GroupSpec = { windowMs: DAY, rules: [0], kinds: [K.Sum], valCol: [1], grpCol: [-1], stride: 2, maskCol: -1 };
/** A one-slot 5 min count (call-burst's shape). */
export const COUNT: GroupSpec = { windowMs: 300_000, rules: [0], kinds: [K.Count], valCol: [-1], grpCol: [-1], stride: 1, maskCol: -1 };

/** The fields of a window-log test operation other than its kind: account, clock step, lateness, row values. */
export function opFields(accounts: number) {
  return {
    acct: fc.integer({ min: 0, max: accounts - 1 }),
    step: fc.integer({ min: 0, max: 15 * 60_000 }),
    lag: fc.integer({ min: 0, max: 20 * 60_000 }),
    cost: fc.integer({ min: 0, max: 300_000 }),
    key: fc.integer({ min: 0, max: 9 }),
    mask: fc.integer({ min: 1, max: 31 }),
    span: fc.integer({ min: 0, max: 2 * HOUR }),
  };
}
