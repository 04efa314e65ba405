// HTTP ingest of CDRs in a switch's own format: POST /v1/events/cdrs/{format}, where {format} names a source mapping
// (MAPPINGS_DIR). The body is that format's records (JSON object, array or NDJSON; CSV or key=value lines). Each
// record is mapped (src/events/mappings); mapped CDRs go through the same pipeline as POST /v1/events/cdrs, records
// the mapping drops (not calls) are answered `dropped`, and records it cannot read are dead letters with their
// original bytes and a reason naming the mapping and the field. Roles: ingest, operator.
import { z } from 'zod';
import type { Mapping } from '../../events/mappings/mapping-schema.js';
import { mapRecords } from '../../events/mappings/map-records.js';
import type { ApiDeps } from '../deps.js';
import { ApiError } from '../problem.js';
import { defineRoute, type RouteDef } from '../route.js';

export interface MappedIngestDeps {
  mappings: () => ReadonlyMap<string, Mapping>;
  /** Stores (and counts) records a mapping could not read, with their original bytes. */
  deadLetter: (format: string, letters: { value: Buffer; error: string }[]) => Promise<void>;
}

const resultOut = z.object({
  accepted: z.number(),
  duplicate: z.number(),
  rejected: z.number(),
  dropped: z.number(),
  results: z.array(z.object({ index: z.number(), outcome: z.enum(['accepted', 'duplicate', 'rejected', 'dropped']), error: z.string().optional() })),
});

export function mappedEventRoutes(deps: ApiDeps, bodyLimit: number): RouteDef[] {
  return [
    defineRoute({
      method: 'POST',
      url: '/v1/events/cdrs/:format',
      summary: "Ingest CDRs in a switch's own format, mapped by the source mapping {format}; one result per record",
      tag: 'ingest',
      access: ['ingest', 'operator'],
      params: z.strictObject({ format: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a mapping name') }),
      rawBody: { contentTypes: ['application/json', 'application/x-ndjson', 'text/csv', 'text/plain'], description: 'records of the mapped format' },
      bodyLimit,
      response: resultOut,
      handler: async ({ params, body }) => {
        const mapped = deps.mapped;
        if (!mapped || !deps.ingest) throw new ApiError(503, 'ingest: HTTP ingest is not available in this process', 'ingest');
        const mapping = mapped.mappings().get(params.format);
        if (!mapping) throw new ApiError(404, `format: no source mapping named "${params.format}"`, 'format');
        if (!Buffer.isBuffer(body) || body.length === 0) throw new ApiError(400, 'body: records are required', 'body');
        const records = mapRecords(mapping, body);
        if (records.length === 0) throw new ApiError(400, 'body: no records', 'body');
        const results: { index: number; outcome: 'accepted' | 'duplicate' | 'rejected' | 'dropped'; error?: string }[] = [];
        const letters: { value: Buffer; error: string }[] = [];
        const cdrs: { index: number; bytes: Buffer }[] = [];
        records.forEach((r, index) => {
          if (r.result.kind === 'cdr') cdrs.push({ index, bytes: r.result.bytes });
          else if (r.result.kind === 'drop') results.push({ index, outcome: 'dropped' });
          else {
            letters.push({ value: r.raw, error: r.result.error });
            results.push({ index, outcome: 'rejected', error: r.result.error });
          }
        });
        if (letters.length > 0) await mapped.deadLetter(params.format, letters);
        if (cdrs.length > 0) {
          const piped = await deps.ingest('cdrs', cdrs.map((c) => c.bytes));
          piped.forEach((p, i) => results.push({ index: cdrs[i]!.index, outcome: p.outcome, ...(p.error ? { error: p.error } : {}) }));
        }
        results.sort((a, b) => a.index - b.index);
        const count = (o: string) => results.filter((r) => r.outcome === o).length;
        return { accepted: count('accepted'), duplicate: count('duplicate'), rejected: count('rejected'), dropped: count('dropped'), results };
      },
    }),
  ];
}
