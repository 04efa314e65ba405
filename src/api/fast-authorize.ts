// The fast path of `GET /v1/authorize?account=&callee=&caller=` (issue 15): a Node request listener in front of
// fastify's that answers the common case, a valid query with a cached `authorize` or `operator` token, without
// fastify's per-request machinery (route hooks, zod, async handler), and hands every other request to fastify
// untouched. It answers with the same pure code as the route (authorizeJsonAnswerer: status view lookup, emergency
// check, authorizeCall, the `authorized` metric) and the same bytes and headers fastify sends for a 200 JSON answer.
// Delegates: any other method, path or query shape; a parameter that the route's zod schema would refuse; a token
// that is not a live cache hit or whose role the route refuses; a request with a body; the view not loaded;
// fastify closing; debug access logs on. So every error answer (400/401/403/503 problem+json) stays fastify's.
// Never: answers an error itself; asks the store for a token; logs a number dialled.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthorizeInput, AuthorizeJson } from './routes/authorize-routes.js';
import type { TokenActor } from './tokens.js';

export interface FastAuthorizeDeps {
  /** The route's answer for a validated request, serialised (authorizeJsonAnswerer); only once the view is loaded. */
  answer: (input: AuthorizeInput) => AuthorizeJson;
  /** Whether the status view is loaded. */
  loaded: () => boolean;
  /** The actor for the Authorization header on a live token-cache hit, else null (CachedAuthentication.peek). */
  peek: (authorization: string | undefined) => TokenActor | null;
  /** True when fastify must see the request anyway (closing, or debug access logs wanted). */
  bypass: () => boolean;
}

/** Answers the request and returns true, or returns false having written nothing (fastify's turn). */
export type FastListener = (req: IncomingMessage, res: ServerResponse) => boolean;

const PREFIX = '/v1/authorize?';
const CONTROL = /[\u0000-\u001f\u007f]/;
const NUMBER = /^[A-Za-z0-9+*#:@._\- ()]+$/;

// The checks of authorizeInput (src/api/routes/authorize-routes.ts), which a unit test holds equal to zod's.
const wireIdOk = (s: string) => s.length >= 1 && s.length <= 200 && !CONTROL.test(s);
const numberOk = (s: string) => s.length >= 1 && s.length <= 64 && NUMBER.test(s);

/** A query string (after `?`) as the route's schema would accept it, or null for anything else or any doubt. */
export function parseAuthorizeQuery(query: string): AuthorizeInput | null {
  let account: string | undefined;
  let callee: string | undefined;
  let caller: string | undefined;
  for (const part of query.split('&')) {
    if (part === '') continue; // `a=1&&b=2`, a trailing `&`: skipped, as fastify's parser does
    const eq = part.indexOf('=');
    if (eq <= 0) return null;
    let value = part.slice(eq + 1);
    // As fastify's query parser (fast-querystring): `+` is a space, then percent-decoding.
    if (value.includes('+')) value = value.replaceAll('+', ' ');
    if (value.includes('%')) {
      try {
        value = decodeURIComponent(value);
      } catch {
        return null;
      }
    }
    switch (part.slice(0, eq)) {
      case 'account':
        if (account !== undefined) return null;
        account = value;
        break;
      case 'callee':
        if (callee !== undefined) return null;
        callee = value;
        break;
      case 'caller':
        if (caller !== undefined) return null;
        caller = value;
        break;
      default:
        return null;
    }
  }
  if (account === undefined || callee === undefined || !wireIdOk(account) || !numberOk(callee)) return null;
  if (caller === undefined) return { account, callee };
  return numberOk(caller) ? { account, callee, caller } : null;
}

export function createFastAuthorize(deps: FastAuthorizeDeps): FastListener {
  return (req, res) => {
    const url = req.url;
    if (req.method !== 'GET' || url === undefined || !url.startsWith(PREFIX) || url.includes('#')) return false;
    const h = req.headers;
    if (h['content-length'] !== undefined || h['transfer-encoding'] !== undefined) return false;
    if (deps.bypass() || !deps.loaded()) return false;
    const input = parseAuthorizeQuery(url.slice(PREFIX.length));
    if (!input) return false;
    const actor = deps.peek(h.authorization);
    if (!actor || (actor.role !== 'authorize' && actor.role !== 'operator')) return false;
    const json = deps.answer(input);
    // The headers fastify sends for a 200 JSON answer, in its order (node adds date, connection, keep-alive alike).
    res.writeHead(200, json.headers);
    res.end(json.body);
    return true;
  };
}
