// The demo's timetable: which records go out when, as a pure function of the sample files and the speed. Records
// before the demo day (the month of invoice history, the accounts) go out first, at once; the day's records go out
// in event-time order, compressed by `speed` (simulated seconds per real second), in ticks. Never: does I/O.
import type { InputKind } from '../../events/decode-record.js';

export interface DemoRecord {
  kind: InputKind;
  /** Event time, epoch ms. */
  timeMs: number;
  /** The record as it is sent (one NDJSON line / one Kafka value). */
  line: string;
  /** Kafka key: the account id. */
  accountId: string;
}

export interface OperatorAction {
  /** Event time in the demo day at which the action is taken. */
  at: string;
  account: string;
  action: 'suspend' | 'activate';
  reason?: 'fraud' | 'non_payment';
  note?: string;
}

export interface Tick {
  /** Real milliseconds after the start of the day's playback at which this tick is sent. */
  atRealMs: number;
  /** Simulated time the tick reaches (epoch ms). */
  simulatedMs: number;
  records: DemoRecord[];
  actions: OperatorAction[];
}

/** `speed` is simulated seconds per real second; `Infinity` sends everything as fast as the daemon takes it. */
export function buildTimetable(
  records: readonly DemoRecord[],
  actions: readonly OperatorAction[],
  dayStartMs: number,
  speed: number,
  tickMs = 250,
): { history: DemoRecord[]; ticks: Tick[] } {
  const byTime = [...records].sort((a, b) => a.timeMs - b.timeMs || kindOrder(a.kind) - kindOrder(b.kind));
  const history = byTime.filter((r) => r.timeMs < dayStartMs || r.kind === 'accounts');
  const day = byTime.filter((r) => r.timeMs >= dayStartMs && r.kind !== 'accounts');
  const acts = [...actions].map((a) => ({ a, t: Date.parse(a.at) })).sort((x, y) => x.t - y.t);
  const realAt = (simulatedMs: number): number => (Number.isFinite(speed) ? Math.max(0, simulatedMs - dayStartMs) / speed : 0);
  // A tick spans tickMs of real time, i.e. tickMs * speed of simulated time; at speed max, one tick per segment.
  const span = Number.isFinite(speed) ? Math.max(1, tickMs * speed) : Number.POSITIVE_INFINITY;
  const ticks: Tick[] = [];
  const pushRecords = (segment: DemoRecord[]): void => {
    let current: Tick | undefined;
    for (const r of segment) {
      const slot = Number.isFinite(span) ? Math.floor((r.timeMs - dayStartMs) / span) : 0;
      const slotEnd = Number.isFinite(span) ? dayStartMs + (slot + 1) * span : r.timeMs;
      if (!current || (Number.isFinite(span) && current.simulatedMs !== slotEnd)) {
        current = { atRealMs: realAt(slotEnd), simulatedMs: slotEnd, records: [], actions: [] };
        ticks.push(current);
      }
      current.records.push(r);
      if (!Number.isFinite(span)) current.simulatedMs = r.timeMs;
    }
  };
  // Operator actions cut the day into segments: what happened before an action is sent before it.
  let i = 0;
  for (const { a, t } of acts) {
    const segment: DemoRecord[] = [];
    while (i < day.length && day[i]!.timeMs < t) segment.push(day[i++]!);
    pushRecords(segment);
    ticks.push({ atRealMs: realAt(t), simulatedMs: t, records: [], actions: [a] });
  }
  pushRecords(day.slice(i));
  return { history, ticks };
}

// Accounts before invoices before CDRs at the same instant: a snapshot should land before its first traffic.
function kindOrder(kind: InputKind): number {
  return kind === 'accounts' ? 0 : kind === 'invoices' ? 1 : 2;
}

/** `--speed`: a number of simulated seconds per real second, or `max`. */
export function parseSpeed(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (text === 'max') return Number.POSITIVE_INFINITY;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--speed must be a positive number or "max", not ${JSON.stringify(text)}`);
  return n;
}
