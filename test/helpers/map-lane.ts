// One partition's fraud engine under the memory budget (src/ingest/engine-memory.ts) with its checkpoint store kept in
// Maps, as the engine-memory test and the engine soak (engine-soak.ts) drive it: a state write stores the dirty parts,
// the shared part and the dedupe segments, and carries the spilled parts through rule changes; a restart starts a new
// engine from that store as a partition restarts.
import { EngineMemory, type MemoryLane } from '../../src/ingest/engine-memory.js';
import { partMaxT } from '../../src/rules/engine-spill.js';
import type { FraudEngine } from '../../src/rules/types.js';
import { storeSegment, type StoredSegments } from './dedupe-segments.js';

export class MapLane {
  readonly store = new Map<string, Uint8Array>();
  shared: Uint8Array | null = null;
  segments: StoredSegments = [];
  engine!: FraudEngine;
  memory!: EngineMemory;
  lane!: MemoryLane;
  /** Spills and loads of the memories before the last restart. */
  private spilledBefore = 0;
  private loadedBefore = 0;

  constructor(
    engine: FraudEngine,
    private readonly budgetBytes: number,
  ) {
    this.take(engine);
  }

  private take(engine: FraudEngine): void {
    if (this.memory) {
      const s = this.memory.summary();
      this.spilledBefore += s.spills;
      this.loadedBefore += s.loads;
    }
    const store = this.store;
    this.engine = engine;
    this.memory = new EngineMemory({
      budgetBytes: this.budgetBytes,
      loadParts: async (_t, _p, ids) => ids.flatMap((id) => (store.has(id) ? [[id, store.get(id)!] as [string, Uint8Array]] : [])),
      saveParts: async (_q, _t, _p, parts) => void parts.forEach(([id, part]) => store.has(id) && store.set(id, part)),
    });
    this.lane = {
      key: 'cdrs:0',
      row: { topic: 'cdrs', partition: 0 },
      checkpoint: { engine, mode: 'live', settle: async () => undefined, reset: () => { throw new Error('no reset expected'); }, requestStateWrite: () => undefined },
    };
  }

  /** A state write: the dirty parts, the shared part, the dedupe segment and the spilled parts carried to the current rules, at once. */
  async write(): Promise<void> {
    const e = this.engine;
    const migration = this.memory.migration(this.lane);
    for (const id of e.dirtyAccounts()) {
      const part = e.snapshotAccount(id);
      if (part) this.store.set(id, part);
      else this.store.delete(id);
    }
    this.shared = e.snapshotShared();
    this.segments = storeSegment(this.segments, e.dedupeSegment());
    e.dedupeStored();
    e.markClean();
    if (migration) {
      await migration.run(null as never);
      migration.done();
    }
  }

  /**
   * Writes, then starts `engine` (new, empty) from the store, as a partition restarts: under a finite budget from the
   * shared part and the dedupe segments, every account spilled (loaded on its next record); unbounded, with every part.
   */
  async restart(engine: FraudEngine): Promise<void> {
    await this.write();
    this.take(engine);
    const pairs = this.segments.map(([, p]) => p);
    if (Number.isFinite(this.budgetBytes)) {
      engine.restoreParts(this.shared!, [], pairs);
      this.memory.adopt('cdrs:0', engine, this.shared!, [...this.store].map(([id, part]) => [id, partMaxT(part)] as const));
    } else engine.restoreParts(this.shared!, this.store, pairs);
  }

  /** Spills and loads over every restart. */
  totals(): { spills: number; loads: number } {
    const s = this.memory.summary();
    return { spills: this.spilledBefore + s.spills, loads: this.loadedBefore + s.loads };
  }
}
