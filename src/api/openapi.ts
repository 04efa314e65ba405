// Builds the OpenAPI 3.1 document from the route definitions and their zod schemas (z.toJSONSchema). Nothing in it
// is written by hand except the document's title; a route that exists is documented, and only such routes are.
import { z } from 'zod';
import type { RouteDef } from './route.js';
import { problemOut } from './schemas.js';

type Json = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const out = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Json;
  delete out.$schema;
  return out;
}

function parameters(def: RouteDef): Json[] {
  const out: Json[] = [];
  for (const [where, schema] of [['path', def.params], ['query', def.query]] as const) {
    if (!schema) continue;
    const js = jsonSchema(schema, 'input') as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, prop] of Object.entries(js.properties ?? {})) {
      out.push({
        name,
        in: where,
        required: where === 'path' || (js.required ?? []).includes(name),
        schema: prop,
        ...(typeof prop.description === 'string' ? { description: prop.description } : {}),
      });
    }
  }
  return out;
}

const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

export function buildOpenApi(routes: readonly RouteDef[], info: { title: string; version: string }): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const def of routes) {
    const path = def.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const op: Json = {
      summary: def.summary,
      tags: [def.tag],
      operationId: `${def.method.toLowerCase()}${path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      parameters: parameters(def),
      responses: {
        [String(def.status ?? 200)]: {
          description: 'success',
          content: { [def.responseContentType ?? 'application/json']: { schema: jsonSchema(def.response, 'output') } },
        },
        '400': problemResponse('invalid request: `detail` names the bad field'),
        ...(def.access === 'public'
          ? {}
          : { '401': problemResponse('missing or unknown token'), '403': problemResponse('forbidden'), '404': problemResponse('not found or outside the scope') }),
      },
    };
    if (def.access !== 'public') {
      op.security = [{ bearer: [] }];
      op['x-roles'] = def.access === 'authenticated' ? 'scoped' : [...def.access];
    }
    if (def.rawBody) {
      op.requestBody = {
        required: true,
        description: def.rawBody.description,
        content: Object.fromEntries(def.rawBody.contentTypes.map((t) => [t, { schema: {} }])),
      };
    } else if (def.body) {
      op.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(def.body, 'input') } } };
    }
    (paths[path] ??= {})[def.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info,
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'a token from `suspensiond tokens create`' } },
      schemas: { Problem: jsonSchema(problemOut, 'output') },
    },
  };
}
