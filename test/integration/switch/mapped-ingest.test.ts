// HTTP ingest of CDRs in a switch's own format (POST /v1/events/cdrs/{format}) on a real daemon and PostgreSQL: the
// Asterisk specification's Master.csv lines are mapped and processed; the dialplan-only record is dropped; the
// malformed one is a dead letter with its original bytes and a reason naming the mapping and the field.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../../src/api/tokens.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/log.js';
import { startDaemon, type Daemon } from '../../../src/main.js';
import { freePort, ROOT } from '../../helpers/daemon.js';
import { freshDatabase, type FreshDatabase } from '../../helpers/db.js';

let fresh: FreshDatabase;
let daemon: Daemon;
let token = '';

beforeAll(async () => {
  fresh = await freshDatabase();
  token = (await createToken(fresh.db, { role: 'ingest' })).token;
  daemon = await startDaemon(
    loadConfig({
      DATABASE_URL: fresh.url,
      DATA_DIR: path.join(ROOT, '.tmp', `mapped-${process.pid}`),
      HTTP_PORT: String(await freePort()),
      RULES_DIR: path.join(ROOT, 'rules'),
      MAPPINGS_DIR: path.join(ROOT, 'mappings'),
      LOG_LEVEL: 'silent',
    }),
    { logger: createLogger('silent') },
  );
}, 60_000);
afterAll(async () => {
  await daemon?.stop();
  await fresh?.drop();
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

  it('an unknown format is a 404 naming it; a CDR-less body a 400', async () => {
    const unknown = await post('/v1/events/cdrs/nonesuch', '{}', 'application/json');
    expect(unknown.status).toBe(404);
    expect(unknown.body.detail).toMatch(/format/);
    expect((await post('/v1/events/cdrs/kamailio-acc', '\n\n', 'text/plain')).status).toBe(400);
  });
});
