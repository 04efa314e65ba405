// Prevention (issue 15 item 3): an authorization request with a callId is the set-up of that call, counted by the
// HTTP lane's fraud engine (the one that counts the switch's HTTP-ingested CDRs). On real PostgreSQL, through the
// whole daemon: the set-up that crosses a shipped rule's suspend level is itself denied, naming the rule, and its
// hold is committed before the answer; earlier set-ups are allowed; a repeated callId and the call's later end CDR
// do not count it again; an emergency call is allowed and not counted; a request without callId is unchanged.
import fc from 'fast-check';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../../src/api/tokens.js';
import type { Daemon } from '../../../src/main.js';
import { insertAccounts } from '../api/api-fixture.js';
import { anyJson, text } from '../api/hostile-arbitraries.js';
import { startSwitchDaemon } from './switch-daemon.js';
import { freshDatabase, type FreshDatabase } from '../../helpers/db.js';

let fresh: FreshDatabase;
let daemon: Daemon;
let work = '';
let authorizeToken = '';
let ingestToken = '';

// An Ofcom drama number in the premium-rate 09 range: the shipped rule premium-rate-numbers (calls in 1h, warn 2,
// suspend 3) decides at set-up.
const PREMIUM = '+449098790001';
const T0 = Date.now() - 30 * 60_000;
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

interface Answer {
  status: number;
  body: { allow: boolean; reason: string; holds: { id: string; source: string }[]; emergency: boolean; counted?: boolean; rule?: string; detail?: string };
  contentType: string;
}

async function authorize(body: Record<string, unknown>, method: 'POST' | 'GET' = 'POST'): Promise<Answer> {
  const headers: Record<string, string> = { authorization: `Bearer ${authorizeToken}` };
  let url = `${daemon.url}/v1/authorize`;
  let payload: string | undefined;
  if (method === 'POST') {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  } else {
    url += `?${new URLSearchParams(body as Record<string, string>).toString()}`;
  }
  const res = await fetch(url, { method, headers, ...(payload === undefined ? {} : { body: payload }) });
  return { status: res.status, body: (await res.json()) as Answer['body'], contentType: res.headers.get('content-type') ?? '' };
}

/** The switch's end record of a call (HTTP ingest), answered 60 s after its set-up. */
async function endCdr(account: string, callId: string, startedAt: string): Promise<void> {
  const endedAt = new Date(Date.parse(startedAt) + 65_000).toISOString();
  const cdr = { id: callId, accountId: account, direction: 'outbound', callee: PREMIUM, startedAt, answeredAt: new Date(Date.parse(startedAt) + 5_000).toISOString(), endedAt, durationSec: 60, disposition: 'answered', phase: 'end' };
  const res = await fetch(`${daemon.url}/v1/events/cdrs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ingestToken}`, 'content-type': 'application/json' },
    body: JSON.stringify([cdr]),
  });
  expect(res.status).toBe(200);
  expect(JSON.stringify(await res.json())).toMatch(/accepted/);
}

const holdsOf = async (account: string) =>
  (await fresh.db.query<{ id: string; source: string }>(`SELECT id, source FROM holds WHERE account_id = $1 ORDER BY placed_at`, [account])).rows;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'suspensiond-setup-'));
  fresh = await freshDatabase();
  await insertAccounts(fresh.db, [
    ['r1', 'reseller', null],
    ['c1', 'channel', 'r1'],
    ['cust-p', 'customer', 'c1'],
    ['cust-q', 'customer', 'c1'],
  ]);
  authorizeToken = (await createToken(fresh.db, { role: 'authorize', label: 'switch' })).token;
  ingestToken = (await createToken(fresh.db, { role: 'ingest', label: 'switch-cdrs' })).token;
  daemon = await startSwitchDaemon(fresh.url, path.join(work, 'data'));
}, 60_000);

afterAll(async () => {
  await daemon?.stop();
  await fresh?.drop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('an authorization request with a callId is the call set-up (prevention)', () => {
  it('the set-up that crosses premium-rate-numbers is denied with the rule, its hold committed before the answer; no double counting', async () => {
    // Call 1: counted, allowed.
    const first = await authorize({ account: 'cust-p', callee: PREMIUM, callId: 'call-1', startedAt: at(0) });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ allow: true, reason: 'active', counted: true, emergency: false });
    expect(first.body.rule).toBeUndefined();
    await endCdr('cust-p', 'call-1', at(0));

    // Requests without a callId answer as before and count nothing (else call 2 would cross the level).
    for (const method of ['POST', 'GET'] as const) {
      const plain = await authorize({ account: 'cust-p', callee: PREMIUM }, method);
      expect(plain.status).toBe(200);
      expect(plain.body).toEqual({ allow: true, reason: 'active', holds: [], inheritedFrom: [], emergency: false });
    }

    // Call 2 (GET form): the warn level (an alert), still allowed. Retried with the same callId: counted once.
    const second = await authorize({ account: 'cust-p', callee: PREMIUM, callId: 'call-2', startedAt: at(2) }, 'GET');
    expect(second.body).toMatchObject({ allow: true, counted: true });
    const retried = await authorize({ account: 'cust-p', callee: PREMIUM, callId: 'call-2', startedAt: at(2) });
    expect(retried.body).toMatchObject({ allow: true, counted: true });
    // The end record of call 2 (same id) is not a third call.
    await endCdr('cust-p', 'call-2', at(2));
    expect(await holdsOf('cust-p')).toEqual([]);
    const alerts = await fresh.db.query(`SELECT 1 FROM audit WHERE account_id = 'cust-p' AND kind = 'alert'`);
    expect(alerts.rowCount).toBe(1);

    // An emergency call is allowed and not counted.
    const emergency = await authorize({ account: 'cust-p', callee: '999', caller: '+441632960000', callId: 'call-999', startedAt: at(3) });
    expect(emergency.body).toMatchObject({ allow: true, emergency: true, counted: false });

    // Call 3 crosses the suspend level at its set-up: denied, naming the rule, and the hold is already committed.
    const third = await authorize({ account: 'cust-p', callee: PREMIUM, callId: 'call-3', startedAt: at(4) });
    const holds = await holdsOf('cust-p');
    expect(third.status).toBe(200);
    expect(third.body).toMatchObject({ allow: false, counted: true, rule: 'premium-rate-numbers', reason: 'suspended: fraud hold by rule:premium-rate-numbers' });
    expect(holds).toEqual([{ id: third.body.holds[0]!.id, source: 'rule:premium-rate-numbers' }]);
    expect(third.body.holds).toMatchObject([{ id: holds[0]!.id, reason: 'fraud', source: 'rule:premium-rate-numbers' }]);
    // As for a CDR: the hold's audit entry and the account's stored status message are in the same transaction.
    const placed = await fresh.db.query(`SELECT 1 FROM audit WHERE account_id = 'cust-p' AND kind = 'hold_placed'`);
    expect(placed.rowCount).toBe(1);
    const status = await fresh.db.query<{ status: string }>(`SELECT status->>'status' AS status FROM account_status WHERE account_id = 'cust-p'`);
    expect(status.rows).toEqual([{ status: 'suspended' }]);
    const outbox = await fresh.db.query<{ kind: string }>(`SELECT DISTINCT kind FROM outbox WHERE account_id = 'cust-p' ORDER BY kind`);
    expect(outbox.rows.map((r) => r.kind)).toEqual(['email', 'status']);

    // The next requests, with or without a callId, are denied from the view; 999 still gets through.
    expect((await authorize({ account: 'cust-p', callee: '+441632960001' })).body.allow).toBe(false);
    const after = await authorize({ account: 'cust-p', callee: PREMIUM, callId: 'call-4', startedAt: at(5) });
    expect(after.body).toMatchObject({ allow: false, counted: false });
    const stillEmergency = await authorize({ account: 'cust-p', callee: '999', caller: '+441632960000', callId: 'call-999b' });
    expect(stillEmergency.body).toMatchObject({ allow: true, emergency: true });
    expect(await holdsOf('cust-p')).toHaveLength(1);

    // Another account of the same lane is not affected.
    expect((await authorize({ account: 'cust-q', callee: PREMIUM, callId: 'q-1', startedAt: at(4) })).body).toMatchObject({ allow: true, counted: true });
  }, 30_000);

  it('concurrent set-ups of one lane are counted exactly as one after another would be (group commit)', async () => {
    const calls = Array.from({ length: 6 }, (_, i) => authorize({ account: 'cust-q', callee: `+4420794600${10 + i}`, callId: `q-burst-${i}`, startedAt: at(6) }));
    const answers = await Promise.all(calls);
    for (const a of answers) expect(a.body).toMatchObject({ allow: true, counted: true });
    const again = await Promise.all(Array.from({ length: 6 }, (_, i) => authorize({ account: 'cust-q', callee: `+4420794600${10 + i}`, callId: `q-burst-${i}`, startedAt: at(6) })));
    for (const a of again) expect(a.body).toMatchObject({ allow: true, counted: true });
    const metrics = await daemon.metrics.render();
    expect(metrics).toMatch(/suspensiond_authorize_setups_total\{outcome="duplicate"\} 7\n/);
  });

  it('a bad callId or startedAt is a 400 problem naming the field, never a 500 (fuzzed)', async () => {
    for (const [body, field] of [
      [{ account: 'cust-q', callee: PREMIUM, callId: '' }, 'callId'],
      [{ account: 'cust-q', callee: PREMIUM, callId: 'x'.repeat(201) }, 'callId'],
      [{ account: 'cust-q', callee: PREMIUM, callId: 'a\u0000b' }, 'callId'],
      [{ account: 'cust-q', callee: PREMIUM, callId: 7 }, 'callId'],
      [{ account: 'cust-q', callee: PREMIUM, callId: 'ok', startedAt: 'yesterday' }, 'startedAt'],
      [{ account: 'cust-q', callee: PREMIUM, callId: 'ok', startedAt: '2126-01-01T00:00:00Z' }, 'startedAt'],
    ] as const) {
      const res = await authorize(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.contentType).toContain('application/problem+json');
      expect(res.body.detail).toContain(field);
    }
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ account: fc.oneof(fc.constantFrom('cust-q', 'nobody'), text), callee: fc.oneof(fc.constantFrom(PREMIUM, '999'), text), callId: fc.oneof(text, anyJson), startedAt: fc.oneof(fc.constantFrom(at(7), '2026-13-01T00:00:00Z'), text, anyJson) }, { requiredKeys: ['account', 'callee', 'callId'] }), { minLength: 10, maxLength: 10 }),
        async (batch) => {
          const answers = await Promise.all(batch.map((b) => authorize(b)));
          answers.forEach((res, i) => {
            expect(res.status, JSON.stringify(batch[i])).toBeLessThan(500);
            if (res.status >= 400) expect(res.contentType).toContain('application/problem+json');
          });
        },
      ),
      { numRuns: 30 },
    );
  }, 60_000);
});
