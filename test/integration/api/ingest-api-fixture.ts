// The API fixture with the real ingest pipeline behind /v1/events/* (real PostgreSQL, the shipped rules, dead
// letters stored), for tests that follow a record from the HTTP body to its outcome.
import { createHttpIngest } from '../../../src/ingest/http-ingest.js';
import type { Pipeline } from '../../../src/ingest/pipeline.js';
import type { ApiDeps } from '../../../src/api/deps.js';
import { buildPipeline } from '../ingest/in-process.js';
import { startApiFixture, type ApiFixture } from './api-fixture.js';

export interface IngestApiFixture extends ApiFixture {
  pipeline: Pipeline;
  deadLetters(): Promise<Array<{ value: Buffer; error: string }>>;
}

export async function startIngestApiFixture(over: Partial<ApiDeps> = {}): Promise<IngestApiFixture> {
  let ingest: ReturnType<typeof createHttpIngest> | undefined;
  const f = await startApiFixture({
    ...over,
    ingest: (topic, records) => {
      if (!ingest) throw new Error('ingest not ready');
      return ingest(topic, records);
    },
  });
  const pipeline = await buildPipeline(f.fresh.db, 'rules');
  ingest = createHttpIngest(pipeline);
  return {
    ...f,
    pipeline,
    async deadLetters() {
      const res = await f.fresh.db.query<{ value: Buffer; error: string }>('SELECT value, error FROM dead_letters ORDER BY id');
      return res.rows;
    },
    async close() {
      await pipeline.flushAll();
      await f.close();
    },
  };
}
