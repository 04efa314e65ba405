// RFC 9457 problem details: every API error leaves here as application/problem+json whose `detail` names the bad
// field. Maps DomainError codes and zod issues to problems. Never puts a token, a header or a stack in a response.
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError } from '../domain/errors.js';
import { DbError } from '../store/errors.js';

export const PROBLEM_TYPE = 'application/problem+json';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  /** The bad field's path, e.g. `body.reason` or `params.id`, when there is one. */
  field?: string;
  errors?: Array<{ field: string; message: string }>;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
    readonly errors?: Array<{ field: string; message: string }>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function problem(status: number, detail: string, field?: string, errors?: Problem['errors']): Problem {
  const p: Problem = { type: 'about:blank', title: TITLES[status] ?? 'Error', status, detail };
  if (field !== undefined) p.field = field;
  if (errors !== undefined && errors.length > 0) p.errors = errors;
  return p;
}

/** Turns zod issues into one problem naming every bad field (`where` is `body`, `query` or `params`). */
export function validationError(where: string, error: z.ZodError): ApiError {
  const errors = error.issues.flatMap((issue) => {
    const base = [where, ...issue.path.map(String)];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((k) => ({ field: [...base, k].join('.'), message: 'unknown field' }));
    }
    return [{ field: base.join('.'), message: issue.message }];
  });
  const first = errors[0] ?? { field: where, message: 'invalid' };
  const detail = errors.map((e) => `${e.field}: ${e.message}`).join('; ');
  return new ApiError(400, detail, first.field, errors);
}

/** A URL's path without its query: a query may carry a token or search text, and is never echoed. */
export function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/** Answers an error node's HTTP parser raised (no request object exists yet) with problem+json, then closes. */
export function writeRawProblem(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, detail, field] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'headers: the request line and headers are too large', 'headers']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'request: not received in time', 'request']
        : [400, 'request: not a valid HTTP request', 'request'];
  const body = JSON.stringify(problem(status, detail, field));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${TITLES[status]}\r\nContent-Type: ${PROBLEM_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply.code(p.status).type(PROBLEM_TYPE).send(p);
}

/** The fastify error handler: known errors become problems; anything else is a logged 500 without internals. */
export function toProblem(err: unknown, req: FastifyRequest): Problem {
  if (err instanceof ApiError) return { ...problem(err.status, err.message, err.field, err.errors), instance: pathOf(req.url) };
  if (err instanceof DomainError) {
    const status = { not_found: 404, forbidden: 403, invalid: 400, conflict: 409 }[err.code];
    return { ...problem(status, err.message), instance: pathOf(req.url) };
  }
  // A database that is down or a transaction that kept losing races: the client may retry; nothing leaks.
  if (err instanceof DbError && err.retryable) return problem(503, 'database: temporarily unavailable, retry later');
  const fe = err as FastifyError;
  if (fe && typeof fe.code === 'string') {
    switch (fe.code) {
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return problem(400, `body: malformed JSON (${fe.message})`, 'body');
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return problem(413, 'body: larger than the allowed size', 'body');
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return problem(415, 'content-type: unsupported media type', 'content-type');
      case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
        return problem(400, 'content-length: does not match the body', 'content-length');
    }
  }
  // fastify's JSON parser reports a bad body as a SyntaxError with statusCode 400; any other SyntaxError is a bug.
  if (fe instanceof SyntaxError && fe.statusCode === 400) return problem(400, `body: malformed JSON (${fe.message})`, 'body');
  if (fe && typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return problem(fe.statusCode, fe.message);
  }
  return problem(500, 'internal error');
}
