// The detection week as wire records (CONTRACT §2): account snapshots, then CDRs, either end records only or a
// `phase: start` record at set-up and an end record for each call. Replay lines carry their event time. Pure.
import type { InputKind } from '../../src/events/decode-record.js';
import type { Call, DetectionWeek, PlatformAccount } from './types.js';

export interface WeekRecord {
  kind: InputKind;
  timeMs: number;
  value: Record<string, unknown>;
}

const iso = (ms: number) => new Date(ms).toISOString();

function money(micros: number): string {
  const whole = Math.floor(micros / 1e6);
  return `${whole}.${String(micros - whole * 1e6).padStart(6, '0')}`;
}

export function accountRecord(a: PlatformAccount): Record<string, unknown> {
  return {
    id: a.id, type: a.type, ...(a.parentId ? { parentId: a.parentId } : {}), name: a.name, mainContact: a.mainContact,
    timezone: a.timezone, currency: a.currency, tags: a.tags, closed: false, updatedAt: iso(a.createdAtMs),
  };
}

export function cdrRecord(c: Call, phase: 'start' | 'end'): Record<string, unknown> {
  const base = { id: c.id, accountId: c.accountId, direction: c.direction, caller: c.caller, callee: c.callee, startedAt: iso(c.startMs), phase };
  if (phase === 'start') return base;
  return {
    ...base, ...(c.answerMs !== null ? { answeredAt: iso(c.answerMs) } : {}), endedAt: iso(c.endMs), durationSec: c.durationSec,
    disposition: c.disposition, cost: money(c.costMicros), currency: 'GBP',
  };
}

/** Every record of the week in event-time order (stable: accounts first at equal times). */
export function weekRecords(week: DetectionWeek, o: { phaseStart: boolean }): WeekRecord[] {
  const out: WeekRecord[] = week.accounts.map((a) => ({ kind: 'accounts', timeMs: a.createdAtMs, value: accountRecord(a) }));
  for (const c of week.calls) {
    if (o.phaseStart) out.push({ kind: 'cdrs', timeMs: c.startMs, value: cdrRecord(c, 'start') });
    out.push({ kind: 'cdrs', timeMs: c.endMs, value: cdrRecord(c, 'end') });
  }
  return out.map((r, i) => ({ r, i })).sort((x, y) => x.r.timeMs - y.r.timeMs || x.i - y.i).map((x) => x.r);
}
