// HTTP ingest: POST /v1/events/{accounts,cdrs,invoices} takes a JSON object, a JSON array or NDJSON, splits it
// into records and hands their raw bytes to the injected ingest pipeline (the same validation and processing as
// Kafka). Answers one result per record; more than `maxRecords` is a 413. Never validates records itself: that is
// the pipeline's job.
import type { IngestHandler, IngestTopic } from '../deps.js';
import type { ApiDeps } from '../deps.js';
import { ApiError } from '../problem.js';
import { defineRoute, type RouteDef } from '../route.js';
import { ingestResultOut } from '../schemas.js';
import { DEFAULT_MAX_RECORDS, JSON_TYPES, NDJSON_TYPES, splitRecords } from '../split-records.js';

export const INGEST_TOPICS: readonly IngestTopic[] = ['accounts', 'cdrs', 'invoices'];
export { JSON_TYPES, NDJSON_TYPES, splitRecords } from '../split-records.js';

export function eventRoutes(deps: ApiDeps, eventsBodyLimit: number, maxRecords = DEFAULT_MAX_RECORDS): RouteDef[] {
  return INGEST_TOPICS.map((topic) =>
    defineRoute({
      method: 'POST',
      url: `/v1/events/${topic}`,
      summary: `Ingest ${topic} records: a JSON object, a JSON array or NDJSON; one result per record`,
      tag: 'ingest',
      access: ['ingest', 'operator'],
      rawBody: { contentTypes: [...JSON_TYPES, ...NDJSON_TYPES], description: `${topic} records as on the ${topic} topic` },
      bodyLimit: eventsBodyLimit,
      response: ingestResultOut,
      handler: async ({ req, body }) => {
        const handler: IngestHandler | undefined = deps.ingest;
        if (!handler) throw new ApiError(503, 'ingest: HTTP ingest is not available in this process', 'ingest');
        if (!Buffer.isBuffer(body)) throw new ApiError(400, 'body: a JSON or NDJSON body is required', 'body');
        const records = splitRecords(body, String(req.headers['content-type'] ?? 'application/json'), maxRecords);
        if (records.length === 0) throw new ApiError(400, 'body: no records', 'body');
        const results = await handler(topic, records);
        const count = (o: string) => results.filter((r) => r.outcome === o).length;
        return {
          accepted: count('accepted'),
          duplicate: count('duplicate'),
          rejected: count('rejected'),
          results: results.map((r) => ({ index: r.index, outcome: r.outcome, ...(r.error ? { error: r.error } : {}) })),
        };
      },
    }),
  );
}
