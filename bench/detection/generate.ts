// The labelled detection week (issue 12): a deterministic generator of a UK reseller's week of traffic, with ground
// truth. `generateWeek(seed)` is a pure function returning the platform and every call as data (types.ts), for the
// benchmark (bench/detection/run.ts) and the product demo alike; records.ts turns it into wire records. Every
// figure comes from a published source (figures.ts, README.md).
import { attackCalls } from './attacks.js';
import { honestCalls } from './honest.js';
import { buildPlatform } from './platform.js';
import { Rng } from './random.js';
import type { Call, DetectionWeek } from './types.js';

export interface WeekOptions {
  seed?: number;
  /** Monday 00:00 UTC; default 2026-11-23. */
  startIso?: string;
}

export const DEFAULT_SEED = 12;
const WEEK_MS = 7 * 86_400_000;

export function generateWeek(opts: WeekOptions = {}): DetectionWeek {
  const seed = opts.seed ?? DEFAULT_SEED;
  const startMs = Date.parse(opts.startIso ?? '2026-11-23T00:00:00Z');
  const endMs = startMs + WEEK_MS;
  const rng = new Rng(seed);
  const accounts = buildPlatform(rng.fork(1), startMs);
  const calls: Call[] = [];
  accounts.forEach((a, i) => {
    if (a.type !== 'customer') return;
    const r = rng.fork(1000 + i);
    const log = honestCalls(r, a, startMs, endMs);
    attackCalls(r, log, endMs);
    for (const c of log.calls) if (c.startMs >= startMs && c.endMs < endMs) calls.push(c);
  });
  calls.sort((x, y) => x.startMs - y.startMs || (x.id < y.id ? -1 : 1));
  return { seed, startMs, endMs, accounts, calls };
}
