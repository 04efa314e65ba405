// Issue 13 end to end through `replay`: the four Kill Bill overdue scenarios (see test/unit/dunning/kill-bill-overdue
// .test.ts for the pure-ladder versions) in one NDJSON file, and what the report tells the people who check dunning:
// every rejected record with its file and line, unreadable lines counted apart, each account's emails and effective
// status with inheritedFrom, dunning evidence in full, and sweeps only when a stage can fall due.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayToStore } from '../../../src/ingest/replay.js';
import { formatTable, type ReplayReport } from '../../../src/ingest/replay-report.js';
import type { Database } from '../../../src/store/db.js';

const RULES = `dunning:
  - id: kb
    appliesTo: { tags: { any: [kb] } }
    minOverdue: "0.00"
    stages:
      - { after: 5d, email: payment-reminder }
      - { after: 7d, suspend: true }
  - id: standard
    appliesTo: { accountTypes: [customer, channel], tags: { none: [enforcement-off] } }
    minOverdue: "5.00"
    stages:
      - { after: 3d, email: payment-reminder }
      - { after: 10d, email: final-notice }
      - { after: 14d, suspend: true }
`;

const account = (id: string, type: string, parentId: string | null, tags: string[] = [], updatedAt = '2026-05-01T00:00:00Z') =>
  JSON.stringify({ id, type, ...(parentId ? { parentId } : {}), name: id, mainContact: { name: id, email: `${id}@example.test` }, timezone: 'UTC', tags, updatedAt });
let n = 0;
const inv = (accountId: string, type: string, invoiceId: string, outstanding: string, dueAt: string, occurredAt: string) =>
  JSON.stringify({ id: `e${++n}`, type, invoiceId, accountId, currency: 'GBP', outstanding, dueAt, occurredAt });

const LINES = [
  account('res-1', 'reseller', null),
  account('chan-1', 'channel', 'res-1'),
  ...['cust-wo', 'cust-pay', 'cust-tag'].map((id) => account(id, 'customer', 'res-1')),
  account('cust-kb', 'customer', 'res-1', ['kb']),
  account('cust-child', 'customer', 'chan-1'),
  'this line is not JSON',
  JSON.stringify({ id: 'bad-1', type: 'overdue', invoiceId: 'X', accountId: 'cust-wo', outstanding: '10.00', occurredAt: '2026-06-01T00:00:00Z' }),
  // TestOverdueWithTags.testOverdueStateAndWRITTEN_OFFTag
  inv('cust-wo', 'overdue', 'I1', '249.95', '2026-05-31', '2026-05-31T12:00:00Z'),
  inv('cust-wo', 'written_off', 'I1', '249.95', '2026-05-31', '2026-06-01T09:00:00Z'),
  inv('cust-wo', 'overdue', 'I1', '249.95', '2026-05-31', '2026-06-06T10:00:00Z'),
  // TestOverdueIntegration: paying the invoice that caused the block unblocks
  inv('cust-pay', 'overdue', 'OLD', '100.00', '2026-06-01', '2026-06-02T00:00:00Z'),
  inv('cust-pay', 'overdue', 'NEW', '100.00', '2026-06-10', '2026-06-11T00:00:00Z'),
  inv('cust-pay', 'paid', 'OLD', '0', '2026-06-01', '2026-06-16T09:00:00Z'),
  // TestOverdueStateSkipWithShiftingEarliestUnpaidInvoice.testWarningSkippedWhenEarliestUnpaidInvoiceShiftsForward
  inv('cust-kb', 'overdue', 'R1', '249.95', '2026-05-31', '2026-05-31T01:00:00Z'),
  inv('cust-kb', 'overdue', 'A', '500.00', '2026-05-31', '2026-05-31T02:00:00Z'),
  inv('cust-kb', 'overdue', 'B', '700.00', '2026-06-02', '2026-06-02T01:00:00Z'),
  inv('cust-kb', 'paid', 'R1', '0', '2026-05-31', '2026-06-02T02:00:00Z'),
  inv('cust-kb', 'paid', 'A', '0', '2026-05-31', '2026-06-02T02:00:00Z'),
  inv('cust-kb', 'overdue', 'C', '200.00', '2026-06-03', '2026-06-03T01:00:00Z'),
  // TestOverdueWithTags.testOverdueAccountWithOverdueEnforcementOffTag, and a channel whose customer inherits
  inv('cust-tag', 'overdue', 'T1', '60.00', '2026-06-01', '2026-06-02T00:00:00Z'),
  account('cust-tag', 'customer', 'res-1', ['enforcement-off'], '2026-06-16T08:00:00Z'),
  inv('chan-1', 'overdue', 'H1', '40.00', '2026-06-01', '2026-06-02T00:00:00Z'),
];

let dir: string;
let report: ReplayReport;
let db: Database;
let close: () => Promise<void>;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'kb-replay-'));
  writeFileSync(path.join(dir, 'dunning.yaml'), RULES);
  writeFileSync(path.join(dir, 'events.ndjson'), `${LINES.join('\n')}\n`);
  ({ report, db, close } = await replayToStore({ files: [path.join(dir, 'events.ndjson')], rulesDir: dir }));
}, 60_000);
afterAll(async () => {
  await close?.();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const emails = (id: string) => report.accounts.find((a) => a.accountId === id)?.emails.map((e) => `${e.template}@${e.at.slice(0, 10)}`) ?? [];
const file = () => path.join(dir, 'events.ndjson');

describe('the Kill Bill overdue scenarios through replay', () => {
  it('TestOverdueWithTags.testOverdueStateAndWRITTEN_OFFTag: the reversed write-off is dunned again, with an audit note', async () => {
    // Reopened on 6 June, 6 days past due: straight to the reminder; then its final notice and suspension follow.
    expect(emails('cust-wo')).toEqual(['payment-reminder@2026-06-06', 'final-notice@2026-06-10', 'suspension-non_payment@2026-06-14']);
    const note = await db.query<{ evidence: Record<string, unknown> }>(`SELECT evidence FROM audit WHERE account_id = 'cust-wo' AND kind = 'dunning_note'`);
    expect(note.rows.map((r) => r.evidence)).toEqual([expect.objectContaining({ note: 'invoice_reopened', invoiceId: 'I1', wasClosedBy: 'written_off', outstanding: '249.95' })]);
  });

  it('TestOverdueIntegration: paying the oldest invoice lifts the suspension, and the next invoice gets its own reminder', () => {
    expect(emails('cust-pay')).toEqual(['payment-reminder@2026-06-04', 'final-notice@2026-06-11', 'suspension-non_payment@2026-06-15', 'payment-reminder@2026-06-16', 'activation@2026-06-16']);
    expect(report.accounts.find((a) => a.accountId === 'cust-pay')).toMatchObject({ status: 'active', holds: [] });
    const lift = report.findings.find((f) => f.accountId === 'cust-pay' && f.action === 'lift');
    expect(lift).toMatchObject({ at: '2026-06-16T09:00:00.000Z', source: 'dunning:standard' });
  });

  it('TestOverdueStateSkipWithShiftingEarliestUnpaidInvoice: the warning about the new earliest invoice comes before the block', () => {
    expect(emails('cust-kb')).toEqual(['payment-reminder@2026-06-07', 'suspension-non_payment@2026-06-09']);
    const stages = report.findings.filter((f) => f.accountId === 'cust-kb' && f.action === 'dunning').map((f) => [f.at, f.evidence?.stage, f.evidence?.invoiceId]);
    expect(stages).toEqual([['2026-06-07T00:00:00.000Z', '5d', 'B'], ['2026-06-09T00:00:00.000Z', '7d', 'B']]);
  });

  it('TestOverdueWithTags.testOverdueAccountWithOverdueEnforcementOffTag: tagging the account out of the policy lifts its dunning hold at once', () => {
    expect(emails('cust-tag')).toEqual(['payment-reminder@2026-06-04', 'final-notice@2026-06-11', 'suspension-non_payment@2026-06-15', 'activation@2026-06-16']);
    expect(report.findings.filter((f) => f.accountId === 'cust-tag' && f.action === 'lift').map((f) => f.at)).toEqual(['2026-06-16T08:00:00.000Z']);
  });
});

describe('the replay report for the people who check dunning', () => {
  it('names every rejected record with its file and line, and counts a line that is not JSON as unreadable', () => {
    expect(report.unreadable).toEqual([{ origin: `${file()}:8`, reason: expect.stringMatching(/^not JSON: /) }]);
    expect(report.rejected).toEqual([{ origin: `${file()}:9`, kind: 'invoices', reason: expect.stringContaining('currency') }]);
    expect(report.records.cdrs).toBeUndefined();
    expect(report.records.invoices).toMatchObject({ rejected: 1 });
  });

  it("gives each account's effective status with inheritedFrom and its emails", () => {
    expect(report.accounts.find((a) => a.accountId === 'chan-1')).toMatchObject({ status: 'suspended', holds: ['dunning:standard'] });
    expect(report.accounts.find((a) => a.accountId === 'cust-child')).toMatchObject({ status: 'suspended', inheritedFrom: ['chan-1'], holds: [], emails: [] });
    expect(report.accounts.find((a) => a.accountId === 'cust-kb')?.emails[0]).toEqual({ at: '2026-06-07T00:00:00.000Z', template: 'payment-reminder', to: 'cust-kb@example.test' });
  });

  it('prints dunning evidence in full, the accounts, and the rejected and unreadable lines in the table', () => {
    const table = formatTable(report);
    expect(table).toContain('stage=7d daysPastDue=7 oldestDueAt=2026-06-02 overdue=900.00 GBP invoices: B 700.00 due 2026-06-02, C 200.00 due 2026-06-03');
    expect(table).toContain('cust-child  suspended inheritedFrom=chan-1');
    expect(table).toContain(`${file()}:9  invoices  `);
    expect(table).toContain('1 unreadable (not JSON)');
  });

  it('sweeps only when a stage can fall due: after each local midnight, not every 15 minutes', () => {
    // 1 May 00:00 (the account snapshots) to 16 June 09:00 in UTC: 46 midnights, where sweeping every 15 minutes
    // would have taken 46 x 96 + 36 = 4,452 sweeps.
    expect(report.sweeps).toBe(46);
  });
});
