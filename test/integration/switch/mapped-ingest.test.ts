// HTTP ingest of CDRs in a switch's own format (POST /v1/events/cdrs/{format}) on a real daemon and PostgreSQL: the
// Asterisk specification's Master.csv lines are mapped and processed; the dialplan-only record is dropped; the
// malformed one is a dead letter with its original bytes and a reason naming the mapping and the field.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../../src/api/tokens.js';
import type { Daemon } from '../../../src/main.js';
import { ROOT } from '../../helpers/daemon.js';
import { startSwitchDaemon } from './switch-daemon.js';
import { freshDatabase, type FreshDatabase } from '../../helpers/db.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'suspensiond-mapped-'));
let fresh: FreshDatabase;
let daemon: Daemon;
let token = '';

beforeAll(async () => {
  fresh = await freshDatabase();
  token = (await createToken(fresh.db, { role: 'ingest' })).token;
  daemon = await startSwitchDaemon(fresh.url, dataDir);
}, 60_000);
afterAll(async () => {
  await daemon?.stop();
  await fresh?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

const post = async (p: string, body: string, contentType: string, bearer = token) => {
  const res = await fetch(`${daemon.url}${p}`, { method: 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': contentType }, body });
  return { status: res.status, body: (await res.json()) as any };
};

describe('POST /v1/events/cdrs/{format}', () => {
  it('maps Asterisk Master.csv lines: calls accepted, a dialplan-only record dropped, a bad time dead-lettered', async () => {
    // The specification's scenarios reuse one uniqueid, Party B and start for the basic call and the unanswered
    // dial (line 2), which would be one CDR twice: lines 1, 3, 4 and 5 are sent.
    const all = readFileSync(path.join(ROOT, 'test/fixtures/mappings/asterisk-master.csv'), 'utf8').split('\n');
    const csv = [all[0], all[2], all[3], all[4]].join('\n') + '\n';
    const res = await post('/v1/events/cdrs/asterisk-csv', csv, 'text/csv');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ accepted: 2, duplicate: 0, rejected: 1, dropped: 1 });
    expect(res.body.results.map((r: { outcome: string }) => r.outcome)).toEqual(['accepted', 'dropped', 'accepted', 'rejected']);
    const again = await post('/v1/events/cdrs/asterisk-csv', csv, 'text/csv');
    expect(again.body).toMatchObject({ accepted: 0, duplicate: 2 });

    const operator = (await createToken(fresh.db, { role: 'operator' })).token;
    const dl = await fetch(`${daemon.url}/v1/dead-letters`, { headers: { authorization: `Bearer ${operator}` } });
    const items = ((await dl.json()) as { items: { error: string; value: string; headers: Record<string, string> }[] }).items;
    const letter = items.find((i) => i.error.startsWith('mapping asterisk-csv'))!;
    expect(letter.error).toMatch(/^mapping asterisk-csv: end \(endedAt\): must be a local time/);
    expect(letter.value).toBe(all[4]);
    expect(letter.headers).toMatchObject({ 'x-mapping': 'asterisk-csv', 'x-source-partition': 'http' });
  });

  it('a malformed record of each shipped format is a dead letter naming the mapping and the field', async () => {
    const fx = (f: string) => readFileSync(path.join(ROOT, 'test/fixtures/mappings', f), 'utf8').split('\n').filter((l) => l.trim() !== '');
    const fs = JSON.parse(fx('freeswitch-json.json')[0]!);
    fs.variables.start_uepoch = 'soon';
    const cases: [string, string, string, RegExp][] = [
      ['freeswitch-json', JSON.stringify(fs), 'application/json', /^mapping freeswitch-json: variables\.start_uepoch \(startedAt\): /],
      ['asterisk-csv', fx('asterisk-master.csv')[4]!, 'text/csv', /^mapping asterisk-csv: end \(endedAt\): /],
      ['asterisk-json', fx('asterisk-custom.json')[4]!, 'application/json', /^mapping asterisk-json: end \(endedAt\): /],
      ['kamailio-acc', fx('kamailio-acc.txt')[2]!, 'text/plain', /^mapping kamailio-acc: src_user \(accountId\): required/],
      ['kamailio-cdr', 'call_id=abc;src_user=cust-1;dst_user=999;start_time=noon;end_time=1;duration=1;code=200', 'text/plain', /^mapping kamailio-cdr: start_time \(startedAt\): /],
      ['cgrates-cdr', fx('cgrates-cdr.json')[3]!, 'application/json', /^mapping cgrates-cdr: SetupTime \(startedAt\): /],
    ];
    const operator = (await createToken(fresh.db, { role: 'operator' })).token;
    for (const [format, record, type, reason] of cases) {
      const res = await post(`/v1/events/cdrs/${format}`, record, type);
      expect(res.body, format).toMatchObject({ rejected: 1, results: [{ outcome: 'rejected', error: expect.stringMatching(reason) }] });
      const dl = await fetch(`${daemon.url}/v1/dead-letters`, { headers: { authorization: `Bearer ${operator}` } });
      const items = ((await dl.json()) as { items: { error: string; value: string; headers: Record<string, string> }[] }).items;
      const letter = items.find((i) => i.headers['x-mapping'] === format);
      expect(letter?.error, format).toMatch(reason);
      expect(letter?.value, format).toBe(record);
    }
  });

  it('an unknown format is a 404 naming it; a CDR-less body a 400', async () => {
    const unknown = await post('/v1/events/cdrs/nonesuch', '{}', 'application/json');
    expect(unknown.status).toBe(404);
    expect(unknown.body.detail).toMatch(/format/);
    expect((await post('/v1/events/cdrs/kamailio-acc', '\n\n', 'text/plain')).status).toBe(400);
  });
});
