// Serves the operator console (CONTRACT §4 `/console`): the HTML shell at /console and its ES modules, stylesheet
// and icon at /console/assets/*, read once (on the first request, not at construction) from the `assets` folder
// beside this module: src/ under tsx, dist/ after `npm run build`. Every response carries a strict
// Content-Security-Policy: scripts and styles from this origin only, no inline script, no framing. Never serves a
// path outside that folder, and needs no token: the page asks for one and sends it only to /v1/*.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { problem, sendProblem } from '../problem.js';

export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
};

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

/** Every file under `dir` by its path relative to it, with `/` separators. */
function loadAssets(dir: string): Map<string, Asset> {
  const out = new Map<string, Asset>();
  const walk = (sub: string) => {
    for (const name of readdirSync(path.join(dir, sub))) {
      const rel = sub ? `${sub}/${name}` : name;
      const full = path.join(dir, rel);
      if (statSync(full).isDirectory()) walk(rel);
      else {
        const type = TYPES[path.extname(name)];
        if (!type) continue;
        const body = readFileSync(full);
        out.set(rel, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });
      }
    }
  };
  walk('');
  return out;
}

function send(req: FastifyRequest, reply: FastifyReply, asset: Asset) {
  reply
    .header('content-security-policy', CONSOLE_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY')
    .header('cache-control', 'no-cache')
    .header('etag', asset.etag)
    .type(asset.type);
  if (req.headers['if-none-match'] === asset.etag) return reply.code(304).send();
  return reply.send(asset.body);
}

export function registerConsole(app: FastifyInstance, dir = path.join(import.meta.dirname, 'assets')): void {
  let loaded: Map<string, Asset> | undefined;
  const assets = () => {
    loaded ??= loadAssets(dir);
    if (!loaded.has('index.html')) throw new Error(`console: ${dir}/index.html is missing (npm run build copies the assets)`);
    return loaded;
  };
  const page = (req: FastifyRequest, reply: FastifyReply) => send(req, reply, assets().get('index.html')!);
  app.get('/console', page);
  app.get('/console/', page);
  app.get('/console/assets/*', (req, reply) => {
    const rel = (req.params as { '*': string })['*'];
    const asset = assets().get(rel);
    if (!asset || rel === 'index.html') {
      return sendProblem(reply, problem(404, `path: no console asset ${rel}`, 'path'));
    }
    return send(req, reply, asset);
  });
}
