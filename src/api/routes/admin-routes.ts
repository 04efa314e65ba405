// Operator views of the daemon's inputs: GET /v1/rules (the loaded rule set and its version) and
// GET /v1/dead-letters (rejected input, bytes kept). Read-only.
import { decodeCursor, paginate } from '../cursor.js';
import type { ApiDeps } from '../deps.js';
import { listDeadLetters } from '../queries/dead-letter-queries.js';
import { defineRoute, type RouteDef } from '../route.js';
import { deadLetterPage, pageQuery, rulesOut } from '../schemas.js';

export function adminRoutes(deps: ApiDeps): RouteDef[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/v1/rules',
      summary: 'The loaded fraud rules and dunning policies, and their version',
      tag: 'admin',
      access: ['operator'],
      response: rulesOut,
      handler: async () => {
        const rules = deps.rules();
        if (!rules) return { version: null, loadedAt: null, fraud: [], dunning: [] };
        return {
          version: rules.version,
          loadedAt: rules.loadedAt,
          fraud: rules.fraud.map((r) => ({ ...r })),
          dunning: rules.dunning.map((p) => ({ ...p })),
        };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/dead-letters',
      summary: 'Rejected input records with their reason, newest first',
      tag: 'admin',
      access: ['operator'],
      query: pageQuery,
      response: deadLetterPage,
      handler: async ({ query }) => {
        const before = decodeCursor(query.cursor, 1)?.[0];
        const rows = await listDeadLetters(deps.db, before, query.limit + 1);
        return paginate(rows, query.limit, (r) => [r.id]);
      },
    }),
  ];
}
