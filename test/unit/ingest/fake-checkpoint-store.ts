// An in-memory CheckpointStore with the fencing of checkpoint-repo.ts (a write succeeds only if the offsets it fences
// on are still the ones the writer last saw) and transactions that roll back on a throw. `failNextState` makes the
// next background state write fail, as a lost connection would.
import type { Checkpoint, EngineDelta } from '../../../src/ingest/checkpoint-repo.js';
import type { CheckpointStore, StatefulEngine } from '../../../src/ingest/partition-checkpoint.js';
import { storeSegment, type StoredSegments } from '../../helpers/dedupe-segments.js';

interface Row {
  stateOffset: number;
  effectsOffset: number;
  shared: Uint8Array | null;
  accounts: Map<string, Uint8Array>;
  dedupe: StoredSegments;
}

const key = (topic: string, partition: number) => `${topic}:${partition}`;

export class FakeCheckpointStore implements CheckpointStore<'tx'> {
  rows = new Map<string, Row>();
  failNextState = false;
  /** Lets a test hold a background write in flight. */
  stateGate: Promise<void> | null = null;

  row(topic: string, partition: number): Row | undefined {
    return this.rows.get(key(topic, partition));
  }

  async transaction<T>(fn: (tx: 'tx') => Promise<T>): Promise<T> {
    const saved = new Map([...this.rows].map(([k, r]) => [k, { ...r, accounts: new Map(r.accounts), dedupe: [...r.dedupe] }]));
    try {
      return await fn('tx');
    } catch (err) {
      this.rows = saved;
      throw err;
    }
  }

  async load(topic: string, partition: number): Promise<Checkpoint | null> {
    const r = this.row(topic, partition);
    if (!r) return null;
    return { stateOffset: r.stateOffset, effectsOffset: r.effectsOffset, shared: r.shared, accounts: r.shared ? [...r.accounts] : [], dedupe: r.shared ? r.dedupe.map(([, p]) => p) : [] };
  }

  private apply(r: Row, delta: EngineDelta | null): void {
    if (!delta) return;
    r.shared = delta.shared;
    for (const [id, part] of delta.upserts) r.accounts.set(id, part);
    for (const id of delta.deletes) r.accounts.delete(id);
    if (delta.dedupe) r.dedupe = storeSegment(r.dedupe, delta.dedupe);
  }

  async saveCheckpoint(_tx: 'tx', topic: string, partition: number, expected: number | null, expectedState: number | null, stateOffset: number, delta: EngineDelta | null, effectsOffset: number): Promise<boolean> {
    const r = this.row(topic, partition);
    if (expected === null) {
      if (r) return false;
      const fresh: Row = { stateOffset, effectsOffset, shared: null, accounts: new Map(), dedupe: [] };
      this.apply(fresh, delta);
      this.rows.set(key(topic, partition), fresh);
      return true;
    }
    if (!r || r.effectsOffset !== expected || r.stateOffset !== expectedState) return false;
    Object.assign(r, { stateOffset, effectsOffset });
    this.apply(r, delta);
    return true;
  }

  async saveEffectsOffset(_tx: 'tx', topic: string, partition: number, expected: number, effectsOffset: number): Promise<boolean> {
    const r = this.row(topic, partition);
    if (!r || r.effectsOffset !== expected) return false;
    r.effectsOffset = effectsOffset;
    return true;
  }

  async saveState(_tx: 'tx', topic: string, partition: number, expectedState: number, stateOffset: number, delta: EngineDelta): Promise<boolean> {
    if (this.stateGate) await this.stateGate;
    if (this.failNextState) {
      this.failNextState = false;
      throw Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
    }
    const r = this.row(topic, partition);
    if (!r || r.stateOffset !== expectedState) return false;
    r.stateOffset = stateOffset;
    this.apply(r, delta);
    return true;
  }
}

/** An engine whose state is a count per account: the parts the checkpoint stores are the counts. */
export class CountingParts implements StatefulEngine {
  counts = new Map<string, number>();
  dirty = new Set<string>();

  add(accountId: string): void {
    this.counts.set(accountId, (this.counts.get(accountId) ?? 0) + 1);
    this.dirty.add(accountId);
  }
  snapshotShared(): Uint8Array {
    return new Uint8Array([1]);
  }
  dirtyAccounts(): string[] {
    return [...this.dirty];
  }
  dirtyCount(): number {
    return this.dirty.size;
  }
  snapshotAccount(id: string): Uint8Array | null {
    const n = this.counts.get(id);
    return n === undefined ? null : new Uint8Array([n]);
  }
  markClean(): void {
    this.dirty.clear();
  }
  restoreParts(_shared: Uint8Array, accounts: Iterable<readonly [string, Uint8Array]>): void {
    for (const [id, part] of accounts) this.counts.set(id, part[0]!);
  }
}
