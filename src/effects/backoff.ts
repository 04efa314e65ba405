// Retry delays for outbox rows: exponential backoff with full jitter, capped. Pure: the caller passes the random
// source, so tests are deterministic. Never returns less than `minMs` so a failing row cannot spin.
export interface BackoffPolicy {
  /** Delay scale of the first retry, ms. */
  baseMs: number;
  /** Upper bound of any delay, ms. */
  maxMs: number;
  /** Fraction of the delay that is randomised: 0 = none, 1 = full jitter. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, maxMs: 15 * 60_000, jitter: 0.5 };

/** Delay before retry number `attempt` (1 = after the first failure). `random` returns [0, 1). */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const n = Math.max(1, Math.floor(attempt));
  // 2^(n-1) grows past maxMs quickly; cap the exponent so the arithmetic stays exact and finite.
  const exp = Math.min(n - 1, 40);
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** exp);
  const jitter = Math.min(1, Math.max(0, policy.jitter));
  const fixed = ceiling * (1 - jitter);
  const delay = fixed + ceiling * jitter * random();
  return Math.max(1, Math.round(delay));
}
