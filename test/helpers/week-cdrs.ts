// The detection week's CDRs (bench/detection: hundreds of accounts of every customer profile, attacks included; start
// and end records) with event times in [fromIso, toIso), decoded as the ingest decodes them. The week is generated
// once per test file.
import { generateWeek } from '../../bench/detection/generate.js';
import { weekRecords } from '../../bench/detection/records.js';
import { decodeRecord } from '../../src/events/decode-record.js';
import type { CdrRecord } from '../../src/events/types.js';

let week: ReturnType<typeof weekRecords> | null = null;

export function weekCdrs(fromIso: string, toIso: string): CdrRecord[] {
  week ??= weekRecords(generateWeek(), { phaseStart: true });
  const [from, to] = [Date.parse(fromIso), Date.parse(toIso)];
  const cdrs: CdrRecord[] = [];
  for (const r of week) {
    if (r.kind !== 'cdrs' || r.timeMs < from || r.timeMs >= to) continue;
    const d = decodeRecord('cdrs', Buffer.from(JSON.stringify(r.value)), r.timeMs);
    if (d.ok && d.record.kind === 'cdrs') cdrs.push(d.record.value);
  }
  return cdrs;
}
