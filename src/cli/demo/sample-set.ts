// The demo's sample set in examples/: accounts.ndjson, cdrs-day.ndjson and invoices-month.ndjson (the same files
// `replay examples/*.ndjson` reads), and demo.json (the day and the operator's scripted actions). Each line is kept
// as written; only its kind, event time and account are read, as replay does.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { InputKind } from '../../events/decode-record.js';
import type { DemoRecord, OperatorAction } from './schedule.js';

export interface DemoPlan {
  /** The demo day's start, RFC 3339. */
  day: string;
  operatorActions: OperatorAction[];
}

export const DEMO_FILES: ReadonlyArray<[string, InputKind]> = [
  ['accounts.ndjson', 'accounts'],
  ['invoices-month.ndjson', 'invoices'],
  ['cdrs-day.ndjson', 'cdrs'],
];

export async function readDemoSet(dir: string): Promise<{ records: DemoRecord[]; plan: DemoPlan }> {
  const records: DemoRecord[] = [];
  for (const [file, kind] of DEMO_FILES) {
    const text = await readFile(path.join(dir, file), 'utf8');
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const o = JSON.parse(line) as Record<string, string | undefined>;
      const time = kind === 'accounts' ? o.updatedAt : kind === 'invoices' ? o.occurredAt : o.phase === 'start' ? o.startedAt : (o.endedAt ?? o.startedAt);
      records.push({ kind, timeMs: Date.parse(time ?? ''), line, accountId: (kind === 'accounts' ? o.id : o.accountId) ?? '' });
    }
  }
  const plan = JSON.parse(await readFile(path.join(dir, 'demo.json'), 'utf8')) as DemoPlan;
  return { records, plan };
}
