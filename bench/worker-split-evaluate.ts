// The decode + evaluate half of the ingest path, for bench/worker-split.ts: one instance per thread (the main
// thread's or a worker's), owning the fraud engines of its partitions. It decodes each message with the daemon's
// decodeRecord and runs the daemon's fraud engine; PostgreSQL, checkpoints and effects are not part of it.
import { parentPort, workerData } from 'node:worker_threads';
import { decodeRecord } from '../src/events/decode-record.js';
import { createFraudEngine } from '../src/rules/fraud-engine.js';
import { loadRules } from '../src/rules-dir.js';
import type { AccountProfile, FraudEngine, FraudRule } from '../src/rules/types.js';

export interface Evaluator {
  /** Decodes and evaluates one partition's batch (values back to back in `bytes`, ends at `ends`); returns the hits. */
  batch(partition: number, bytes: Uint8Array, ends: Uint32Array): number;
}

export function createEvaluator(rules: readonly FraudRule[]): Evaluator {
  const engines = new Map<number, FraudEngine>();
  const profiles = new Map<string, AccountProfile>();
  return {
    batch(partition, bytes, ends) {
      let engine = engines.get(partition);
      if (!engine) engines.set(partition, (engine = createFraudEngine(rules, { allowedLatenessMs: 300_000, defaultTimezone: 'UTC' })));
      const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const now = Date.now();
      let hits = 0;
      let start = 0;
      for (let i = 0; i < ends.length; i++) {
        const d = decodeRecord('cdrs', buf.subarray(start, ends[i]), now);
        start = ends[i]!;
        if (!d.ok || d.record.kind !== 'cdrs') throw new Error(`bench traffic did not decode: ${d.ok ? d.record.kind : d.error}`);
        const cdr = d.record.value;
        let p = profiles.get(cdr.accountId);
        if (!p) profiles.set(cdr.accountId, (p = { id: cdr.accountId, type: null, tags: [], timezone: 'UTC' }));
        hits += engine.process(cdr, p).hits.length;
      }
      return hits;
    },
  };
}

// As a worker (bench/worker-boot.mjs): {rulesDir, noRules} in workerData; messages {id, partition, bytes, ends} -> {id, hits, cpuUs}.
if (parentPort && workerData?.rulesDir) {
  const port = parentPort;
  const rules = await loadRules(workerData.rulesDir as string);
  const ev = createEvaluator(workerData.noRules ? [] : rules.fraud);
  port.on('message', (m: { id: number; partition: number; bytes: Uint8Array; ends: Uint32Array } | 'cpu') => {
    if (m === 'cpu') {
      const u = process.cpuUsage();
      port.postMessage({ cpuUs: u.user + u.system });
      return;
    }
    port.postMessage({ id: m.id, hits: ev.batch(m.partition, m.bytes, m.ends) });
  });
  port.postMessage({ ready: true });
}
