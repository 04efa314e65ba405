// Step 1 of the ingest path: raw records -> decoded records, one typed result each (results.ts). Kafka records the
// partition's checkpoint already covers are duplicates; while a restarted partition rebuilds its engine, the CDRs
// before its effects offset go to the engine only (`rebuild`), their effects being durable already.
// Pure: no I/O, no clock. Never: decides anything from the source beyond the offsets.
import { decodeValue, type DecodedRecord, type InputKind } from '../events/decode-record.js';
import type { CdrRecord } from '../events/types.js';
import { deadLetter, duplicate, ok, type StepResult } from './results.js';
import type { RawRecord } from './types.js';

/** Where the partition stands before the batch (Kafka only; other sources have no offsets). */
export interface DecodePosition {
  kafka: boolean;
  /** The next offset applied in memory (null: none yet). */
  appliedOffset: number | null;
  /** While rebuilding: records before this feed the engine without effects. */
  rebuildUntil: number | null;
}

export interface DecodedBatch {
  results: StepResult<DecodedRecord>[];
  /** CDRs that only rebuild the engine's state (their effects are durable). */
  rebuild: { cdr: CdrRecord; arrivedAtMs: number }[];
  /** Records the checkpoint already covered. */
  skipped: number;
  /** The offset after the last Kafka record of the batch that was not skipped (null: none). */
  lastOffset: number | null;
}

export function decodeBatch(kind: InputKind, records: readonly RawRecord[], at: DecodePosition): DecodedBatch {
  const out: DecodedBatch = { results: new Array(records.length), rebuild: [], skipped: 0, lastOffset: null };
  for (let i = 0; i < records.length; i++) {
    const rec = records[i]!;
    if (at.kafka) {
      if (at.appliedOffset !== null && rec.offset! < at.appliedOffset) {
        out.results[i] = duplicate();
        out.skipped++;
        continue;
      }
      out.lastOffset = rec.offset!;
    }
    // decodeRecord's verdict without its { ok, record } wrapper: the record, or the error's text.
    const d = decodeValue(kind, rec.value, rec.arrivedAtMs);
    if (at.kafka && at.rebuildUntil !== null && rec.offset! < at.rebuildUntil) {
      if (typeof d !== 'string' && d.kind === 'cdrs') out.rebuild.push({ cdr: d.value, arrivedAtMs: rec.arrivedAtMs });
      out.results[i] = duplicate();
      continue;
    }
    out.results[i] = typeof d === 'string' ? deadLetter(d) : ok(d);
  }
  return out;
}
