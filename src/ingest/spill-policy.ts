// The memory budget's arithmetic (issue 17), pure: how many accounts the budget holds, how many each partition
// keeps when the process is over it, and which accounts go first. Accounts are counted, each at the engine's
// estimated bytes per account (engine-spill.ts), rather than measured: the count is exact and deterministic, so a
// budget-constrained run spills the same accounts on every run, and it costs nothing per record. Least recently
// active means the lowest latest event time: event time is what the engine runs on, and it needs no extra state.
// Never: touches an engine or the database.

/** Past the budget, a partition spills down to this fraction of its share, so that spills come in batches. */
export const LOW_WATER = 0.9;

/** Accounts the budget holds at `bytesPerAccount` each (at least one). */
export function capacityOf(budgetBytes: number, bytesPerAccount: number): number {
  return Math.max(1, Math.floor(budgetBytes / bytesPerAccount));
}

/**
 * How many accounts a partition keeps: all of them while the process is within its capacity, else its share of
 * LOW_WATER * capacity in proportion to its accounts (each partition gives up the same fraction).
 */
export function keepOf(laneAccounts: number, totalAccounts: number, capacity: number): number {
  if (totalAccounts <= capacity) return laneAccounts;
  return Math.floor((laneAccounts * LOW_WATER * capacity) / totalAccounts);
}

/**
 * The indices of the `count` accounts with the lowest latest event time (`maxT`, one per id), ties broken by id so
 * the choice does not depend on the order of the candidates.
 */
export function leastRecent(ids: readonly string[], maxT: ArrayLike<number>, count: number): number[] {
  const n = ids.length;
  if (count <= 0) return [];
  if (count >= n) return Array.from({ length: n }, (_, i) => i);
  const sorted = Float64Array.from({ length: n }, (_, i) => maxT[i]!).sort();
  const cut = sorted[count - 1]!;
  const out: number[] = [];
  const ties: number[] = [];
  for (let i = 0; i < n; i++) {
    if (maxT[i]! < cut) out.push(i);
    else if (maxT[i] === cut) ties.push(i);
  }
  ties.sort((a, b) => (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : 0));
  for (let k = 0; out.length < count; k++) out.push(ties[k]!);
  return out;
}

/** Bytes with a unit (B, KB, MB, GB, TB: powers of 1024) or a percentage of the heap limit. */
export type BudgetSetting = { bytes: number } | { heapFraction: number };

const UNITS: Record<string, number> = { b: 1, kb: 2 ** 10, mb: 2 ** 20, gb: 2 ** 30, tb: 2 ** 40 };

/** Parses `512MB`, `2GB`, `1.5GB`, `50%` (of the heap limit); null when it is none of these. */
export function parseBudget(text: string): BudgetSetting | null {
  const pct = /^(\d+(?:\.\d+)?)%$/.exec(text.trim());
  if (pct) {
    const f = Number(pct[1]) / 100;
    return f > 0 && f <= 1 ? { heapFraction: f } : null;
  }
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|tb)$/i.exec(text.trim());
  if (!m) return null;
  const bytes = Math.floor(Number(m[1]) * UNITS[m[2]!.toLowerCase()]!);
  return bytes > 0 ? { bytes } : null;
}

/** The budget in bytes: a fraction resolves against V8's heap limit (`v8.getHeapStatistics().heap_size_limit`). */
export function budgetBytes(setting: BudgetSetting, heapLimit: number): number {
  return 'bytes' in setting ? setting.bytes : Math.floor(setting.heapFraction * heapLimit);
}
