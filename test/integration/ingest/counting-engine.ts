// A FraudEngine decorator for tests and benchmarks: the real engine decides (dedupe, lateness, rules), and this
// counts the CDRs it accepted per account. The counts travel inside the snapshot and each account's count inside
// its checkpoint part (kept even after the real engine forgets the account), so the stored parts are a debug
// export of "how many times was each account's traffic counted" -- exactly-once made observable.
import type { AccountProfile, FraudEngine, FraudRule, ProcessResult } from '../../../src/rules/types.js';
import type { CdrRecord } from '../../../src/events/types.js';

export function countingEngine(inner: FraudEngine): FraudEngine & { counts: Map<string, number> } {
  const counts = new Map<string, number>();
  return {
    counts,
    process(cdr: CdrRecord, account: AccountProfile): ProcessResult {
      const r = inner.process(cdr, account);
      if (r.outcome === 'accepted') counts.set(cdr.accountId, (counts.get(cdr.accountId) ?? 0) + 1);
      return r;
    },
    snapshot(): Uint8Array {
      const head = Buffer.from(JSON.stringify([...counts]));
      const len = Buffer.alloc(4);
      len.writeUInt32BE(head.length);
      return Buffer.concat([len, head, inner.snapshot()]);
    },
    restore(state: Uint8Array): void {
      const { counts: c, inner: rest } = decodeCounting(state);
      counts.clear();
      for (const [k, v] of c) counts.set(k, v);
      inner.restore(rest);
    },
    dirtyAccounts: () => inner.dirtyAccounts(),
    dirtyCount: () => inner.dirtyCount(),
    snapshotAccount(accountId: string): Uint8Array | null {
      const n = counts.get(accountId);
      const part = inner.snapshotAccount(accountId);
      if (n === undefined) return part;
      return encodeCountingPart(n, part ?? new Uint8Array(0));
    },
    snapshotShared: () => inner.snapshotShared(),
    restoreParts(shared: Uint8Array, accounts: Iterable<readonly [string, Uint8Array]>, dedupe?: Iterable<Uint8Array>): void {
      counts.clear();
      const parts: [string, Uint8Array][] = [];
      for (const [id, bytes] of accounts) {
        const { count, inner: rest } = decodeCountingPart(bytes);
        counts.set(id, count);
        if (rest.length > 0) parts.push([id, rest]);
      }
      inner.restoreParts(shared, parts, dedupe);
    },
    dedupeSegment: () => inner.dedupeSegment(),
    dedupeStored: () => inner.dedupeStored(),
    markClean: () => inner.markClean(),
    setRules(rules: readonly FraudRule[]): void {
      inner.setRules(rules);
    },
    size: () => inner.size(),
  };
}

function encodeCountingPart(count: number, inner: Uint8Array): Uint8Array {
  const head = Buffer.alloc(8);
  head.writeDoubleBE(count);
  return Buffer.concat([head, inner]);
}

/** An account part of the counting engine: the account's count, then the real engine's part (maybe empty). */
export function decodeCountingPart(part: Uint8Array): { count: number; inner: Uint8Array } {
  const buf = Buffer.from(part.buffer, part.byteOffset, part.byteLength);
  return { count: buf.readDoubleBE(0), inner: buf.subarray(8) };
}

export function decodeCounting(state: Uint8Array): { counts: Map<string, number>; inner: Uint8Array } {
  const buf = Buffer.from(state.buffer, state.byteOffset, state.byteLength);
  const n = buf.readUInt32BE(0);
  return { counts: new Map(JSON.parse(buf.subarray(4, 4 + n).toString('utf8')) as [string, number][]), inner: buf.subarray(4 + n) };
}

/** A monitor-mode rule that counts every outbound call over a long window and never reaches its level. */
export const COUNTING_RULES_YAML = `fraud:
  - id: count-everything
    description: counts every outbound call; never reaches its level
    mode: monitor
    match: { direction: outbound }
    measure: calls
    window: 24h
    suspend: 1000000000
`;
