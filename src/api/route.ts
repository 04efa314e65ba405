// Route definitions: one object per endpoint carries its zod schemas, who may call it and its handler. The server
// registers them with fastify (validating params, query and body with zod), and openapi.ts documents the same
// objects. A handler never sees unvalidated input and never writes a response itself except through its return.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Role } from '../domain/types.js';
import { ApiError, validationError } from './problem.js';
import type { TokenActor } from './tokens.js';

export type Access = 'public' | 'authenticated' | readonly Role[];

type AnyObject = z.ZodType<Record<string, unknown>>;

export interface RouteInput<P, Q, B> {
  actor: TokenActor | null;
  params: P;
  query: Q;
  body: B;
  req: FastifyRequest;
  reply: FastifyReply;
}

export interface RouteDef<P extends AnyObject = AnyObject, Q extends AnyObject = AnyObject, B extends z.ZodType = z.ZodType> {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** fastify syntax: `/v1/accounts/:id`. */
  url: string;
  summary: string;
  tag: string;
  access: Access;
  params?: P;
  query?: Q;
  body?: B;
  /** Documented request media types when the body is not a zod-validated JSON object. */
  rawBody?: { contentTypes: string[]; description: string };
  status?: number;
  response: z.ZodType;
  /** Produces text, not JSON (e.g. /metrics). */
  responseContentType?: string;
  bodyLimit?: number;
  handler: (input: RouteInput<z.infer<P>, z.infer<Q>, z.infer<B>>) => Promise<unknown>;
}

/** Keeps the generic types of one definition while collecting many into one list. */
export function defineRoute<P extends AnyObject, Q extends AnyObject, B extends z.ZodType>(def: RouteDef<P, Q, B>): RouteDef {
  return def as unknown as RouteDef;
}

function parse(where: string, schema: z.ZodType | undefined, value: unknown): unknown {
  if (!schema) return value;
  // An absent body is an empty object, so a missing required field is named rather than `body`.
  const r = schema.safeParse(value ?? {});
  if (!r.success) throw validationError(where, r.error);
  return r.data;
}

export type Authenticate = (req: FastifyRequest) => Promise<TokenActor | null>;

/** The actor that a route's onRequest hook authenticated, for its handler (one token check per request). */
const actors = new WeakMap<FastifyRequest, TokenActor>();

export function registerRoute(app: FastifyInstance, def: RouteDef, authenticate: Authenticate): void {
  app.route({
    method: def.method,
    url: def.url,
    ...(def.bodyLimit !== undefined ? { bodyLimit: def.bodyLimit } : {}),
    // Authentication runs on the request line and headers, before a single byte of the body is read: a client
    // without a token cannot make the server read (or parse) 16 MB.
    onRequest: async (req, reply) => {
      if (def.access === 'public') return;
      const actor = await authenticate(req);
      if (!actor) {
        reply.header('www-authenticate', 'Bearer');
        throw new ApiError(401, 'authorization: a valid bearer token is required', 'authorization');
      }
      // An `authorize` token may only call the routes that name it (CONTRACT §1: /v1/authorize).
      const allowed = def.access === 'authenticated' ? actor.role !== 'authorize' : def.access.includes(actor.role);
      if (!allowed) {
        throw new ApiError(403, `authorization: role ${actor.role} may not ${def.method} ${def.url}`, 'authorization');
      }
      actors.set(req, actor);
    },
    handler: async (req, reply) => {
      const actor: TokenActor | null = def.access === 'public' ? null : (actors.get(req) ?? null);
      // Params first: a bad id is reported before anything about the body.
      const params = parse('params', def.params, req.params);
      const query = parse('query', def.query, req.query);
      const body = def.rawBody ? req.body : parse('body', def.body, req.body);
      const out = await def.handler({ actor, params, query, body, req, reply } as RouteInput<never, never, never>);
      // A handler may have chosen its own status (readyz: 503) or content type (metrics); keep those.
      if (def.responseContentType && reply.getHeader('content-type') === undefined) reply.type(def.responseContentType);
      if (def.status !== undefined && reply.statusCode === 200) reply.code(def.status);
      return out;
    },
  });
}
