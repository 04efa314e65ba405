// Fuzzing the replay decoder (issue 11): an NDJSON file of 2,000 mixed hostile lines (arbitrary Unicode, raw
// invalid bytes and control bytes, nesting, omitted fields, absurd times) through `replay`. Property: it finishes,
// and every line is counted once as accepted, duplicate or rejected (or, for a line that is not JSON, unreadable).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { replayToStore } from '../../../src/ingest/replay.js';
import { CASES, recordBytes, type Topic } from '../api/hostile-arbitraries.js';

const topic = fc.constantFrom<Topic>('accounts', 'cdrs', 'invoices');

describe('fuzzing replay (issue 11)', () => {
  it(`replay: ${CASES} mixed lines, each counted once as accepted, duplicate or rejected`, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'suspensiond-fuzz-replay-'));
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(topic.chain((t) => recordBytes(t, true)), { minLength: CASES, maxLength: CASES }), async (lines) => {
          const file = path.join(dir, 'fuzz.ndjson');
          writeFileSync(file, Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')])));
          const { report, close } = await replayToStore({ files: [file], rulesDir: 'rules' });
          await close();
          // Lines that are not JSON may be reported apart from the records (as `unreadable`), never dropped.
          const unreadable = (report as unknown as { unreadable?: readonly unknown[] }).unreadable?.length ?? 0;
          const counted = Object.values(report.records).reduce((n, c) => n + c.accepted + c.duplicate + c.rejected, 0);
          expect(counted + unreadable).toBe(lines.length);
        }),
        // One run of 2,000 lines; shrinking would replay the file hundreds of times, so a failure reports its seed.
        { numRuns: 1, endOnFailure: true },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

});
