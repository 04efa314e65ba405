// The HTTP API (CONTRACT §4) on fastify 5: registers every route definition, the problem+json error handler, body
// limits and time-outs, bearer authentication and one access-log line per request. start() and stop() are
// idempotent. Never logs a header, a body or a token; never answers with a stack trace. Its HTTP server hands each
// request first to the GET /v1/authorize fast path (src/api/fast-authorize.ts), which passes on what it does not answer.
import { isUtf8 } from 'node:buffer';
import http from 'node:http';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { jsonTooDeep, MAX_JSON_DEPTH } from '../events/validate.js';
import { DEFAULT_LIMITS, type ApiDeps, type ApiLimits } from './deps.js';
import { registerConsole } from './console/console-assets.js';
import { consoleApiRoutes } from './console/console-routes.js';
import { buildOpenApi } from './openapi.js';
import { ApiError, pathOf, problem, sendProblem, toProblem, writeRawProblem } from './problem.js';
import { registerRoute, type RouteDef } from './route.js';
import { accountRoutes } from './routes/account-routes.js';
import { actionRoutes } from './routes/action-routes.js';
import { adminRoutes } from './routes/admin-routes.js';
import { authorizeJsonAnswerer, authorizeRoutes } from './routes/authorize-routes.js';
import { decisionRoutes } from './routes/decision-routes.js';
import { eventRoutes, JSON_TYPES, NDJSON_TYPES } from './routes/event-routes.js';
import { healthRoutes } from './routes/health-routes.js';
import { mappedEventRoutes } from './routes/mapped-event-routes.js';
import { createAccountCache } from './account-cache.js';
import { createFastAuthorize, type FastListener } from './fast-authorize.js';
import { cachedAuthentication } from './token-cache.js';
import { authenticate, type TokenActor } from './tokens.js';

export interface ApiServer {
  start(host: string, port: number): Promise<{ host: string; port: number; url: string }>;
  stop(): Promise<void>;
  /** Set once listening. */
  readonly address: { host: string; port: number; url: string } | null;
  /** The fastify instance, for in-process requests (`inject`) in tests. */
  readonly app: FastifyInstance;
  readonly routes: readonly RouteDef[];
}

const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;

declare module 'fastify' {
  interface FastifyRequest {
    actor?: TokenActor | null;
  }
}

export function createApiServer(deps: ApiDeps): ApiServer {
  const limits: ApiLimits = { ...DEFAULT_LIMITS, ...(deps.limits ?? {}) };
  const log = deps.logger.child({ component: 'api' });
  // Requests go first to the /v1/authorize fast path (src/api/fast-authorize.ts), which hands anything it does not
  // answer to fastify; set below once the token cache exists.
  let fast: FastListener | undefined;
  const app = Fastify({
    // The HTTP server fastify would create itself (same time-outs), with the fast path in front of its handler.
    serverFactory: (handler) => {
      const server = http.createServer((req, res) => {
        if (!fast?.(req, res)) handler(req, res);
      });
      server.keepAliveTimeout = limits.keepAliveTimeoutMs;
      server.requestTimeout = limits.requestTimeoutMs;
      server.setTimeout(limits.requestTimeoutMs * 2);
      return server;
    },
    bodyLimit: limits.bodyLimit,
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.requestTimeoutMs * 2,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    routerOptions: { maxParamLength: 512 },
    logger: false,
    return503OnClosing: true,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // A path fastify cannot route (bad percent-encoding, a parameter over maxParamLength) is a problem too.
    frameworkErrors: (err, req, reply) => {
      const status = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : 400;
      const detail = status === 414 ? 'path: a path parameter is too long' : 'path: not a valid URL (bad percent-encoding)';
      return sendProblem(reply, { ...problem(status, detail, 'path'), instance: pathOf(req.url) });
    },
    // Errors node's HTTP parser raises before fastify sees a request (431: headers too large): problem+json too.
    clientErrorHandler: (err: NodeJS.ErrnoException, socket) => writeRawProblem(err, socket),
  });

  // The API's JSON bodies must be UTF-8 (not turned into U+FFFD) and nest no deeper than any real request does.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    const bytes = body as Buffer;
    if (!isUtf8(bytes)) return done(new ApiError(400, 'body: not valid UTF-8', 'body'), undefined);
    if (jsonTooDeep(bytes)) return done(new ApiError(400, `body: nested deeper than ${MAX_JSON_DEPTH} levels`, 'body'), undefined);
    parseJson(req, bytes.toString('utf8'), done);
  });

  const storeAuth = async (req: FastifyRequest): Promise<TokenActor | null> => {
    if (req.actor !== undefined) return req.actor;
    const header = req.headers.authorization;
    const m = typeof header === 'string' ? BEARER.exec(header) : null;
    req.actor = m ? await authenticate(deps.db, m[1]!, deps.clock.now()) : null;
    return req.actor;
  };
  // One token cache for every route, fed revocations by the status view (src/api/token-cache.ts); none without one.
  const tokenFeed = deps.statusView ?? deps.authorize?.view;
  const tokenCache = tokenFeed ? cachedAuthentication(storeAuth, tokenFeed, { onLookup: (o) => deps.metrics.readCacheLookup('token', o) }) : undefined;
  const auth = tokenCache?.authenticate ?? storeAuth;
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  if (tokenCache && deps.authorize) {
    const view = deps.authorize.view;
    fast = createFastAuthorize({
      answer: authorizeJsonAnswerer(deps.authorize),
      loaded: () => view.loaded,
      peek: tokenCache.peek,
      // Debug access lines are fastify's onResponse hook's: with them on, every request goes through fastify.
      bypass: () => closing || log.isLevelEnabled('debug'),
    });
  }
  const accountCache = tokenFeed ? createAccountCache(tokenFeed, { onLookup: (o) => deps.metrics.readCacheLookup('account', o) }) : undefined;

  let openapiDoc: Record<string, unknown> | undefined;
  const openapi = () =>
    (openapiDoc ??= buildOpenApi(routes, {
      title: deps.openapi?.title ?? 'suspensiond',
      version: deps.openapi?.version ?? '1',
    }));
  const eventDefs = eventRoutes(deps, limits.eventsBodyLimit, limits.maxRecordsPerRequest);
  const authorizeDefs = authorizeRoutes(deps.authorize);
  const mappedDefs = mappedEventRoutes(deps, limits.eventsBodyLimit);
  const routes: RouteDef[] = [
    ...healthRoutes(deps, openapi),
    ...accountRoutes(deps, accountCache),
    ...actionRoutes(deps),
    ...decisionRoutes(deps),
    ...adminRoutes(deps),
    ...consoleApiRoutes(deps),
    ...eventDefs,
    ...authorizeDefs,
    ...mappedDefs,
  ];

  app.setErrorHandler((err, req, reply) => {
    const p = toProblem(err, req);
    if (p.status >= 500) log.error({ err, method: req.method, path: req.routeOptions.url ?? 'unknown' }, 'request failed');
    if (p.status === 503) reply.header('retry-after', '5');
    return sendProblem(reply, p);
  });
  app.setNotFoundHandler((req, reply) =>
    sendProblem(reply, { ...problem(404, `path: no route ${req.method} ${pathOf(req.url)}`, 'path'), instance: pathOf(req.url) }),
  );
  app.addHook('onResponse', async (req, reply) => {
    // /v1/authorize answers every call set-up: its lines are debug unless it failed (metrics count its answers).
    const quiet = req.routeOptions.url === '/v1/authorize' && reply.statusCode < 400;
    if (quiet && !log.isLevelEnabled('debug')) return;
    // The path only (a query may carry search text); never headers, bodies or tokens.
    log[quiet ? 'debug' : 'info'](
      {
        method: req.method,
        route: req.routeOptions.url ?? null,
        path: req.url.split('?')[0],
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        tokenId: req.actor?.tokenId ?? null,
      },
      'http request',
    );
  });

  // An accepted write through this API may change what a cached account read shows: forget those as it is answered
  // (the NOTIFY would follow, a few ms later). Unauthenticated or refused requests cannot flush the cache.
  if (accountCache) {
    app.addHook('onSend', async (req, reply) => {
      const url = req.routeOptions.url ?? '';
      const write = req.method !== 'GET' && req.method !== 'HEAD' && url !== '/v1/authorize' && !url.startsWith('/v1/events/');
      if (write && req.actor && reply.statusCode < 400) accountCache.forgetAll();
    });
  }
  // The API speaks JSON only: a text/plain body is a 415, not a string that fails validation.
  app.removeContentTypeParser('text/plain');
  const eventUrls = new Set([...eventDefs, ...mappedDefs].map((d) => d.url));
  for (const def of routes) if (!eventUrls.has(def.url)) registerRoute(app, def, auth);
  registerConsole(app);
  // Ingest takes raw bytes (JSON or NDJSON) and hands them on untouched; its parsers live in their own context.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser([...JSON_TYPES, ...NDJSON_TYPES], { parseAs: 'buffer', bodyLimit: limits.eventsBodyLimit }, (_req, body, done) =>
      done(null, body),
    );
    for (const def of eventDefs) registerRoute(scope, def, auth);
  });
  // Mapped CDRs arrive in the switch's own media type (JSON, CSV, text lines): any type, as raw bytes.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: limits.eventsBodyLimit }, (_req, body, done) => done(null, body));
    for (const def of mappedDefs) registerRoute(scope, def, auth);
  });

  let address: ApiServer['address'] = null;
  let starting: Promise<NonNullable<ApiServer['address']>> | undefined;
  let stopping: Promise<void> | undefined;

  return {
    app,
    routes,
    get address() {
      return address;
    },
    start(host, port) {
      if (stopping) return Promise.reject(new Error('the API server was stopped; create a new one'));
      starting ??= (async () => {
        await app.listen({ host, port });
        const a = app.server.address();
        const actualPort = typeof a === 'object' && a !== null ? a.port : port;
        const shownHost = host.includes(':') ? `[${host}]` : host;
        address = { host, port: actualPort, url: `http://${shownHost}:${actualPort}` };
        log.info({ url: address.url }, 'http api listening');
        return address;
      })();
      return starting;
    },
    stop() {
      stopping ??= (async () => {
        if (starting) await starting.catch(() => undefined);
        await app.close();
        tokenCache?.close();
        accountCache?.close();
        address = null;
      })();
      return stopping;
    },
  };
}
