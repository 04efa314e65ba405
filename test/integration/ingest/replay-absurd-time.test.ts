// Replay and absurd times (issue 11): a line dated 9999-12-31 once stretched a replay's simulated dunning sweeps
// over eight millennia, so replay never finished. Such a line now orders nothing and is rejected naming its field;
// the other lines replay as usual. Lines keep their raw bytes: invalid UTF-8 is rejected, not repaired.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { replayToStore } from '../../../src/ingest/replay.js';

const dir = mkdtempSync(path.join(tmpdir(), 'suspensiond-replay-absurd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cdr = (id: string, startedAt: string) =>
  JSON.stringify({ id, accountId: 'cust-1', direction: 'outbound', callee: '+442079460000', startedAt });

describe('replay with absurd times', () => {
  it('a CDR dated 9999-12-31 is rejected and the replay finishes; a line of invalid UTF-8 is rejected too', async () => {
    const file = path.join(dir, 'absurd.ndjson');
    writeFileSync(
      file,
      Buffer.concat([
        Buffer.from(`${JSON.stringify({ id: 'cust-1', type: 'reseller', updatedAt: '2026-11-24T09:00:00Z' })}\n`),
        Buffer.from(`${cdr('c-1', '2026-11-24T10:00:00Z')}\n${cdr('c-far', '9999-12-31T23:59:59Z')}\n`),
        Buffer.from('{"id":"c-bad","accountId":"cust-1","direction":"outbound","callee":"caf'),
        Buffer.from([0xe9]),
        Buffer.from('","startedAt":"2026-11-24T10:01:00Z"}\n'),
      ]),
    );
    const { report, close } = await replayToStore({ files: [file], rulesDir: 'rules' });
    await close();
    expect(report.records.cdrs).toEqual({ accepted: 1, duplicate: 0, rejected: 2 });
    expect(report.records.accounts).toEqual({ accepted: 1, duplicate: 0, rejected: 0 });
    expect(report.sweeps).toBeLessThan(10);
  }, 60_000);
});
