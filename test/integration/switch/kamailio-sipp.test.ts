// A real SIP proxy in the loop: Kamailio (examples/kamailio/kamailio.cfg) asks /v1/authorize before relaying each
// INVITE from a SIPp caller to a SIPp answering side, and posts each call's CDR to the daemon when it ends.
// Call counts and SIP codes come from SIPp's own statistics (-trace_stat) and exit codes, and its message trace.
// Skipped, with a message, only where kamailio or sipp is not installed (.ci/run installs both).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../../src/api/tokens.js';
import type { Daemon } from '../../../src/main.js';
import { insertAccounts } from '../api/api-fixture.js';
import { freePort, ROOT } from '../../helpers/daemon.js';
import { startSwitchDaemon } from './switch-daemon.js';
import { freshDatabase, type FreshDatabase } from '../../helpers/db.js';

const has = (cmd: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const MODULES = ['/usr/lib/x86_64-linux-gnu/kamailio/modules', '/usr/lib/kamailio/modules', '/usr/local/lib64/kamailio/modules'].find((d) =>
  existsSync(path.join(d, 'http_client.so')) && existsSync(path.join(d, 'json.so')),
);
const ready = has('kamailio') && has('sipp') && MODULES !== undefined;
if (!ready) {
  console.warn('kamailio-sipp.test.ts: SKIPPED: needs kamailio (with http_client from kamailio-utils-modules and json from kamailio-json-modules) and sipp (sip-tester): apt-get install -y --no-install-recommends kamailio kamailio-utils-modules kamailio-json-modules sip-tester');
}

const EXAMPLE = path.join(ROOT, 'examples/kamailio');
let fresh: FreshDatabase;
let daemon: Daemon;
let work = '';
const children: ChildProcess[] = [];
let kamailioPort = 0;
let kamailioLog = '';
let operator = '';

function startChild(cmd: string, args: string[], onOutput?: (s: string) => void): ChildProcess {
  const child = spawn(cmd, args, { cwd: work, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout!.on('data', (d: Buffer) => onOutput?.(d.toString()));
  child.stderr!.on('data', (d: Buffer) => onOutput?.(d.toString()));
  children.push(child);
  return child;
}

interface SippRun {
  code: number | null;
  successful: number;
  failed: number;
  messages: string;
}

/** One SIPp caller run: `calls` as [account, callee], one at a time, through Kamailio. */
async function sipp(scenario: string, calls: [string, string][], name: string): Promise<SippRun> {
  const inf = path.join(work, `${name}.csv`);
  writeFileSync(inf, ['SEQUENTIAL', ...calls.map(([a, c]) => `${a};${c}`)].join('\n') + '\n');
  const stat = path.join(work, `${name}-stat.csv`);
  const port = await freePort();
  const child = spawn(
    'sipp',
    [`127.0.0.1:${kamailioPort}`, '-sf', path.join(EXAMPLE, scenario), '-inf', inf, '-i', '127.0.0.1', '-p', String(port),
      '-m', String(calls.length), '-l', '1', '-r', '5', '-timeout', '20s', '-timeout_error', '-nostdin',
      '-trace_stat', '-stf', stat, '-trace_msg', '-message_file', path.join(work, `${name}-messages.log`)],
    { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  const rows = readFileSync(stat, 'utf8').trim().split('\n');
  const header = rows[0]!.split(';');
  const last = rows[rows.length - 1]!.split(';');
  const col = (n: string) => Number(last[header.indexOf(n)]);
  const messages = existsSync(path.join(work, `${name}-messages.log`)) ? readFileSync(path.join(work, `${name}-messages.log`), 'utf8') : '';
  const run = { code, successful: col('SuccessfulCall(C)'), failed: col('FailedCall(C)'), messages };
  // On failure: SIPp's own output (it names the failed call and why), the messages' start and end, Kamailio's log end.
  if (code !== 0) {
    console.error(`sipp ${name} exited ${code}:\n${out.slice(-3000)}\nmessages (start):\n${messages.slice(0, 2000)}\nmessages (end):\n${messages.slice(-4000)}\nkamailio:\n${kamailioLog.slice(-3000)}`);
  }
  return run;
}

async function authorize(account: string, callee: string): Promise<{ allow: boolean; reason: string }> {
  const res = await fetch(`${daemon.url}/v1/authorize`, {
    method: 'POST',
    headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/json' },
    body: JSON.stringify({ account, callee }),
  });
  return (await res.json()) as { allow: boolean; reason: string };
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  if (!ready) return;
  work = mkdtempSync(path.join(tmpdir(), 'suspensiond-kamailio-'));
  fresh = await freshDatabase();
  await insertAccounts(fresh.db, [
    ['r1', 'reseller', null],
    ['c1', 'channel', 'r1'],
    ['cust-ok', 'customer', 'c1'],
    ['cust-irsf', 'customer', 'c1'],
  ]);
  operator = (await createToken(fresh.db, { role: 'operator' })).token;
  const authorizeToken = (await createToken(fresh.db, { role: 'authorize', label: 'kamailio' })).token;
  const ingestToken = (await createToken(fresh.db, { role: 'ingest', label: 'kamailio-cdrs' })).token;
  daemon = await startSwitchDaemon(fresh.url, path.join(work, 'data'));

  const uasPort = await freePort();
  startChild('sipp', ['-sf', path.join(EXAMPLE, 'uas.xml'), '-i', '127.0.0.1', '-p', String(uasPort), '-nostdin']);
  kamailioPort = await freePort();
  const cfg = readFileSync(path.join(EXAMPLE, 'kamailio.cfg'), 'utf8')
    .replaceAll('@SIP_LISTEN@', `udp:127.0.0.1:${kamailioPort}`)
    .replaceAll('@UPSTREAM@', `127.0.0.1:${uasPort}`)
    .replaceAll('@SUSPENSIOND_URL@', daemon.url)
    .replaceAll('@AUTHORIZE_TOKEN@', authorizeToken)
    .replaceAll('@INGEST_TOKEN@', ingestToken)
    .replaceAll('@MPATH@', `${MODULES}/`);
  writeFileSync(path.join(work, 'kamailio.cfg'), cfg);
  startChild('kamailio', ['-DD', '-E', '-f', path.join(work, 'kamailio.cfg'), '-w', work, '-m', '64', '-M', '8', '-Y', work], (s) => (kamailioLog += s));
  // The UDP socket is set up (and logged) just before the workers fork.
  await until('kamailio to bind its SIP port', async () => /SO_RCVBUF is finally/.test(kamailioLog), 15_000);
  await new Promise((r) => setTimeout(r, 500));
}, 90_000);

afterAll(async () => {
  for (const c of children) {
    try {
      if (c.pid) process.kill(-c.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  await daemon?.stop();
  await fresh?.drop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!ready)('Kamailio asks suspensiond before every call (SIPp on both sides)', () => {
  it('ordinary calls connect; the first IRSF call is refused at its own set-up and suspends the account, whose next call gets 403 too; 999 still connects; activation lets calls through', async () => {
    const ok = await sipp('uac.xml', [['cust-ok', '+442079460000'], ['cust-ok', '+441632960001']], 'ordinary');
    expect(ok).toMatchObject({ code: 0, successful: 2, failed: 0 });

    // A call to the shared international-network range (+882): Kamailio passes its Call-ID, so the request is the
    // call's set-up, and irsf-international-networks (suspend at the first call) refuses that very call with 403;
    // the hold is committed before the answer.
    const irsf = await sipp('uac-denied.xml', [['cust-irsf', '+88213000123']], 'irsf');
    expect(irsf).toMatchObject({ code: 0, successful: 1, failed: 0 });
    expect(irsf.messages).toMatch(/SIP\/2\.0 403 Forbidden: suspended: fraud hold by rule:irsf-international-networks/);
    const held = await fresh.db.query<{ source: string }>(`SELECT source FROM holds WHERE account_id = 'cust-irsf'`);
    expect(held.rows.map((h) => h.source)).toEqual(['rule:irsf-international-networks']);
    await until('the IRSF suspension to reach the status view', async () => (await authorize('cust-irsf', '+442079460000')).allow === false);

    const denied = await sipp('uac-denied.xml', [['cust-irsf', '+442079460000']], 'denied');
    expect(denied).toMatchObject({ code: 0, successful: 1, failed: 0 });
    expect(denied.messages).toMatch(/SIP\/2\.0 403 Forbidden: suspended: fraud hold by rule:irsf-international-networks/);
    expect(denied.messages).toMatch(/X-Suspensiond-Reason: suspended: fraud hold by rule:irsf-international-networks/);

    const emergency = await sipp('uac.xml', [['cust-irsf', '999']], 'emergency');
    expect(emergency).toMatchObject({ code: 0, successful: 1, failed: 0 });

    const activated = await fetch(`${daemon.url}/v1/accounts/cust-irsf/activate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/json' },
      body: JSON.stringify({ note: 'customer confirmed the calls were theirs' }),
    });
    expect(activated.status).toBe(200);
    await until('the activation to reach the status view', async () => (await authorize('cust-irsf', '+442079460000')).allow === true);
    const after = await sipp('uac.xml', [['cust-irsf', '+442079460000']], 'activated');
    expect(after).toMatchObject({ code: 0, successful: 1, failed: 0 });

    // Every connected call's CDR reached the daemon through the kamailio-cdr mapping (2 + 1 + 1), none rejected,
    // and so did the set-ups Kamailio asked about that could connect (2 + the refused IRSF one + 1); the call to a
    // suspended account and the emergency call were not counted as set-ups. The one hold is the IRSF rule's.
    const metrics = await daemon.metrics.render();
    expect(metrics).toMatch(/suspensiond_events_total\{topic="cdrs",outcome="accepted"\} 8\n/);
    expect(metrics).toMatch(/suspensiond_authorize_setups_total\{outcome="counted"\} 4\n/);
    expect(metrics).toMatch(/suspensiond_authorize_setups_total\{outcome="not_counted"\} 2\n/);
    expect(metrics).not.toMatch(/suspensiond_events_total\{topic="cdrs",outcome="rejected"\}/);
    const holds = await fresh.db.query<{ source: string }>(`SELECT source FROM holds WHERE account_id = 'cust-irsf'`);
    expect(holds.rows.map((h) => h.source)).toEqual([]);
    const placed = await fresh.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit WHERE account_id = 'cust-irsf' AND kind = 'hold_placed'`);
    expect(placed.rows[0]!.n).toBe(1);
  }, 120_000);
});
