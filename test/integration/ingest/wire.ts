// Wire-format builders for ingestion tests and benchmarks: CdrRecord -> CONTRACT §2 JSON bytes, and a seeded
// generator of realistic ~300-byte CDRs keyed by account, in event-time order per account (so none is late).
import type { CdrRecord } from '../../../src/events/types.js';
import { formatMicros } from '../../../src/domain/money.js';
import { cdr as buildCdr, rng } from '../../helpers/traffic.js';

export function cdrToWire(c: CdrRecord): Record<string, unknown> {
  const iso = (ms: number | null) => (ms === null ? undefined : new Date(ms).toISOString());
  return {
    id: c.id, accountId: c.accountId, direction: c.direction, caller: c.caller ?? undefined, callee: c.callee,
    startedAt: iso(c.startedAt), answeredAt: iso(c.answeredAt), endedAt: iso(c.endedAt), durationSec: c.durationSec ?? undefined,
    disposition: c.disposition ?? undefined, cost: c.costMicros === null ? undefined : formatMicros(c.costMicros),
    currency: c.currency ?? undefined, phase: c.phase,
  };
}

export interface WireMessage {
  key: Buffer;
  value: Buffer;
}

export const cdrMessage = (c: CdrRecord): WireMessage => ({ key: Buffer.from(c.accountId), value: Buffer.from(JSON.stringify(cdrToWire(c))) });

/** `n` ordinary calls over `accounts` accounts starting at `startMs`, one every ~`stepMs` of event time. */
export function generateCdrs(o: { n: number; accounts: number; startMs: number; seed: number; prefix?: string; stepMs?: number }): CdrRecord[] {
  const r = rng(o.seed);
  const out: CdrRecord[] = [];
  const step = o.stepMs ?? 50;
  const prefix = o.prefix ?? 'cust';
  for (let i = 0; i < o.n; i++) {
    const acct = Math.floor(r() * o.accounts);
    const callee = `+44${r() < 0.5 ? '20' : '7'}${String(Math.floor(r() * 1e8)).padStart(8, '0')}`;
    out.push(buildCdr({
      id: `${prefix}-c${o.seed}-${i}`, accountId: `${prefix}-${acct}`, callee, startedAt: o.startMs + i * step,
      durationSec: 30 + Math.floor(r() * 300), costMicros: Math.floor(r() * 2_000_000), caller: `+44161${String(acct).padStart(7, '0')}`,
    }));
  }
  return out;
}
