// The first run a newcomer makes: `npm start` (the daemon on embedded defaults, a fresh DATA_DIR) and then
// `suspensiond demo --speed max`. Every decision of the demo's storyline (examples/demo.json) is checked through
// the API and the mail folder; then `replay examples/*.ndjson` must place the same automatic holds.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { freePort, ROOT, runCli, waitFor200, type RunningCli } from '../../helpers/daemon.js';

interface Storyline {
  fraud: string;
  review: string;
  dunning: string;
  operatorChannel: string;
}
const examples = path.join(ROOT, 'examples');
const plan = JSON.parse(readFileSync(path.join(examples, 'demo.json'), 'utf8')) as { storyline: Storyline };
const story = plan.storyline;

async function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env });
  return { code, out, err };
}

interface Hold {
  reason: string;
  source: string;
}
interface Detail {
  status: string;
  holds: Hold[];
  inheritedFrom: string[];
}

describe('suspensiond demo on a fresh npm start', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'suspensiond-demo-'));
  let daemon: RunningCli;
  let base: string;
  let token: string;
  let demoOut = '';
  const get = async <T>(p: string): Promise<T> => {
    const res = await fetch(`${base}${p}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status, p).toBe(200);
    return (await res.json()) as T;
  };

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    daemon = runCli(['run'], { DATA_DIR: dataDir, HTTP_PORT: String(port), LOG_LEVEL: 'warn' });
    await waitFor200(`${base}/readyz`, 60_000);
    token = readFileSync(path.join(dataDir, 'operator-token'), 'utf8').trim();
    const r = await cli(['demo', '--speed', 'max', '--url', base], { DATA_DIR: dataDir });
    demoOut = r.out + r.err;
    expect(r.code, demoOut).toBe(0);
    // The outbox dispatcher writes the .eml files shortly after each commit.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
  }, 180_000);

  afterAll(async () => {
    daemon?.child.kill('SIGTERM');
    await daemon?.exited;
    rmSync(dataDir, { recursive: true, force: true });
  });

  const mails = (): string[] => {
    const dir = path.join(dataDir, 'mail');
    return readdirSync(dir).filter((f) => f.endsWith('.eml')).map((f) => readFileSync(path.join(dir, f), 'utf8'));
  };

  it('rejects none of the sample records', () => {
    expect(demoOut).toMatch(/sent: \d+ accepted, 0 duplicate, 0 rejected/);
  });

  it('suspends the hacked PBX for fraud by a rule, and emails its contact', async () => {
    const d = await get<Detail>(`/v1/accounts/${encodeURIComponent(story.fraud)}`);
    expect(d.status).toBe('suspended');
    expect(d.holds.some((h) => h.reason === 'fraud' && h.source.startsWith('rule:'))).toBe(true);
    expect(mails().some((m) => m.includes(story.fraud) || /suspend/i.test(m))).toBe(true);
  });

  it("prints the hacked PBX's history with each hold's rule and evidence (value against level, sample CDR ids)", async () => {
    const r = await cli(['accounts', 'history', story.fraud, '--url', base, '--token', token, '--limit', '200'], {});
    expect(r.code, r.err).toBe(0);
    expect(r.out.split('\n')[0]).toMatch(/^AT +KIND +ACTOR +REASON +NOTE +EVIDENCE$/);
    const holds = r.out.split('\n').filter((l) => / hold_placed +rule:/.test(l));
    expect(holds.length, r.out).toBeGreaterThan(0);
    for (const l of holds) expect(l).toMatch(/ fraud +- +\w+=[\d.]+ >= [\d.]+.* samples=\S+$/);
  });

  it("ends with a summary that names the accounts suspended by their own holds, the hacked PBX's fraud hold among them, before those that only inherit", () => {
    const summary = demoOut.slice(demoOut.indexOf('suspended now:'));
    const fraudLine = new RegExp(`^ +${story.fraud} +customer +.*fraud by rule:`, 'm');
    expect(summary, summary).toMatch(fraudLine);
    expect(summary).toMatch(new RegExp(`^ +${story.operatorChannel} +channel +non_payment by operator:`, 'm'));
    const inherits = new RegExp(`^ +(\\d+) accounts? inherits? the suspension of ${story.operatorChannel}$`, 'm').exec(summary);
    expect(inherits, summary).not.toBeNull();
    expect(summary.search(fraudLine)).toBeLessThan(summary.indexOf(inherits![0]));
  });

  it('holds a customer in review: a pending decision an operator can approve or reject', async () => {
    const pending = await get<{ items: Array<{ accountId: string }> }>('/v1/decisions?state=pending');
    expect(pending.items.map((d) => d.accountId)).toContain(story.review);
  });

  it('takes a customer through the dunning ladder to a non_payment suspension, and its payment reactivates it', async () => {
    const d = await get<Detail>(`/v1/accounts/${encodeURIComponent(story.dunning)}`);
    expect(d.holds.filter((h) => h.reason === 'non_payment')).toEqual([]);
    const history = await get<{ items: Array<{ kind: string; reason: string | null; actor: string }> }>(
      `/v1/accounts/${encodeURIComponent(story.dunning)}/history?limit=200`,
    );
    const kinds = history.items.map((e) => `${e.kind}:${e.reason ?? ''}`);
    expect(kinds.some((k) => k.startsWith('hold_placed:non_payment') || k.includes('suspend'))).toBe(true);
    expect(kinds.some((k) => k.startsWith('hold_lifted') || k.includes('activate'))).toBe(true);
  });

  it("suspends a channel by an operator, and its customers inherit it", async () => {
    const ch = await get<Detail>(`/v1/accounts/${encodeURIComponent(story.operatorChannel)}`);
    expect(ch.holds.some((h) => h.source.startsWith('operator:'))).toBe(true);
    const kids = await get<{ items: Array<{ id: string; status: string }> }>(
      `/v1/accounts?parent=${encodeURIComponent(story.operatorChannel)}&limit=200`,
    );
    expect(kids.items.length).toBeGreaterThan(0);
    for (const k of kids.items) expect(k.status).toBe('suspended');
    const one = await get<Detail>(`/v1/accounts/${encodeURIComponent(kids.items[0]!.id)}`);
    expect(one.inheritedFrom).toContain(story.operatorChannel);
  });

  it('replay of examples/*.ndjson places the same automatic holds as the live demo', async () => {
    const files = readdirSync(examples).filter((f) => f.endsWith('.ndjson')).map((f) => path.join(examples, f));
    const r = await cli(['replay', ...files, '--json'], { DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'suspensiond-demo-replay-')) });
    expect(r.code, r.err).toBe(0);
    const report = JSON.parse(r.out) as { findings: Array<{ accountId: string; action: string; source: string }> };
    const replayFraud = new Set(report.findings.filter((f) => f.action === 'suspend' && f.source.startsWith('rule:')).map((f) => f.accountId));
    const live = await get<{ items: Array<{ id: string }> }>('/v1/accounts?status=suspended&type=customer&limit=500');
    const liveFraud = new Set<string>();
    for (const a of live.items) {
      const d = await get<Detail>(`/v1/accounts/${encodeURIComponent(a.id)}`);
      if (d.holds.some((h) => h.reason === 'fraud' && h.source.startsWith('rule:'))) liveFraud.add(a.id);
    }
    expect([...replayFraud].sort()).toEqual([...liveFraud].sort());
    expect(liveFraud.has(story.fraud)).toBe(true);
  }, 300_000);
});
