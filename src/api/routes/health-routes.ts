// Unauthenticated operational endpoints: /healthz, /readyz, /metrics and /openapi.json. They reveal no account data.
import { z } from 'zod';
import type { ApiDeps } from '../deps.js';
import { defineRoute, type RouteDef } from '../route.js';
import { healthOut, readyOut } from '../schemas.js';

export function healthRoutes(deps: ApiDeps, openapi: () => Record<string, unknown>): RouteDef[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/healthz',
      summary: 'Liveness: 200 while the process runs',
      tag: 'operations',
      access: 'public',
      response: healthOut,
      handler: async () => ({ status: 'ok' }),
    }),
    defineRoute({
      method: 'GET',
      url: '/readyz',
      summary: 'Readiness: 200 when the database, the rules and Kafka (if configured) are ready, else 503 with reasons',
      tag: 'operations',
      access: 'public',
      response: readyOut,
      handler: async ({ reply }) => {
        const r = deps.readiness();
        if (!r.ready) reply.code(503);
        return { ready: r.ready, reasons: r.reasons, ...(r.details ? { details: r.details } : {}) };
      },
      status: 200,
    }),
    defineRoute({
      method: 'GET',
      url: '/metrics',
      summary: 'Prometheus metrics (text exposition format)',
      tag: 'operations',
      access: 'public',
      response: z.string(),
      responseContentType: 'text/plain; version=0.0.4; charset=utf-8',
      handler: async ({ reply }) => {
        reply.type(deps.metrics.contentType());
        return deps.metrics.render();
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/openapi.json',
      summary: 'This document: OpenAPI 3.1, generated from the routes and their zod schemas',
      tag: 'operations',
      access: 'public',
      response: z.record(z.string(), z.unknown()),
      handler: async () => openapi(),
    }),
  ];
}
