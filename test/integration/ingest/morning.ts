// A realistic morning of traffic for the daemon's Kafka path: the labelled detection week (bench/detection), its
// account snapshots and the CDRs (start events included) of Tuesday 04:00-09:00 UTC, as wire messages keyed by
// account. Shared by the runs that must store the same holds as a plain one (memory budget, ingest workers).
import { generateWeek } from '../../../bench/detection/generate.js';
import { weekRecords } from '../../../bench/detection/records.js';
import type { WireMessage } from './wire.js';

export function morningMessages(): { accounts: WireMessage[]; cdrs: WireMessage[] } {
  const from = Date.parse('2026-11-24T04:00:00Z');
  const to = Date.parse('2026-11-24T09:00:00Z');
  const records = weekRecords(generateWeek(), { phaseStart: true });
  const message = (key: string, value: unknown): WireMessage => ({ key: Buffer.from(key), value: Buffer.from(JSON.stringify(value)) });
  const accounts = records.filter((r) => r.kind === 'accounts').map((r) => message(r.value.id as string, r.value));
  const cdrs = records.filter((r) => r.kind === 'cdrs' && r.timeMs >= from && r.timeMs < to).map((r) => message(r.value.accountId as string, r.value));
  return { accounts, cdrs };
}
