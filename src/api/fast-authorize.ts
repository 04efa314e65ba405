// The fast path of `GET /v1/authorize?account=&callee=&caller=` (issue 15): a Node request listener in front of
// fastify's that answers the common case, a valid query with a cached `authorize` or `operator` token, without
// fastify's per-request machinery (route hooks, zod, async handler), and hands every other request to fastify
// untouched. It answers with the same pure code as the route (authorizeJsonAnswerer: status view lookup, emergency
// check, authorizeCall, the `authorized` metric) and the same bytes and headers fastify sends for a 200 JSON answer.
// Delegates: any other method, path or query shape; a parameter that the route's zod schema would refuse; a token
// that is not a live cache hit or whose role the route refuses; a request with a body; the view not loaded;
// fastify closing; debug access logs on. So every error answer (400/401/403/503 problem+json) stays fastify's.
// Per request (bench/README.md, "Call authorization"): the query read in place with no generic parsing
// (parseAuthorizeQuery, the one place a request's fields are read), the token found by its exact Authorization
// header (CachedAuthentication.peek), one Map lookup in the status view and a kept serialised answer (deps.answer,
// the one place the answer is made), written with one writeHead and one end.
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
// The checks of authorizeInput (src/api/routes/authorize-routes.ts), which a unit test holds equal to zod's:
// a wire id is 1 to 200 characters without control characters (U+0000-U+001F, U+007F); a number 1 to 64 of
// [A-Za-z0-9+*#:@._\- ()].
function wireIdOk(s: string): boolean {
  if (s.length < 1 || s.length > 200) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return false;
  }
  return true;
}
const NUMBER_CHARS = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+*#:@._- ()') NUMBER_CHARS[c.charCodeAt(0)] = 1;
function numberOk(s: string): boolean {
  if (s.length < 1 || s.length > 64) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || NUMBER_CHARS[c] === 0) return false;
  }
  return true;
}

const hexDigit = (c: number) => (c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1);

/** decodeURIComponent, by hand while every escape is an ASCII one (`%2B`), else by it; null where it throws. */
function percentDecoded(s: string): string | null {
  let out = '';
  let last = 0;
  for (let i = s.indexOf('%'); i !== -1; i = s.indexOf('%', last)) {
    const hi = hexDigit(s.charCodeAt(i + 1));
    const lo = hexDigit(s.charCodeAt(i + 2));
    if (hi < 0 || hi > 7 || lo < 0) {
      try {
        return decodeURIComponent(s);
      } catch {
        return null;
      }
    }
    out += s.slice(last, i) + String.fromCharCode(hi * 16 + lo);
    last = i + 3;
  }
  return out + s.slice(last);
}

/** The value between `from` and `to` as fastify's query parser (fast-querystring) reads it, or null if it fails. */
function valueAt(query: string, from: number, to: number): string | null {
  let value = query.slice(from, to);
  // `+` is a space, then percent-decoding.
  if (value.includes('+')) value = value.replaceAll('+', ' ');
  return value.includes('%') ? percentDecoded(value) : value;
}

/** A query string (after `?`) as the route's schema would accept it, or null for anything else or any doubt. */
export function parseAuthorizeQuery(query: string): AuthorizeInput | null {
  let account: string | undefined;
  let callee: string | undefined;
  let caller: string | undefined;
  // Each `name=value` between `&`s, read in place: the name must be one of the three, written plainly.
  for (let start = 0; start <= query.length; ) {
    let end = query.indexOf('&', start);
    if (end === -1) end = query.length;
    if (end > start) {
      // `a=1&&b=2`, a trailing `&`: the empty part is skipped, as fastify's parser does.
      const eq = query.indexOf('=', start);
      if (eq <= start || eq >= end) return null;
      const value = valueAt(query, eq + 1, end);
      if (value === null) return null;
      const nameLength = eq - start;
      if (nameLength === 7 && query.startsWith('account', start)) {
        if (account !== undefined) return null;
        account = value;
      } else if (nameLength === 6 && query.startsWith('callee', start)) {
        if (callee !== undefined) return null;
        callee = value;
      } else if (nameLength === 6 && query.startsWith('caller', start)) {
        if (caller !== undefined) return null;
        caller = value;
      } else {
        return null;
      }
    }
    start = end + 1;
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
