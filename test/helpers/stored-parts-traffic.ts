// Deterministic traffic for the stored-parts compatibility test (test/unit/rules/stored-parts-compat.test.ts): a
// business day, attacks that reach levels (level states, evidence rings), live calls with start events, and inbound
// rings followed by call-backs (`callbacks` rings), split into the part written by an older build (`head`) and the
// part the restored engine processes (`tail`). Used by that test and by test/fixtures/make-engine-parts.ts, which
// wrote the fixture with the build before the engine's state moved into columns. Never changes: the fixture depends
// on it.
import type { CdrRecord } from '../../src/events/types.js';
import { cdr, concurrentCalls, irsfBurst, rangeScan, repeatedCallee, startOf, ukBusinessDay } from './traffic.js';

const TUE_10 = Date.parse('2026-11-24T10:00:00Z');
const byEventTime = (a: CdrRecord, b: CdrRecord) => (a.endedAt ?? a.startedAt) - (b.endedAt ?? b.startedAt);

export function storedPartsTraffic(): { head: CdrRecord[]; tail: CdrRecord[] } {
  const day = ukBusinessDay({ accounts: 12, date: '2026-11-24', seed: 21 }).cdrs;
  const withStarts = day.flatMap((c, i) => (i % 3 === 0 ? [startOf(c), c] : [c]));
  const rings: CdrRecord[] = [];
  for (let k = 0; k < 6; k++) {
    const caller = `+23240${k}00${k}11`;
    const ring = { ...cdr({ id: `ring-${k}`, accountId: 'acct-5', callee: '+442071234567', startedAt: TUE_10 + k * 600_000, disposition: 'no_answer', caller }), direction: 'inbound' as const };
    rings.push(ring, cdr({ id: `back-${k}`, accountId: 'acct-5', callee: caller, startedAt: TUE_10 + k * 600_000 + 120_000, durationSec: 30, costMicros: 900_000 }));
  }
  const all = [
    ...withStarts,
    ...irsfBurst({ accountId: 'acct-1', start: TUE_10 }),
    ...rangeScan({ accountId: 'acct-2', start: TUE_10 + 3_600_000 }),
    ...repeatedCallee({ accountId: 'acct-3', start: TUE_10 - 3_600_000 }),
    ...concurrentCalls({ accountId: 'acct-4', start: TUE_10 }).flatMap((c) => [startOf(c), c]),
    ...rings,
    ...irsfBurst({ accountId: 'acct-1', start: TUE_10 + 5 * 3_600_000, idPrefix: 'atk2' }),
  ].sort((a, b) => (a.phase === 'start' ? a.startedAt : a.endedAt!) - (b.phase === 'start' ? b.startedAt : b.endedAt!) || byEventTime(a, b));
  const cut = all.findIndex((c) => (c.endedAt ?? c.startedAt) >= TUE_10 + 2 * 3_600_000);
  return { head: all.slice(0, cut), tail: all.slice(cut) };
}
