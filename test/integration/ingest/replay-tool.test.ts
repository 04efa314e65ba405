// `replay` as a tool for rule tuners (issue 12): the decision time is the event time of the record that crossed the
// level, --enforce refuses a held account's later outbound calls (so later findings are realistic), --rule and
// --account narrow the report and its per-rule and per-account summaries, and a file without invoices reports no
// dunning sweeps. Runs the real replay (throwaway PGlite store, the one pipeline).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { replayToStore, runReplay } from '../../../src/ingest/replay.js';

const T0 = Date.parse('2026-11-24T21:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const dir = mkdtempSync(path.join(tmpdir(), 'replay-tool-'));
const rules = path.join(dir, 'rules');

const RULES = `fraud:
  - id: irsf-test
    match: { calleePrefixes: ["+882"] }
    measure: calls
    window: 1h
    suspend: 3
  - id: many-calls
    measure: calls
    window: 1h
    warn: 2
    suspend: 8
`;

function cdr(id: string, o: { callee: string; start: number; seconds: number; direction?: 'inbound' | 'outbound'; account?: string }): string {
  return JSON.stringify({
    id, accountId: o.account ?? 'cust-1', direction: o.direction ?? 'outbound', caller: '+441134960001', callee: o.callee,
    startedAt: iso(o.start), answeredAt: iso(o.start), endedAt: iso(o.start + o.seconds * 1000), durationSec: o.seconds,
    disposition: 'answered', cost: '1.00', currency: 'GBP',
  });
}

// Five IRSF calls ending 10 s apart (one replay batch): the third crosses the level at T0 + 30 s. Then, two
// minutes on, four more outbound calls and one inbound call; and another account's ordinary calls.
const lines = [
  JSON.stringify({ id: 'cust-1', type: 'customer', parentId: 'chan-1', timezone: 'Europe/London', updatedAt: '2026-01-01T00:00:00Z' }),
  JSON.stringify({ id: 'chan-1', type: 'channel', parentId: 'res-1', updatedAt: '2026-01-01T00:00:00Z' }),
  JSON.stringify({ id: 'res-1', type: 'reseller', updatedAt: '2026-01-01T00:00:00Z' }),
  ...[1, 2, 3, 4, 5].map((i) => cdr(`irsf-${i}`, { callee: `+8821300012${i}`, start: T0, seconds: i * 10 })),
  ...[1, 2, 3, 4].map((i) => cdr(`later-${i}`, { callee: `+44113496010${i}`, start: T0 + 120_000 + i * 1000, seconds: 60 })),
  cdr('in-1', { callee: '+441134960001', start: T0 + 125_000, seconds: 30, direction: 'inbound' }),
  ...[1, 2, 3].map((i) => cdr(`other-${i}`, { callee: `+44113496020${i}`, start: T0 + i * 60_000, seconds: 30, account: 'cust-2' })),
];
const file = path.join(dir, 'night.ndjson');
writeFileSync(file, `${lines.join('\n')}\n`);

async function withRules<T>(fn: () => Promise<T>): Promise<T> {
  const fs = await import('node:fs');
  fs.mkdirSync(rules, { recursive: true });
  fs.writeFileSync(path.join(rules, 'fraud.yaml'), RULES);
  return fn();
}

describe('replay for rule tuners', () => {
  it('times a decision by the event time of the record that crossed the level, not the batch', async () => {
    const { report, close } = await withRules(() => replayToStore({ files: [file], rulesDir: rules }));
    await close();
    const hold = report.findings.find((f) => f.action === 'suspend' && f.source === 'rule:irsf-test');
    expect(hold?.at).toBe(iso(T0 + 30_000));
    expect(report.sweeps).toBe(0);
    // Without --enforce the held account's later calls still count: many-calls reaches its level too.
    expect(report.findings.some((f) => f.action === 'suspend' && f.source === 'rule:many-calls' && f.accountId === 'cust-1')).toBe(true);
    expect(report.droppedAfterHold).toBeUndefined();
  }, 30_000);

  it('--enforce refuses the held account outbound calls after its hold, keeps inbound calls and other accounts', async () => {
    const { report, close } = await withRules(() => replayToStore({ files: [file], rulesDir: rules, dropAfterHold: true }));
    await close();
    expect(report.droppedAfterHold).toBe(4);
    expect(report.records.cdrs).toEqual({ accepted: 9, duplicate: 0, rejected: 0 });
    expect(report.findings.filter((f) => f.action === 'suspend').map((f) => `${f.accountId} ${f.source}`)).toEqual(['cust-1 rule:irsf-test']);
  }, 30_000);

  it('--rule and --account narrow the findings and the summaries; no dunning sweeps are reported without invoices', async () => {
    let out = '';
    const sink = { write: (s: string) => (out += s) };
    await withRules(() => runReplay({ files: [file], rulesDir: rules, out: sink, filter: { rules: ['many-calls'], accounts: ['cust-2'] } }));
    expect(out).not.toContain('dunning sweeps');
    expect(out).not.toContain('irsf-test');
    expect(out).not.toContain('cust-1 ');
    expect(out).toMatch(/per rule:\nrule\s+holds\s+reviews\s+alerts\s+lifts\s+accounts\s+first\nrule:many-calls\s+0\s+0\s+1\s+0\s+1\s+2026-11-24T21:02:30.000Z/);
    expect(out).toMatch(/per account:\naccount\s+holds\s+reviews\s+alerts\s+first hold\s+rules\ncust-2\s+0\s+0\s+1\s+-\s+rule:many-calls/);
    let json = '';
    await withRules(() => runReplay({ files: [file], rulesDir: rules, json: true, out: { write: (s: string) => (json += s) }, filter: { accounts: ['cust-1'] } }));
    const parsed = JSON.parse(json) as { findings: { accountId: string }[]; summary: { rules: { source: string; suspend: number }[] } };
    expect(new Set(parsed.findings.map((f) => f.accountId))).toEqual(new Set(['cust-1']));
    expect(parsed.summary.rules.find((r) => r.source === 'rule:irsf-test')?.suspend).toBe(1);
  }, 60_000);

  it('runs the daemon\'s engine (FRAUD_ENGINE) unless --engine says otherwise, and --compare-engines checks both on the input', async () => {
    const run = async (argv: string[], env: Record<string, string> = {}) => {
      let out = '';
      let err = '';
      const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env: { RULES_DIR: rules, ...env } };
      const code = await withRules(() => main(['replay', ...argv], io));
      return { code, out, err };
    };
    const fused = await run([file, '--json'], { FRAUD_ENGINE: 'fused' });
    expect(fused.code).toBe(0);
    const fusedReport = JSON.parse(fused.out) as { engine: string; engineFallbacks: string[]; findings: unknown[] };
    expect(fusedReport).toMatchObject({ engine: 'fused', engineFallbacks: [] });
    const classic = await run([file, '--json', '--engine', 'classic'], { FRAUD_ENGINE: 'fused' });
    const classicReport = JSON.parse(classic.out) as { engine: string; findings: unknown[] };
    expect(classicReport.engine).toBe('classic');
    expect(fusedReport.findings).toEqual(classicReport.findings);
    expect(fusedReport.findings.length).toBeGreaterThan(2);

    const compared = await run([file, '--compare-engines']);
    expect(compared.code).toBe(0);
    expect(compared.out).toContain(`findings: ${classicReport.findings.length} (classic) and ${classicReport.findings.length} (fused)`);
    expect(compared.out).toContain('the engines agree');

    expect((await run([file, '--engine', 'turbo'])).err).toContain('--engine must be classic or fused (got "turbo")');
    expect((await run([file, '--engine', 'turbo'])).code).toBe(64);
  }, 60_000);

  it('--compare-engines says so when the fused run fell back (an event time the fused engine cannot hold), and exits 1', async () => {
    // an end record with a fractional duration and no end time: its event time is not a whole millisecond
    const odd = path.join(dir, 'odd.ndjson');
    const fractional = JSON.parse(cdr('frac-1', { callee: '+441134960999', start: T0 + 200_000, seconds: 10 })) as Record<string, unknown>;
    writeFileSync(odd, `${[...lines, JSON.stringify({ ...fractional, endedAt: null, durationSec: 10.0005 })].join('\n')}\n`);
    let out = '';
    const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: () => true }, env: { RULES_DIR: rules } };
    expect(await withRules(() => main(['replay', odd, '--compare-engines'], io))).toBe(1);
    expect(out).toContain('the fused run fell back to the classic engine: fused engine:');
    expect(out).toContain('the comparison is incomplete');
  }, 60_000);

  it('replay --help prints its options and needs no configuration', async () => {
    let out = '';
    const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: () => true }, env: { ENFORCE: 'not-a-boolean' } };
    expect(await main(['replay', '--help'], io)).toBe(0);
    for (const option of ['--rules dir', '--json', '--enforce', '--rule id', '--account id', '--engine NAME', '--compare-engines']) expect(out).toContain(option);
  });
});
