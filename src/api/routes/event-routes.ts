// HTTP ingest: POST /v1/events/{accounts,cdrs,invoices} takes a JSON object, a JSON array or NDJSON, splits it
// into records and hands their raw bytes to the injected ingest pipeline (the same validation and processing as
// Kafka). Answers one result per record. Never validates records itself: that is the pipeline's job.
import type { IngestHandler, IngestTopic } from '../deps.js';
import type { ApiDeps } from '../deps.js';
import { ApiError } from '../problem.js';
import { defineRoute, type RouteDef } from '../route.js';
import { ingestResultOut } from '../schemas.js';

export const INGEST_TOPICS: readonly IngestTopic[] = ['accounts', 'cdrs', 'invoices'];
export const JSON_TYPES = ['application/json'];
export const NDJSON_TYPES = ['application/x-ndjson', 'application/ndjson', 'application/jsonl'];

/** Splits a request body into record byte strings. Throws a 400 naming `body` (or the line) when it cannot. */
export function splitRecords(body: Buffer, contentType: string): Buffer[] {
  const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
  if (NDJSON_TYPES.includes(mediaType)) {
    const out: Buffer[] = [];
    let start = 0;
    for (let i = 0; i <= body.length; i++) {
      if (i === body.length || body[i] === 0x0a) {
        let end = i;
        if (end > start && body[end - 1] === 0x0d) end--;
        const line = body.subarray(start, end);
        if (line.toString('utf8').trim() !== '') out.push(Buffer.from(line));
        start = i + 1;
      }
    }
    return out;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new ApiError(400, `body: malformed JSON (${(err as Error).message})`, 'body');
  }
  if (Array.isArray(parsed)) return parsed.map((r) => Buffer.from(JSON.stringify(r), 'utf8'));
  return [body];
}

export function eventRoutes(deps: ApiDeps, eventsBodyLimit: number): RouteDef[] {
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
        const records = splitRecords(body, String(req.headers['content-type'] ?? 'application/json'));
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
